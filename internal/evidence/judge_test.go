package evidence

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/samlmeta"
)

// fakeSTS stands for AWS STS AssumeRoleWithSAML in the benchmarks, over
// loopback HTTP with the fakes' latency model (latency added to every
// call): it verifies the Response against the document the fake IAM holds
// for the trust (any of its signing certificates, Issuer = entityID) and
// answers 200, or 403 with IDPRejectedClaim. Its work runs in an HTTP
// handler, so the CPU profile counts it with the fakes'.
type fakeSTS struct {
	srv     *httptest.Server
	iam     *iamtest.Server
	latency time.Duration
	calls   atomic.Int64
	mu      sync.Mutex
	parsed  map[string]parsedMetadata
}

func startFakeSTS(iam *iamtest.Server, latency time.Duration) *fakeSTS {
	s := &fakeSTS{iam: iam, latency: latency}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

func (s *fakeSTS) Close() { s.srv.Close() }

func (s *fakeSTS) serve(w http.ResponseWriter, r *http.Request) {
	s.calls.Add(1)
	t := time.NewTimer(s.latency)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "InvalidParameterValue", http.StatusBadRequest)
		return
	}
	md, err := s.metadata(s.iam.Document(r.PostForm.Get("PrincipalArn")))
	if err == nil {
		var a *samlmeta.Assertion
		if a, err = samlmeta.VerifyResponse([]byte(r.PostForm.Get("SAMLAssertion")), md.certs); err == nil && a.Issuer != md.entityID {
			err = fmt.Errorf("issuer %q", a.Issuer)
		}
	}
	if err != nil {
		http.Error(w, "IDPRejectedClaim", http.StatusForbidden)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// parsedMetadata is what fakeSTS keeps of a provider's document.
type parsedMetadata struct {
	entityID string
	certs    []*samlmeta.Cert
}

// metadata parses doc once per content, as a service keeps a provider's
// parsed document rather than parsing it for every request.
func (s *fakeSTS) metadata(doc []byte) (parsedMetadata, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if md, ok := s.parsed[string(doc)]; ok {
		return md, nil
	}
	m, err := samlmeta.Parse(doc)
	if err != nil {
		return parsedMetadata{}, err
	}
	certs, err := m.SigningCertificates()
	if err != nil {
		return parsedMetadata{}, err
	}
	if s.parsed == nil {
		s.parsed = map[string]parsedMetadata{}
	}
	md := parsedMetadata{entityID: m.EntityID(), certs: certs}
	s.parsed[string(doc)] = md
	return md, nil
}

// judgingRP is a relying party whose sign-ins fakeSTS judges.
type judgingRP struct {
	rotation.RelyingParty
	sts *fakeSTS
}

func (j *judgingRP) JudgeSignIn(ctx context.Context, trust rotation.TrustRef, role, resp string) error {
	form := url.Values{"Action": {"AssumeRoleWithSAML"}, "PrincipalArn": {trust.ARN}, "RoleArn": {role}, "SAMLAssertion": {resp}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.sts.srv.URL, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := j.sts.srv.Client().Do(req)
	if err != nil {
		return rotation.Transient(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	switch {
	case res.StatusCode == http.StatusOK:
		return nil
	case res.StatusCode == http.StatusForbidden:
		return fmt.Errorf("%w: %s", rotation.ErrSignInRejected, strings.TrimSpace(string(body)))
	default:
		return fmt.Errorf("fake sts: %s", res.Status)
	}
}
