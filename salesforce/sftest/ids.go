package sftest

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// Salesforce record id key prefixes [C].
const (
	prefixOrg          = "00D"
	prefixUser         = "005"
	prefixCertificate  = "0P1"
	prefixConnectedApp = "0H4"
	prefixSAMLLogin    = "0sp"
	prefixCallCenter   = "04v"
	prefixQueryLocator = "01g"
)

// Key prefixes of External Client Apps and their SAML policies: the fake's
// own choice, the real prefixes are not captured [I] (ecaFacts).
const (
	prefixExternalApp = "0xI"
	prefixECAPolicy   = "0xS"
)

// sfID18 appends Salesforce's case-safe checksum to a 15-character id.
func sfID18(id15 string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
	var b strings.Builder
	b.WriteString(id15)
	for chunk := range 3 {
		bits := 0
		for i := range 5 {
			if c := id15[chunk*5+i]; c >= 'A' && c <= 'Z' {
				bits |= 1 << i
			}
		}
		b.WriteByte(alphabet[bits])
	}
	return b.String()
}

// newID returns the 18-character id of the n-th record with the key prefix.
func newID(prefix string, n int) string {
	return sfID18(fmt.Sprintf("%s%012d", prefix, n))
}

// randomToken returns n random characters of the alphabet session ids use.
func randomToken(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	for i, v := range buf {
		buf[i] = alphabet[int(v)%len(alphabet)]
	}
	return string(buf)
}
