package cli

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
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

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

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

// server is a quizd process.
type server struct {
	addr string
	cmd  *exec.Cmd
	done chan struct{}
}

// startServer runs quizd on addr with the in-memory store, or with the
// store that args name, killed when the test ends, and waits until it
// serves.
func startServer(t *testing.T, addr string, args ...string) *server {
	t.Helper()
	log, err := os.Create(filepath.Join(t.TempDir(), "quizd.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary(t, "quizd"), append([]string{"-listen", addr, "-http", "", "-log-level", "warn",
		"-join-rate", "-1", "-answer-rate", "-1", "-watch-rate", "-1"}, args...)...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{addr: addr, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		s.kill()
		_ = log.Close()
		if t.Failed() {
			out, _ := os.ReadFile(log.Name())
			t.Logf("quizd log:\n%s", out)
		}
	})
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	api := quizv1.NewQuizServiceClient(cc)
	deadline := time.Now().Add(waitFor)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := api.ListDecks(ctx, &quizv1.ListDecksRequest{}, grpc.WaitForReady(true))
		cancel()
		if err == nil {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("quizd does not serve on %s: %v", addr, err)
		}
	}
}

// kill kills the server and waits for it to end.
func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.done
}

// stop stops the server as an orchestrator does (SIGTERM: it shuts down
// gracefully) and waits for it to end.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	<-s.done
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

// TestPlayerProcessKilledComesBack kills a player's process mid-question
// and runs the same command again: the same player comes back with their
// score and streak, says so, and plays on; the report has them once.
func TestPlayerProcessKilledComesBack(t *testing.T) {
	srv := startServer(t, servertest.FreeAddr(t))
	report := filepath.Join(t.TempDir(), "report.csv")
	host := start(t, "host", srv.addr, "host", "--questions", "3", "--time", "60s", "--read-time", "0", "--out", report)
	code := host.expect(`^room code=([A-Z0-9]{6}) `)[1]
	annState, bobState := t.TempDir(), t.TempDir()
	ann := proc(t, "ann", srv.addr, annState, "join", code, "--name", "Ann")
	ann.expect(`^joined room=` + code + ` name="Ann" id=(\S+)$`)
	bob := proc(t, "bob", srv.addr, bobState, "join", code, "--name", "Bob")
	bob.expect(`^joined room=` + code + ` name="Bob"`)
	host.expect(`^seq=\d+ roster players=2 `)

	host.send("start")
	text := quoted(t, ann.expect(questionLine("1/3"))[1])
	right, wrong := answerLines(t, text)
	ann.send(right)
	ann.expect(`^answer 1/3 accepted `)
	bob.expect(questionLine("1/3"))
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
	ann = proc(t, "ann again", srv.addr, annState, "join", code, "--name", "Ann")
	ann.expect(`^resumed room=` + code + ` name="Ann" id=p\d+$`)
	n, _ := strconv.Atoi(score)
	ann.expectErr(`^Welcome back, Ann: you have ` + regexp.QuoteMeta(thousands(n)) + ` points, 1st of 2\.$`)
	text = quoted(t, ann.expect(questionLine("2/3"))[1])
	right, _ = answerLines(t, text)
	ann.send(right)
	ann.expect(`^answer 2/3 accepted `)
	bob.send("1")
	ann.expect(`^seq=\d+ result 2/3 answered=true correct=true points=[1-9]\d* streak=2 score=\d+ rank=1 `)

	host.send("end")
	host.expect(`^report file=` + regexp.QuoteMeta(report) + ` `)
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
	entries, err := os.ReadFile(filepath.Join(annState, "rooms.json"))
	if err != nil || strings.Contains(string(entries), code) {
		t.Errorf("the state directory after the game (err %v):\n%s\nwant room %s forgotten", err, entries, code)
	}
}

// TestCtrlCSaysHowToComeBack interrupts a player and a host (SIGINT, as
// ctrl-C does): each leaves cleanly, with a line that says how to come
// back, and coming back works; the host's game is left running, as its
// input is not a terminal to ask on.
func TestCtrlCSaysHowToComeBack(t *testing.T) {
	srv := startServer(t, servertest.FreeAddr(t))
	hostState, annState := t.TempDir(), t.TempDir()
	host := proc(t, "host", srv.addr, hostState, "host", "--questions", "2", "--time", "60s", "--read-time", "0", "--out", t.TempDir())
	code := host.expect(`^room code=([A-Z0-9]{6}) `)[1]
	ann := proc(t, "ann", srv.addr, annState, "join", code, "--name", "Ann")
	ann.expect(`^joined room=`)
	host.expect(`^seq=\d+ roster players=1 `)
	host.send("start")
	ann.expect(questionLine("1/2"))

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
	ann.expectErr("^You left room " + code + "; run `quiz join " + code + " --addr " + regexp.QuoteMeta(srv.addr) + "` to come back with your score\\.$")
	ann = proc(t, "ann again", srv.addr, annState, "join", code)
	ann.expect(`^resumed room=` + code + ` name="Ann" `)
	ann.expect(questionLine("1/2"))

	interrupt(host)
	host.expectErr("^You left room " + code + " at question 1 of 2; run `quiz host --resume " + code + " --addr " + regexp.QuoteMeta(srv.addr) +
		"` to take it back; the game goes on by itself after 60 s\\.$")
	host = proc(t, "host again", srv.addr, hostState, "host", "--resume", code)
	host.expect(questionLine("1/2"))
	host.send("end")
	host.expect(`^report file=`)
	ann.expect(`^seq=\d+ finished `)
}

