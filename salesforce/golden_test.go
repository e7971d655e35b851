package salesforce_test

import (
	"context"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/salesforce"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var bodyOpRE = regexp.MustCompile(`<soapenv:Body[^>]*><(\w+)`)

// soapOp returns the operation element of a SOAP request body.
func soapOp(body []byte) string {
	if m := bodyOpRE.FindSubmatch(body); m != nil {
		return string(m[1])
	}
	return ""
}

// readResponse returns a canned readMetadata answer per metadata type.
func readResponse(t *testing.T, body []byte) string {
	switch between(string(body), "<type>", "</type>") {
	case "Certificate":
		return `<readMetadataResponse><result><records xsi:type="Certificate"><fullName>SCV_IdP_20260315_083000</fullName>` +
			`<content>` + testCertPEMBase64(t) + `</content><caSigned>false</caSigned><expirationDate>2027-03-15T08:30:00.000Z</expirationDate>` +
			`<keySize>4096</keySize><masterLabel>SCV IdP 2026-03-15 08:30:00</masterLabel><privateKeyExportable>true</privateKeyExportable></records></result></readMetadataResponse>`
	case "IdentityProviderSettings":
		return `<readMetadataResponse><result><records xsi:type="IdentityProviderSettings"><fullName>IdentityProvider</fullName>` +
			`<certificateName>SCV_IdP_20250101_000000</certificateName><enableIdentityProvider>true</enableIdentityProvider></records></result></readMetadataResponse>`
	case "ConnectedApp":
		data, err := os.ReadFile(filepath.Join("testdata", "responses", "readMetadata_ConnectedApp.xml"))
		require.NoError(t, err)
		return between(string(data), "<soapenv:Body>", "</soapenv:Body>")
	case salesforce.TypeExternalClientApplication:
		return `<readMetadataResponse><result><records xsi:type="ExternalClientApplication"><fullName>Gamma_ECA</fullName>` +
			`<contactEmail>admin@example.com</contactEmail><distributionState>Local</distributionState>` +
			`<label>Gamma Voice External Client App</label></records></result></readMetadataResponse>`
	case salesforce.TypeExtlClntAppSamlConfigurablePolicies:
		return `<readMetadataResponse><result><records xsi:type="ExtlClntAppSamlConfigurablePolicies"><fullName>Gamma_ECA_SAML</fullName>` +
			`<acsUrl>https://signin.aws.amazon.com/saml</acsUrl>` +
			`<customAttributes><formula>'arn:aws:iam::123456789012:role/Gamma-SAMLRole,arn:aws:iam::123456789012:saml-provider/SalesforceVoiceIdp'</formula>` +
			`<key>https://aws.amazon.com/SAML/Attributes/Role</key></customAttributes>` +
			`<customAttributes><formula>$User.Username</formula><key>https://aws.amazon.com/SAML/Attributes/RoleSessionName</key></customAttributes>` +
			`<entityUrl>Gamma Voice</entityUrl><externalClientApplication>Gamma_ECA</externalClientApplication>` +
			`<nameIdFormat>Persistent</nameIdFormat><signingAlgorithmType>SHA256</signingAlgorithmType><futureElement>kept out</futureElement>` +
			`<subjectType>PersistentId</subjectType></records></result></readMetadataResponse>`
	case "CallCenter":
		return `<readMetadataResponse><result><records xsi:type="CallCenter"><fullName>Support_Voice</fullName>` +
			`<displayName>Support Voice</displayName><displayNameLabel>Display Name</displayNameLabel><internalNameLabel>Internal Name</internalNameLabel>` +
			`<sections><items><label>Telephony Provider</label><name>reqTelephonyProvider</name><value>AMAZON_CONNECT</value></items>` +
			`<label>Service Voice Settings</label><name>reqHvcc</name></sections><version>5</version></records></result></readMetadataResponse>`
	}
	t.Errorf("unexpected readMetadata: %s", body)
	return ""
}

// goldenHandler answers every Metadata API operation with a canned success.
func goldenHandler(t *testing.T) func(w http.ResponseWriter, r *http.Request, body []byte) {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		switch op := soapOp(body); op {
		case "readMetadata":
			soapOK(w, readResponse(t, body))
		case "createMetadata", "updateMetadata", "deleteMetadata":
			name := between(string(body), "<fullName>", "</fullName>")
			if name == "" {
				name = between(string(body), "<fullNames>", "</fullNames>")
			}
			soapOK(w, `<`+op+`Response><result><fullName>`+name+`</fullName><success>true</success></result></`+op+`Response>`)
		case "listMetadata":
			soapOK(w, `<listMetadataResponse><result><createdById>005000000000001AAA</createdById><createdByName>Admin</createdByName>`+
				`<createdDate>2025-01-01T00:00:00.000Z</createdDate><fileName>connectedApps/Support_Voice_Connected_App.connectedApp</fileName>`+
				`<fullName>Support_Voice_Connected_App</fullName><id>0H4000000000001AAA</id><lastModifiedById>005000000000001AAA</lastModifiedById>`+
				`<lastModifiedByName>Admin</lastModifiedByName><lastModifiedDate>2025-01-01T00:00:00.000Z</lastModifiedDate>`+
				`<manageableState>unmanaged</manageableState><type>ConnectedApp</type></result></listMetadataResponse>`)
		default:
			t.Errorf("unexpected operation %q", op)
			w.WriteHeader(http.StatusBadRequest)
		}
	}
}

