// Package scaleout_test plays games across several server instances that
// share one Redis: players and watchers spread over the instances, an
// instance killed mid-question, Redis itself stopped and restarted. Every
// test checks the final scores against the rules and that every watcher
// saw every event exactly once.
package scaleout_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/quizroom/quizroom/content"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/redisstore"
	"github.com/quizroom/quizroom/server/room"
	"github.com/quizroom/quizroom/server/servertest"
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(hostProcessEnv); spec != "" {
		os.Exit(hostProcess(spec))
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) {
		if buildDir != "" {
			_ = os.RemoveAll(buildDir)
		}
	}))
}

// deck has one question of every kind and a 5 s time limit (the
// shortest allowed), so that a question left open ends soon.
const deck = `# Scale-out deck
id: scaleout

## Which service runs code without servers?
kind: single
time: 5s

- [ ] Amazon EC2
- [x] AWS Lambda
- [ ] AWS Batch

> Lambda is serverless.

## Which services run containers?
kind: multiple
time: 5s
points: 2000

- [x] Amazon ECS
- [x] Amazon EKS
- [ ] Amazon S3
- [ ] Amazon Route 53

> ECS and EKS run containers.

## True or false: Fargate leaves no servers to manage.
kind: truefalse
time: 5s

- [x] True
- [ ] False

> Fargate is serverless.

## Which service stores container images?
kind: typed
time: 5s
answers: ECR | Amazon ECR

> ECR is the registry.

## Which would you try first?
kind: poll
time: 5s

- [ ] ECS
- [ ] EKS

## Which service balances load?
kind: single
time: 5s

- [x] Elastic Load Balancing
- [ ] Amazon SQS

> ELB balances load.
`

// timeout bounds every wait of these tests.
const timeout = 60 * time.Second

// node is one server instance of a test.
type node struct {
	name   string
	client quizv1.QuizServiceClient
	engine *room.Engine // for instances in this process; nil for processes
}

// cluster is the server instances of one test, sharing a Redis and a key
// prefix.
type cluster struct {
	t      *testing.T
	url    string
	prefix string

	mu    sync.Mutex // guards nodes
	nodes []*node
}

func newCluster(t *testing.T, url string) *cluster {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return &cluster{t: t, url: url, prefix: "s" + hex.EncodeToString(b) + ":"}
}

// start starts an instance in this process.
func (c *cluster) start(name string) *node {
	c.t.Helper()
	store, err := redisstore.New(redisstore.Config{URL: c.url, Prefix: c.prefix})
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { _ = store.Close() }) // after the server stops: cleanups run last first
	srv := servertest.Start(c.t, servertest.Options{Store: store, Engine: room.Config{Instance: name}})
	n := c.add(name, srv.Client(c.t))
	n.engine = srv.Engine
	return n
}

// add adds an instance that serves on a client's connection.
func (c *cluster) add(name string, client quizv1.QuizServiceClient) *node {
	n := &node{name: name, client: client}
	c.mu.Lock()
	c.nodes = append(c.nodes, n)
	c.mu.Unlock()
	return n
}

// dial connects to an instance at addr.
func dial(t *testing.T, addr string) quizv1.QuizServiceClient {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return quizv1.NewQuizServiceClient(conn)
}

// node returns instance i, counting round.
func (c *cluster) node(i int) *node {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nodes[i%len(c.nodes)]
}

// as adds a bearer token to a context.
var as = servertest.WithToken

// outage records a call refused because something was down: the status
// must be Unavailable with a message that says what.
type outage struct {
	node string
	err  error
}

// outages collects the outages of a test, to check them at its end.
type outages struct {
	mu   sync.Mutex
	list []outage
}

func (o *outages) add(node string, err error) {
	o.mu.Lock()
	o.list = append(o.list, outage{node, err})
	o.mu.Unlock()
}

func (o *outages) all() []outage {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]outage(nil), o.list...)
}

