package salesforce

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/samlmeta"
)

// IdPMetadata returns the org's SAML IdP metadata document
// (/.well-known/samlidp.xml). The endpoint needs no session.
func (c *Client) IdPMetadata(ctx context.Context) ([]byte, error) {
	return c.wellKnown(ctx, "/.well-known/samlidp.xml")
}

// AppMetadata returns the IdP metadata document of one connected app
// (/.well-known/samlidp/<appName>.xml), which carries the certificate the
// app's assertions are signed with. A missing app is an error wrapping
// rotation.ErrNotFound.
func (c *Client) AppMetadata(ctx context.Context, appName string) ([]byte, error) {
	path, err := appMetadataPath(appName)
	if err != nil {
		return nil, err
	}
	return c.wellKnown(ctx, path)
}

// appMetadataRaw is AppMetadata without checking that the document parses,
// for a caller that parses it itself.
func (c *Client) appMetadataRaw(ctx context.Context, appName string) ([]byte, error) {
	path, err := appMetadataPath(appName)
	if err != nil {
		return nil, err
	}
	return c.wellKnownRaw(ctx, path)
}

func appMetadataPath(appName string) (string, error) {
	if appName == "" {
		return "", fmt.Errorf("salesforce: app metadata: empty app name: %w", rotation.ErrInvalidInput)
	}
	return "/.well-known/samlidp/" + url.PathEscape(appName) + ".xml", nil
}

// wellKnown fetches a metadata document and checks that it parses.
func (c *Client) wellKnown(ctx context.Context, path string) ([]byte, error) {
	doc, err := c.wellKnownRaw(ctx, path)
	if err != nil {
		return nil, err
	}
	if _, err := samlmeta.Parse(doc); err != nil {
		return nil, classify(fmt.Errorf("salesforce: %s: %w", path, err))
	}
	return doc, nil
}

// wellKnownRaw fetches a document of the public metadata endpoints.
func (c *Client) wellKnownRaw(ctx context.Context, path string) ([]byte, error) {
	var doc []byte
	err := c.do(ctx, request{
		op:      "metadata",
		noToken: true,
		build: func(ctx context.Context, _, base string) (*http.Request, error) {
			return http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		},
		handle: func(resp *http.Response, body []byte) error {
			switch {
			case resp.StatusCode == http.StatusNotFound:
				return fmt.Errorf("salesforce: %s: %w", path, rotation.ErrNotFound)
			case resp.StatusCode/100 != 2:
				return httpError("metadata "+path, resp, body, nil)
			}
			doc = body
			return nil
		},
	})
	return doc, err
}
