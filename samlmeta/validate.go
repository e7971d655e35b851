package samlmeta

import (
	"bytes"
	"errors"
	"time"
	"unicode/utf8"
)

// ValidateIAM checks doc against what AWS IAM requires of a SAML provider's
// metadata document (see the constants in this package for each rule and
// its status): IAMMinChars to IAMMaxChars characters (Unicode code points,
// not bytes), valid UTF-8 without a byte order mark, a parseable
// md:EntityDescriptor with an entityID, at least one signing certificate,
// every certificate RSA of at least IAMMinRSABits, at most IAMMaxKeys
// KeyDescriptors, and a validUntil (when present) after now.
//
// Encoding, length and parse failures are returned alone; the content rules
// are all checked and their failures joined, each matching its own sentinel
// (ErrBOM, ErrNotUTF8, ErrTooShort, ErrTooLarge, ErrDOCTYPE,
// ErrDuplicateAttribute, ErrMalformed, ErrDecoy, ErrKeyUse, ErrNotMetadata,
// ErrNoSigningKey, ErrKeyInfo, ErrUnsupportedKey, ErrWeakKey,
// ErrTooManyKeys, ErrExpired). Every KeyDescriptor must hold one KeyInfo
// with one X509Data with one X509Certificate (ErrKeyInfo): any other key
// material is a key IAM might or might not use.
func ValidateIAM(doc []byte, now time.Time) error {
	if err := checkIAMEncoding(doc); err != nil {
		return err
	}
	m, err := Parse(doc, WithMaxSize(len(doc)))
	if err != nil {
		return err
	}
	return m.validateIAM(now)
}

// ValidateIAM applies ValidateIAM to the document m holds (Bytes), without
// parsing it again when m is unedited.
func (m *Metadata) ValidateIAM(now time.Time) error {
	if m.edited {
		return ValidateIAM(m.Bytes(), now)
	}
	if err := checkIAMEncoding(m.orig); err != nil {
		return err
	}
	return m.validateIAM(now)
}

func checkIAMEncoding(doc []byte) error {
	if bytes.HasPrefix(doc, []byte("\xef\xbb\xbf")) {
		return wrapf(ErrBOM, "IAM requires UTF-8 without a byte order mark")
	}
	if !utf8.Valid(doc) {
		return wrapf(ErrNotUTF8, "IAM requires UTF-8")
	}
	n := utf8.RuneCount(doc)
	if n < IAMMinChars {
		return wrapf(ErrTooShort, "%d characters, IAM requires at least %d", n, IAMMinChars)
	}
	if n > IAMMaxChars {
		return wrapf(ErrTooLarge, "%d characters, IAM allows at most %d", n, IAMMaxChars)
	}
	return nil
}

func (m *Metadata) validateIAM(now time.Time) error {
	var errs []error
	if m.EntityID() == "" {
		errs = append(errs, wrapf(ErrNotMetadata, "missing entityID"))
	}
	if len(m.idpDescriptors()) == 0 {
		errs = append(errs, wrapf(ErrNotMetadata, "no IDPSSODescriptor"))
	}
	errs = append(errs, m.checkKeys()...)
	if v := m.root.attr("validUntil"); v != "" {
		t, err := parseDateTime(v)
		switch {
		case err != nil:
			errs = append(errs, wrapf(ErrNotMetadata, "validUntil: %v", err))
		case iamRefusesPast && !t.After(now):
			errs = append(errs, wrapf(ErrExpired, "validUntil %s is not after %s", formatDateTime(t), formatDateTime(now)))
		}
	}
	return errors.Join(errs...)
}

func (m *Metadata) checkKeys() []error {
	var errs []error
	if n := m.allKeyDescriptors(); n > IAMMaxKeys {
		errs = append(errs, wrapf(ErrTooManyKeys, "%d KeyDescriptors, IAM allows at most %d", n, IAMMaxKeys))
	}
	signing := 0
	for _, rd := range m.roleDescriptors() {
		for _, kd := range rd.children(NSMetadata, "KeyDescriptor") {
			xc, ok := iamKeyInfo(kd)
			if !ok {
				errs = append(errs, wrapf(ErrKeyInfo, "a KeyDescriptor of <%s> holds other key material than one X509Data with one X509Certificate", rd.local))
				continue
			}
			c, err := ParseCertBase64(xc.text())
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if signingCapable(kd) && rd.is(NSMetadata, "IDPSSODescriptor") {
				signing++
			}
			if err := checkIAMKey(c); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if signing == 0 {
		errs = append(errs, wrapf(ErrNoSigningKey, "no KeyDescriptor use=\"signing\" with an X509Certificate"))
	}
	return errs
}

// checkIAMKey applies IAM's key rules to one certificate.
func checkIAMKey(c *Cert) error {
	if iamNeedsRSA && c.KeyAlgorithm != "RSA" {
		return wrapf(ErrUnsupportedKey, "certificate %s has a %s key, not RSA", c.SHA256, c.KeyAlgorithm)
	}
	if c.KeyBits < IAMMinRSABits {
		return wrapf(ErrWeakKey, "certificate %s has a %d-bit key, IAM requires at least %d", c.SHA256, c.KeyBits, IAMMinRSABits)
	}
	return nil
}
