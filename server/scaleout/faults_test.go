package scaleout_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"google.golang.org/protobuf/types/known/durationpb"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/redistest"
)

// The fault tests: each runs a game over real processes (quizd, a real
// redis-server) through a fault, and checks that no answer the server
// accepted is lost, no player is shut out of a question that is still
// open, and no client sees a seq gap or a seq reused; or, where the store
// itself lost data, that everyone is told.

// longDeck is the scale-out deck with the room's time limit (20 s) on
// every question, so that a question is still open across a fault.
var longDeck = strings.ReplaceAll(deck, "time: 5s\n", "")

// faultPlayers is how many players each fault test has.
const faultPlayers = 8

// longSettings are AUTO-paced rules with 20 s questions and 1 s reveals.
func longSettings() (*quizv1.RoomSettings, game.Scoring) {
	settings, sc := autoSettings()
	settings.TimeLimit = durationpb.New(20 * time.Second)
	return settings, sc
}

// needProcesses skips a test that needs a real redis-server and quizd
// processes where there is only miniredis.
func needProcesses(t *testing.T, srv *redistest.Server) {
	t.Helper()
	if srv.Mini != nil {
		t.Skip("skipped with miniredis: fault tests run only with a real redis-server")
	}
}

// held makes a hold function: even players wait for release before
// answering question q; everyone else answers at once.
func held(q int, release <-chan struct{}) func(p, q int) {
	return func(p, at int) {
		if at == q && p%2 == 0 {
			<-release
		}
	}
}

// allAnswered fails the test unless the answers to question q of every
// player still in the game were accepted: nobody was shut out. The reveal
// can reach the spectator before the last players have the responses to
// answers the server accepted, so it waits for every player's answer to
// come back, accepted or refused, before it counts (a player who never
// answers is reported once the wait ends).
func (g *testGame) allAnswered(t *testing.T, q int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("question %d revealed", q+1), func() bool { return g.spectator().saw(q, true) })
	for deadline := time.Now().Add(timeout); !g.answersBack(q) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	want := 0
	for p := range g.players {
		if !g.left(p) {
			want++
		}
	}
	if got := g.accepted(q); got != want {
		t.Errorf("question %d: %d of %d players' answers accepted; the others were shut out", q+1, got, want)
		for _, p := range g.players {
			p.mu.Lock()
			if err, ok := p.refused[q]; ok {
				t.Errorf("%s: %v", p.name, err)
			} else if !p.accepted[q] {
				t.Errorf("%s sent no answer to question %d", p.name, q+1)
			}
			p.mu.Unlock()
		}
	}
}

// answersBack reports whether every player still in the game has had the
// response to an answer to question q: accepted or refused.
func (g *testGame) answersBack(q int) bool {
	for i, p := range g.players {
		if g.left(i) {
			continue
		}
		p.mu.Lock()
		_, refused := p.refused[q]
		back := refused || p.accepted[q]
		p.mu.Unlock()
		if !back {
			return false
		}
	}
	return true
}

// spectator is the game's last follower, a spectator.
func (g *testGame) spectator() *follower { return g.followers[len(g.followers)-1] }

// waitHalf waits until the players who answer at once answered question q.
func (g *testGame) waitHalf(t *testing.T, q int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("the first answers to question %d", q+1), func() bool { return g.accepted(q) == len(g.players)/2 })
}

// TestShutdownOfTheOnlyInstance stops the only quizd (SIGTERM) while a
// question is open and half the players have answered, and starts it
// again: the other half answer after the restart, and every answer is
// accepted.
func TestShutdownOfTheOnlyInstance(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	needProcesses(t, srv)
	c := newCluster(t, srv.URL())
	proc := startProcess(t, c, "solo")
	c.add("solo", dial(t, proc.addr))
	restarted := make(chan struct{})
	settings, sc := longSettings()
	g := c.newGameOf(longDeck, settings, faultPlayers, held(1, restarted))
	g.start()
	waitFor(t, "question 2 opening", func() bool { return g.spectator().saw(1, false) })
	g.waitHalf(t, 1)
	proc.term(t)
	runProcess(t, c, "solo", proc.addr) // the same name, as a restart keeps it
	close(restarted)
	g.allAnswered(t, 1)
	g.finish(sc)
}

