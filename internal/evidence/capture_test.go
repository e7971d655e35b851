package evidence

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/voicecert/voicecert/rotation"
)

// capture keeps every text a rotation leaves behind: log lines, events,
// journal records and error strings, by kind.
type capture struct {
	mu    sync.Mutex
	texts map[string]*bytes.Buffer
}

func newCapture() *capture { return &capture{texts: map[string]*bytes.Buffer{}} }

func (c *capture) add(kind, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.texts[kind]
	if b == nil {
		b = &bytes.Buffer{}
		c.texts[kind] = b
	}
	b.WriteString(text)
	b.WriteByte('\n')
}

// writer returns an io.Writer appending to kind (for a slog handler).
func (c *capture) writer(kind string) io.Writer { return captureWriter{c, kind} }

type captureWriter struct {
	c    *capture
	kind string
}

func (w captureWriter) Write(p []byte) (int, error) {
	w.c.add(w.kind, string(p))
	return len(p), nil
}

// observer renders every event, its error and its manual request.
func (c *capture) observer() rotation.Observer {
	return rotation.ObserverFunc(func(_ context.Context, e rotation.Event) {
		s := fmt.Sprintf("%+v", e)
		if e.Err != nil {
			s += " err=" + e.Err.Error() + fmt.Sprintf(" %+v", e.Err)
		}
		if e.Manual != nil {
			s += fmt.Sprintf(" manual=%+v", *e.Manual)
		}
		c.add("event", s)
	})
}

// err records an error's text.
func (c *capture) err(err error) {
	if err != nil {
		c.add("error", err.Error()+"\n"+fmt.Sprintf("%+v", err))
	}
}

// journal records every record a MemoryJournal saved, as JSON.
func (c *capture) journal(j *rotation.MemoryJournal) {
	for _, rec := range j.History() {
		b, err := json.Marshal(rec)
		if err != nil {
			c.add("journal", "unmarshalable record: "+err.Error())
			continue
		}
		c.add("journal", string(b))
	}
}

// journalDir records every file in dir (FileJournal files and their
// temporaries).
func (c *capture) journalDir(dir string) error {
	return filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		c.add("journal file", string(b))
		return nil
	})
}

// size returns how many bytes of each kind were captured.
func (c *capture) size() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, b := range c.texts {
		out[k] = b.Len()
	}
	return out
}

// scan reports every secret found in any captured text, naming the secret
// and the kind of text, never the secret's value.
func (c *capture) scan(secrets []secret) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var leaks []string
	for kind, b := range c.texts {
		leaks = append(leaks, scanText(kind, b.String(), secrets)...)
	}
	return leaks
}

// secret is a value that must never be written anywhere.
type secret struct {
	name, value string
}

// scanText reports the secrets found in text.
func scanText(kind, text string, secrets []secret) []string {
	var leaks []string
	for _, s := range secrets {
		if s.value != "" && strings.Contains(text, s.value) {
			leaks = append(leaks, fmt.Sprintf("%s in %s", s.name, kind))
		}
	}
	if strings.Contains(text, "PRIVATE KEY") {
		leaks = append(leaks, `"PRIVATE KEY" in `+kind)
	}
	return leaks
}

// keySecrets returns, for each private key, the forms it could leak in: its
// private exponent in decimal (as %v prints a key), hex and base64, and
// every 64-character base64 line of its PKCS #1 and PKCS #8 encodings that
// lies wholly in the private part (from the private exponent on), which is
// what a PEM block or a base64 of the DER would contain. Lines over the
// public modulus are left out: certificates legitimately carry it.
func keySecrets(keys []*rsa.PrivateKey) []secret {
	var out []secret
	for i, k := range keys {
		name := fmt.Sprintf("private key %d", i)
		d := k.D.Bytes()
		out = append(out,
			secret{name + " (exponent, decimal)", k.D.String()},
			secret{name + " (exponent, hex)", hex.EncodeToString(d)},
			secret{name + " (exponent, base64)", base64.StdEncoding.EncodeToString(d)},
		)
		pkcs8, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			panic(err)
		}
		for form, der := range map[string][]byte{"PKCS #1": x509.MarshalPKCS1PrivateKey(k), "PKCS #8": pkcs8} {
			from := bytes.Index(der, d)
			for off := 0; off+48 <= len(der); off += 48 {
				if off < from {
					continue
				}
				out = append(out, secret{fmt.Sprintf("%s (%s base64 at byte %d)", name, form, off), base64.StdEncoding.EncodeToString(der[off : off+48])})
			}
		}
	}
	return out
}

// pemKey encodes k as a PEM block (for the planted-secret test).
func pemKey(k *rsa.PrivateKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}
