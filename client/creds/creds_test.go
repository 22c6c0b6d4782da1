package creds

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newStore(t *testing.T) (*Store, *clock) {
	t.Helper()
	c := &clock{t: t0}
	s := Open(filepath.Join(t.TempDir(), "state"))
	s.Now = c.now
	return s, c
}

// get is the newest entry for role in room code on addr.
func (s *Store) get(addr, code string, role Role) (Entry, bool, error) {
	found, err := s.Find(addr, code, role)
	if err != nil || len(found) == 0 {
		return Entry{}, false, err
	}
	return found[0], true, nil
}

func TestPutFindForget(t *testing.T) {
	s, c := newStore(t)
	if _, ok, err := s.get("127.0.0.1:50051", "ABC234", Player); ok || err != nil {
		t.Fatalf("empty store: got ok %t, err %v; want nothing", ok, err)
	}
	ann := Entry{Addr: "127.0.0.1:50051", Code: "abc234", Role: Player, Token: "tok-ann", PlayerID: "p1", Name: "Ann"}
	host := Entry{Addr: "127.0.0.1:50051", Code: "ABC234", Role: Host, Token: "tok-host"}
	other := Entry{Addr: "quiz.example:443", Code: "ABC234", Role: Player, Token: "tok-other", Name: "Ann"}
	for _, e := range []Entry{ann, host, other} {
		if err := s.Put(e); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := s.get("127.0.0.1:50051", "ABC234", Player)
	if err != nil || !ok || got.Token != "tok-ann" || got.Name != "Ann" || got.PlayerID != "p1" || got.Code != "ABC234" {
		t.Fatalf("Get player = %+v, %t, %v; want Ann's entry", got, ok, err)
	}
	if !got.Joined.Equal(t0) || !got.Saved.Equal(t0) {
		t.Errorf("joined %v, saved %v; want both %v", got.Joined, got.Saved, t0)
	}
	if got, _, _ := s.get("127.0.0.1:50051", "abc234", Host); got.Token != "tok-host" {
		t.Errorf("Get host = %+v, want the host's token (codes match in any case)", got)
	}
	if got, _, _ := s.get("quiz.example:443", "ABC234", Player); got.Token != "tok-other" {
		t.Errorf("another server's entry = %+v, want its own token", got)
	}

	// Another player at the same machine keeps an entry of their own,
	// listed first as the newest; a new join under the same name replaces
	// its entry.
	c.add(time.Second)
	if err := s.Put(Entry{Addr: ann.Addr, Code: ann.Code, Role: Player, Token: "tok-bob", Name: "Bob"}); err != nil {
		t.Fatal(err)
	}
	c.add(time.Second)
	if err := s.Put(Entry{Addr: ann.Addr, Code: ann.Code, Role: Player, Token: "tok-ann2", Name: "ANN"}); err != nil {
		t.Fatal(err)
	}
	found, err := s.Find(ann.Addr, ann.Code, Player)
	if err != nil || len(found) != 2 || found[0].Token != "tok-ann2" || found[1].Token != "tok-bob" {
		t.Fatalf("Find after Bob joined and Ann joined again = %+v, %v; want Ann's new entry, then Bob's", found, err)
	}
	if err := s.Forget(found[1]); err != nil {
		t.Fatal(err)
	}
	if found, _ := s.Find(ann.Addr, ann.Code, Player); len(found) != 1 || found[0].Name != "ANN" {
		t.Fatalf("after forgetting Bob's entry: %+v, want Ann's alone", found)
	}
	if err := s.Put(Entry{Addr: ann.Addr, Code: ann.Code, Role: Player, Token: "tok-cy", Name: "Cy"}); err != nil {
		t.Fatal(err)
	}
	// Without a name, every player of the room goes.
	if err := s.Forget(Entry{Addr: ann.Addr, Code: ann.Code, Role: Player}); err != nil {
		t.Fatal(err)
	}
	if found, _ := s.Find(ann.Addr, ann.Code, Player); len(found) != 0 {
		t.Errorf("the forgotten entries are still there: %+v", found)
	}
	if _, ok, _ := s.get(host.Addr, host.Code, Host); !ok {
		t.Error("forgetting the player forgot the host")
	}
}

func TestModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix file modes")
	}
	s, _ := newStore(t)
	if err := s.Put(Entry{Addr: "a", Code: "ABC234", Role: Host, Token: "secret"}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("file mode %v, want 0600", m)
	}
	di, err := os.Stat(filepath.Dir(s.Path()))
	if err != nil {
		t.Fatal(err)
	}
	if m := di.Mode().Perm(); m != 0o700 {
		t.Errorf("directory mode %v, want 0700", m)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(s.Path()), "*"))
	if len(left) != 1 {
		t.Errorf("files in the directory: %v; want the store's file alone (no temporary files, no lock)", left)
	}
}

