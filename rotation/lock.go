package rotation

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Locker takes named locks so that two rotations of one target never run at
// once. Lock must not wait: a key already held gives an error matching
// [ErrLocked] at once.
type Locker interface {
	Lock(ctx context.Context, key string) (Lock, error)
}

// Lock is a held lock.
type Lock interface {
	// Unlock releases the lock. Unlocking twice is not an error.
	Unlock(ctx context.Context) error
}

// LockHolder says who holds a lock.
type LockHolder struct {
	Key   string    `json:"key"`
	PID   int       `json:"pid"`
	Host  string    `json:"host"`
	Since time.Time `json:"since"`
	// Nonce tells this holder from an earlier one of the same process.
	Nonce string `json:"nonce"`
}

// LockedError reports a lock held by someone else. It matches [ErrLocked].
type LockedError struct {
	Key string
	// Holder is who holds the lock, as far as the lock says.
	Holder LockHolder
}

func (e *LockedError) Error() string {
	if e.Holder.PID == 0 {
		return fmt.Sprintf("%v: key %q", ErrLocked, e.Key)
	}
	return fmt.Sprintf("%v: key %q held by pid %d on %s since %s", ErrLocked, e.Key,
		e.Holder.PID, e.Holder.Host, e.Holder.Since.Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// FileLocker is a Locker of lock files in one directory, shared by every
// process that uses the same directory on one host (or on a file system
// whose exclusive create is atomic). A lock file is created with O_EXCL and
// holds the holder's pid, host and time as JSON.
//
// A process that dies holding a lock leaves its file behind: the lock stays
// held until someone checks [FileLocker.Holder] and calls
// [FileLocker.Break]. Nothing breaks a lock automatically.
type FileLocker struct {
	dir string
	now func() time.Time
}

// NewFileLocker returns a FileLocker keeping its lock files in dir, which is
// created when needed.
func NewFileLocker(dir string) *FileLocker { return &FileLocker{dir: dir, now: time.Now} }

// Lock takes the lock on key or fails at once with a *[LockedError].
func (l *FileLocker) Lock(ctx context.Context, key string) (Lock, error) {
	if key == "" {
		return nil, fmt.Errorf("rotation: lock: empty key: %w", ErrInvalidInput)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(l.dir, 0o700); err != nil {
		return nil, fmt.Errorf("rotation: lock %q: %w", key, err)
	}
	host, _ := os.Hostname()
	h := LockHolder{Key: key, PID: os.Getpid(), Host: host, Since: l.now().UTC(), Nonce: rand.Text()}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("rotation: lock %q: %w", key, err)
	}
	path := l.path(key)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		holder, _ := l.Holder(key)
		return nil, &LockedError{Key: key, Holder: holder}
	}
	if err != nil {
		return nil, fmt.Errorf("rotation: lock %q: %w", key, err)
	}
	if _, err = f.Write(b); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("rotation: lock %q: %w", key, err)
	}
	return &fileLock{path: path, holder: h}, nil
}

// Holder reports who holds the lock on key, or an error matching
// ErrNotFound when nobody does. A lock file being written reports a holder
// with only its Key.
func (l *FileLocker) Holder(key string) (LockHolder, error) {
	b, err := os.ReadFile(l.path(key))
	if errors.Is(err, os.ErrNotExist) {
		return LockHolder{}, fmt.Errorf("rotation: lock %q is not held: %w", key, ErrNotFound)
	}
	if err != nil {
		return LockHolder{}, fmt.Errorf("rotation: lock %q: %w", key, err)
	}
	h := LockHolder{Key: key}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &h); err != nil {
			return LockHolder{Key: key}, fmt.Errorf("rotation: lock %q: unreadable lock file: %w", key, err)
		}
	}
	return h, nil
}

// Break removes the lock on key whoever holds it: use it only once sure the
// holder is gone (see Holder). Breaking a lock nobody holds is not an error.
func (l *FileLocker) Break(key string) error {
	if err := os.Remove(l.path(key)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("rotation: break lock %q: %w", key, err)
	}
	return nil
}

// path maps a key (an org id, an ARN) to a file name that is safe on every
// file system and unique per key.
func (l *FileLocker) path(key string) string {
	safe := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
			return r
		}
		return '_'
	}, key)
	if len(safe) > 64 {
		safe = safe[:64]
	}
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(l.dir, safe+"-"+hex.EncodeToString(sum[:6])+".lock")
}

type fileLock struct {
	mu     sync.Mutex
	path   string
	holder LockHolder
	done   bool
}

// Unlock removes the lock file if it is still this lock's. A lock broken
// meanwhile gives an error matching ErrNotFound; another holder's file is
// left alone.
func (f *fileLock) Unlock(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done {
		return nil
	}
	f.done = true
	b, err := os.ReadFile(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("rotation: unlock %q: lock was broken: %w", f.holder.Key, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("rotation: unlock %q: %w", f.holder.Key, err)
	}
	var h LockHolder
	if json.Unmarshal(b, &h) != nil || h.Nonce != f.holder.Nonce {
		return fmt.Errorf("rotation: unlock %q: lock was broken and taken by pid %d: %w", f.holder.Key, h.PID, ErrNotFound)
	}
	if err := os.Remove(f.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("rotation: unlock %q: %w", f.holder.Key, err)
	}
	return nil
}
