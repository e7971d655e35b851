package rotation

import (
	"fmt"
	"slices"

	"github.com/voicecert/voicecert/samlmeta"
)

// trustDoc is a relying party's document, parsed once for every check.
type trustDoc struct {
	entityID string
	certs    []*samlmeta.Cert
	err      error
}

func parseTrustDoc(doc []byte) trustDoc {
	md, err := samlmeta.Parse(doc)
	if err != nil {
		return trustDoc{err: err}
	}
	certs, err := md.SigningCertificates()
	if err == nil && len(certs) == 0 {
		err = fmt.Errorf("%w: metadata of %s has no signing certificate", samlmeta.ErrNoSigningKey, md.EntityID())
	}
	return trustDoc{entityID: md.EntityID(), certs: certs, err: err}
}

// confirm checks what an earlier check of a Response proved against this
// document: the certificate that verified it is one of the document's
// signing certificates, and its Issuer is the document's entityID. A
// signature that one certificate verified, that certificate verifies again,
// so this is the check of the same Response against this document, without
// parsing it again.
func (t trustDoc) confirm(signedBy, issuer string) (*samlmeta.Assertion, error) {
	if t.err != nil {
		return nil, t.err
	}
	i := slices.IndexFunc(t.certs, func(c *samlmeta.Cert) bool { return c.SHA256 == signedBy })
	if i < 0 {
		return nil, fmt.Errorf("%w: the certificate %s that verified the Response is not in the metadata", samlmeta.ErrInvalidResponse, signedBy)
	}
	if issuer != t.entityID {
		return nil, fmt.Errorf("%w: issuer %q is not the metadata's entityID %q", samlmeta.ErrInvalidResponse, issuer, t.entityID)
	}
	return &samlmeta.Assertion{Issuer: issuer, SignedBy: t.certs[i]}, nil
}

// verifyResponse checks a Response as samlmeta.VerifyResponseWithMetadata
// does against the document: signed by one of its signing certificates,
// issued by its entityID.
func (t trustDoc) verifyResponse(resp []byte, opts ...samlmeta.VerifyOption) (*samlmeta.Assertion, error) {
	if t.err != nil {
		return nil, t.err
	}
	a, err := samlmeta.VerifyResponse(resp, t.certs, opts...)
	if err != nil {
		return nil, err
	}
	if a.Issuer != t.entityID {
		return nil, fmt.Errorf("%w: issuer %q is not the metadata's entityID %q", samlmeta.ErrInvalidResponse, a.Issuer, t.entityID)
	}
	return a, nil
}

// holds reports whether the document trusts the certificate fp.
func (t trustDoc) holds(fp string) bool {
	return t.err == nil && slices.ContainsFunc(t.certs, func(c *samlmeta.Cert) bool { return c.SHA256 == fp })
}
