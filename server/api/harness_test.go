package api_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/servertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testDeck has one question of every kind; its explanations and accepted
// answers are distinctive, so a test can look for them in raw bytes.
const testDeck = `# Test deck
id: test-deck

## Which service runs code without servers?
kind: single

- [ ] Amazon EC2
- [x] AWS Lambda
- [ ] AWS OpsWorks

> EXPLAIN-ZEBRA-0 Lambda is serverless.

## Fargate works with which container services?
kind: multiple
points: 2000

- [x] Amazon ECS
- [x] Amazon EKS
- [ ] AWS CodeCommit
- [ ] AWS Batch

> EXPLAIN-ZEBRA-1 Fargate runs ECS and EKS workloads.

## True or false: the default Lambda timeout is 3 seconds.
kind: truefalse

- [x] True
- [ ] False

> EXPLAIN-ZEBRA-2 The default is 3 seconds.

## Which service traces requests through Lambda functions?
kind: typed
answers: QuokkaTrace | Quokka Trace Service

> EXPLAIN-ZEBRA-3 An invented name, so no other text contains it.

## Which service would you try first?
kind: poll

- [ ] Step Functions
- [ ] SWF
- [ ] Not sure

## Which service is a managed container registry?
kind: single
points: 0

- [ ] Amazon ECS
- [x] Amazon ECR

> EXPLAIN-ZEBRA-5 ECR stores container images.
`

// testCorrect are the correct choices (or accepted text) of testDeck, by
// question, for tests that answer right or wrong on purpose.
var testCorrect = [][]int32{{1}, {0, 1}, {0}, nil, nil, {1}}

// rightAnswer is a correct answer to question q of testDeck (any choice
// for the poll).
func rightAnswer(q int) *quizv1.Answer {
	switch q {
	case 3:
		return &quizv1.Answer{Text: "quokka-trace!"}
	case 4:
		return &quizv1.Answer{Choices: []int32{0}}
	}
	return &quizv1.Answer{Choices: testCorrect[q]}
}

// env is a running server and a client of it.
type env struct {
	srv    *servertest.Server
	client quizv1.QuizServiceClient
}

func newEnv(t *testing.T, opt servertest.Options) *env {
	t.Helper()
	srv := servertest.Start(t, opt)
	return &env{srv: srv, client: srv.Client(t)}
}

// ctx is a context for one call, bounded so that a hang fails the test.
func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

// as adds a bearer token to a context.
var as = servertest.WithToken

// room is a room a test created.
type testRoom struct {
	code string
	host string
}

// create uploads testDeck and creates a room from it.
func (e *env) create(t *testing.T, settings *quizv1.RoomSettings) testRoom {
	t.Helper()
	up, err := e.client.UploadDeck(ctx(t), &quizv1.UploadDeckRequest{Source: testDeck})
	if err != nil {
		t.Fatalf("UploadDeck: %v", err)
	}
	resp, err := e.client.CreateRoom(ctx(t), &quizv1.CreateRoomRequest{
		Source:   &quizv1.CreateRoomRequest_DeckId{DeckId: up.GetDeck().GetId()},
		Settings: settings,
	})
	if err != nil {
		t.Fatalf("CreateRoom: %v", err)
	}
	return testRoom{code: resp.GetRoom().GetCode(), host: resp.GetHostToken()}
}

// player is a player a test joined.
type player struct {
	id, token, name string
}

func (e *env) join(t *testing.T, code, name string) player {
	t.Helper()
	resp, err := e.client.JoinRoom(ctx(t), &quizv1.JoinRoomRequest{RoomCode: code, Name: name})
	if err != nil {
		t.Fatalf("JoinRoom %q: %v", name, err)
	}
	return player{id: resp.GetPlayerId(), token: resp.GetPlayerToken(), name: resp.GetName()}
}

// host calls a host RPC and fails the test on an error.
func (e *env) host(t *testing.T, r testRoom, call func(context.Context, quizv1.QuizServiceClient, string) error) {
	t.Helper()
	if err := call(as(ctx(t), r.host), e.client, r.code); err != nil {
		t.Fatalf("host call: %v", err)
	}
}

func start(c context.Context, cl quizv1.QuizServiceClient, code string) error {
	_, err := cl.StartGame(c, &quizv1.StartGameRequest{RoomCode: code})
	return err
}

func next(c context.Context, cl quizv1.QuizServiceClient, code string) error {
	_, err := cl.NextQuestion(c, &quizv1.NextQuestionRequest{RoomCode: code})
	return err
}

func closeQ(c context.Context, cl quizv1.QuizServiceClient, code string) error {
	_, err := cl.CloseQuestion(c, &quizv1.CloseQuestionRequest{RoomCode: code})
	return err
}

func pause(c context.Context, cl quizv1.QuizServiceClient, code string) error {
	_, err := cl.PauseGame(c, &quizv1.PauseGameRequest{RoomCode: code})
	return err
}

func resume(c context.Context, cl quizv1.QuizServiceClient, code string) error {
	_, err := cl.ResumeGame(c, &quizv1.ResumeGameRequest{RoomCode: code})
	return err
}

