package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quizroom/quizroom/client/creds"
	"github.com/quizroom/quizroom/server/servertest"
)

// TestTwoPlayersOneMachine joins two players from one machine (one state
// directory): each comes back by name, a bare quiz join CODE asks who,
// and --new joins someone else.
func TestTwoPlayersOneMachine(t *testing.T) {
	srv := servertest.Start(t, servertest.Options{})
	env := map[string]string{"QUIZ_STATE_DIR": t.TempDir()}
	host := start(t, "host", srv.Addr, "host", "--out", filepath.Join(t.TempDir(), "r.csv"))
	code := host.expect(`^room code=([A-Z0-9]{6}) `)[1]
	ann := startEnv(t, "ann", srv.Addr, env, "join", code, "--name", "Ann")
	ann.expect(`^joined room=` + code + ` name="Ann" id=(\S+)$`)
	bob := startEnv(t, "bob", srv.Addr, env, "join", code, "--name", "Bob")
	bobID := bob.expect(`^joined room=` + code + ` name="Bob" id=(\S+)$`)[1]

	if _, _, err := runOnceEnv(t, srv.Addr, env, "join", code); err == nil ||
		!strings.Contains(err.Error(), "you played room "+code+" on this machine as Bob and Ann: say who comes back with quiz join "+code+" --name NAME") {
		t.Errorf("join %s with two players kept: %v, want to be asked who", code, err)
	}
	again := startEnv(t, "bob again", srv.Addr, env, "join", code, "--name", "bob")
	again.expect(`^resumed room=` + code + ` name="Bob" id=` + bobID + `$`)
	again.expectErr(`^Welcome back, Bob: you are in the lobby; the game has not started\.$`)
	cy := startEnv(t, "cy", srv.Addr, env, "join", code, "--new", "--name", "Cy")
	cy.expect(`^joined room=` + code + ` name="Cy" `)
	host.expect(`^seq=\d+ roster players=3 `)
}

// TestStaleTokenIsForgotten kicks a player: the token kept for them no
// longer opens the room, so coming back says so and forgets it.
func TestStaleTokenIsForgotten(t *testing.T) {
	srv := servertest.Start(t, servertest.Options{})
	dir := t.TempDir()
	env := map[string]string{"QUIZ_STATE_DIR": dir}
	host := start(t, "host", srv.Addr, "host", "--out", filepath.Join(t.TempDir(), "r.csv"))
	code := host.expect(`^room code=([A-Z0-9]{6}) `)[1]
	ann := startEnv(t, "ann", srv.Addr, env, "join", code, "--name", "Ann")
	ann.expect(`^joined room=`)
	host.expect(`^seq=\d+ roster players=1 `)

	// The kicked process forgets the token itself; put it back, as a
	// process killed before it could forget would leave it.
	store := creds.Open(dir)
	kept, err := store.Find(srv.Addr, code, creds.Player)
	if err != nil || len(kept) != 1 {
		t.Fatalf("the kept tokens: %v, %v; want Ann's", kept, err)
	}
	host.send("kick Ann")
	if err := ann.wait(); err == nil || !strings.Contains(err.Error(), "removed you") {
		t.Fatalf("kicked: %v", err)
	}
	if found, _ := store.Find(srv.Addr, code, creds.Player); len(found) != 0 {
		t.Errorf("a kicked player's token is kept: %+v", found)
	}
	if err := store.Put(kept[0]); err != nil {
		t.Fatal(err)
	}
	_, _, err = runOnceEnv(t, srv.Addr, env, "join", code)
	if want := "your place as Ann in room " + code + " is gone (you left or the host removed you)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("coming back after a kick: %v, want %q", err, want)
	}
	if found, _ := store.Find(srv.Addr, code, creds.Player); len(found) != 0 {
		t.Errorf("the stale token is kept: %+v", found)
	}
	fi, err := os.Stat(store.Path())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the state file: %v, %v; want mode 0600", fi, err)
	}
}

// TestResumeNeedsTheToken takes back a room from a machine that did not
// create it: the host token is not there, and the message says whose it is.
func TestResumeNeedsTheToken(t *testing.T) {
	srv := servertest.Start(t, servertest.Options{})
	host := start(t, "host", srv.Addr, "host", "--out", filepath.Join(t.TempDir(), "r.csv"))
	code := host.expect(`^room code=([A-Z0-9]{6}) `)[1]
	_, _, err := runOnce(t, srv.Addr, "host", "--resume", code)
	if err == nil || !strings.Contains(err.Error(), "no host token for room "+code) || !strings.Contains(err.Error(), "only the machine (and user) that created the room can take it back") {
		t.Errorf("--resume elsewhere: %v", err)
	}
	if _, _, err := runOnce(t, srv.Addr, "host", "--resume", code, "--questions", "3"); err == nil || !strings.Contains(err.Error(), "--resume takes the room back as it is: --questions cannot change it") {
		t.Errorf("--resume with settings: %v", err)
	}
}

// runOnceEnv is runOnce in environment env.
func runOnceEnv(t *testing.T, addr string, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	c := startEnv(t, strings.Join(args, " "), addr, env, args...)
	err = c.wait()
	return c.out.String(), c.err.String(), err
}
