package samlmeta_test

import (
	"fmt"
	"time"

	"github.com/voicecert/voicecert/samlmeta"
)

// A relying party's stored copy carries the validUntil of an old download;
// the document sent in its place takes the one the IdP publishes now.
func ExampleMetadata_SetValidUntil() {
	_, cert := newSigningCert("SelfSignedCert2026001")
	stored, err := samlmeta.Build(samlmeta.BuildSpec{
		EntityID:     "https://example.my.salesforce.com",
		SSOServices:  []samlmeta.Endpoint{{Binding: samlmeta.BindingHTTPPost, Location: "https://example.my.salesforce.com/idp/endpoint/HttpPost"}},
		Certificates: []*samlmeta.Cert{cert},
		ValidUntil:   time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	md, err := samlmeta.Parse(stored)
	if err != nil {
		panic(err)
	}
	fmt.Println("stored:", md.ValidUntil().Format(time.DateOnly), samlmeta.ValidateIAM(stored, time.Now()) != nil)
	md.SetValidUntil(time.Date(2046, 1, 1, 0, 0, 0, 0, time.UTC))
	fresh, err := samlmeta.Parse(md.Bytes())
	if err != nil {
		panic(err)
	}
	fmt.Println("sent:", fresh.ValidUntil().Format(time.DateOnly), samlmeta.ValidateIAM(md.Bytes(), time.Now()))
	// Output:
	// stored: 2024-01-01 true
	// sent: 2046-01-01 <nil>
}
