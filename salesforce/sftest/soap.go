package sftest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strings"
)

const maxSOAPBody = 10 << 20

// soapFault is a SOAP fault answer.
type soapFault struct {
	code    string // "sf:INVALID_SESSION_ID", "soapenv:Client"
	message string // faultstring
	status  int
}

// sfFault is a fault with an sf: exception code; its faultstring starts with
// the code, as Salesforce's do.
func sfFault(code, msg string) *soapFault {
	return &soapFault{code: "sf:" + code, message: code + ": " + msg, status: soapStatus(code)}
}

// clientFault is a fault for a request that does not match the schema.
func clientFault(msg string) *soapFault {
	return &soapFault{code: faultClient, message: msg, status: 500}
}

func (f *soapFault) Error() string { return f.code + " " + f.message }

func writeSOAPFault(w http.ResponseWriter, f *soapFault) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="` + nsSOAPEnv +
		`" xmlns:sf="` + MetadataNS + `"><soapenv:Body><soapenv:Fault><faultcode>`)
	_ = xml.EscapeText(&b, []byte(f.code))
	b.WriteString(`</faultcode><faultstring>`)
	_ = xml.EscapeText(&b, []byte(f.message))
	b.WriteString(`</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`)
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(f.status)
	_, _ = w.Write(b.Bytes())
}

func writeSOAPResponse(w http.ResponseWriter, body *node) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="` + nsSOAPEnv +
		`" xmlns="` + MetadataNS + `" xmlns:xsi="` + nsXSI + `"><soapenv:Body>`)
	writeNode(&b, body)
	b.WriteString(`</soapenv:Body></soapenv:Envelope>`)
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}

var apiVersion = regexp.MustCompile(`^[1-9][0-9]\.0$`)

// soapRequest is a parsed SOAP envelope.
type soapRequest struct {
	header, body *node
	op           *node // the body's single operation element
}

// parseEnvelope checks the envelope's shape.
func parseEnvelope(root *node) (*soapRequest, *soapFault) {
	if root.Space != nsSOAPEnv || root.Name != "Envelope" {
		return nil, clientFault(fmt.Sprintf("Unexpected element {%s}%s: expected a SOAP 1.1 Envelope", root.Space, root.Name))
	}
	req := &soapRequest{}
	for _, c := range root.Children {
		switch {
		case c.Space == nsSOAPEnv && c.Name == "Header" && req.header == nil && req.body == nil:
			req.header = c
		case c.Space == nsSOAPEnv && c.Name == "Body" && req.body == nil:
			req.body = c
		default:
			return nil, clientFault(fmt.Sprintf("Unexpected element {%s}%s in the SOAP Envelope", c.Space, c.Name))
		}
	}
	if req.body == nil || len(req.body.Children) != 1 {
		return nil, clientFault("the SOAP Body must hold exactly one operation element")
	}
	req.op = req.body.Children[0]
	return req, nil
}

// headerValue returns the text of header/element/child in the metadata
// namespace.
func (r *soapRequest) headerValue(element, child string) (string, bool) {
	if r.header == nil {
		return "", false
	}
	for _, h := range r.header.Children {
		if h.Space == MetadataNS && h.Name == element {
			if c := h.child(child); c != nil && c.Space == MetadataNS {
				return strings.TrimSpace(c.Text), true
			}
		}
	}
	return "", false
}

// describeCall names the operation and target of a request for Calls; it
// tolerates malformed requests.
func describeCall(root *node) Call {
	c := Call{Op: "soap"}
	if root == nil {
		return c
	}
	var op *node
	for _, ch := range root.Children {
		if ch.Name == "Body" && len(ch.Children) > 0 {
			op = ch.Children[0]
		}
	}
	if op == nil {
		return c
	}
	c.Op = op.Name
	var typ string
	var names []string
	for _, ch := range op.Children {
		switch ch.Name {
		case "type":
			typ = strings.TrimSpace(ch.Text)
		case "fullNames":
			names = append(names, strings.TrimSpace(ch.Text))
		case "metadata":
			typ = ch.XSIType
			names = append(names, ch.text("fullName"))
		case "queries":
			names = append(names, ch.text("type"))
		}
	}
	switch {
	case typ != "":
		c.Target = typ + "/" + strings.Join(names, ",")
	default:
		c.Target = strings.Join(names, ",")
	}
	return c
}

func (o *Org) handleSOAP(w http.ResponseWriter, r *http.Request) {
	root, perr := parseXML(r.Body, maxSOAPBody)
	call := describeCall(root)
	if perr != nil {
		call = Call{Op: "soap"}
	}
	if f := o.begin(r.Context(), call); f != nil {
		status := f.Status
		if status == 0 {
			status = soapStatus(f.Code)
		}
		writeSOAPFault(w, &soapFault{code: "sf:" + f.Code, message: f.Code + ": " + faultMessage(f), status: status})
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	resp, fault := o.serveSOAP(r, root, perr)
	if fault != nil {
		o.log.Debug("sftest SOAP fault", "op", call.Op, "code", fault.code)
		writeSOAPFault(w, fault)
		return
	}
	writeSOAPResponse(w, resp)
}

// serveSOAP checks the transport, envelope and session, then runs the
// operation.
func (o *Org) serveSOAP(r *http.Request, root *node, perr error) (*node, *soapFault) {
	if v := r.PathValue("version"); !apiVersion.MatchString(v) {
		return nil, sfFault("UNSUPPORTED_API_VERSION", fmt.Sprintf("Invalid Api version specified on URL: %s", v))
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "text/xml" {
		return nil, clientFault("Content-Type must be text/xml for SOAP 1.1, got " + r.Header.Get("Content-Type"))
	}
	if action, ok := r.Header["Soapaction"]; !ok || (action[0] != `""` && action[0] != "") {
		return nil, clientFault(`SOAPAction header must be present and empty ("")`)
	}
	if perr != nil {
		return nil, clientFault("Could not parse the SOAP request: " + perr.Error())
	}
	req, fault := parseEnvelope(root)
	if fault != nil {
		return nil, fault
	}
	sid, _ := req.headerValue("SessionHeader", "sessionId")
	o.mu.Lock()
	_, ok := o.sessionLocked(sid, true)
	o.mu.Unlock()
	if !ok {
		return nil, sfFault(codeInvalidSession, soapSessionFault)
	}
	if req.op.Space != MetadataNS {
		return nil, clientFault(fmt.Sprintf("Unexpected element {%s}%s in the SOAP Body", req.op.Space, req.op.Name))
	}
	switch req.op.Name {
	case "readMetadata":
		return o.readMetadata(req.op)
	case "createMetadata", "updateMetadata":
		allOrNone, _ := req.headerValue("AllOrNoneHeader", "allOrNone")
		return o.saveMetadata(req.op, allOrNone == "true" || allOrNone == "1")
	case "upsertMetadata":
		return nil, sfFault(codeInvalidOperation, "upsertMetadata is refused by this org: update existing "+
			"components with updateMetadata so that a wrong fullName can never create one")
	case "deleteMetadata":
		return o.deleteMetadata(req.op)
	case "listMetadata":
		return o.listMetadata(req.op)
	default:
		return nil, clientFault(fmt.Sprintf("No operation available for request {%s}%s", MetadataNS, req.op.Name))
	}
}
