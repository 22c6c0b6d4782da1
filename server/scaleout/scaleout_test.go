package scaleout_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"google.golang.org/protobuf/types/known/durationpb"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/servertest"
)

// autoSettings are the rules of the AUTO-paced games: no read time, reveals
// held 1 s, no leaderboards between questions, streak bonus and a
// wrong-answer penalty so that every rule counts.
func autoSettings() (*quizv1.RoomSettings, game.Scoring) {
	bonus := true
	return &quizv1.RoomSettings{
			Pacing: quizv1.PacingMode_PACING_MODE_AUTO, ReadTime: durationpb.New(0), RevealTime: durationpb.New(time.Second),
			LeaderboardEvery: -1, StreakBonus: &bonus, WrongAnswerPenalty: 250,
		},
		game.Scoring{Policy: game.Speed, StreakBonus: true, WrongPenalty: 250}
}

// game is one game of a test: its room, players and followers.
type testGame struct {
	c         *cluster
	code      string
	host      string
	out       *outages
	players   []*gamePlayer
	followers []*follower
	hold      func(p int, q int) // called before player p answers question q
	reconnect func(p int)        // called before player p's follower reconnects; may be nil

	mu   sync.Mutex   // guards gone
	gone map[int]bool // players who closed their client (see leave)
}

// leave makes player p close its client: its stream ends and it answers
// no more.
func (g *testGame) leave(p int) {
	g.mu.Lock()
	g.gone[p] = true
	g.mu.Unlock()
	g.followers[p].stop()
}

// left reports whether player p closed its client.
func (g *testGame) left(p int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.gone[p]
}

// newGame creates a room through instance 0, joins n players spread over
// the instances, each following the room on its instance and answering
// every question as it opens, and adds a spectator on every instance.
func (c *cluster) newGame(settings *quizv1.RoomSettings, n int, hold func(p, q int)) *testGame {
	c.t.Helper()
	return c.newGameOf(deck, settings, n, hold)
}

// newGameOf is newGame with a deck of its own.
func (c *cluster) newGameOf(source string, settings *quizv1.RoomSettings, n int, hold func(p, q int)) *testGame {
	c.t.Helper()
	g := &testGame{c: c, out: &outages{}, hold: hold, gone: map[int]bool{}}
	g.code, g.host = c.uploadAndCreate(0, source, settings, g.out)
	c.mu.Lock()
	instances := len(c.nodes)
	c.mu.Unlock()
	for i := range n {
		p := c.join(g.code, fmt.Sprintf("Player %d", i+1), i%instances, g.out)
		g.players = append(g.players, p)
		g.followers = append(g.followers, c.follow(p.name, g.code, p.token, p.node, g.out, func(ev *quizv1.Event) {
			o := ev.GetQuestionOpened()
			if o == nil {
				return
			}
			q := int(o.GetIndex())
			if g.hold != nil {
				g.hold(i, q)
			}
			if g.left(i) {
				return
			}
			// Late answers are refused (FailedPrecondition) and not counted
			// as accepted: the report must simply not have them.
			_ = c.answer(g.code, p, q, plan(i, q, o), g.out)
		}, func() {
			if g.reconnect != nil {
				g.reconnect(i)
			}
		}))
	}
	for i := range instances {
		g.followers = append(g.followers, c.follow(fmt.Sprintf("spectator on %s", c.node(i).name), g.code, "", i, g.out, nil, nil))
	}
	return g
}

// hostCall runs a host call, moving between instances while they are
// unavailable.
func (g *testGame) hostCall(what string, f func(context.Context, quizv1.QuizServiceClient) error) {
	g.c.t.Helper()
	if err := g.c.call(1, g.out, func(ctx context.Context, cl quizv1.QuizServiceClient) error { return f(as(ctx, g.host), cl) }); err != nil {
		g.c.t.Fatalf("%s: %v", what, err)
	}
}

func (g *testGame) start() {
	g.hostCall("StartGame", func(ctx context.Context, cl quizv1.QuizServiceClient) error {
		_, err := cl.StartGame(ctx, &quizv1.StartGameRequest{RoomCode: g.code})
		return err
	})
}

