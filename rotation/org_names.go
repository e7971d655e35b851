package rotation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DefaultLabelTemplate is the default label of a new certificate.
const DefaultLabelTemplate = "SCV IdP {date}"

// CertificateLabel expands a label template: {date} becomes the date as
// 2006-01-02, {id} the rotation id. The result is at most 64 characters
// (the Salesforce limit) and must not be empty.
func CertificateLabel(template, id string, now time.Time) (string, error) {
	label := strings.NewReplacer("{date}", now.UTC().Format("2006-01-02"), "{id}", id).Replace(template)
	label = strings.TrimSpace(label)
	if label == "" || len([]rune(label)) > 64 {
		return "", fmt.Errorf("%w: certificate label %q must have 1 to 64 characters", ErrInvalidInput, label)
	}
	return label, nil
}

// CertificateName returns the unique name of the certificate a rotation
// creates: letters, digits and underscores, starting with a letter, unique
// per rotation id.
func CertificateName(id string) string {
	var b strings.Builder
	b.WriteString("voicecert_")
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	name := strings.TrimRight(b.String(), "_")
	for strings.Contains(name, "__") {
		name = strings.ReplaceAll(name, "__", "_")
	}
	if len(name) > 80 {
		name = name[:80]
	}
	return name
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// errNoTrust reports a contact center whose app names no relying party.
var errNoTrust = errors.New("the connected app has no https://aws.amazon.com/SAML/Attributes/Role attribute naming an IAM SAML provider")