// TestGoldenSOAPBodies pins the exact request document of every Metadata API
// operation the backend sends. Run with -update to rewrite the files.
func TestGoldenSOAPBodies(t *testing.T) {
	cases := []struct {
		name string
		call func(ctx context.Context, c *salesforce.Client) error
	}{
		{"readMetadata_Certificate", func(ctx context.Context, c *salesforce.Client) error {
			_, err := salesforce.ReadOne[salesforce.Certificate](ctx, c, "SCV_IdP_20260315_083000")
			return err
		}},
		{"readMetadata_IdentityProviderSettings", func(ctx context.Context, c *salesforce.Client) error {
			_, err := salesforce.ReadOne[salesforce.IdentityProviderSettings](ctx, c, salesforce.IdentityProviderName)
			return err
		}},
		{"readMetadata_ConnectedApp", func(ctx context.Context, c *salesforce.Client) error {
			_, err := salesforce.ReadMetadata[salesforce.ConnectedApp](ctx, c, "Support_Voice_Connected_App", "Missing_App")
			return err
		}},
		{"readMetadata_CallCenter", func(ctx context.Context, c *salesforce.Client) error {
			_, err := salesforce.ReadOne[salesforce.CallCenter](ctx, c, "Support_Voice")
			return err
		}},
		{"createMetadata_Certificate", func(ctx context.Context, c *salesforce.Client) error {
			return c.CreateMetadata(ctx, &salesforce.Certificate{FullName: "SCV_IdP_20260315_083000", KeySize: 4096, MasterLabel: "SCV IdP 2026-03-15 08:30:00"})
		}},
		{"updateMetadata_IdentityProviderSettings", func(ctx context.Context, c *salesforce.Client) error {
			return salesforce.Modify(ctx, c, salesforce.IdentityProviderName, func(s *salesforce.IdentityProviderSettings) error {
				s.CertificateName = "SCV_IdP_20260315_083000"
				return nil
			})
		}},
		{"updateMetadata_ConnectedApp", func(ctx context.Context, c *salesforce.Client) error {
			return salesforce.Modify(ctx, c, "Support_Voice_Connected_App", func(a *salesforce.ConnectedApp) error {
				a.Description = "Created by Service Cloud Voice; <checked> & kept"
				return nil
			})
		}},
		{"deleteMetadata_Certificate", func(ctx context.Context, c *salesforce.Client) error {
			return c.DeleteMetadata(ctx, salesforce.TypeCertificate, "SCV_IdP_20250101_000000")
		}},
		{"readMetadata_ExternalClientApplication", func(ctx context.Context, c *salesforce.Client) error {
			_, err := salesforce.ReadOne[salesforce.ExternalClientApplication](ctx, c, "Gamma_ECA")
			return err
		}},
		{"readMetadata_ExtlClntAppSamlConfigurablePolicies", func(ctx context.Context, c *salesforce.Client) error {
			_, err := salesforce.ReadOne[salesforce.ExtlClntAppSamlConfigurablePolicies](ctx, c, "Gamma_ECA_SAML")
			return err
		}},
		{"updateMetadata_ExtlClntAppSamlConfigurablePolicies", func(ctx context.Context, c *salesforce.Client) error {
			// A read-modify-write sends every element back in WSDL order and
			// leaves out the one the WSDL does not list.
			return salesforce.Modify(ctx, c, "Gamma_ECA_SAML", func(s *salesforce.ExtlClntAppSamlConfigurablePolicies) error {
				s.Issuer = "https://acme.my.salesforce.com"
				return nil
			})
		}},
		{"listMetadata_ExternalClientApplication", func(ctx context.Context, c *salesforce.Client) error {
			_, err := c.ListMetadata(ctx, salesforce.TypeExternalClientApplication)
			return err
		}},
		{"listMetadata_ConnectedApp", func(ctx context.Context, c *salesforce.Client) error {
			_, err := c.ListMetadata(ctx, salesforce.TypeConnectedApp)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStub(t, goldenHandler(t))
			require.NoError(t, tc.call(ctxT(t), stubClient(t, s)))
			reqs := s.requests()
			require.NotEmpty(t, reqs)
			last := reqs[len(reqs)-1]
			assert.Equal(t, "/services/Soap/m/66.0", last.Path)
			assert.Equal(t, `""`, last.Header.Get("SOAPAction"))
			assert.Contains(t, last.Header.Get("Content-Type"), "text/xml")
			golden := filepath.Join("testdata", "golden", tc.name+".xml")
			if *update {
				require.NoError(t, os.WriteFile(golden, append(last.Body, '\n'), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -update to create the golden file")
			assert.Equal(t, string(want), string(last.Body)+"\n")
		})
	}
}