// call runs f on instance i, moving to the next instance while the call is
// Unavailable (retrying for up to timeout), and returns its last error.
// Unavailable errors are recorded in out.
func (c *cluster) call(i int, out *outages, f func(context.Context, quizv1.QuizServiceClient) error) error {
	deadline := time.Now().Add(timeout)
	for attempt := 0; ; attempt++ {
		n := c.node(i + attempt)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := f(ctx, n.client)
		cancel()
		if status.Code(err) != codes.Unavailable || time.Now().After(deadline) {
			return err
		}
		out.add(n.name, err)
		time.Sleep(50 * time.Millisecond)
	}
}

// follower follows a room's events through Watch, reconnecting to the
// next instance with after_seq whenever its stream ends with an error.
type follower struct {
	name string
	done chan struct{} // closed when the game finished (or the test ended)
	stop func()        // closes the follower's client: its stream ends

	mu        sync.Mutex        // guards the fields below
	snapshot  uint64            // seq of the first snapshot
	epoch     uint64            // the room's epoch, from the snapshot
	seqs      []uint64          // seqs of every event after it, in order of arrival
	kinds     map[uint64]string // what each seq carried (the payload's type)
	resumes   int               // streams opened after the first
	snapshots int               // snapshots received
	opened    map[int]*quizv1.QuestionOpened
	revealed  map[int]*quizv1.Event // the QuestionRevealed events
	final     *quizv1.GameFinished
	lost      error                  // the DataLoss that ended the stream, if it did
	hosts     []*quizv1.HostPresence // the host's presence, from snapshots (when away) and events, in order
}

// follow starts a follower of room code with token on instance i; on is
// called with every event, in the follower's goroutine, and reconnect (if
// not nil) before each reconnection, as a client's backoff would. It
// returns once the first stream delivered its snapshot.
func (c *cluster) follow(name, code, token string, i int, out *outages, on func(*quizv1.Event), reconnect func()) *follower {
	c.t.Helper()
	f := &follower{name: name, done: make(chan struct{}), opened: map[int]*quizv1.QuestionOpened{}, revealed: map[int]*quizv1.Event{}, kinds: map[uint64]string{}}
	ctx, cancel := context.WithTimeout(context.Background(), 3*timeout)
	f.stop = cancel
	started := make(chan struct{})
	var once sync.Once
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		defer close(f.done)
		var last uint64
		for attempt := 0; ctx.Err() == nil; attempt++ {
			if attempt > 0 && reconnect != nil {
				reconnect()
			}
			n := c.node(i + attempt)
			err := f.stream(ctx, n, code, token, &last, func() { once.Do(func() { close(started) }) }, on)
			if err == nil {
				return // the game finished
			}
			if status.Code(err) == codes.DataLoss {
				f.mu.Lock()
				f.lost = err
				f.mu.Unlock()
				return // the room's history was lost: nothing to resume
			}
			if ctx.Err() == nil {
				out.add(n.name, err)
			}
			f.mu.Lock()
			f.resumes++
			f.mu.Unlock()
			time.Sleep(50 * time.Millisecond)
		}
	}()
	c.t.Cleanup(func() { cancel(); <-stopped })
	select {
	case <-started:
	case <-time.After(timeout):
		c.t.Fatalf("%s: no snapshot within %v", name, timeout)
	}
	return f
}