// TestShutdownOfTheMajorityInstance stops (SIGTERM) the instance that
// serves two thirds of the players while a question is open: they move to
// the other instance, and every answer is accepted.
func TestShutdownOfTheMajorityInstance(t *testing.T) {
	t.Parallel()
	c, major, _ := twoProcesses(t, 1)
	c.add("a", dial(t, major.addr)) // players go round the connections: a, b, a
	stopped := make(chan struct{})
	settings, sc := longSettings()
	g := c.newGameOf(longDeck, settings, faultPlayers, held(1, stopped))
	g.start()
	waitFor(t, "question 2 opening", func() bool { return g.spectator().saw(1, false) })
	g.waitHalf(t, 1)
	major.term(t)
	close(stopped)
	g.allAnswered(t, 1)
	g.finish(sc)
}

// TestRedisOutageLongerThanTheGrace stops Redis for 2 s while a question
// is open; the players who have not answered yet come back only 4 s after
// their streams were cut, as a client's backoff across an outage does,
// longer than the 3 s disconnect grace. The streams the outage cut are not
// departures, so those players are not shut out of the question.
func TestRedisOutageLongerThanTheGrace(t *testing.T) {
	t.Parallel()
	srv := redistest.StartProcess(t, "--appendonly", "yes", "--appendfsync", "always")
	c := newCluster(t, srv.URL())
	a := startProcess(t, c, "a")
	b := startProcess(t, c, "b")
	c.add("a", dial(t, a.addr))
	c.add("b", dial(t, b.addr))
	// The held players answer only once their stream is back.
	down := make(chan struct{})
	var cut atomic.Int64 // when Redis went down, in unix nanos
	backAt := func() time.Time { return time.Unix(0, cut.Load()).Add(4 * time.Second) }
	settings, sc := longSettings()
	g := c.newGameOf(longDeck, settings, faultPlayers, func(p, q int) {
		if q == 1 && p%2 == 0 {
			<-down
			time.Sleep(time.Until(backAt().Add(500 * time.Millisecond)))
		}
	})
	g.reconnect = func(p int) {
		if cut.Load() != 0 && p%2 == 0 {
			time.Sleep(time.Until(backAt()))
		}
	}
	g.start()
	waitFor(t, "question 2 opening", func() bool { return g.spectator().saw(1, false) })
	g.waitHalf(t, 1)
	cut.Store(time.Now().UnixNano())
	srv.Kill()
	close(down)
	time.Sleep(2 * time.Second)
	srv.Restart()
	g.allAnswered(t, 1)
	g.finish(sc)
	if n := checkOutages(t, g.out); n == 0 {
		t.Error("no call failed while Redis was down")
	}
}

// TestKilledInstanceStopsCounting kills (SIGKILL) an instance that serves
// half the players, and one of them closes its client at that moment: the
// others resume on the other instance, and the questions after the kill
// still close as soon as everyone still there answered, well before their
// deadline: the dead instance's players stop counting once its presence
// lease lapses, and count again where they came back.
func TestKilledInstanceStopsCounting(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	needProcesses(t, srv)
	c := newCluster(t, srv.URL())
	victim := startProcess(t, c, "victim")
	other := startProcess(t, c, "other")
	c.add("victim", dial(t, victim.addr))
	c.add("other", dial(t, other.addr))
	killed := make(chan struct{})
	settings, sc := longSettings()
	g := c.newGameOf(longDeck, settings, faultPlayers, held(1, killed))
	g.start()
	waitFor(t, "question 2 opening", func() bool { return g.spectator().saw(1, false) })
	g.waitHalf(t, 1)
	g.leave(0) // a player of the victim, who had not answered yet
	victim.kill()
	close(killed)
	g.allAnswered(t, 1)
	g.finish(sc)
	spectator := g.spectator()
	spectator.mu.Lock()
	defer spectator.mu.Unlock()
	for q := 1; q < len(spectator.opened); q++ {
		deadline := spectator.opened[q].GetDeadline().AsTime()
		if closed := spectator.revealed[q].GetServerTime().AsTime(); !closed.Before(deadline) {
			t.Errorf("question %d closed at its deadline (%v), not when everyone had answered", q+1, closed)
		}
	}
}

// finishLost waits for every follower to be told that the room's history
// was lost, and checks that none saw a gap or a seq twice on the way and
// that the report says so.
func (g *testGame) finishLost(t *testing.T) {
	t.Helper()
	for _, f := range g.followers {
		f.wait(t)
		f.check(t)
		f.mu.Lock()
		if f.lost == nil {
			t.Errorf("%s: the game went on as if nothing was lost", f.name)
		}
		f.mu.Unlock()
	}
	sameHistory(t, g.followers)
	rep := g.c.report(g.code, g.host, g.out)
	if !rep.GetRoom().GetHistoryLost() {
		t.Error("the report does not say the room's history was lost")
	}
	lost := int64(0)
	for i := range len(g.c.nodes) {
		if e := g.c.node(i).engine; e != nil {
			lost += e.Stats().Lost
		}
	}
	if lost == 0 {
		t.Error("no instance counted the lost room")
	}
}

