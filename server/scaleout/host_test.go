package scaleout_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/servertest"
)

// The host tests: a host whose program dies (a real process, killed with
// SIGKILL) leaves a HOST-paced room that must not hang, a host that comes
// back takes the game over again, and a memory-store server that restarts
// tells every client why their room is gone.

// hostAwayLimit is the shortest host-away limit a room may have.
const hostAwayLimit = 10 * time.Second

// hostSettings are HOST-paced rules with no read time, 1 s reveals under
// AUTO pacing, no leaderboards between questions, and the shortest
// host-away limit.
func hostSettings() (*quizv1.RoomSettings, game.Scoring) {
	settings, sc := autoSettings()
	settings.Pacing = quizv1.PacingMode_PACING_MODE_HOST
	settings.HostAwayLimit = durationpb.New(hostAwayLimit)
	return settings, sc
}

// hostProcessEnv makes the test binary a host program (see hostProcess):
// "address code token".
const hostProcessEnv = "SCALEOUT_HOST_PROCESS"

// hostProcess is the host program a test runs as a process of its own: it
// watches a room with the host token, says "watching" once the snapshot
// came, and reads the room's events until it is killed.
func hostProcess(spec string) int {
	addr, rest, _ := strings.Cut(spec, " ")
	code, token, _ := strings.Cut(rest, " ")
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer conn.Close()
	s, err := quizv1.NewQuizServiceClient(conn).Watch(as(context.Background(), token), &quizv1.WatchRequest{RoomCode: code})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for i := 0; ; i++ {
		if _, err := s.Recv(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if i == 0 {
			fmt.Println("watching")
		}
	}
}

// startHost runs a host program watching room code on addr and returns
// once its stream is open; it is killed when the test ends.
func startHost(t *testing.T, addr, code, token string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), hostProcessEnv+"="+addr+" "+code+" "+token)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{addr: addr, cmd: cmd, done: make(chan struct{})}
	watching := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		watching <- sc.Scan() && sc.Text() == "watching"
		for sc.Scan() {
		}
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.kill)
	select {
	case ok := <-watching:
		if !ok {
			t.Fatal("the host program did not start watching")
		}
	case <-time.After(timeout):
		t.Fatalf("the host program did not start watching within %v", timeout)
	}
	return p
}

// hostGame starts two Redis-backed quizd processes and a HOST-paced game
// of four players spread over them, whose host program watches on the
// second; the game is started and its first question revealed, where it
// waits for the host. It returns the game, the host program and the first
// instance, where the room was created.
func hostGame(t *testing.T) (*testGame, *process, *process, game.Scoring) {
	t.Helper()
	c, a, b := twoProcesses(t, 1)
	settings, sc := hostSettings()
	g := c.newGame(settings, 4, nil)
	host := startHost(t, b.addr, g.code, g.host)
	g.start()
	waitFor(t, "question 1 revealed", func() bool { return g.spectator().saw(0, true) })
	return g, host, a, sc
}

// sawHost reports whether every player's follower saw the host's presence
// as match says.
func (g *testGame) sawHost(match func(*quizv1.HostPresence) bool) bool {
	for _, f := range g.followers[:len(g.players)] {
		f.mu.Lock()
		ok := false
		for _, h := range f.hosts {
			ok = ok || match(h)
		}
		f.mu.Unlock()
		if !ok {
			return false
		}
	}
	return true
}

// away matches the host away with the game going on at auto_at.
func away(h *quizv1.HostPresence) bool {
	return h.GetAway() && h.GetAutoAt() != nil && !h.GetAutoPacing()
}

// TestHostVanishes kills the host program (SIGKILL) of a HOST-paced game
// waiting on a reveal: the players are told the host is away and when the
// game goes on. Then the instance that drives the room's timers is killed
// too: the other one takes the room over, and the game goes on by itself
// with AUTO pacing at that time and finishes, every accepted answer is in
// the report, and the host token still gets the report.
func TestHostVanishes(t *testing.T) {
	t.Parallel()
	g, host, owner, sc := hostGame(t)
	rdb := redis.NewClient(mustParseURL(t, g.c.url))
	defer rdb.Close()
	leaseKey := g.c.prefix + "{" + g.code + "}:lease"
	if holder, err := rdb.Get(context.Background(), leaseKey).Result(); err != nil || holder != "a" {
		t.Fatalf("lease of the room created on a: held by %q (%v), want a", holder, err)
	}
	killed := time.Now()
	host.kill()
	waitFor(t, "the players told the host is away", func() bool { return g.sawHost(away) })
	owner.kill()
	f := g.followers[0]
	f.mu.Lock()
	h := f.hosts[0]
	f.mu.Unlock()
	if at := h.GetAutoAt().AsTime(); at.Before(killed.Add(hostAwayLimit)) || at.After(time.Now().Add(hostAwayLimit)) {
		t.Errorf("auto_at %v: want the host-away limit (%v) after the host left, at %v", at, hostAwayLimit, killed)
	}
	waitFor(t, "the game on AUTO pacing", func() bool {
		return g.sawHost(func(h *quizv1.HostPresence) bool { return h.GetAway() && h.GetAutoPacing() })
	})
	g.finish(sc) // with the host's report
	checkOutages(t, g.out)
}

