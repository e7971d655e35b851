package rotation

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// FileJournal returns a Journal that keeps the last record in the JSON file
// at path. Create writes the file exclusively (a temporary file, synced,
// then linked to path, which fails if path exists); Save writes a
// temporary file, syncs it, renames it over path and syncs the directory,
// so a crash leaves either the previous record or the new one, and refuses
// a record of another rotation than the file's. The file is readable by
// its owner only.
func FileJournal(path string) Journal { return &fileJournal{path: path} }

type fileJournal struct {
	mu   sync.Mutex
	path string
	// id is the rotation the file holds, once known.
	id string
}

func (j *fileJournal) Create(_ context.Context, rec *JournalRecord) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	b, err := rec.marshal()
	if err != nil {
		return err
	}
	if err := writeFileExclusive(j.path, b); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("rotation: create journal %s: %w", filepath.Base(j.path), ErrJournalExists)
		}
		return fmt.Errorf("rotation: create journal: %w", err)
	}
	j.id = rec.RotationID
	return nil
}

func (j *fileJournal) Save(ctx context.Context, rec *JournalRecord) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.id == "" {
		old, err := LoadJournal(j.path)
		switch {
		case errors.Is(err, ErrNotFound):
			j.mu.Unlock()
			err = j.Create(ctx, rec)
			j.mu.Lock()
			return err
		case err != nil:
			return fmt.Errorf("rotation: save journal: %w", err)
		}
		j.id = old.RotationID
	}
	if rec.RotationID != j.id {
		return fmt.Errorf("rotation: save journal: it holds rotation %s, not %s: %w", j.id, rec.RotationID, ErrJournalExists)
	}
	b, err := rec.marshal()
	if err != nil {
		return err
	}
	if err := writeFileAtomic(j.path, b); err != nil {
		return fmt.Errorf("rotation: save journal: %w", err)
	}
	return nil
}

func (j *fileJournal) Load(context.Context) (*JournalRecord, error) { return LoadJournal(j.path) }

// LoadJournal reads the record of a [FileJournal]. A missing file gives an
// error matching ErrNotFound.
func LoadJournal(path string) (*JournalRecord, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("rotation: load journal: %w: %w", ErrNotFound, err)
	}
	if err != nil {
		return nil, fmt.Errorf("rotation: load journal: %w", err)
	}
	return unmarshalRecord(b)
}

// writeTemp writes data to a new synced temporary file beside path, readable
// by its owner only, and returns its name.
func writeTemp(path string, data []byte) (name string, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return "", err
	}
	if _, err = f.Write(data); err != nil {
		return "", err
	}
	return f.Name(), f.Sync()
}

// writeFileExclusive creates path with data, failing with an error
// matching os.ErrExist if path exists.
func writeFileExclusive(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	// Some platforms cannot sync a directory; the rename is then as durable
	// as the file system makes it.
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// JournalDir keeps the journals of an org's rotations in one directory, one
// file per rotation (rotation-<id>.json), and lists them as the org's
// History.
type JournalDir string

// Path returns the journal file of rotation id.
func (d JournalDir) Path(id string) string { return filepath.Join(string(d), "rotation-"+id+".json") }

// Journal returns the FileJournal of rotation id.
func (d JournalDir) Journal(id string) Journal { return FileJournal(d.Path(id)) }

// Rotations returns the last record of every journal in the directory,
// oldest rotation first. A missing directory holds none.
func (d JournalDir) Rotations(context.Context) ([]*JournalRecord, error) {
	paths, err := filepath.Glob(filepath.Join(string(d), "rotation-*.json"))
	if err != nil {
		return nil, err
	}
	var recs []*JournalRecord
	for _, p := range paths {
		rec, err := LoadJournal(p)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(p), err)
		}
		recs = append(recs, rec)
	}
	slices.SortFunc(recs, func(a, b *JournalRecord) int {
		if c := startedAt(a).Compare(startedAt(b)); c != 0 {
			return c
		}
		return strings.Compare(a.RotationID, b.RotationID)
	})
	return recs, nil
}
