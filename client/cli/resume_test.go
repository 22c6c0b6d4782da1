package cli

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/quizroom/quizroom/client/creds"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
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

// watchCalls counts the Watch calls a server gets, by the token they
// carry.
type watchCalls struct {
	mu      sync.Mutex // guards byToken
	byToken map[string]int
}

func (w *watchCalls) intercept(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if info.FullMethod == quizv1.QuizService_Watch_FullMethodName {
		md, _ := metadata.FromIncomingContext(ss.Context())
		w.mu.Lock()
		w.byToken[strings.TrimPrefix(strings.Join(md.Get("authorization"), ""), "Bearer ")]++
		w.mu.Unlock()
	}
	return handler(srv, ss)
}

func (w *watchCalls) of(token string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.byToken[token]
}

// TestComingBackWatchesOnce brings a player and the host back to their
// room: each checks its saved token and follows the room on one Watch
// call.
func TestComingBackWatchesOnce(t *testing.T) {
	calls := &watchCalls{byToken: map[string]int{}}
	srv := servertest.Start(t, servertest.Options{ServerOptions: []grpc.ServerOption{grpc.ChainStreamInterceptor(calls.intercept)}})
	hostEnv := map[string]string{"QUIZ_STATE_DIR": t.TempDir()}
	annEnv := map[string]string{"QUIZ_STATE_DIR": t.TempDir()}
	out := filepath.Join(t.TempDir(), "r.csv")
	host := startEnv(t, "host", srv.Addr, hostEnv, "host", "--out", out)
	code := host.expect(`^room code=([A-Z0-9]{6}) `)[1]
	host.expect(`^seq=\d+ snapshot `)
	ann := startEnv(t, "ann", srv.Addr, annEnv, "join", code, "--name", "Ann")
	ann.expect(`^seq=\d+ snapshot `)

	again := startEnv(t, "ann again", srv.Addr, annEnv, "join", code)
	again.expect(`^resumed room=` + code + ` name="Ann" `)
	again.expect(`^seq=\d+ snapshot room=` + code + ` phase=lobby role=player `)
	hostAgain := startEnv(t, "host again", srv.Addr, hostEnv, "host", "--resume", code, "--out", out)
	hostAgain.expect(`^seq=\d+ snapshot room=` + code + ` phase=lobby role=host `)
	for _, who := range []struct {
		env  map[string]string
		role creds.Role
	}{{annEnv, creds.Player}, {hostEnv, creds.Host}} {
		kept, err := creds.Open(who.env["QUIZ_STATE_DIR"]).Find(srv.Addr, code, who.role)
		if err != nil || len(kept) != 1 {
			t.Fatalf("the %s's kept tokens: %v, %v", who.role, kept, err)
		}
		if n := calls.of(kept[0].Token); n != 2 {
			t.Errorf("the %s's token watched the room %d times, want 2: once before and once after coming back", who.role, n)
		}
	}
}

// runOnceEnv is runOnce in environment env.
func runOnceEnv(t *testing.T, addr string, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	c := startEnv(t, strings.Join(args, " "), addr, env, args...)
	err = c.wait()
	return c.out.String(), c.err.String(), err
}