// stream reads one Watch stream after *last; it returns nil once the game
// finished and the stream's error otherwise.
func (f *follower) stream(ctx context.Context, n *node, code, token string, last *uint64, started func(), on func(*quizv1.Event)) error {
	sctx, cancel := context.WithCancel(as(ctx, token))
	defer cancel()
	f.mu.Lock()
	epoch := f.epoch
	f.mu.Unlock()
	s, err := n.client.Watch(sctx, &quizv1.WatchRequest{RoomCode: code, AfterSeq: *last, Epoch: epoch})
	if err != nil {
		return err
	}
	for {
		resp, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return errors.New("the stream ended before the game finished")
		}
		if err != nil {
			return err
		}
		ev := resp.GetEvent()
		f.mu.Lock()
		if snap := ev.GetSnapshot(); snap != nil {
			f.snapshots++
			f.epoch = snap.GetRoom().GetEpoch()
			if f.snapshots == 1 {
				f.snapshot = ev.GetSeq()
			}
		} else {
			f.seqs = append(f.seqs, ev.GetSeq())
			f.kinds[ev.GetSeq()] = fmt.Sprintf("%T", ev.GetPayload())
		}
		if o := ev.GetQuestionOpened(); o != nil {
			f.opened[int(o.GetIndex())] = o
		}
		if r := ev.GetQuestionRevealed(); r != nil {
			f.revealed[int(r.GetIndex())] = ev
		}
		if fin := ev.GetGameFinished(); fin != nil {
			f.final = fin
		}
		if h := ev.GetHostPresence(); h != nil {
			f.hosts = append(f.hosts, h)
		}
		if h := ev.GetSnapshot().GetHost(); h != nil {
			f.hosts = append(f.hosts, h)
		}
		f.mu.Unlock()
		*last = ev.GetSeq()
		started()
		if on != nil {
			on(ev)
		}
		if ev.GetGameFinished() != nil {
			return nil
		}
		if closed := ev.GetRoomClosed(); closed != nil {
			if closed.GetHistoryLost() {
				return status.Error(codes.DataLoss, "RoomClosed: "+closed.GetReason())
			}
			return nil
		}
	}
}

// wait waits for the follower to see the game finish.
func (f *follower) wait(t *testing.T) {
	t.Helper()
	select {
	case <-f.done:
	case <-time.After(3 * timeout):
		t.Fatalf("%s: the game did not finish within %v", f.name, 3*timeout)
	}
}

// check fails the test unless the follower saw every event from its first
// snapshot to the finish exactly once, in order, with no other snapshot.
func (f *follower) check(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.final == nil && f.lost == nil {
		t.Errorf("%s: never saw the game finish", f.name)
	}
	if f.snapshots != 1 {
		t.Errorf("%s: %d snapshots, want only the first: resumes must replay the missed events", f.name, f.snapshots)
	}
	want := f.snapshot + 1
	for _, seq := range f.seqs {
		if seq != want {
			t.Errorf("%s: after seq %d got seq %d: a gap or a duplicate (seqs %v)", f.name, want-1, seq, f.seqs)
			return
		}
		want++
	}
}

// gamePlayer is a player of a test and the answers the server accepted.
type gamePlayer struct {
	id, token, name string
	node            int // the instance it talks to first

	mu       sync.Mutex
	accepted map[int]bool  // questions answered, as the server confirmed
	refused  map[int]error // why an answer was not accepted, by question
}

// join joins a player through instance i.
func (c *cluster) join(code, name string, i int, out *outages) *gamePlayer {
	c.t.Helper()
	var resp *quizv1.JoinRoomResponse
	err := c.call(i, out, func(ctx context.Context, cl quizv1.QuizServiceClient) error {
		var err error
		resp, err = cl.JoinRoom(ctx, &quizv1.JoinRoomRequest{RoomCode: code, Name: name})
		return err
	})
	if err != nil {
		c.t.Fatalf("JoinRoom %s: %v", name, err)
	}
	return &gamePlayer{id: resp.GetPlayerId(), token: resp.GetPlayerToken(), name: name, node: i, accepted: map[int]bool{}}
}

// answer submits a's answer to question q through its instance, moving on
// while instances are unavailable. An answer refused as a second one after
// an attempt that failed in flight was accepted by that attempt.
func (c *cluster) answer(code string, p *gamePlayer, q int, a *quizv1.Answer, out *outages) error {
	tried := false
	err := c.call(p.node, out, func(ctx context.Context, cl quizv1.QuizServiceClient) error {
		_, err := cl.SubmitAnswer(as(ctx, p.token), &quizv1.SubmitAnswerRequest{RoomCode: code, QuestionIndex: int32(q), Answer: a})
		if status.Code(err) == codes.AlreadyExists && tried {
			return nil
		}
		tried = true
		return err
	})
	p.mu.Lock()
	if err == nil {
		p.accepted[q] = true
	} else {
		if p.refused == nil {
			p.refused = map[int]error{}
		}
		p.refused[q] = err
	}
	p.mu.Unlock()
	return err
}

