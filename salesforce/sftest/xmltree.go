package sftest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

const (
	nsSOAPEnv = "http://schemas.xmlsoap.org/soap/envelope/"
	nsXSI     = "http://www.w3.org/2001/XMLSchema-instance"
	nsXSD     = "http://www.w3.org/2001/XMLSchema"
)

// node is a parsed XML element with namespaces resolved. Component trees the
// org stores are made of nodes in the metadata namespace.
type node struct {
	Space, Name string
	// XSIType is the resolved xsi:type: its namespace and local name.
	XSITypeSpace, XSIType string
	HasXSIType            bool
	Nil                   bool // xsi:nil="true"
	Text                  string
	Children              []*node
}

// el builds a metadata-namespace element with text.
func el(name, text string) *node { return &node{Space: MetadataNS, Name: name, Text: text} }

// parent builds a metadata-namespace element with children.
func parent(name string, children ...*node) *node {
	return &node{Space: MetadataNS, Name: name, Children: children}
}

func (n *node) child(name string) *node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (n *node) all(name string) []*node {
	var out []*node
	for _, c := range n.Children {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

func (n *node) text(name string) string {
	if c := n.child(name); c != nil {
		return strings.TrimSpace(c.Text)
	}
	return ""
}

func (n *node) clone() *node {
	c := *n
	c.Children = make([]*node, len(n.Children))
	for i, ch := range n.Children {
		c.Children[i] = ch.clone()
	}
	return &c
}

var errDoctype = errors.New("DOCTYPE is not allowed")

// parseXML parses one XML document into a node tree, refusing DTDs and
// documents larger than max bytes.
func parseXML(r io.Reader, max int64) (*node, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("request larger than %d bytes", max)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	type frame struct {
		n   *node
		ns  map[string]string // prefix -> namespace declared on this element
		txt strings.Builder
	}
	var stack []*frame
	var root *node
	lookup := func(prefix string) (string, bool) {
		for i := len(stack) - 1; i >= 0; i-- {
			if ns, ok := stack[i].ns[prefix]; ok {
				return ns, true
			}
		}
		return "", prefix == ""
	}
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, errDoctype
		case xml.StartElement:
			f := &frame{n: &node{}, ns: map[string]string{}}
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns":
					f.ns[a.Name.Local] = a.Value
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					f.ns[""] = a.Value
				}
			}
			stack = append(stack, f)
			space, ok := lookup(t.Name.Space)
			if !ok {
				return nil, fmt.Errorf("undeclared namespace prefix %q", t.Name.Space)
			}
			f.n.Space, f.n.Name = space, t.Name.Local
			for _, a := range t.Attr {
				if a.Name.Space == "" || a.Name.Space == "xmlns" {
					continue
				}
				as, ok := lookup(a.Name.Space)
				if !ok {
					return nil, fmt.Errorf("undeclared namespace prefix %q", a.Name.Space)
				}
				if as != nsXSI {
					continue
				}
				switch a.Name.Local {
				case "nil":
					f.n.Nil = a.Value == "true" || a.Value == "1"
				case "type":
					prefix, local, found := strings.Cut(a.Value, ":")
					if !found {
						prefix, local = "", a.Value
					}
					ts, ok := lookup(prefix)
					if !ok {
						return nil, fmt.Errorf("undeclared namespace prefix %q in xsi:type", prefix)
					}
					f.n.HasXSIType, f.n.XSITypeSpace, f.n.XSIType = true, ts, local
				}
			}
			if len(stack) > 1 {
				p := stack[len(stack)-2].n
				p.Children = append(p.Children, f.n)
			} else if root != nil {
				return nil, errors.New("more than one root element")
			} else {
				root = f.n
			}
		case xml.EndElement:
			f := stack[len(stack)-1]
			f.n.Text = f.txt.String()
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].txt.Write(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, errors.New("text outside the root element")
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

// writeNode writes n (a metadata-namespace tree) under the default namespace
// the response envelope declares, with its xsi:type as a bare name.
func writeNode(b *bytes.Buffer, n *node) {
	b.WriteByte('<')
	b.WriteString(n.Name)
	if n.HasXSIType {
		b.WriteString(` xsi:type="`)
		_ = xml.EscapeText(b, []byte(n.XSIType))
		b.WriteByte('"')
	}
	if n.Nil {
		b.WriteString(` xsi:nil="true"/>`)
		return
	}
	if len(n.Children) == 0 && n.Text == "" {
		b.WriteString("/>")
		return
	}
	b.WriteByte('>')
	if len(n.Children) == 0 {
		_ = xml.EscapeText(b, []byte(n.Text))
	}
	for _, c := range n.Children {
		writeNode(b, c)
	}
	b.WriteString("</")
	b.WriteString(n.Name)
	b.WriteByte('>')
}
