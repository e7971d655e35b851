package sftest

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fixedNow is the clock of most tests.
var fixedNow = time.Date(2026, time.June, 5, 14, 23, 12, 0, time.UTC)

func newOrg(t *testing.T, opts ...Option) *Org {
	t.Helper()
	o := New(append([]Option{WithClock(func() time.Time { return fixedNow })}, opts...)...)
	t.Cleanup(o.Close)
	return o
}

// envelope is a SOAP request written the way jsforce writes it.
func envelope(sessionID, body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` +
		`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ` +
		`xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<soapenv:Header xmlns="http://soap.sforce.com/2006/04/metadata"><SessionHeader><sessionId>` + sessionID +
		`</sessionId></SessionHeader></soapenv:Header>` +
		`<soapenv:Body xmlns="http://soap.sforce.com/2006/04/metadata">` + body + `</soapenv:Body></soapenv:Envelope>`
}

type soapAnswer struct {
	status int
	body   string
}

// postSOAP sends a raw SOAP request with the usual headers.
func postSOAP(t *testing.T, o *Org, envelope string, hdr ...string) soapAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, o.URL()+"/services/Soap/m/66.0", strings.NewReader(envelope))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "text/xml; charset=UTF-8")
	req.Header.Set("SOAPAction", `""`)
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return soapAnswer{status: resp.StatusCode, body: string(b)}
}

// soap sends body with the org's access token.
func soap(t *testing.T, o *Org, body string) soapAnswer {
	t.Helper()
	return postSOAP(t, o, envelope(o.AccessToken(), body))
}

// fault decodes a SOAP fault answer.
type faultBody struct {
	Code   string `xml:"Body>Fault>faultcode"`
	String string `xml:"Body>Fault>faultstring"`
}

func (a soapAnswer) fault(t *testing.T) faultBody {
	t.Helper()
	require.Equal(t, http.StatusInternalServerError, a.status, a.body)
	var f faultBody
	require.NoError(t, xml.Unmarshal([]byte(a.body), &f))
	require.NotEmpty(t, f.Code, a.body)
	return f
}

// Result decoding, element names as the WSDL names them.
type wireError struct {
	Fields     []string `xml:"fields"`
	Message    string   `xml:"message"`
	StatusCode string   `xml:"statusCode"`
}

type wireResult struct {
	Errors   []wireError `xml:"errors"`
	FullName string      `xml:"fullName"`
	Success  bool        `xml:"success"`
}

func (a soapAnswer) results(t *testing.T, op string) []wireResult {
	t.Helper()
	require.Equal(t, http.StatusOK, a.status, a.body)
	var env struct {
		Body struct {
			Inner []byte `xml:",innerxml"`
		} `xml:"Body"`
	}
	require.NoError(t, xml.Unmarshal([]byte(a.body), &env))
	var resp struct {
		XMLName xml.Name
		Results []wireResult `xml:"result"`
	}
	require.NoError(t, xml.Unmarshal(env.Body.Inner, &resp))
	require.Equal(t, op+"Response", resp.XMLName.Local)
	return resp.Results
}

// record is a readMetadata record decoded generically.
type record struct {
	Nil     string `xml:"http://www.w3.org/2001/XMLSchema-instance nil,attr"`
	Type    string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
	Fields  []xmlField
	Content []byte `xml:",innerxml"`
}

type xmlField struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

func (a soapAnswer) records(t *testing.T) []record {
	t.Helper()
	require.Equal(t, http.StatusOK, a.status, a.body)
	var env struct {
		Records []struct {
			Nil    string     `xml:"http://www.w3.org/2001/XMLSchema-instance nil,attr"`
			Type   string     `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
			Fields []xmlField `xml:",any"`
		} `xml:"Body>readMetadataResponse>result>records"`
	}
	require.NoError(t, xml.Unmarshal([]byte(a.body), &env))
	out := make([]record, len(env.Records))
	for i, r := range env.Records {
		out[i] = record{Nil: r.Nil, Type: r.Type, Fields: r.Fields}
	}
	return out
}

// field returns the text of the record's first top-level element name.
func (r record) field(name string) string {
	for _, f := range r.Fields {
		if f.XMLName.Local == name {
			return f.Value
		}
	}
	return ""
}

func (r record) names() []string {
	var out []string
	for _, f := range r.Fields {
		out = append(out, f.XMLName.Local)
	}
	return out
}
