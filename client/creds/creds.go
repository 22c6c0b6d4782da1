// Package creds keeps the tokens that let the quiz CLI come back to a room:
// a player's token (so that `quiz join CODE` after a crash resumes the same
// player, with their score) and a host's token (so that `quiz host --resume
// CODE` takes the room back). Entries are keyed by server address, room
// code and role, in one JSON file of the user's state directory, readable
// by the user alone (mode 0600 in a 0700 directory). Writes are atomic
// (a temporary file renamed over the old one) and serialized between
// processes by a lock file, so that two quiz processes at once never lose
// each other's entries. The file stays small: entries older than MaxAge,
// and the oldest beyond MaxEntries, are dropped on every write.
package creds

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// EnvDir is the environment variable that overrides the state directory.
const EnvDir = "QUIZ_STATE_DIR"

// Limits of the file.
const (
	// MaxAge is how long an entry is kept after it was last saved.
	MaxAge = 3 * 24 * time.Hour
	// MaxEntries is the most entries kept; the oldest go first.
	MaxEntries = 200
)

// fileName is the file's name in the directory.
const fileName = "rooms.json"

// Role is whose token an entry keeps.
type Role string

// The roles.
const (
	Player Role = "player"
	Host   Role = "host"
)

// Entry is what it takes to come back to a room.
type Entry struct {
	// Addr is the server's address as the user gave it.
	Addr string `json:"addr"`
	// Code is the room's code.
	Code string `json:"code"`
	// Role says whose token Token is.
	Role Role `json:"role"`
	// Token is the player or host token.
	Token string `json:"token"`
	// PlayerID and Name are the player's; empty for a host.
	PlayerID string `json:"player_id,omitempty"`
	Name     string `json:"name,omitempty"`
	// Joined is when the player joined or the host created the room: a
	// server started after it, that does not know the room, lost it.
	Joined time.Time `json:"joined"`
	// Saved is when the entry was last saved; entries expire MaxAge after.
	Saved time.Time `json:"saved"`
}

// key identifies an entry: the host and each player of a room on the same
// machine (two people may take turns at one) keep one entry each.
func (e Entry) key() string {
	return e.room() + " " + strings.ToLower(e.Name)
}

// room identifies the room and role of an entry.
func (e Entry) room() string {
	return strings.ToLower(e.Addr) + " " + strings.ToUpper(e.Code) + " " + string(e.Role)
}

// Store is the file of entries in a directory. Its methods are safe for
// concurrent use by several processes.
type Store struct {
	dir string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// LockWait bounds how long a write waits for another process's lock
	// before it takes the lock as abandoned; default 5 s.
	LockWait time.Duration
}

// Dir is the state directory: $QUIZ_STATE_DIR when set, else quizroom in
// the user's configuration directory (os.UserConfigDir: ~/.config/quizroom
// on Linux, ~/Library/Application Support/quizroom on macOS,
// %AppData%\quizroom on Windows).
func Dir(getenv func(string) string) (string, error) {
	if d := getenv(EnvDir); d != "" {
		return filepath.Abs(d)
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no directory to keep room tokens in (%v): set %s", err, EnvDir)
	}
	return filepath.Join(d, "quizroom"), nil
}

// Open returns the store in dir; the directory is made on the first write.
func Open(dir string) *Store { return &Store{dir: dir} }

// Path is the file's path.
func (s *Store) Path() string { return filepath.Join(s.dir, fileName) }

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Find returns the entries for role in room code on server addr, the most
// recently saved first: one for a host, one per player name for players.
func (s *Store) Find(addr, code string, role Role) ([]Entry, error) {
	entries, err := s.read()
	if err != nil {
		return nil, err
	}
	k := Entry{Addr: addr, Code: code, Role: role}.room()
	cutoff := s.now().Add(-MaxAge)
	var found []Entry
	for _, e := range entries {
		if e.room() == k && e.Saved.After(cutoff) {
			found = append(found, e)
		}
	}
	slices.SortStableFunc(found, func(a, b Entry) int { return b.Saved.Compare(a.Saved) })
	return found, nil
}