func end(c context.Context, cl quizv1.QuizServiceClient, code string) error {
	_, err := cl.EndGame(c, &quizv1.EndGameRequest{RoomCode: code})
	return err
}

// answer submits an answer as p.
func (e *env) answer(t *testing.T, code string, p player, q int, a *quizv1.Answer) (*quizv1.SubmitAnswerResponse, error) {
	t.Helper()
	return e.client.SubmitAnswer(as(ctx(t), p.token), &quizv1.SubmitAnswerRequest{RoomCode: code, QuestionIndex: int32(q), Answer: a})
}

// watcher reads one Watch stream in the background.
type watcher struct {
	all      []*quizv1.Event // every event next returned, in order
	back     []*quizv1.Event // events read ahead, returned first by next
	personal map[*quizv1.Event]*quizv1.Personal
	events   chan *quizv1.WatchResponse
	cancel   context.CancelFunc
	done     chan struct{}
	err      error // the stream's end: nil for a clean end; read after done
}

// watch opens a Watch stream; the test's end closes it.
func (e *env) watch(t *testing.T, code, token string, after uint64, opts ...grpc.CallOption) *watcher {
	t.Helper()
	c, cancel := context.WithCancel(as(context.Background(), token))
	stream, err := e.client.Watch(c, &quizv1.WatchRequest{RoomCode: code, AfterSeq: after}, opts...)
	if err != nil {
		cancel()
		t.Fatalf("Watch: %v", err)
	}
	w := &watcher{events: make(chan *quizv1.WatchResponse, 10000), personal: map[*quizv1.Event]*quizv1.Personal{},
		cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		defer close(w.events)
		for {
			resp, err := stream.Recv()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					w.err = err
				}
				return
			}
			w.events <- resp
		}
	}()
	t.Cleanup(w.stop)
	// The first event shows the server has subscribed the stream: wait for
	// it, so that whatever the test does next happens after.
	first := w.next(t)
	w.all, w.back = nil, []*quizv1.Event{first}
	return w
}

// you is the watching player's own part of ev, nil when it came without one.
func (w *watcher) you(ev *quizv1.Event) *quizv1.Personal { return w.personal[ev] }

// stop closes the stream and waits for its reader.
func (w *watcher) stop() {
	w.cancel()
	<-w.done
}

// next returns the next event, failing the test after a while without one.
func (w *watcher) next(t *testing.T) *quizv1.Event {
	t.Helper()
	if len(w.back) > 0 {
		ev := w.back[0]
		w.back = w.back[1:]
		w.all = append(w.all, ev)
		return ev
	}
	select {
	case resp, ok := <-w.events:
		if !ok {
			<-w.done
			t.Fatalf("stream ended: %v", w.err)
		}
		ev := resp.GetEvent()
		if p := resp.GetPersonal(); p != nil {
			w.personal[ev] = p
		}
		w.all = append(w.all, ev)
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("no event for 20 s")
	}
	return nil
}

// until returns the first event that satisfies match, and every event read.
func (w *watcher) until(t *testing.T, match func(*quizv1.Event) bool) (*quizv1.Event, []*quizv1.Event) {
	t.Helper()
	var seen []*quizv1.Event
	for {
		ev := w.next(t)
		seen = append(seen, ev)
		if match(ev) {
			return ev, seen
		}
	}
}

// end waits for the stream to end and returns how.
func (w *watcher) end(t *testing.T) error {
	t.Helper()
	select {
	case <-w.done:
		return w.err
	case <-time.After(20 * time.Second):
		t.Fatal("stream did not end within 20 s")
	}
	return nil
}

func opened(q int) func(*quizv1.Event) bool {
	return func(ev *quizv1.Event) bool {
		return ev.GetQuestionOpened() != nil && ev.GetQuestionOpened().GetIndex() == int32(q)
	}
}

func revealed(q int) func(*quizv1.Event) bool {
	return func(ev *quizv1.Event) bool {
		return ev.GetQuestionRevealed() != nil && ev.GetQuestionRevealed().GetIndex() == int32(q)
	}
}

func finished(ev *quizv1.Event) bool { return ev.GetGameFinished() != nil }

// wantCode fails the test unless err has the status code.
func wantCode(t *testing.T, err error, code codes.Code, what string) {
	t.Helper()
	if got := status.Code(err); got != code {
		t.Errorf("%s: got %v (%v), want %v", what, got, err, code)
	}
}

// fast are settings for quick host-paced games: no read time, so that
// answers may come as soon as a question opens.
func fast() *quizv1.RoomSettings {
	return &quizv1.RoomSettings{TimeLimit: durationpb.New(30 * time.Second), ReadTime: durationpb.New(0)}
}

// parallel runs f for 0..n-1 at once and waits.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); f(i) }()
	}
	wg.Wait()
}

func durationOf(d time.Duration) *durationpb.Duration { return durationpb.New(d) }

// metadataCtx is a call context with one raw metadata pair.
func metadataCtx(t *testing.T, key, value string) context.Context {
	return metadata.AppendToOutgoingContext(ctx(t), key, value)
}