// TestRedisRestoredFromAnOldSnapshot restarts Redis from a snapshot taken
// a question earlier (no AOF): the room's seq goes back. The instances
// notice, close the room as lost, and every client is told, instead of
// questions being asked again under seqs that meant other events.
func TestRedisRestoredFromAnOldSnapshot(t *testing.T) {
	t.Parallel()
	srv := redistest.StartProcess(t)
	c := newCluster(t, srv.URL())
	c.start("node-0")
	c.start("node-1")
	settings, _ := longSettings()
	g := c.newGameOf(longDeck, settings, faultPlayers, nil)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()
	g.start()
	waitFor(t, "question 2 opening", func() bool { return g.spectator().saw(1, false) })
	if err := rdb.Save(context.Background()).Err(); err != nil {
		t.Fatalf("SAVE: %v", err)
	}
	waitFor(t, "question 3 opening", func() bool { return g.spectator().saw(2, false) })
	srv.Kill()
	srv.Restart() // loads the snapshot of question 2
	g.finishLost(t)
}

// TestRedisFlushed flushes Redis while a question is open: the instances
// notice that a running room is gone, record it as lost, and every client
// is told.
func TestRedisFlushed(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	c := newCluster(t, srv.URL())
	c.start("node-0")
	c.start("node-1")
	settings, _ := longSettings()
	g := c.newGameOf(longDeck, settings, faultPlayers, nil)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()
	g.start()
	waitFor(t, "question 2 opening", func() bool { return g.spectator().saw(1, false) })
	if err := rdb.FlushAll(context.Background()).Err(); err != nil {
		t.Fatalf("FLUSHALL: %v", err)
	}
	g.finishLost(t)
}

// twoProcesses starts two quizd processes, a and b, sharing a real
// redis-server, and conns client connections to each, alternating between
// them (a reconnection moves to the other instance).
func twoProcesses(t *testing.T, conns int) (*cluster, *process, *process) {
	t.Helper()
	srv := redistest.Start(t)
	needProcesses(t, srv)
	c := newCluster(t, srv.URL())
	a := startProcess(t, c, "a")
	b := startProcess(t, c, "b")
	for range conns {
		c.add("a", dial(t, a.addr))
		c.add("b", dial(t, b.addr))
	}
	return c, a, b
}

// rollingPlayers is how many players the rolling restart has: a classroom
// and more, split over both instances.
const rollingPlayers = 200

// TestRollingRestart stops (SIGTERM) and restarts each of two instances in
// turn, as a rolling deployment does, while a question is open and half of
// 200 players have answered it, with the host watching: the other half
// answer after the roll, every answer is accepted and in the report, no
// client sees a gap or a seq twice, every refused call was a reconnect
// (Unavailable), and nobody is told the host went away.
func TestRollingRestart(t *testing.T) {
	t.Parallel()
	// A connection carries at most api.MaxConcurrentStreams calls: the
	// players share a few connections to each instance.
	c, a, b := twoProcesses(t, rollingPlayers/50)
	rolled := make(chan struct{})
	settings, sc := longSettings()
	g := c.newGameOf(longDeck, settings, rollingPlayers, held(1, rolled))
	host := c.follow("host", g.code, g.host, 0, g.out, nil, nil)
	g.start()
	waitFor(t, "question 2 opening", func() bool { return g.spectator().saw(1, false) })
	g.waitHalf(t, 1)
	a.term(t)
	runProcess(t, c, "a", a.addr)
	b.term(t)
	runProcess(t, c, "b", b.addr)
	close(rolled)
	g.allAnswered(t, 1)
	g.finish(sc)
	host.wait(t)
	host.check(t)
	for q := range 6 { // no answer was refused, across the roll or after it
		if got := g.accepted(q); got != rollingPlayers {
			t.Errorf("question %d: %d of %d answers accepted", q+1, got, rollingPlayers)
		}
	}
	resumes := 0
	for _, f := range append(g.followers, host) {
		f.mu.Lock()
		resumes += f.resumes
		if len(f.hosts) > 0 {
			t.Errorf("%s was told about the host's presence (%v) though the host only reconnected", f.name, f.hosts)
		}
		f.mu.Unlock()
	}
	if resumes == 0 {
		t.Error("no stream was cut by the roll")
	}
	byNode := map[string]int{}
	for _, o := range g.out.all() {
		byNode[o.node]++
	}
	t.Logf("%d streams resumed, %d calls refused while an instance restarted (by instance: %v)", resumes, checkOutages(t, g.out), byNode)
}
