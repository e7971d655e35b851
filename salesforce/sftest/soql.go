package sftest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// soqlQuery is a parsed query of the supported subset:
//
//	SELECT f1, f2 FROM Obj [WHERE F op v [AND ...]] [ORDER BY F [ASC|DESC]] [LIMIT n]
//
// with op one of =, !=, <>, LIKE and v a string, number, true, false or null,
// or op IN and v a parenthesised list of strings.
type soqlQuery struct {
	fields  []soqlIdent
	object  soqlIdent
	where   []soqlCond
	orderBy *soqlIdent
	desc    bool
	limit   int // -1: none
}

type soqlIdent struct {
	name string
	col  int
}

type soqlCond struct {
	field soqlIdent
	op    string
	value any // string, float64, bool or nil; []string for IN
}

type soqlToken struct {
	kind  byte // 'i' identifier, 's' string, 'n' number, 'p' punctuation, 0 end
	text  string
	value string // unescaped string literal
	col   int
}

// soqlSyntaxError is a MALFORMED_QUERY at a column.
type soqlSyntaxError struct {
	col int
	msg string
}

func (e *soqlSyntaxError) Error() string { return e.msg }

func unexpected(t soqlToken) *soqlSyntaxError {
	if t.kind == 0 {
		return &soqlSyntaxError{col: t.col, msg: "unexpected token: <EOF>"}
	}
	return &soqlSyntaxError{col: t.col, msg: fmt.Sprintf("unexpected token: '%s'", t.text)}
}

func lexSOQL(q string) ([]soqlToken, *soqlSyntaxError) {
	var toks []soqlToken
	rs := []rune(q)
	for i := 0; i < len(rs); {
		r := rs[i]
		col := i + 1
		switch {
		case unicode.IsSpace(r):
			i++
		case unicode.IsLetter(r) || r == '_':
			j := i
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_' || rs[j] == '.') {
				j++
			}
			toks = append(toks, soqlToken{kind: 'i', text: string(rs[i:j]), col: col})
			i = j
		case unicode.IsDigit(r) || (r == '-' && i+1 < len(rs) && unicode.IsDigit(rs[i+1])):
			j := i + 1
			for j < len(rs) && (unicode.IsDigit(rs[j]) || rs[j] == '.') {
				j++
			}
			toks = append(toks, soqlToken{kind: 'n', text: string(rs[i:j]), col: col})
			i = j
		case r == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(rs) && rs[j] != '\''; j++ {
				if rs[j] == '\\' && j+1 < len(rs) {
					j++
				}
				b.WriteRune(rs[j])
			}
			if j >= len(rs) {
				return nil, &soqlSyntaxError{col: col, msg: "unterminated string literal"}
			}
			toks = append(toks, soqlToken{kind: 's', text: string(rs[i : j+1]), value: b.String(), col: col})
			i = j + 1
		case r == '!' || r == '<' || r == '>':
			j := i + 1
			if j < len(rs) && (rs[j] == '=' || rs[j] == '>') {
				j++
			}
			toks = append(toks, soqlToken{kind: 'p', text: string(rs[i:j]), col: col})
			i = j
		default:
			toks = append(toks, soqlToken{kind: 'p', text: string(r), col: col})
			i++
		}
	}
	return append(toks, soqlToken{col: len(rs) + 1}), nil
}

var soqlKeywords = map[string]bool{
	"SELECT": true, "FROM": true, "WHERE": true, "AND": true, "OR": true, "NOT": true, "ORDER": true, "BY": true,
	"LIMIT": true, "OFFSET": true, "ASC": true, "DESC": true, "LIKE": true, "IN": true, "GROUP": true, "NULLS": true,
}

type soqlParser struct {
	toks []soqlToken
	pos  int
}

func (p *soqlParser) peek() soqlToken { return p.toks[p.pos] }

func (p *soqlParser) next() soqlToken {
	t := p.toks[p.pos]
	if t.kind != 0 {
		p.pos++
	}
	return t
}

func (p *soqlParser) keyword(kw string) bool {
	if t := p.peek(); t.kind == 'i' && strings.EqualFold(t.text, kw) {
		p.pos++
		return true
	}
	return false
}

func (p *soqlParser) expectKeyword(kw string) *soqlSyntaxError {
	if !p.keyword(kw) {
		return unexpected(p.peek())
	}
	return nil
}

func (p *soqlParser) ident() (soqlIdent, *soqlSyntaxError) {
	t := p.next()
	if t.kind != 'i' || soqlKeywords[strings.ToUpper(t.text)] {
		return soqlIdent{}, unexpected(t)
	}
	return soqlIdent{name: t.text, col: t.col}, nil
}

