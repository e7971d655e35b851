package salesforce

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/voicecert/voicecert/rotation"
)

// maxPerCall is the number of components one CRUD call may carry
// (reference §5, believed to be 10).
const maxPerCall = 10

// envelopeHead and envelopeMid frame the SessionHeader's session id; the
// body element follows envelopeMid. The shape is jsforce's, which Salesforce
// accepts: the metadata namespace is the default namespace of header and
// body, xsi is declared on the envelope for xsi:type.
const (
	envelopeHead = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<soapenv:Envelope xmlns:soapenv="` + nsEnvelope + `" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="` + nsXSI + `">` +
		`<soapenv:Header xmlns="` + nsMetadata + `"><SessionHeader><sessionId>`
	envelopeMid  = `</sessionId></SessionHeader></soapenv:Header><soapenv:Body xmlns="` + nsMetadata + `">`
	envelopeTail = `</soapenv:Body></soapenv:Envelope>`
)

// soapEnvelope returns the request document for body with session id token.
func soapEnvelope(token string, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString(envelopeHead)
	_ = xml.EscapeText(&b, []byte(token))
	b.WriteString(envelopeMid)
	b.Write(body)
	b.WriteString(envelopeTail)
	return b.Bytes()
}

// soapCall sends one Metadata API operation whose request element is body
// and decodes the response element into out.
func (c *Client) soapCall(ctx context.Context, op string, body any, out any) error {
	payload, err := xml.Marshal(body)
	if err != nil {
		return fmt.Errorf("salesforce: %s: encode request: %w", op, err)
	}
	return c.do(ctx, request{
		op:   op,
		soap: true,
		build: func(ctx context.Context, token, base string) (*http.Request, error) {
			u := base + "/services/Soap/m/" + c.opts.APIVersion
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(soapEnvelope(token, payload)))
			if err != nil {
				return nil, err
			}
			req.Header.Set("Content-Type", "text/xml; charset=UTF-8")
			req.Header.Set("SOAPAction", `""`)
			req.Header.Set("Accept", "text/xml")
			return req, nil
		},
		handle: func(resp *http.Response, data []byte) error {
			return decodeSOAP(op, resp, data, out)
		},
	})
}

// decodeSOAP finds the body of a SOAP response and decodes its first
// element into out, or returns the fault it carries.
func decodeSOAP(op string, resp *http.Response, data []byte, out any) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	inBody := false
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return httpError(op, resp, data, fmt.Errorf("malformed SOAP response: %w", err))
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case !inBody && se.Name.Local == "Body" && se.Name.Space == nsEnvelope:
			inBody = true
		case !inBody:
			continue
		case se.Name.Local == "Fault":
			var f struct {
				Code   string `xml:"faultcode"`
				String string `xml:"faultstring"`
			}
			if err := d.DecodeElement(&f, &se); err != nil {
				return httpError(op, resp, data, fmt.Errorf("malformed SOAP fault: %w", err))
			}
			code := strings.TrimSpace(f.Code)
			if i := strings.LastIndex(code, ":"); i >= 0 {
				code = code[i+1:]
			}
			return &SOAPFault{Code: code, Message: strings.TrimSpace(f.String), HTTPStatus: resp.StatusCode}
		default:
			if resp.StatusCode/100 != 2 {
				return httpError(op, resp, data, nil)
			}
			if err := d.DecodeElement(out, &se); err != nil {
				return fmt.Errorf("salesforce: %s: decode response: %w", op, err)
			}
			return nil
		}
	}
	return httpError(op, resp, data, errors.New("no SOAP body"))
}

// httpError describes an answer that is neither a result nor a fault.
func httpError(op string, resp *http.Response, data []byte, cause error) error {
	msg := strings.TrimSpace(string(data))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	if cause != nil {
		msg = cause.Error() + ": " + msg
	}
	return &APIError{StatusCode: resp.StatusCode, Message: op + ": " + msg, RetryAfter: retryAfter(resp.Header)}
}

// ptrComponent is a pointer to a Component struct type T.
type ptrComponent[T any] interface {
	*T
	Component
}

// record decodes one ReadResult record, noting xsi:nil and empty records.
type record[T any] struct {
	value *T
}

func (r *record[T]) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	for _, a := range start.Attr {
		if a.Name.Local == "nil" && (a.Name.Space == nsXSI || a.Name.Space == "xsi") && (a.Value == "true" || a.Value == "1") {
			return d.Skip()
		}
	}
	v := new(T)
	if err := d.DecodeElement(v, &start); err != nil {
		return err
	}
	r.value = v
	return nil
}

// namesRequest is the request of readMetadata and deleteMetadata.
type namesRequest struct {
	XMLName   xml.Name
	Type      string   `xml:"type"`
	FullNames []string `xml:"fullNames"`
}

// ReadMetadata reads components of type T by full name (readMetadata), up to
// 10 per call, the calls of more than 10 names at once (see
// Options.Concurrency). The result is aligned with fullNames; a missing
// component (Salesforce answers a nil or empty record) is a nil entry.
func ReadMetadata[T any, PT ptrComponent[T]](ctx context.Context, c *Client, fullNames ...string) ([]*T, error) {
	typ := PT(new(T)).MetadataType()
	parts := slices.Collect(chunks(fullNames))
	read := make([][]*T, len(parts))
	err := c.parallel(ctx, len(parts), func(ctx context.Context, i int) error {
		chunk := parts[i]
		req := namesRequest{XMLName: xml.Name{Local: "readMetadata"}, Type: typ, FullNames: chunk}
		var resp struct {
			Records []record[T] `xml:"result>records"`
		}
		if err := c.soapCall(ctx, "readMetadata", req, &resp); err != nil {
			return fmt.Errorf("read %s %s: %w", typ, strings.Join(chunk, ", "), err)
		}
		byName := map[string]*T{}
		for _, r := range resp.Records {
			if r.value != nil && PT(r.value).MetadataFullName() != "" {
				byName[PT(r.value).MetadataFullName()] = r.value
			}
		}
		for _, n := range chunk {
			read[i] = append(read[i], byName[n])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, len(fullNames))
	for _, r := range read {
		out = append(out, r...)
	}
	return out, nil
}

// listAndRead lists every component of type T (listMetadata) and reads them
// all, sorted by full name. values[i] is nil when files[i] vanished between
// the two calls.
func listAndRead[T any, PT ptrComponent[T]](ctx context.Context, c *Client) (files []FileProperties, values []*T, err error) {
	files, err = c.ListMetadata(ctx, PT(new(T)).MetadataType())
	if err != nil {
		return nil, nil, err
	}
	slices.SortFunc(files, func(a, b FileProperties) int { return strings.Compare(a.FullName, b.FullName) })
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.FullName
	}
	values, err = ReadMetadata[T, PT](ctx, c, names...)
	return files, values, err
}

// ReadOne reads one component; a missing one is an error wrapping
// rotation.ErrNotFound.
func ReadOne[T any, PT ptrComponent[T]](ctx context.Context, c *Client, fullName string) (*T, error) {
	res, err := ReadMetadata[T, PT](ctx, c, fullName)
	if err != nil {
		return nil, err
	}
	if res[0] == nil {
		return nil, fmt.Errorf("salesforce: %s %q: %w", PT(new(T)).MetadataType(), fullName, rotation.ErrNotFound)
	}
	return res[0], nil
}

// Modify is a read-modify-write of one whole component: it reads fullName,
// lets fn change it and sends it back with updateMetadata (never
// upsertMetadata, so a wrong name can never create a component). fn returning
// an error stops before the update.
func Modify[T any, PT ptrComponent[T]](ctx context.Context, c *Client, fullName string, fn func(PT) error) error {
	v, err := ReadOne[T, PT](ctx, c, fullName)
	if err != nil {
		return err
	}
	if err := fn(PT(v)); err != nil {
		return err
	}
	return c.UpdateMetadata(ctx, PT(v))
}

// CreateMetadata creates components (createMetadata), up to 10 per call. All
// must be of one type. Components that fail come back as *SaveError, joined.
func (c *Client) CreateMetadata(ctx context.Context, comps ...Component) error {
	return c.save(ctx, "createMetadata", comps)
}

// UpdateMetadata replaces whole components (updateMetadata), up to 10 per
// call. All must be of one type; send every required field (read-modify-write
// with Modify). Components that fail come back as *SaveError, joined.
func (c *Client) UpdateMetadata(ctx context.Context, comps ...Component) error {
	return c.save(ctx, "updateMetadata", comps)
}

// metadataItem wraps a component as <metadata xsi:type="T">.
type metadataItem struct{ c Component }

// MarshalXML implements xml.Marshaler; the element is always <metadata>.
func (m metadataItem) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	return e.EncodeElement(m.c, xml.StartElement{
		Name: xml.Name{Local: "metadata"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xsi:type"}, Value: m.c.MetadataType()}},
	})
}

// resultError is the SaveResult / DeleteResult shape.
type resultError struct {
	Fields     []string `xml:"fields"`
	Message    string   `xml:"message"`
	StatusCode string   `xml:"statusCode"`
}

type saveResult struct {
	Errors   []resultError `xml:"errors"`
	FullName string        `xml:"fullName"`
	Success  bool          `xml:"success"`
}

func (c *Client) save(ctx context.Context, op string, comps []Component) error {
	if len(comps) == 0 {
		return nil
	}
	typ := comps[0].MetadataType()
	for _, m := range comps {
		if m.MetadataType() != typ {
			return fmt.Errorf("salesforce: %s: components of types %s and %s in one call: %w", op, typ, m.MetadataType(), rotation.ErrInvalidInput)
		}
	}
	var errs []error
	for chunk := range chunks(comps) {
		items := make([]metadataItem, len(chunk))
		for i, m := range chunk {
			items[i] = metadataItem{m}
		}
		req := struct {
			XMLName  xml.Name
			Metadata []metadataItem
		}{XMLName: xml.Name{Local: op}, Metadata: items}
		var resp struct {
			Results []saveResult `xml:"result"`
		}
		if err := c.soapCall(ctx, op, req, &resp); err != nil {
			return fmt.Errorf("%s %s: %w", op, typ, err)
		}
		errs = append(errs, resultErrors(resp.Results)...)
	}
	return errors.Join(errs...)
}

// resultErrors turns failed results into classified *SaveError values.
func resultErrors(results []saveResult) []error {
	var errs []error
	for _, r := range results {
		if r.Success {
			continue
		}
		if len(r.Errors) == 0 {
			r.Errors = []resultError{{StatusCode: "UNKNOWN", Message: "success=false without errors"}}
		}
		for _, e := range r.Errors {
			errs = append(errs, classify(&SaveError{FullName: r.FullName, StatusCode: e.StatusCode, Message: e.Message, Fields: e.Fields}))
		}
	}
	return errs
}

// DeleteMetadata deletes components of one type by full name
// (deleteMetadata), up to 10 per call. Components that fail come back as
// *SaveError, joined.
func (c *Client) DeleteMetadata(ctx context.Context, typ string, fullNames ...string) error {
	var errs []error
	for chunk := range chunks(fullNames) {
		req := namesRequest{XMLName: xml.Name{Local: "deleteMetadata"}, Type: typ, FullNames: chunk}
		var resp struct {
			Results []saveResult `xml:"result"`
		}
		if err := c.soapCall(ctx, "deleteMetadata", req, &resp); err != nil {
			return fmt.Errorf("delete %s: %w", typ, err)
		}
		errs = append(errs, resultErrors(resp.Results)...)
	}
	return errors.Join(errs...)
}

// ListMetadata lists the components of one type (listMetadata).
func (c *Client) ListMetadata(ctx context.Context, typ string) ([]FileProperties, error) {
	type query struct {
		Type string `xml:"type"`
	}
	req := struct {
		XMLName     xml.Name `xml:"listMetadata"`
		Queries     []query  `xml:"queries"`
		AsOfVersion string   `xml:"asOfVersion"`
	}{Queries: []query{{Type: typ}}, AsOfVersion: c.opts.APIVersion}
	var resp struct {
		Results []FileProperties `xml:"result"`
	}
	if err := c.soapCall(ctx, "listMetadata", req, &resp); err != nil {
		return nil, fmt.Errorf("list %s: %w", typ, err)
	}
	return resp.Results, nil
}

// chunks yields s in slices of at most maxPerCall.
func chunks[E any](s []E) func(yield func([]E) bool) {
	return func(yield func([]E) bool) {
		for i := 0; i < len(s); i += maxPerCall {
			if !yield(s[i:min(i+maxPerCall, len(s))]) {
				return
			}
		}
	}
}
