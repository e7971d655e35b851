package samlmeta

import (
	"testing"
)

// Benchmarks use metadata with two RSA-2048 signing certificates (the
// rotation overlap); keys are generated once, outside the timer.

func benchMetadata(b *testing.B) (keyPair, []byte) {
	b.Helper()
	old, nw := testKey(b, "bench-old", 2048), testKey(b, "bench-new", 2048)
	return nw, buildTestMetadata(b, old.cert, nw.cert)
}

func BenchmarkParse(b *testing.B) {
	_, doc := benchMetadata(b)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		m, err := Parse(doc)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.SigningCertificates(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	kp, doc := benchMetadata(b)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(doc, kp.key, kp.cert); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifySignature(b *testing.B) {
	kp, doc := benchMetadata(b)
	signed, err := Sign(doc, kp.key, kp.cert)
	if err != nil {
		b.Fatal(err)
	}
	m, err := Parse(doc)
	if err != nil {
		b.Fatal(err)
	}
	trusted, err := m.SigningCertificates()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(signed)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := VerifySignature(signed, trusted, WithClock(testClock)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyResponse(b *testing.B) {
	kp, md := benchMetadata(b)
	spec := awsResponseSpec(testNow)
	spec.SignResponse, spec.SignAssertion = true, true
	resp, err := IssueResponse(spec, kp.key, kp.cert)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(resp)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := VerifyResponseWithMetadata(resp, md, WithClock(testClock)); err != nil {
			b.Fatal(err)
		}
	}
}