// parseSOQL parses the supported subset; anything else is MALFORMED_QUERY.
func parseSOQL(q string) (*soqlQuery, *soqlSyntaxError) {
	toks, err := lexSOQL(q)
	if err != nil {
		return nil, err
	}
	p := &soqlParser{toks: toks}
	out := &soqlQuery{limit: -1}
	if err := p.expectKeyword("SELECT"); err != nil {
		return nil, err
	}
	for {
		f, err := p.ident()
		if err != nil {
			return nil, err
		}
		out.fields = append(out.fields, f)
		if t := p.peek(); t.kind != 'p' || t.text != "," {
			break
		}
		p.next()
	}
	if err := p.expectKeyword("FROM"); err != nil {
		return nil, err
	}
	if out.object, err = p.ident(); err != nil {
		return nil, err
	}
	if p.keyword("WHERE") {
		for {
			c, err := p.cond()
			if err != nil {
				return nil, err
			}
			out.where = append(out.where, c)
			if !p.keyword("AND") {
				break
			}
		}
	}
	if p.keyword("ORDER") {
		if err := p.expectKeyword("BY"); err != nil {
			return nil, err
		}
		f, err := p.ident()
		if err != nil {
			return nil, err
		}
		out.orderBy = &f
		if p.keyword("DESC") {
			out.desc = true
		} else {
			p.keyword("ASC")
		}
	}
	if p.keyword("LIMIT") {
		t := p.next()
		n, err := strconv.Atoi(t.text)
		if t.kind != 'n' || err != nil || n < 0 {
			return nil, unexpected(t)
		}
		out.limit = n
	}
	if t := p.peek(); t.kind != 0 {
		return nil, unexpected(t)
	}
	return out, nil
}

func (p *soqlParser) cond() (soqlCond, *soqlSyntaxError) {
	f, err := p.ident()
	if err != nil {
		return soqlCond{}, err
	}
	c := soqlCond{field: f}
	switch t := p.next(); {
	case t.kind == 'p' && (t.text == "=" || t.text == "!=" || t.text == "<>"):
		c.op = t.text
	case t.kind == 'i' && strings.EqualFold(t.text, "LIKE"):
		c.op = "LIKE"
	case t.kind == 'i' && strings.EqualFold(t.text, "IN"):
		return p.inList(c)
	default:
		return soqlCond{}, unexpected(t)
	}
	switch t := p.next(); {
	case t.kind == 's':
		c.value = t.value
	case t.kind == 'n':
		v, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return soqlCond{}, unexpected(t)
		}
		c.value = v
	case t.kind == 'i' && (strings.EqualFold(t.text, "true") || strings.EqualFold(t.text, "false")):
		c.value = strings.EqualFold(t.text, "true")
	case t.kind == 'i' && strings.EqualFold(t.text, "null"):
		c.value = nil
	default:
		return soqlCond{}, unexpected(t)
	}
	if c.op == "LIKE" {
		if _, ok := c.value.(string); !ok {
			return soqlCond{}, &soqlSyntaxError{col: f.col, msg: "LIKE needs a string value"}
		}
	}
	return c, nil
}

// inList parses the ('a', 'b', …) of an IN condition.
func (p *soqlParser) inList(c soqlCond) (soqlCond, *soqlSyntaxError) {
	c.op = "IN"
	if t := p.next(); t.kind != 'p' || t.text != "(" {
		return soqlCond{}, unexpected(t)
	}
	values := []string{}
	for {
		t := p.next()
		if t.kind != 's' {
			return soqlCond{}, unexpected(t)
		}
		values = append(values, t.value)
		t = p.next()
		if t.kind == 'p' && t.text == ")" {
			c.value = values
			return c, nil
		}
		if t.kind != 'p' || t.text != "," {
			return soqlCond{}, unexpected(t)
		}
	}
}

// matches reports whether a record value satisfies the condition. Strings
// compare case-insensitively, as SOQL does.
func (c soqlCond) matches(v any) bool {
	var eq bool
	switch want := c.value.(type) {
	case []string:
		s, ok := v.(string)
		return ok && slices.ContainsFunc(want, func(w string) bool { return strings.EqualFold(w, s) })
	case nil:
		eq = v == nil
	case string:
		s, ok := v.(string)
		if c.op == "LIKE" {
			return ok && likeMatch(strings.ToLower(want), strings.ToLower(s))
		}
		eq = ok && strings.EqualFold(s, want)
	case float64:
		n, ok := v.(int)
		eq = ok && float64(n) == want
	case bool:
		b, ok := v.(bool)
		eq = ok && b == want
	}
	if c.op == "=" {
		return eq
	}
	return !eq
}

// likeMatch matches SOQL LIKE patterns: % any run, _ one character.
func likeMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '%':
		for i := 0; i <= len(s); i++ {
			if likeMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '_':
		return s != "" && likeMatch(pattern[1:], s[1:])
	default:
		return s != "" && s[0] == pattern[0] && likeMatch(pattern[1:], s[1:])
	}
}

// compareValues orders two record values: nil first, then numbers or
// strings (case-insensitively).
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	if x, ok := a.(int); ok {
		if y, ok := b.(int); ok {
			return x - y
		}
	}
	return strings.Compare(strings.ToLower(fmt.Sprint(a)), strings.ToLower(fmt.Sprint(b)))
}