// uploadAndCreate uploads source through instance i and creates a room of
// it with settings; it returns the room code and the host token.
func (c *cluster) uploadAndCreate(i int, source string, settings *quizv1.RoomSettings, out *outages) (string, string) {
	c.t.Helper()
	var code, host string
	err := c.call(i, out, func(ctx context.Context, cl quizv1.QuizServiceClient) error {
		up, err := cl.UploadDeck(ctx, &quizv1.UploadDeckRequest{Source: source})
		if err != nil {
			return err
		}
		resp, err := cl.CreateRoom(ctx, &quizv1.CreateRoomRequest{
			Source: &quizv1.CreateRoomRequest_DeckId{DeckId: up.GetDeck().GetId()}, Settings: settings,
		})
		if err != nil {
			return err
		}
		code, host = resp.GetRoom().GetCode(), resp.GetHostToken()
		return nil
	})
	if err != nil {
		c.t.Fatalf("creating a room: %v", err)
	}
	return code, host
}

// report fetches the room's report as the host.
func (c *cluster) report(code, host string, out *outages) *quizv1.Report {
	c.t.Helper()
	var rep *quizv1.Report
	err := c.call(0, out, func(ctx context.Context, cl quizv1.QuizServiceClient) error {
		resp, err := cl.GetReport(as(ctx, host), &quizv1.GetReportRequest{RoomCode: code})
		rep = resp.GetReport()
		return err
	})
	if err != nil {
		c.t.Fatalf("GetReport: %v", err)
	}
	return rep
}

// plan is what player i answers to question q: right or wrong by a fixed
// pattern, so that scores, streaks and penalties differ.
func plan(i, q int, o *quizv1.QuestionOpened) *quizv1.Answer {
	right := (i+q)%3 != 0
	switch o.GetKind() {
	case quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER:
		if right {
			return &quizv1.Answer{Text: "amazon ecr"}
		}
		return &quizv1.Answer{Text: "S3"}
	case quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT:
		if right {
			return &quizv1.Answer{Choices: []int32{0, 1}}
		}
		return &quizv1.Answer{Choices: []int32{int32(i % 2), 2}}
	case quizv1.QuestionKind_QUESTION_KIND_POLL:
		return &quizv1.Answer{Choices: []int32{int32(i % 2)}}
	}
	// Single choice and true/false: the deck's right option of questions 0,
	// 2 and 5 is 1, 0 and 0.
	correct := map[int]int32{0: 1, 2: 0, 5: 0}[q]
	if right {
		return &quizv1.Answer{Choices: []int32{correct}}
	}
	return &quizv1.Answer{Choices: []int32{1 - correct}}
}

// kinds maps the API's question kinds to the rules'.
var kinds = map[quizv1.QuestionKind]game.Kind{
	quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE:   game.SingleChoice,
	quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT: game.MultipleSelect,
	quizv1.QuestionKind_QUESTION_KIND_TRUE_FALSE:      game.TrueFalse,
	quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER:    game.TypedAnswer,
	quizv1.QuestionKind_QUESTION_KIND_POLL:            game.Poll,
}

