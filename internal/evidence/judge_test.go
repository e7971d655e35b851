package evidence

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
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
	doc := s.iam.Document(r.PostForm.Get("PrincipalArn"))
	if _, err := samlmeta.VerifyResponseWithMetadata([]byte(r.PostForm.Get("SAMLAssertion")), doc); err != nil {
		http.Error(w, "IDPRejectedClaim", http.StatusForbidden)
		return
	}
	w.WriteHeader(http.StatusOK)
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
