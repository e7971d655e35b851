package salesforce

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

const (
	nsMetadata = "http://soap.sforce.com/2006/04/metadata"
	nsXSI      = "http://www.w3.org/2001/XMLSchema-instance"
	nsEnvelope = "http://schemas.xmlsoap.org/soap/envelope/"
)

// RawElement keeps an element this package does not model (a connected app's
// oauthConfig, canvas, ...) verbatim, so that a read-modify-write of the whole
// component sends it back unchanged. Its place in the parent's element
// sequence is fixed by the field that holds it, so re-emitting it keeps the
// WSDL order.
//
// The content is normalised while it is read: every element is written
// unprefixed (it inherits the metadata namespace of the envelope body),
// xsi-namespace attributes keep the xsi prefix, and namespace declarations
// are dropped. Salesforce's metadata types put every element in the metadata
// namespace, so this is lossless for them.
type RawElement struct {
	// XMLName is the element's name (the namespace is not kept).
	XMLName xml.Name
	// Attrs are the element's own attributes, normalised as described above.
	Attrs []xml.Attr
	// Inner is the element's normalised content (child elements and text).
	Inner string
}

// UnmarshalXML implements xml.Unmarshaler. Whitespace-only text between
// child elements (indentation) is dropped; leaf text is kept as is.
func (r *RawElement) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	r.XMLName = xml.Name{Local: start.Name.Local}
	r.Attrs = normalizeAttrs(start.Attr)
	var buf bytes.Buffer
	var pending []byte // text not yet known to be leaf content
	lastEnd := false   // the token before pending closed an element
	flush := func(keep bool) {
		if keep || len(bytes.TrimSpace(pending)) > 0 {
			escapeXML(&buf, pending, false)
		}
		pending = pending[:0]
	}
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			flush(false)
			depth++
			buf.WriteByte('<')
			buf.WriteString(t.Name.Local)
			for _, a := range normalizeAttrs(t.Attr) {
				buf.WriteByte(' ')
				buf.WriteString(a.Name.Local)
				buf.WriteString(`="`)
				escapeXML(&buf, []byte(a.Value), true)
				buf.WriteByte('"')
			}
			buf.WriteByte('>')
			lastEnd = false
		case xml.EndElement:
			flush(!lastEnd)
			if depth == 0 {
				r.Inner = buf.String()
				return nil
			}
			depth--
			buf.WriteString("</")
			buf.WriteString(t.Name.Local)
			buf.WriteByte('>')
			lastEnd = true
		case xml.CharData:
			pending = append(pending, t...)
		}
	}
}

// String names the element without its content, which may hold secrets
// (a connected app's oauthConfig has consumerSecret).
func (r RawElement) String() string { return "<" + r.XMLName.Local + " …>" }

// escapeXML writes s with the characters markup needs escaped.
func escapeXML(buf *bytes.Buffer, s []byte, attr bool) {
	for _, c := range s {
		switch {
		case c == '&':
			buf.WriteString("&amp;")
		case c == '<':
			buf.WriteString("&lt;")
		case c == '>':
			buf.WriteString("&gt;")
		case c == '\r':
			buf.WriteString("&#xD;")
		case attr && c == '"':
			buf.WriteString("&quot;")
		case attr && (c == '\n' || c == '\t'):
			fmt.Fprintf(buf, "&#x%X;", c)
		default:
			buf.WriteByte(c)
		}
	}
}

// MarshalXML implements xml.Marshaler. The element name comes from the
// field's tag (start), or from XMLName when the tag gives none.
func (r RawElement) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if start.Name.Local == "" {
		start.Name = xml.Name{Local: r.XMLName.Local}
	}
	start.Name.Space = ""
	start.Attr = append([]xml.Attr(nil), r.Attrs...)
	return e.EncodeElement(struct {
		Inner string `xml:",innerxml"`
	}{r.Inner}, start)
}

// normalizeAttrs drops namespace declarations, writes xsi attributes with the
// xsi prefix (declared on the envelope) and every other attribute unprefixed.
func normalizeAttrs(in []xml.Attr) []xml.Attr {
	var out []xml.Attr
	for _, a := range in {
		switch {
		case a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns"):
			continue
		case a.Name.Space == nsXSI || a.Name.Space == "xsi":
			out = append(out, xml.Attr{Name: xml.Name{Local: "xsi:" + a.Name.Local}, Value: a.Value})
		default:
			out = append(out, xml.Attr{Name: xml.Name{Local: a.Name.Local}, Value: a.Value})
		}
	}
	return out
}
