package cli

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/servertest"
)

// These tests run the real programs, quizd and quiz, as processes, and
// kill them as a crash or a closed terminal would.

var (
	buildOnce sync.Once
	buildDir  string // removed by TestMain
	buildErr  error
)

// binary builds quizd and quiz once and returns the path of name.
func binary(t *testing.T, name string) string {
	t.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "quiz-process-"); buildErr != nil {
			return
		}
		for _, pkg := range []string{"quiz", "quizd"} {
			out, err := exec.Command("go", "build", "-o", filepath.Join(buildDir, pkg), "github.com/quizroom/quizroom/cmd/"+pkg).CombinedOutput()
			if err != nil {
				buildErr = fmt.Errorf("building %s: %v\n%s", pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, name)
}

// startServer runs quizd with the in-memory store, or with the store
// that args name, killed when the test ends, and waits until it serves.
func startServer(t *testing.T, args ...string) *servertest.Process {
	t.Helper()
	return servertest.StartProcess(t, servertest.ProcessOptions{Bin: binary(t, "quizd"), Args: args})
}

// waitCalls waits until the server whose metrics are at addr answered n
// calls of method with OK.
func waitCalls(t *testing.T, addr, method string, n int) {
	t.Helper()
	re := regexp.MustCompile(`(?m)^quizroom_grpc_calls_total\{code="OK",method="` + regexp.QuoteMeta(method) + `"\} (\d+)$`)
	for deadline := time.Now().Add(waitFor); ; time.Sleep(10 * time.Millisecond) {
		res, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		_ = res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if m := re.FindSubmatch(body); m != nil {
			if got, _ := strconv.Atoi(string(m[1])); got >= n {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server answered fewer than %d calls of %s", n, method)
		}
	}
}

// proc runs quiz as a process in line mode against addr, with its tokens
// in stateDir; its stdin is a pipe. It is a *cli, matched the same way.
func proc(t *testing.T, name, addr, stateDir string, args ...string) *cli {
	t.Helper()
	cmd := exec.Command(binary(t, "quiz"), append([]string{"--addr", addr, "--plain"}, args...)...)
	cmd.Env = append(os.Environ(), "QUIZ_STATE_DIR="+stateDir, "XDG_DATA_HOME="+t.TempDir())
	c := &cli{t: t, name: name, out: newLineWriter(), err: newLineWriter(), done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = c.out, c.err
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.in = in
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c.pid = cmd.Process.Pid
	go func() {
		defer close(c.done)
		c.runErr = cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-c.done
	})
	return c
}

// kill kills the process (SIGKILL: nothing runs on the way out) and waits
// for it to end.
func (c *cli) kill() {
	c.t.Helper()
	if err := syscall.Kill(c.pid, syscall.SIGKILL); err != nil {
		c.t.Fatal(err)
	}
	<-c.done
}

// exitCode is the process's exit status once it ended.
func (c *cli) exitCode() int {
	c.t.Helper()
	err := c.wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		c.t.Fatalf("%s: %v", c.name, err)
	}
	return 0
}

// quoted unquotes the Go-quoted text of a question line.
func quoted(t *testing.T, s string) string {
	t.Helper()
	text, err := strconv.Unquote(s)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// questionLine matches a question line of position pos and captures its
// text.
func questionLine(pos string) string {
	return `^seq=\d+ question ` + pos + ` \w+ ("(?:[^"\\]|\\.)*") `
}

// seat is a player of startGame: a name, and the server its quiz join
// process plays on when not the host's.
type seat struct{ name, addr string }

// game is a game of quiz processes that startGame started: every player
// has seen question 1.
type game struct {
	code      string
	host      *cli
	hostState string // the host's state directory
	out       string // the host's report directory
	players   []*cli // in the order of the seats
	states    []string
	text      string // question 1's text
}

// startGame runs quiz host on addr with questions questions of 60 s,
// without read time, and flags; joins a quiz join process per seat, each
// with a state directory of its own; and starts the game once the host
// sees them all.
func startGame(t *testing.T, addr string, questions int, seats []seat, flags ...string) *game {
	t.Helper()
	g := &game{hostState: t.TempDir(), out: t.TempDir()}
	g.host = proc(t, "host", addr, g.hostState, append([]string{"host", "--questions", strconv.Itoa(questions), "--time", "60s",
		"--read-time", "0", "--out", g.out}, flags...)...)
	g.code = g.host.expect(`^room code=([A-Z0-9]{6}) `)[1]
	for _, s := range seats {
		at := cmp.Or(s.addr, addr)
		state := t.TempDir()
		p := proc(t, strings.ToLower(s.name), at, state, "join", g.code, "--name", s.name)
		p.expect(`^joined room=` + g.code + ` name="` + s.name + `" `)
		g.players, g.states = append(g.players, p), append(g.states, state)
	}
	g.host.expect(`^seq=\d+ roster players=` + strconv.Itoa(len(seats)) + ` `)
	g.host.send("start")
	first := questionLine("1/" + strconv.Itoa(questions))
	for i, p := range g.players {
		m := p.expect(first)
		if i == 0 {
			g.text = quoted(t, m[1])
		}
	}
	return g
}

// TestPlayerProcessKilledComesBack kills a player's process mid-question
// and runs the same command again: the same player comes back with their
// score and streak, says so, and plays on; the report has them once.
func TestPlayerProcessKilledComesBack(t *testing.T) {
	srv := startServer(t)
	g := startGame(t, srv.Addr, 3, []seat{{name: "Ann"}, {name: "Bob"}})
	host, ann, bob, code := g.host, g.players[0], g.players[1], g.code
	right, wrong := answerLines(t, g.text)
	ann.send(right)
	ann.expect(`^answer 1/3 accepted `)
	bob.send(wrong)
	bob.expect(`^answer 1/3 accepted `)
	score := ann.expect(`^seq=\d+ result 1/3 answered=true correct=true points=\d+ streak=1 score=(\d+) rank=1 `)[1]
	host.expect(`^seq=\d+ reveal 1/3 `)
	host.send("next")
	host.expect(`^seq=\d+ leaderboard 1/3 `)
	host.send("next")
	ann.expect(questionLine("2/3"))

	// The terminal goes away mid-question; the same command comes back.
	ann.kill()
	ann = proc(t, "ann again", srv.Addr, g.states[0], "join", code, "--name", "Ann")
	ann.expect(`^resumed room=` + code + ` name="Ann" id=p\d+$`)
	n, _ := strconv.Atoi(score)
	ann.expectErr(`^Welcome back, Ann: you have ` + regexp.QuoteMeta(thousands(n)) + ` points, 1st of 2\.$`)
	text := quoted(t, ann.expect(questionLine("2/3"))[1])
	right, _ = answerLines(t, text)
	ann.send(right)
	ann.expect(`^answer 2/3 accepted `)
	bob.send("1")
	ann.expect(`^seq=\d+ result 2/3 answered=true correct=true points=[1-9]\d* streak=2 score=\d+ rank=1 `)

	host.send("end")
	report := host.expect(`^report file=(\S+) `)[1]
	ann.expect(`^seq=\d+ finished questions=2 players=2$`)
	if err := ann.wait(); err != nil {
		t.Errorf("ann after the game: %v", err)
	}
	rows := readCSV(t, report)
	names := map[string]bool{}
	for _, r := range rows[1:] {
		names[r[col(t, rows[0], "name")]] = true
	}
	if len(names) != 2 || !names["Ann"] || !names["Bob"] {
		t.Errorf("the report's players: %v, want Ann and Bob once each", names)
	}

	// Once the game is over, the token is forgotten: joining is joining.
	entries, err := os.ReadFile(filepath.Join(g.states[0], "rooms.json"))
	if err != nil || strings.Contains(string(entries), code) {
		t.Errorf("the state directory after the game (err %v):\n%s\nwant room %s forgotten", err, entries, code)
	}
}

// TestCtrlCSaysHowToComeBack interrupts a player and a host (SIGINT, as
// ctrl-C does): each leaves cleanly, with a line that says how to come
// back, and coming back works; the host's game is left running, as its
// input is not a terminal to ask on.
func TestCtrlCSaysHowToComeBack(t *testing.T) {
	srv := startServer(t)
	g := startGame(t, srv.Addr, 2, []seat{{name: "Ann"}})
	host, ann, code := g.host, g.players[0], g.code

	interrupt := func(c *cli) {
		t.Helper()
		if err := syscall.Kill(c.pid, syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		if got := c.exitCode(); got != 0 {
			t.Errorf("%s after ctrl-C: exit status %d, want 0", c.name, got)
		}
	}
	interrupt(ann)
	ann.expectErr("^You left room " + code + "; run `quiz join " + code + " --addr " + regexp.QuoteMeta(srv.Addr) + "` to come back with your score\\.$")
	ann = proc(t, "ann again", srv.Addr, g.states[0], "join", code)
	ann.expect(`^resumed room=` + code + ` name="Ann" `)
	ann.expect(questionLine("1/2"))

	interrupt(host)
	host.expectErr("^You left room " + code + " at question 1 of 2; run `quiz host --resume " + code + " --addr " + regexp.QuoteMeta(srv.Addr) +
		"` to take it back; the game goes on by itself after 60 s\\.$")
	host = proc(t, "host again", srv.Addr, g.hostState, "host", "--resume", code)
	host.expect(questionLine("1/2"))
	host.send("end")
	host.expect(`^report file=`)
	ann.expect(`^seq=\d+ finished `)
}

// TestHostProcessKilledTakesBack kills the host's process mid-game; quiz
// host --resume CODE takes the room back and moves the game on.
func TestHostProcessKilledTakesBack(t *testing.T) {
	srv := startServer(t)
	g := startGame(t, srv.Addr, 3, []seat{{name: "Ann"}})
	ann, code := g.players[0], g.code

	g.host.kill()
	host := proc(t, "host again", srv.Addr, g.hostState, "host", "--resume", code, "--out", g.out)
	host.expect(`^room code=` + code + ` `)
	host.expectErr(`^You are the host of room ` + code + ` again, at question 1 of 3\.$`)
	host.expect(questionLine("1/3"))
	host.send("close")
	host.expect(`^seq=\d+ reveal 1/3 `)
	ann.expect(`^seq=\d+ reveal 1/3 `)
	host.send("next")
	host.expect(`^seq=\d+ leaderboard 1/3 `)
	host.send("next")
	ann.expect(questionLine("2/3"))
	host.send("end")
	path := host.expect(`^report file=(\S+) `)[1]
	if filepath.Dir(path) != g.out {
		t.Errorf("report written to %s, want it in %s", path, g.out)
	}
	if code := host.exitCode(); code != 0 {
		t.Errorf("the host's exit status %d, want 0", code)
	}
	// The room is over: nothing to take back.
	again := proc(t, "host once more", srv.Addr, g.hostState, "host", "--resume", code)
	again.expectErr(`no host token for room ` + code)
	if code := again.exitCode(); code != ExitError {
		t.Errorf("--resume of a finished room: exit status %d, want %d", code, ExitError)
	}
}

// TestMemoryRestartSaysTheRoomIsGone restarts a memory-store server in the
// middle of a game: every client says in words that the restart lost the
// room, the host writes the report it has, and coming back says the same.
func TestMemoryRestartSaysTheRoomIsGone(t *testing.T) {
	metrics := servertest.FreeAddr(t)
	srv := startServer(t, "-metrics", metrics)
	g := startGame(t, srv.Addr, 3, []seat{{name: "Ann"}})
	host, ann, code := g.host, g.players[0], g.code
	watch := proc(t, "watch", srv.Addr, t.TempDir(), "watch", code)
	watch.expect(`^seq=\d+ snapshot room=` + code)
	right, _ := answerLines(t, g.text)
	ann.send(right)
	ann.expect(`^answer 1/3 accepted `)
	host.expect(`^seq=\d+ reveal 1/3 `) // Ann answered: the question closes
	ann.expect(`^seq=\d+ result 1/3 `)
	watch.expect(`^seq=\d+ reveal 1/3 `)
	// The host fetches the report after a reveal in the background: once
	// the server answered, one more event on the host's connection comes
	// after the answer.
	waitCalls(t, metrics, quizv1.QuizService_GetReport_FullMethodName, 1)
	host.send("next")
	host.expect(`^seq=\d+ leaderboard 1/3 `)

	srv.Kill()
	srv.Restart(t)
	msg := "^quiz: The server restarted and room " + code + ` is gone; rooms survive restarts when the server runs with Redis\.$`
	for _, c := range []*cli{host, ann, watch} {
		c.expectErr(msg)
		if got := c.exitCode(); got != ExitGone {
			t.Errorf("%s: exit status %d, want %d", c.name, got, ExitGone)
		}
	}
	path := host.expect(`^report file=(\S+) .* partial=true$`)[1]
	host.expectErr(`^The report of the game so far is in ` + regexp.QuoteMeta(path) + `\.$`)
	rows := readCSV(t, path)
	if len(rows) < 2 || rows[1][col(t, rows[0], "name")] != "Ann" {
		t.Errorf("the report so far:\n%v\nwant Ann's answer to question 1", rows)
	}
	for _, again := range []*cli{
		proc(t, "ann again", srv.Addr, g.states[0], "join", code),
		proc(t, "host again", srv.Addr, g.hostState, "host", "--resume", code),
	} {
		again.expectErr(msg)
		if got := again.exitCode(); got != ExitGone {
			t.Errorf("%s: exit status %d, want %d", again.name, got, ExitGone)
		}
	}
}

// TestHostAwayGameGoesOn kills the host of a host-paced game at a reveal:
// the player is told at once that the host is away and when the game goes
// on by itself; after the room's host-away limit it does (AUTO pacing), and
// the host coming back with --resume takes the pacing back and ends it with
// the report.
func TestHostAwayGameGoesOn(t *testing.T) {
	srv := startServer(t)
	g := startGame(t, srv.Addr, 2, []seat{{name: "Ann"}}, "--host-away-limit", "10s", "--reveal-time", "1s", "--leaderboard-time", "1s")
	ann, code := g.players[0], g.code
	right, _ := answerLines(t, g.text)
	ann.send(right)
	ann.expect(`^seq=\d+ result 1/2 answered=true correct=true `)
	g.host.expect(`^seq=\d+ reveal 1/2 `)

	g.host.kill()
	ann.expect(`^seq=\d+ host away=true auto_in=\S+ auto_pacing=false$`)
	ann.expect(`^seq=\d+ host away=true auto_pacing=true$`)
	ann.expect(questionLine("2/2")) // the game went on by itself

	host := proc(t, "host again", srv.Addr, g.hostState, "host", "--resume", code, "--out", g.out)
	host.expectErr(`^You are the host of room ` + code + ` again, at question 2 of 2\.$`)
	ann.expect(`^seq=\d+ host away=false auto_pacing=false$`)
	host.send("end")
	host.expect(`^report file=\S+ players=1 `)
	ann.expect(`^seq=\d+ finished `)
}

// TestRedisRollingRestart restarts every instance of a Redis deployment,
// one after the other, in the middle of a question: the host and the
// players, each on its own instance, only reconnect. Every event reaches
// each of them once, in order, without a new snapshot; the answers given
// after the restarts count, and the game ends as usual.
func TestRedisRollingRestart(t *testing.T) {
	rdb := redistest.Start(t)
	store := []string{"-redis", rdb.URL(), "-redis-prefix", "rolling" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"}
	srvA, srvB := startServer(t, store...), startServer(t, store...)
	g := startGame(t, srvA.Addr, 2, []seat{{name: "Ann"}, {name: "Bob", addr: srvB.Addr}})
	host, ann, bob := g.host, g.players[0], g.players[1]

	srvA.Stop()
	srvA.Restart(t)
	srvB.Stop()
	srvB.Restart(t)
	for _, c := range []*cli{host, ann, bob} {
		c.expectErr(`^reconnecting \(attempt 1, `) // what they see of it
	}

	right, wrong := answerLines(t, g.text)
	ann.send(right)
	ann.expect(`^answer 1/2 accepted `)
	bob.send(wrong)
	bob.expect(`^answer 1/2 accepted `)
	ann.expect(`^seq=\d+ result 1/2 answered=true correct=true points=[1-9]\d* streak=1 score=\d+ rank=1 `)
	bob.expect(`^seq=\d+ result 1/2 answered=true correct=false `)
	host.expect(`^seq=\d+ reveal 1/2 .* answered=2/2 right=1`)
	host.send("end")
	host.expect(`^report file=\S+ players=2 `)
	for _, c := range []*cli{host, ann, bob} {
		c.expect(`^seq=\d+ finished `)
		if got := c.exitCode(); got != 0 {
			t.Errorf("%s: exit status %d, want 0", c.name, got)
		}
		// Each event once, in order, and a single snapshot: the first.
		var last uint64
		snapshots := 0
		for _, line := range strings.Split(c.out.String(), "\n") {
			m := regexp.MustCompile(`^seq=(\d+) (\w+)`).FindStringSubmatch(line)
			if m == nil {
				continue
			}
			seq, _ := strconv.ParseUint(m[1], 10, 64)
			if m[2] == "snapshot" {
				snapshots++
			} else if seq != last && seq != last+1 {
				t.Errorf("%s: seq %d after %d:\n%s", c.name, seq, last, c.out.String())
				break
			}
			last = seq
		}
		if snapshots != 1 {
			t.Errorf("%s: %d snapshots, want the first alone:\n%s", c.name, snapshots, c.out.String())
		}
	}
}

// readCSV reads a report.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// col is the index of column name in header.
func col(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %v", name, header)
	return -1
}