// mustParseURL reads a Redis URL.
func mustParseURL(t *testing.T, url string) *redis.Options {
	t.Helper()
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	return opt
}

// next moves the game on as the host, through any instance.
func (g *testGame) next() {
	g.hostCall("NextQuestion", func(ctx context.Context, cl quizv1.QuizServiceClient) error {
		_, err := cl.NextQuestion(ctx, &quizv1.NextQuestionRequest{RoomCode: g.code})
		return err
	})
}

// TestHostResumes kills the host program mid-game and brings the host
// back, on the other instance, once the players saw it away: they see it
// back, and its NextQuestion calls play the game to the end, with no
// AUTO pacing.
func TestHostResumes(t *testing.T) {
	t.Parallel()
	g, host, _, sc := hostGame(t)
	host.kill()
	waitFor(t, "the players told the host is away", func() bool { return g.sawHost(away) })
	resumed := g.c.follow("host", g.code, g.host, 0, g.out, nil, nil)
	waitFor(t, "the players told the host is back", func() bool {
		return g.sawHost(func(h *quizv1.HostPresence) bool { return !h.GetAway() })
	})
	for q := 1; q < 6; q++ {
		g.next()
		waitFor(t, fmt.Sprintf("question %d revealed", q+1), func() bool { return g.spectator().saw(q, true) })
	}
	g.next() // the final standings
	g.finish(sc)
	resumed.wait(t)
	resumed.check(t)
	if g.sawHost(func(h *quizv1.HostPresence) bool { return h.GetAutoPacing() }) {
		t.Error("the game went on AUTO pacing though the host came back within the limit")
	}
}

// TestMemoryStoreRestart restarts a quizd on the memory store, on the same
// port, in the middle of a game: the room is gone, and every call a client
// of it makes (GetRoom, Watch resuming with its seq and epoch,
// SubmitAnswer, GetReport) is NotFound with the ErrorInfo that says the
// server restarted after the room was made and keeps rooms in memory.
func TestMemoryStoreRestart(t *testing.T) {
	t.Parallel()
	addr := servertest.FreeAddr(t)
	proc := runServer(t, "solo", addr)
	client := dial(t, addr)
	c := &cluster{t: t}
	c.add("solo", client)
	settings, _ := hostSettings()
	out := &outages{}
	code, host := c.uploadAndCreate(0, deck, settings, out)
	created := time.Now()
	p := c.join(code, "Ann", 0, out)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if _, err := client.StartGame(as(ctx, host), &quizv1.StartGameRequest{RoomCode: code}); err != nil {
		t.Fatal(err)
	}
	s, err := client.Watch(as(ctx, p.token), &quizv1.WatchRequest{RoomCode: code})
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Recv()
	if err != nil {
		t.Fatal(err)
	}
	seq, epoch := first.GetEvent().GetSeq(), first.GetEvent().GetSnapshot().GetRoom().GetEpoch()

	proc.kill()
	if _, err := s.Recv(); status.Code(err) != codes.Unavailable {
		t.Errorf("the stream when the server died: %v, want Unavailable", err)
	}
	runServer(t, "solo", addr)

	calls := map[string]func() error{
		"GetRoom": func() error {
			_, err := client.GetRoom(ctx, &quizv1.GetRoomRequest{RoomCode: code})
			return err
		},
		"Watch": func() error {
			s, err := client.Watch(as(ctx, p.token), &quizv1.WatchRequest{RoomCode: code, AfterSeq: seq, Epoch: epoch})
			if err != nil {
				return err
			}
			_, err = s.Recv()
			return err
		},
		"SubmitAnswer": func() error {
			_, err := client.SubmitAnswer(as(ctx, p.token), &quizv1.SubmitAnswerRequest{RoomCode: code, Answer: &quizv1.Answer{Choices: []int32{1}}})
			return err
		},
		"GetReport": func() error {
			_, err := client.GetReport(as(ctx, host), &quizv1.GetReportRequest{RoomCode: code})
			return err
		},
	}
	for name, call := range calls {
		err := call()
		info := roomNotFound(err)
		if info == nil {
			t.Errorf("%s after the restart: %v, want NotFound with ErrorInfo ROOM_NOT_FOUND", name, err)
			continue
		}
		started, perr := time.Parse(time.RFC3339Nano, info.GetMetadata()["server_started"])
		if info.GetDomain() != "quiz.v1" || info.GetMetadata()["store"] != "memory" || perr != nil || !started.After(created) {
			t.Errorf("%s after the restart: ErrorInfo %v; want domain quiz.v1, store memory, server_started after the room was made (%v)", name, info, created)
		}
	}
}

// roomNotFound is the ErrorInfo of a NotFound for a room, or nil.
func roomNotFound(err error) *errdetails.ErrorInfo {
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.NotFound {
		return nil
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetReason() == "ROOM_NOT_FOUND" {
			return info
		}
	}
	return nil
}