// Put saves e, replacing the entry of the same server, room, role and
// name, and sets its Saved time.
func (s *Store) Put(e Entry) error {
	e.Code = strings.ToUpper(e.Code)
	e.Saved = s.now()
	if e.Joined.IsZero() {
		e.Joined = e.Saved
	}
	return s.update(func(entries []Entry) []Entry {
		entries = slices.DeleteFunc(entries, func(o Entry) bool { return o.key() == e.key() })
		return append(entries, e)
	})
}

// Forget drops the entries of e's server, room and role: the one of e's
// name when it has one (that player's token no longer works), else all
// of them (the room is over).
func (s *Store) Forget(e Entry) error {
	match := func(o Entry) bool { return o.room() == e.room() }
	if e.Name != "" {
		match = func(o Entry) bool { return o.key() == e.key() }
	}
	return s.update(func(entries []Entry) []Entry { return slices.DeleteFunc(entries, match) })
}

// update changes the entries under the lock: it reads them again, applies
// f, bounds them and writes them with a rename.
func (s *Store) update(f func([]Entry) []Entry) error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("keeping the room's token: %w", err)
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	entries, err := s.read()
	if err != nil {
		return err
	}
	return s.write(s.bound(f(entries)))
}

// bound drops expired entries and the oldest beyond MaxEntries.
func (s *Store) bound(entries []Entry) []Entry {
	cutoff := s.now().Add(-MaxAge)
	entries = slices.DeleteFunc(entries, func(e Entry) bool { return !e.Saved.After(cutoff) })
	slices.SortStableFunc(entries, func(a, b Entry) int { return a.Saved.Compare(b.Saved) })
	if n := len(entries); n > MaxEntries {
		entries = entries[n-MaxEntries:]
	}
	return entries
}

// file is the file's JSON.
type file struct {
	Rooms []Entry `json:"rooms"`
}

// read reads the entries; a missing file holds none, and a file that does
// not parse (cut short by a crash of an older version, edited by hand) is
// treated as empty rather than stopping the user from playing.
func (s *Store) read() ([]Entry, error) {
	b, err := os.ReadFile(s.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the room tokens: %w", err)
	}
	var f file
	if json.Unmarshal(b, &f) != nil {
		return nil, nil
	}
	return f.Rooms, nil
}

// write replaces the file with entries, atomically.
func (s *Store) write(entries []Entry) error {
	b, err := json.MarshalIndent(file{Rooms: entries}, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.dir, fileName+".*.tmp")
	if err != nil {
		return fmt.Errorf("keeping the room's token: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	// CreateTemp makes the file 0600 already; say so for other systems.
	if err := tmp.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		_ = tmp.Close()
		return fmt.Errorf("keeping the room's token: %w", err)
	}
	_, err = tmp.Write(append(b, '\n'))
	if serr := tmp.Sync(); err == nil {
		err = serr
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.Path())
	}
	if err != nil {
		return fmt.Errorf("keeping the room's token: %w", err)
	}
	return nil
}

// lock takes the lock file, made with O_EXCL, waiting while another
// process holds it. A lock older than LockWait is taken as left by a
// process that died holding it, and removed.
func (s *Store) lock() (func(), error) {
	wait := s.LockWait
	if wait <= 0 {
		wait = 5 * time.Second
	}
	path := s.Path() + ".lock"
	start := time.Now()
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			_ = f.Close()
			return func() { _ = os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("locking the room tokens: %w", err)
		}
		if fi, serr := os.Stat(path); serr == nil && time.Since(fi.ModTime()) > wait {
			_ = os.Remove(path) // abandoned
			continue
		}
		if time.Since(start) > 2*wait {
			return nil, fmt.Errorf("locking the room tokens: %s stays locked; remove it if no quiz is running", path)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
