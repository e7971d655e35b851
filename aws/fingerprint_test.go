package aws_test

import (
	"crypto/sha256"
	"fmt"
	"strings"
)

// fingerprint computes a SHA-256 fingerprint independently of samlmeta:
// upper-case hex pairs joined by ':'.
func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}
