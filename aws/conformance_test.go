package aws_test

import (
	"testing"

	"github.com/voicecert/voicecert/rotation/rotationtest"
)

func TestConformance(t *testing.T) {
	rotationtest.TestRelyingParty(t, func(t *testing.T) rotationtest.RPHarness {
		e := newEnv(t)
		return rotationtest.RPHarness{
			RP:          e.rp,
			Trust:       e.ref,
			Replacement: func(*testing.T) []byte { return doc(0, 1) },
		}
	})
}