func TestExpiry(t *testing.T) {
	s, c := newStore(t)
	if err := s.Put(Entry{Addr: "a", Code: "OLD234", Role: Player, Token: "old"}); err != nil {
		t.Fatal(err)
	}
	c.add(MaxAge - time.Minute)
	if err := s.Put(Entry{Addr: "a", Code: "NEW234", Role: Player, Token: "new"}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.get("a", "OLD234", Player); !ok {
		t.Fatal("an entry younger than MaxAge is gone")
	}
	c.add(2 * time.Minute)
	if _, ok, _ := s.get("a", "OLD234", Player); ok {
		t.Error("an entry older than MaxAge is still returned")
	}
	// The next write drops it from the file.
	if err := s.Put(Entry{Addr: "a", Code: "NEW234", Role: Host, Token: "h"}); err != nil {
		t.Fatal(err)
	}
	entries, err := s.read()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("after a write, the file holds %d entries, want 2 (the expired one dropped): %+v", len(entries), entries)
	}
}

func TestBounded(t *testing.T) {
	s, c := newStore(t)
	for i := range MaxEntries + 5 {
		c.add(time.Second)
		if err := s.Put(Entry{Addr: "a", Code: fmt.Sprintf("R%05d", i), Role: Player, Token: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := s.read()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != MaxEntries {
		t.Fatalf("%d entries kept, want %d", len(entries), MaxEntries)
	}
	if _, ok, _ := s.get("a", "R00000", Player); ok {
		t.Error("the oldest entry is kept beyond MaxEntries")
	}
	if _, ok, _ := s.get("a", fmt.Sprintf("R%05d", MaxEntries+4), Player); !ok {
		t.Error("the newest entry is gone")
	}
}

// TestConcurrent saves entries from many writers at once, each with its
// own Store as separate processes would have: none may be lost.
func TestConcurrent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	const writers = 16
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := Open(dir)
			for j := range 5 {
				if err := s.Put(Entry{Addr: "a", Code: fmt.Sprintf("W%02dR%02d", i, j), Role: Player, Token: "t"}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	entries, err := Open(dir).read()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != writers*5 {
		t.Errorf("%d entries after %d concurrent saves, want all of them", len(entries), writers*5)
	}
}

func TestAbandonedLock(t *testing.T) {
	s, _ := newStore(t)
	s.LockWait = 50 * time.Millisecond
	if err := os.MkdirAll(filepath.Dir(s.Path()), 0o700); err != nil {
		t.Fatal(err)
	}
	lock := s.Path() + ".lock"
	if err := os.WriteFile(lock, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Minute)
	if err := os.Chtimes(lock, old, old); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(Entry{Addr: "a", Code: "ABC234", Role: Host, Token: "h"}); err != nil {
		t.Fatalf("a lock left by a dead process blocks the store: %v", err)
	}
}

func TestDamagedFile(t *testing.T) {
	s, _ := newStore(t)
	if err := os.MkdirAll(filepath.Dir(s.Path()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Path(), []byte(`{"rooms": [{"addr"`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.get("a", "ABC234", Host); ok || err != nil {
		t.Errorf("a damaged file: got ok %t, err %v; want it read as empty", ok, err)
	}
	if err := s.Put(Entry{Addr: "a", Code: "ABC234", Role: Host, Token: "h"}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.get("a", "ABC234", Host); !ok {
		t.Error("a damaged file is not replaced by the next write")
	}
}

func TestDir(t *testing.T) {
	env := map[string]string{EnvDir: "/tmp/quiz-state"}
	if d, err := Dir(func(k string) string { return env[k] }); err != nil || d != "/tmp/quiz-state" {
		t.Errorf("Dir with %s = %q, %v; want the variable's value", EnvDir, d, err)
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		t.Skip("no user configuration directory here")
	}
	if d, err := Dir(func(string) string { return "" }); err != nil || d != filepath.Join(cfg, "quizroom") {
		t.Errorf("Dir = %q, %v; want %q", d, err, filepath.Join(cfg, "quizroom"))
	}
}