// checkReport recomputes every player's score from the report's answers by
// the rules (game.Scoring.Score, game.Apply, streaks across polls and
// missed questions) and compares it with the report and with the final
// standings a watcher saw (those it lists); every answer a player had
// confirmed must be in the report.
func checkReport(t *testing.T, rep *quizv1.Report, opened map[int]*quizv1.QuestionOpened, sc game.Scoring, players []*gamePlayer, final *quizv1.GameFinished) {
	t.Helper()
	questions := make([]game.Question, len(rep.GetQuestions()))
	for i, rq := range rep.GetQuestions() {
		o := opened[i]
		if o == nil {
			t.Fatalf("question %d was never seen opening", i)
		}
		q := game.Question{Kind: kinds[rq.GetKind()], Options: rq.GetOptions(), Points: int(o.GetPoints()), TimeLimit: o.GetTimeLimit().AsDuration()}
		for _, c := range rq.GetCorrectChoices() {
			q.Correct = append(q.Correct, int(c))
		}
		for _, a := range rq.GetAcceptedAnswers() {
			q.AcceptedKeys = append(q.AcceptedKeys, content.NormalizeAnswer(a))
		}
		questions[i] = q
	}
	finals := map[string]int32{}
	for _, s := range final.GetStandings() {
		finals[s.GetPlayer().GetPlayerId()] = s.GetScore()
	}
	byID := map[string]*quizv1.ReportPlayer{}
	for _, rp := range rep.GetPlayers() {
		byID[rp.GetStanding().GetPlayer().GetPlayerId()] = rp
	}
	for _, p := range players {
		rp := byID[p.id]
		if rp == nil {
			t.Errorf("%s is not in the report", p.name)
			continue
		}
		answers := map[int]*quizv1.ReportAnswer{}
		for _, a := range rp.GetAnswers() {
			answers[int(a.GetQuestionIndex())] = a
		}
		p.mu.Lock()
		for q := range p.accepted {
			if answers[q] == nil && q < len(questions) {
				t.Errorf("%s: the answer to question %d was accepted but is not in the report", p.name, q)
			}
		}
		p.mu.Unlock()
		total, streak, streakQ := 0, 0, -1
		for q := range questions {
			a := answers[q]
			if a == nil {
				continue
			}
			question := &questions[q]
			ans := game.Answer{Text: a.GetNormalizedText()}
			for _, c := range a.GetChoices() {
				ans.Choices = append(ans.Choices, int(c))
			}
			g := question.Grade(ans)
			before := game.StreakBefore(streak, streakQ, game.PreviousScored(questions, q))
			o := sc.Score(question.Points, question.TimeLimit, a.GetElapsed().AsDuration(), question.Kind, g, before)
			var applied int
			total, applied = game.Apply(total, o.Total())
			if question.Kind != game.Poll {
				streak, streakQ = o.Streak, q
			}
			if int(a.GetPoints()) != applied || int(a.GetStreakBonus()) != o.Bonus || a.GetCorrect() != g.Correct {
				t.Errorf("%s, question %d: report says %d points, bonus %d, correct %v; the rules say %d, %d, %v",
					p.name, q, a.GetPoints(), a.GetStreakBonus(), a.GetCorrect(), applied, o.Bonus, g.Correct)
			}
		}
		if int(rp.GetStanding().GetScore()) != total {
			t.Errorf("%s: report score %d, recomputed %d", p.name, rp.GetStanding().GetScore(), total)
		}
		// The final standings list the top leaderboard_size players.
		all := len(finals) == int(final.GetPlayerCount())
		if got, ok := finals[p.id]; ok && int(got) != total || !ok && all {
			t.Errorf("%s: final standing %d (listed: %v), recomputed %d", p.name, got, ok, total)
		}
	}
}

// checkOutages fails the test unless every refused call was Unavailable
// with a message that says why, and returns how many there were.
func checkOutages(t *testing.T, out *outages, words ...string) int {
	t.Helper()
	list := out.all()
	for _, o := range list {
		st, _ := status.FromError(o.err)
		ok := st.Code() == codes.Unavailable
		for _, w := range words {
			if !strings.Contains(st.Message(), w) && !strings.Contains(o.err.Error(), w) {
				ok = false
			}
		}
		if !ok {
			t.Errorf("a call to %s failed with %v; want Unavailable saying %q", o.node, o.err, words)
		}
	}
	return len(list)
}

// sameHistory fails the test unless every seq that several followers saw
// carried the same kind of event for each of them: a seq is never reused
// for another event.
func sameHistory(t *testing.T, followers []*follower) {
	t.Helper()
	carried := map[uint64]string{}
	who := map[uint64]string{}
	for _, f := range followers {
		f.mu.Lock()
		for seq, kind := range f.kinds {
			if k, ok := carried[seq]; ok && k != kind {
				t.Errorf("seq %d carried %s for %s and %s for %s", seq, k, who[seq], kind, f.name)
			}
			carried[seq], who[seq] = kind, f.name
		}
		f.mu.Unlock()
	}
}