// TestHostProcessKilledTakesBack kills the host's process mid-game; quiz
// host --resume CODE takes the room back and moves the game on.
func TestHostProcessKilledTakesBack(t *testing.T) {
	srv := startServer(t, servertest.FreeAddr(t))
	hostState, out := t.TempDir(), t.TempDir()
	host := proc(t, "host", srv.addr, hostState, "host", "--questions", "3", "--time", "60s", "--read-time", "0", "--out", out)
	code := host.expect(`^room code=([A-Z0-9]{6}) `)[1]
	ann := start(t, "ann", srv.addr, "join", code, "--name", "Ann")
	ann.expect(`^joined room=`)
	host.expect(`^seq=\d+ roster players=1 `)
	host.send("start")
	ann.expect(questionLine("1/3"))

	host.kill()
	host = proc(t, "host again", srv.addr, hostState, "host", "--resume", code, "--out", out)
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
	if filepath.Dir(path) != out {
		t.Errorf("report written to %s, want it in %s", path, out)
	}
	if code := host.exitCode(); code != 0 {
		t.Errorf("the host's exit status %d, want 0", code)
	}
	// The room is over: nothing to take back.
	again := proc(t, "host once more", srv.addr, hostState, "host", "--resume", code)
	again.expectErr(`no host token for room ` + code)
	if code := again.exitCode(); code != ExitError {
		t.Errorf("--resume of a finished room: exit status %d, want %d", code, ExitError)
	}
}

// TestMemoryRestartSaysTheRoomIsGone restarts a memory-store server in the
// middle of a game: every client says in words that the restart lost the
// room, the host writes the report it has, and coming back says the same.
// It needs the server's ROOM_NOT_FOUND ErrorInfo (issue 13, server side).
func TestMemoryRestartSaysTheRoomIsGone(t *testing.T) {
	addr := servertest.FreeAddr(t)
	srv := startServer(t, addr)
	out := t.TempDir()
	hostState, annState := t.TempDir(), t.TempDir()
	host := proc(t, "host", addr, hostState, "host", "--questions", "3", "--time", "60s", "--read-time", "0", "--out", out)
	code := host.expect(`^room code=([A-Z0-9]{6}) `)[1]
	ann := proc(t, "ann", addr, annState, "join", code, "--name", "Ann")
	ann.expect(`^joined room=`)
	watch := proc(t, "watch", addr, t.TempDir(), "watch", code)
	watch.expect(`^seq=\d+ snapshot room=` + code)
	host.expect(`^seq=\d+ roster players=1 `)
	host.send("start")
	text := quoted(t, ann.expect(questionLine("1/3"))[1])
	right, _ := answerLines(t, text)
	ann.send(right)
	ann.expect(`^answer 1/3 accepted `)
	host.expect(`^seq=\d+ reveal 1/3 `) // Ann answered: the question closes
	ann.expect(`^seq=\d+ result 1/3 `)
	watch.expect(`^seq=\d+ reveal 1/3 `)

	srv.kill()
	startServer(t, addr)
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
		proc(t, "ann again", addr, annState, "join", code),
		proc(t, "host again", addr, hostState, "host", "--resume", code),
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
// the report. It needs the server side of issue 13 (HostPresence).
func TestHostAwayGameGoesOn(t *testing.T) {
	srv := startServer(t, servertest.FreeAddr(t))
	hostState, out := t.TempDir(), t.TempDir()
	host := proc(t, "host", srv.addr, hostState, "host", "--questions", "2", "--time", "60s", "--read-time", "0",
		"--host-away-limit", "10s", "--reveal-time", "1s", "--leaderboard-time", "1s", "--out", out)
	code := host.expect(`^room code=([A-Z0-9]{6}) .* pacing=host$`)[1]
	ann := start(t, "ann", srv.addr, "join", code, "--name", "Ann")
	ann.expect(`^joined room=`)
	host.expect(`^seq=\d+ roster players=1 `)
	host.send("start")
	text := quoted(t, ann.expect(questionLine("1/2"))[1])
	right, _ := answerLines(t, text)
	ann.send(right)
	ann.expect(`^seq=\d+ result 1/2 answered=true correct=true `)
	host.expect(`^seq=\d+ reveal 1/2 `)

	host.kill()
	ann.expect(`^seq=\d+ host away=true auto_in=\S+ auto_pacing=false$`)
	ann.expect(`^seq=\d+ host away=true auto_pacing=true$`)
	ann.expect(questionLine("2/2")) // the game went on by itself

	host = proc(t, "host again", srv.addr, hostState, "host", "--resume", code, "--out", out)
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
	a, b := servertest.FreeAddr(t), servertest.FreeAddr(t)
	srvA, srvB := startServer(t, a, store...), startServer(t, b, store...)
	host := proc(t, "host", a, t.TempDir(), "host", "--questions", "2", "--time", "60s", "--read-time", "0", "--out", t.TempDir())
	code := host.expect(`^room code=([A-Z0-9]{6}) `)[1]
	ann := proc(t, "ann", a, t.TempDir(), "join", code, "--name", "Ann")
	ann.expect(`^joined room=`)
	bob := proc(t, "bob", b, t.TempDir(), "join", code, "--name", "Bob")
	bob.expect(`^joined room=`)
	host.expect(`^seq=\d+ roster players=2 `)
	host.send("start")
	text := quoted(t, ann.expect(questionLine("1/2"))[1])
	bob.expect(questionLine("1/2"))

	srvA.stop()
	startServer(t, a, store...)
	srvB.stop()
	startServer(t, b, store...)
	for _, c := range []*cli{host, ann, bob} {
		c.expectErr(`^reconnecting \(attempt 1, `) // what they see of it
	}

	right, wrong := answerLines(t, text)
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
