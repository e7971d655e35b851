package sandbox

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// get fetches a document of the fake org (a metadata endpoint).
func (w *World) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := w.Org.Client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("sandbox: GET %s: %s", u, resp.Status)
	}
	return body, nil
}

func trustPolicy(providerARN string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRoleWithSAML",` +
		`"Principal":{"Federated":"` + providerARN + `"},` +
		`"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`
}

// accountID is the i-th account's id: 111111111111 to 999999999999 for the
// first nine, then 100000000010, 100000000011, ... (always 12 digits).
func accountID(i int) string {
	if i < 9 {
		return fmt.Sprintf("%012d", 111111111111*(i+1))
	}
	return fmt.Sprintf("%012d", 100000000000+i+1)
}