// finish waits for every follower to see the game finish, then checks the
// report against the rules and every follower's events.
func (g *testGame) finish(sc game.Scoring) {
	t := g.c.t
	t.Helper()
	for i, f := range g.followers {
		if !g.left(i) {
			f.wait(t)
			f.check(t)
		}
	}
	sameHistory(t, g.followers)
	spectator := g.followers[len(g.followers)-1]
	spectator.mu.Lock()
	opened, final := spectator.opened, spectator.final
	spectator.mu.Unlock()
	checkReport(t, g.c.report(g.code, g.host, g.out), opened, sc, g.players, final)
}

func TestGameAcrossInstances(t *testing.T) {
	c := newCluster(t, redistest.Start(t).URL())
	for i := range 3 {
		c.start(fmt.Sprintf("node-%d", i))
	}
	settings, sc := autoSettings()
	g := c.newGame(settings, 9, nil)
	g.start()
	g.finish(sc)
	if n := checkOutages(t, g.out); n > 0 {
		t.Errorf("%d calls were refused as unavailable with every instance up", n)
	}
}

// TestOwnerKilled kills (SIGKILL) the instance that drives a room's timers
// while a question is open: another instance takes the lease and the game
// goes on, no accepted answer is lost, and every client of the dead
// instance resumes on another one without a gap or a duplicate.
func TestOwnerKilled(t *testing.T) {
	srv := redistest.Start(t)
	if srv.Mini != nil {
		t.Skip("skipped with miniredis: like the other process tests, the kill test runs only with a real redis-server")
	}
	c := newCluster(t, srv.URL())
	const victim = "victim"
	proc := startProcess(t, c, victim)
	c.add(victim, dial(t, proc.addr))
	c.start("node-1")
	c.start("node-2")

	// Question 1 opens; the players on node-1 wait until the victim is dead
	// to answer it, so the question is open across the kill.
	killed := make(chan struct{})
	settings, sc := autoSettings()
	g := c.newGame(settings, 6, func(p, q int) {
		if q == 1 && p%3 == 1 {
			<-killed
		}
	})
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()
	leaseKey := c.prefix + "{" + g.code + "}:lease"
	if holder, err := rdb.Get(context.Background(), leaseKey).Result(); err != nil || holder != victim {
		t.Fatalf("lease of the room created on the victim: held by %q (%v), want %q", holder, err, victim)
	}
	g.start()
	waitFor(t, "the answers to question 2 before the kill", func() bool { return g.accepted(1) == 4 })
	killedAt := time.Now()
	proc.kill()
	close(killed)
	var holder string
	waitFor(t, "another instance taking the lease", func() bool {
		holder, _ = rdb.Get(context.Background(), leaseKey).Result()
		return holder != "" && holder != victim
	})
	t.Logf("takeover: %s holds the lease %v after the kill (LeaseTTL 2 s, Sweep 0.5 s)", holder, time.Since(killedAt).Round(time.Millisecond))
	g.finish(sc)
	resumed := 0
	for _, f := range g.followers {
		f.mu.Lock()
		resumed += f.resumes
		f.mu.Unlock()
	}
	if resumed == 0 {
		t.Error("no watcher resumed on another instance, though 3 watched the killed one")
	}
	checkOutages(t, g.out)
}

// TestRedisRestart stops Redis (SIGKILL) while a question is open and
// starts it again on the same port: meanwhile calls fail with Unavailable
// saying Redis is unavailable and watchers are cut off with it; they
// reconnect, and the game resumes and finishes with the right scores.
func TestRedisRestart(t *testing.T) {
	// Appending every write and fsyncing it keeps the data across SIGKILL.
	srv := redistest.StartProcess(t, "--appendonly", "yes", "--appendfsync", "always")
	c := newCluster(t, srv.URL())
	c.start("node-0")
	c.start("node-1")
	bonus := true
	settings := &quizv1.RoomSettings{ReadTime: durationpb.New(0), LeaderboardEvery: -1, StreakBonus: &bonus, WrongAnswerPenalty: 250}
	sc := game.Scoring{Policy: game.Speed, StreakBonus: true, WrongPenalty: 250}
	restarted := make(chan struct{})
	g := c.newGame(settings, 4, func(p, q int) {
		if q == 2 && p >= 2 {
			<-restarted
		}
	})
	spectator := g.followers[len(g.followers)-1]
	g.start()
	for q := range 6 {
		waitFor(t, fmt.Sprintf("question %d opening", q+1), func() bool { return spectator.saw(q, false) })
		if q == 2 {
			waitFor(t, "the answers before the outage", func() bool { return g.accepted(2) == 2 })
			srv.Kill()
			probe(t, c, g)
			srv.Restart()
			close(restarted)
		}
		waitFor(t, fmt.Sprintf("question %d revealed", q+1), func() bool { return spectator.saw(q, true) })
		g.next()
	}
	g.finish(sc)
	if n := checkOutages(t, g.out, "redis unavailable"); n == 0 {
		t.Error("no call failed while Redis was down")
	}
	for _, f := range g.followers {
		f.mu.Lock()
		if f.resumes == 0 {
			t.Errorf("%s: its stream was not cut off while Redis was down", f.name)
		}
		f.mu.Unlock()
	}
}

