package salesforce

import (
	"bytes"
	"encoding/xml"
	"errors"
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

// UnmarshalXML implements xml.Unmarshaler.
func (r *RawElement) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	r.XMLName = xml.Name{Local: start.Name.Local}
	r.Attrs = normalizeAttrs(start.Attr)
	var buf bytes.Buffer
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
			depth++
			buf.WriteByte('<')
			buf.WriteString(t.Name.Local)
			for _, a := range normalizeAttrs(t.Attr) {
				buf.WriteByte(' ')
				buf.WriteString(a.Name.Local)
				buf.WriteString(`="`)
				_ = xml.EscapeText(&buf, []byte(a.Value))
				buf.WriteByte('"')
			}
			buf.WriteByte('>')
		case xml.EndElement:
			if depth == 0 {
				r.Inner = buf.String()
				return nil
			}
			depth--
			buf.WriteString("</")
			buf.WriteString(t.Name.Local)
			buf.WriteByte('>')
		case xml.CharData:
			_ = xml.EscapeText(&buf, t)
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
