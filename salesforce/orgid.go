package salesforce

import (
	"context"
	"fmt"

	"github.com/voicecert/voicecert/rotation"
)

var _ rotation.OrgIdentifier = (*Provider)(nil)

// OrgIdentity returns "salesforce:" and the 15-character id of the org the
// client is logged in to, as the org's session id reports it: the same for
// every client of the org, whatever its instance URL (My Domain, instance
// host, sandbox alias) or credential. rotation.OrgPlan.LockKeys locks it.
//
// When the OrgID option is set (15 or 18 characters), it must name the same
// org; another org is refused with an error matching
// rotation.ErrInvalidInput. A JWT-format access token carries no org id
// and gives an error (such a token cannot rotate anything: see
// ErrJWTAccessToken).
func (p *Provider) OrgIdentity(ctx context.Context) (string, error) {
	id, err := p.c.OrgID(ctx)
	if err != nil {
		return "", err
	}
	if want := p.opts.OrgID; want != "" && (len(want) != 15 && len(want) != 18 || want[:15] != id) {
		return "", fmt.Errorf("salesforce: the OrgID option %q does not name the org the client is logged in to (%s): %w",
			want, id, rotation.ErrInvalidInput)
	}
	return "salesforce:" + id, nil
}
