package iamtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

const sigV4Algorithm = "AWS4-HMAC-SHA256"

// authenticate checks the request's SigV4 Authorization header against the
// secret of its access key, computing the signature independently of the
// SDK. It returns the key's account, or the fault IAM would answer.
func (s *Server) authenticate(r *http.Request, body []byte) (account string, f *Fault) {
	return s.authenticateFor(r, body, "iam")
}

// authenticateFor is authenticate for a request signed for the service
// signingName ("iam", "sts").
func (s *Server) authenticateFor(r *http.Request, body []byte, signingName string) (account string, f *Fault) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return "", &Fault{Code: "MissingAuthenticationToken"}
	}
	rest, ok := strings.CutPrefix(auth, sigV4Algorithm+" ")
	if !ok {
		return "", &Fault{Code: "IncompleteSignature", Message: "Unsupported signing algorithm; only " + sigV4Algorithm + " is accepted."}
	}
	params := map[string]string{}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		params[k] = v
	}
	credParts := strings.Split(params["Credential"], "/")
	if len(credParts) != 5 || params["SignedHeaders"] == "" || params["Signature"] == "" || credParts[4] != "aws4_request" {
		return "", &Fault{Code: "IncompleteSignature"}
	}
	keyID, day, region, service := credParts[0], credParts[1], credParts[2], credParts[3]

	s.mu.Lock()
	cred, known := s.keys[keyID]
	s.mu.Unlock()
	if !known {
		return "", &Fault{Code: "InvalidClientTokenId"}
	}
	// [C] Temporary credentials must send their session token in
	// X-Amz-Security-Token (SigV4 documentation, "Add the signature to the
	// HTTP request"); [U] the fake also refuses a token sent with a
	// long-term key, and answers both with InvalidClientTokenId.
	if tok := r.Header.Get("X-Amz-Security-Token"); !hmac.Equal([]byte(tok), []byte(cred.token)) {
		return "", &Fault{Code: "InvalidClientTokenId"}
	}
	if service != signingName {
		return cred.account, &Fault{Code: "SignatureDoesNotMatch", Message: "Credential should be scoped to correct service: '" + signingName + "'."}
	}
	amzDate := r.Header.Get("X-Amz-Date")
	signedAt, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil || !strings.HasPrefix(amzDate, day) {
		return cred.account, &Fault{Code: "IncompleteSignature", Message: "The request must contain a valid X-Amz-Date matching the credential scope."}
	}
	if d := time.Since(signedAt); d > signatureMaxSkew*time.Second || d < -signatureMaxSkew*time.Second {
		return cred.account, &Fault{Code: "SignatureDoesNotMatch", Message: "Signature expired: " + amzDate + " is outside the allowed clock skew."}
	}

	payloadHash := sha256Hex(body)
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != payloadHash {
		return cred.account, &Fault{Code: "SignatureDoesNotMatch", Message: "The provided X-Amz-Content-Sha256 header does not match the request body."}
	}
	signedHeaders := strings.Split(params["SignedHeaders"], ";")
	if !slices.Contains(signedHeaders, "host") || !slices.IsSorted(signedHeaders) {
		return cred.account, &Fault{Code: "SignatureDoesNotMatch", Message: "SignedHeaders must be sorted and include host."}
	}
	var canonHeaders strings.Builder
	for _, h := range signedHeaders {
		canonHeaders.WriteString(h + ":" + headerValue(r, h) + "\n")
	}
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	canonical := strings.Join([]string{
		r.Method, path, canonicalQuery(r.URL.Query()), canonHeaders.String(), params["SignedHeaders"], payloadHash,
	}, "\n")
	scope := day + "/" + region + "/" + service + "/aws4_request"
	toSign := sigV4Algorithm + "\n" + amzDate + "\n" + scope + "\n" + sha256Hex([]byte(canonical))

	key := hmacSHA256([]byte("AWS4"+cred.secret), day)
	for _, part := range []string{region, service, "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	want := hex.EncodeToString(hmacSHA256(key, toSign))
	if !hmac.Equal([]byte(want), []byte(params["Signature"])) {
		return cred.account, &Fault{Code: "SignatureDoesNotMatch"}
	}
	return cred.account, nil
}

// headerValue returns the canonical value of the signed header h: values
// joined by commas, spaces trimmed and collapsed. Go's server moves Host and
// Content-Length out of r.Header.
func headerValue(r *http.Request, h string) string {
	var vals []string
	switch h {
	case "host":
		vals = []string{r.Host}
	case "content-length":
		vals = []string{strconv.FormatInt(r.ContentLength, 10)}
	default:
		vals = r.Header.Values(h)
	}
	for i, v := range vals {
		vals[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(vals, ",")
}

func canonicalQuery(q url.Values) string {
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, rfc3986(k)+"="+rfc3986(v))
		}
	}
	slices.Sort(pairs)
	return strings.Join(pairs, "&")
}

func rfc3986(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
