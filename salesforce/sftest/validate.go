package sftest

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// checkSchema verifies that n's child elements follow the WSDL sequence of
// typeName: every element known, in order, not repeated beyond maxOccurs,
// with a value of its type. Nested types the table holds are checked
// recursively; other nested types are accepted as they are. Missing required
// elements are not a schema fault (see missingRequired).
func checkSchema(n *node, typeName string) *soapFault {
	seq := WSDLSequence(typeName)
	i, count := 0, 0
	for _, c := range n.Children {
		j := i
		for j < len(seq) && seq[j].Name != c.Name {
			j++
		}
		if c.Space != MetadataNS || j == len(seq) {
			return clientFault(invalidLocation(c.Name, typeName))
		}
		if j == i {
			count++
		} else {
			i, count = j, 1
		}
		if seq[j].Max != Unbounded && count > seq[j].Max {
			return clientFault(invalidLocation(c.Name, typeName))
		}
		if f := checkValue(c, seq[j], typeName); f != nil {
			return f
		}
	}
	return nil
}

// checkValue checks one element against its WSDL declaration.
func checkValue(c *node, e WSDLElement, parentType string) *soapFault {
	if c.Nil {
		if !e.Nillable || len(c.Children) > 0 || strings.TrimSpace(c.Text) != "" {
			return clientFault(invalidLocation(c.Name, parentType))
		}
		return nil
	}
	if t := e.ComplexType(); t != "" {
		if c.HasXSIType && c.XSIType != t {
			// A derived type in place of its base (metadata xsi:type="X"):
			// check it as X when the table holds X; the operation decides
			// about types it does not hold.
			if !extends(c.XSIType, t) {
				return nil
			}
			t = c.XSIType
		}
		if _, ok := wsdlTypes[t]; ok {
			return checkSchema(c, t)
		}
		if values, ok := wsdlEnums[t]; ok {
			if len(c.Children) > 0 {
				return clientFault(invalidLocation(c.Children[0].Name, t))
			}
			if v := strings.TrimSpace(c.Text); !slices.Contains(values, v) {
				return clientFault(invalidEnum(v, t))
			}
		}
		return nil // a nested type the fake does not model: kept as sent
	}
	if len(c.Children) > 0 {
		return clientFault(invalidLocation(c.Children[0].Name, e.Type))
	}
	if v := strings.TrimSpace(c.Text); !validSimple(e.Type, v) {
		return clientFault(invalidSimple(v, e.Type))
	}
	return nil
}

// extends reports whether typeName is base or derives from it.
func extends(typeName, base string) bool {
	for t := typeName; t != ""; t = WSDLBase(t) {
		if t == base {
			return true
		}
	}
	return false
}

// validSimple checks the lexical form of an XML Schema built-in value.
func validSimple(typ, v string) bool {
	switch typ {
	case "xsd:boolean":
		return v == "true" || v == "false" || v == "1" || v == "0"
	case "xsd:int":
		_, err := strconv.ParseInt(v, 10, 32)
		return err == nil
	case "xsd:double":
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	case "xsd:dateTime":
		_, ok := parseDateTime(v)
		return ok
	case "xsd:base64Binary":
		_, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v), ""))
		return err == nil
	default:
		return true
	}
}

func parseDateTime(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func parseBool(v string) bool {
	v = strings.TrimSpace(v)
	return v == "true" || v == "1"
}

// missingRequired lists the required elements (minOccurs > 0) absent from n
// and, recursively, from the nested elements of types the table holds, as
// dotted paths.
func missingRequired(n *node, typeName, path string) []string {
	var out []string
	for _, e := range WSDLSequence(typeName) {
		present := n.all(e.Name)
		if e.Required() && len(present) == 0 {
			out = append(out, path+e.Name)
		}
		t := e.ComplexType()
		if _, ok := wsdlTypes[t]; !ok {
			continue
		}
		for _, c := range present {
			if !c.Nil {
				out = append(out, missingRequired(c, t, path+e.Name+".")...)
			}
		}
	}
	return out
}

// checkOperation checks an operation element: schema, then required
// elements, both as faults.
func checkOperation(op *node, skip ...string) *soapFault {
	if f := checkSchema(op, op.Name); f != nil {
		return f
	}
	for _, m := range missingRequired(op, op.Name, "") {
		if !slices.Contains(skip, m) {
			return clientFault(fmt.Sprintf("Element {%s}%s is required in %s", MetadataNS, m, op.Name))
		}
	}
	return nil
}