// probe makes calls while Redis is down: each must fail with Unavailable
// saying so, on every instance.
func probe(t *testing.T, c *cluster, g *testGame) {
	t.Helper()
	for i := range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := c.node(i).client.GetRoom(ctx, &quizv1.GetRoomRequest{RoomCode: g.code})
		cancel()
		g.out.add(c.node(i).name, err)
		if err == nil {
			t.Errorf("GetRoom on %s with Redis down: no error", c.node(i).name)
		}
	}
}

// accepted counts the players whose answer to question q was accepted.
func (g *testGame) accepted(q int) int {
	n := 0
	for _, p := range g.players {
		p.mu.Lock()
		if p.accepted[q] {
			n++
		}
		p.mu.Unlock()
	}
	return n
}

// saw reports whether the follower saw question q open (or, with
// revealed, its reveal).
func (f *follower) saw(q int, revealed bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !revealed {
		return f.opened[q] != nil
	}
	return f.revealed[q] != nil
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: not within %v", what, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// process is a quizd process of a test.
type process struct {
	addr string
	cmd  *exec.Cmd
	done chan struct{}
	once sync.Once
}

// kill kills the process (SIGKILL) and waits for it.
func (p *process) kill() {
	p.once.Do(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
}

// term stops the process as an operator would (SIGTERM) and waits for it
// to exit, killing it if it takes more than timeout.
func (p *process) term(t *testing.T) {
	t.Helper()
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(timeout):
			_ = p.cmd.Process.Kill()
			<-p.done
			t.Errorf("quizd did not exit within %v of SIGTERM", timeout)
		}
	})
}

// The server binary, built once for every test of the package.
var (
	buildOnce sync.Once
	buildDir  string
	binary    string
	buildErr  error
)

// quizd builds the server once and returns its path.
func quizd(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "scaleout-quizd-"); buildErr != nil {
			return
		}
		binary = filepath.Join(buildDir, "quizd")
		if out, err := exec.Command("go", "build", "-o", binary, "github.com/quizroom/quizroom/server").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("building the server: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// startProcess runs the server as instance name of c's deployment on a
// free port, killed when the test ends.
func startProcess(t *testing.T, c *cluster, name string) *process {
	t.Helper()
	return runProcess(t, c, name, servertest.FreeAddr(t))
}

// runProcess runs the server as instance name of c's deployment on addr
// (a restart reuses its predecessor's), killed when the test ends.
func runProcess(t *testing.T, c *cluster, name, addr string) *process {
	t.Helper()
	return runServer(t, name, addr, "-redis", c.url, "-redis-prefix", c.prefix)
}

// runServer runs the server on addr with the memory store, or with the
// store args name, killed when the test ends.
func runServer(t *testing.T, name, addr string, args ...string) *process {
	t.Helper()
	log, err := os.Create(filepath.Join(t.TempDir(), "quizd.log"))
	if err != nil {
		t.Fatal(err)
	}
	args = append([]string{"-listen", addr, "-instance", name,
		"-join-rate", "-1", "-answer-rate", "-1", "-watch-rate", "-1", "-log-level", "warn", "-http", ""}, args...)
	cmd := exec.Command(quizd(t), args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{addr: addr, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.kill()
		_ = log.Close()
		if t.Failed() {
			out, _ := os.ReadFile(log.Name())
			t.Logf("quizd %s log:\n%s", name, out)
		}
	})
	client := dial(t, addr)
	waitFor(t, "the server process to serve", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := client.ListDecks(ctx, &quizv1.ListDecksRequest{})
		return err == nil
	})
	return p
}
