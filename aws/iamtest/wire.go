package iamtest

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"time"
)

// writeError answers f in the ErrorResponse format of IAM (or of STS).
func writeError(w http.ResponseWriter, f *Fault, sts bool) {
	facts, ns := errorFacts, xmlns
	if sts {
		facts, ns = stsErrorFacts, stsXMLNS
	}
	fact, known := facts[f.Code]
	if !known && sts {
		fact, known = errorFacts[f.Code]
	}
	if !known {
		fact = errorFact{status: http.StatusBadRequest, typ: "Sender"}
	}
	status, msg := f.Status, f.Message
	if status == 0 {
		status = fact.status
	}
	if msg == "" {
		msg = fact.message
	}
	id := requestID()
	var b bytes.Buffer
	b.WriteString(`<ErrorResponse xmlns="` + ns + `"><Error>`)
	writeElement(&b, "Type", fact.typ)
	writeElement(&b, "Code", f.Code)
	writeElement(&b, "Message", msg)
	b.WriteString(`</Error>`)
	writeElement(&b, "RequestId", id)
	b.WriteString(`</ErrorResponse>`)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", id)
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// writeResult answers a success: <OpResponse><OpResult>…</OpResult>
// <ResponseMetadata>…</ResponseMetadata></OpResponse>. A nil result writes no
// Result element (Tag and Untag).
func writeResult(w http.ResponseWriter, op string, result any, sts bool) {
	ns := xmlns
	if sts {
		ns = stsXMLNS
	}
	id := requestID()
	var b bytes.Buffer
	b.WriteString(`<` + op + `Response xmlns="` + ns + `">`)
	if result != nil {
		enc := xml.NewEncoder(&b)
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: op + "Result"}}); err != nil {
			writeError(w, &Fault{Code: "ServiceFailure", Message: err.Error()}, sts)
			return
		}
		_ = enc.Flush()
	}
	b.WriteString(`<ResponseMetadata>`)
	writeElement(&b, "RequestId", id)
	b.WriteString(`</ResponseMetadata></` + op + `Response>`)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", id)
	_, _ = w.Write(b.Bytes())
}

func writeElement(b *bytes.Buffer, name, text string) {
	b.WriteString("<" + name + ">")
	_ = xml.EscapeText(b, []byte(text))
	b.WriteString("</" + name + ">")
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
