package interop_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/types/known/durationpb"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/servertest"
)

// deck has one question of every kind.
const deck = `# Interop deck
id: interop

## Which service runs code without servers?
section: Serverless

- [ ] Amazon EC2
- [x] AWS Lambda

> Lambda is serverless.

## Fargate works with which container services?
kind: multiple
points: 2000

- [x] Amazon ECS
- [x] Amazon EKS
- [ ] AWS Batch

> Both ECS and EKS.

## True or false: the default Lambda timeout is 3 seconds.
kind: truefalse

- [x] True
- [ ] False

## Which service traces requests through Lambda functions?
kind: typed
answers: X-Ray | AWS X-Ray

## Which would you try first?
kind: poll

- [ ] Step Functions
- [ ] SWF
`

// rawTap is a client codec that keeps each message's bytes before decoding
// it.
type rawTap struct {
	encoding.CodecV2
	last *[]byte
}

func (r rawTap) Unmarshal(data mem.BufferSlice, v any) error {
	*r.last = data.Materialize()
	return r.CodecV2.Unmarshal(data, v)
}

// stream is one Watch stream on a connection of its own, keeping every
// message's raw bytes and its decoding in the order they came.
type stream struct {
	mu     sync.Mutex // guards raw and resps
	raw    [][]byte
	resps  []*quizv1.WatchResponse
	cancel context.CancelFunc
	done   chan struct{}
}

func watch(t *testing.T, addr, code, token string, after uint64) *stream {
	t.Helper()
	var last []byte
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(rawTap{CodecV2: encoding.GetCodecV2("proto"), last: &last})))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(servertest.WithToken(context.Background(), token))
	w, err := quizv1.NewQuizServiceClient(conn).Watch(ctx, &quizv1.WatchRequest{RoomCode: code, AfterSeq: after})
	if err != nil {
		t.Fatal(err)
	}
	s := &stream{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer conn.Close()
		for {
			resp, err := w.Recv()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.raw, s.resps = append(s.raw, last), append(s.resps, resp)
			s.mu.Unlock()
		}
	}()
	t.Cleanup(s.stop)
	return s
}

func (s *stream) stop() {
	s.cancel()
	<-s.done
}

// wait blocks until a received message matches.
func (s *stream) wait(t *testing.T, what string, match func(*quizv1.WatchResponse) bool) *quizv1.WatchResponse {
	t.Helper()
	for deadline, seen := time.Now().Add(20*time.Second), 0; time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		s.mu.Lock()
		resps := s.resps[seen:]
		seen = len(s.resps)
		s.mu.Unlock()
		for _, r := range resps {
			if match(r) {
				return r
			}
		}
	}
	t.Fatalf("no %s within 20 s", what)
	return nil
}

// frames returns the raw messages received so far.
func (s *stream) frames() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.raw...)
}

func is(kind string) func(*quizv1.WatchResponse) bool {
	return func(r *quizv1.WatchResponse) bool {
		p := r.GetEvent().ProtoReflect()
		f := p.WhichOneof(p.Descriptor().Oneofs().ByName("payload"))
		return f != nil && string(f.Name()) == kind
	}
}

// recordGame plays a scripted game that makes every kind of event, watched
// by the host, a spectator and players (one of them kicked, one resuming
// with after_seq, two joining late), and returns the raw bytes of every
// WatchResponse they received.
func recordGame(t *testing.T) [][]byte {
	t.Helper()
	srv := servertest.Start(t, servertest.Options{})
	cl := srv.Client(t)
	c := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		t.Cleanup(cancel)
		return ctx
	}
	as := servertest.WithToken
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	up, err := cl.UploadDeck(c(), &quizv1.UploadDeckRequest{Source: deck})
	if err != nil {
		t.Fatal(err)
	}
	created, err := cl.CreateRoom(c(), &quizv1.CreateRoomRequest{
		Source:   &quizv1.CreateRoomRequest_DeckId{DeckId: up.GetDeck().GetId()},
		Settings: &quizv1.RoomSettings{TimeLimit: durationpb.New(60 * time.Second), ReadTime: durationpb.New(0)},
	})
	if err != nil {
		t.Fatal(err)
	}
	code, host := created.GetRoom().GetCode(), created.GetHostToken()
	join := func(name string) *quizv1.JoinRoomResponse {
		t.Helper()
		j, err := cl.JoinRoom(c(), &quizv1.JoinRoomRequest{RoomCode: code, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	ann, bob, kim := join("Ann"), join("Bob"), join("Kim")
	hostStream := watch(t, srv.Addr, code, host, 0)
	spectator := watch(t, srv.Addr, code, "", 0)
	annStream := watch(t, srv.Addr, code, ann.GetPlayerToken(), 0)
	bobStream := watch(t, srv.Addr, code, bob.GetPlayerToken(), 0)
	kimStream := watch(t, srv.Addr, code, kim.GetPlayerToken(), 0)
	streams := []*stream{hostStream, spectator, annStream, bobStream, kimStream}
	hostStream.wait(t, "roster", is("roster_changed"))

	must(cl.LockRoom(as(c(), host), &quizv1.LockRoomRequest{RoomCode: code, Locked: true}))
	must(cl.LockRoom(as(c(), host), &quizv1.LockRoomRequest{RoomCode: code, Locked: false}))
	must(cl.KickPlayer(as(c(), host), &quizv1.KickPlayerRequest{RoomCode: code, PlayerId: kim.GetPlayerId()}))
	kimStream.wait(t, "kick", is("player_kicked"))
	must(cl.StartGame(as(c(), host), &quizv1.StartGameRequest{RoomCode: code}))
	answer := func(p *quizv1.JoinRoomResponse, q int32, a *quizv1.Answer) {
		t.Helper()
		must(cl.SubmitAnswer(as(c(), p.GetPlayerToken()), &quizv1.SubmitAnswerRequest{RoomCode: code, QuestionIndex: q, Answer: a}))
	}
	answer(ann, 0, &quizv1.Answer{Choices: []int32{1}})
	hostStream.wait(t, "progress", is("answer_progress"))
	must(cl.PauseGame(as(c(), host), &quizv1.PauseGameRequest{RoomCode: code}))
	must(cl.ResumeGame(as(c(), host), &quizv1.ResumeGameRequest{RoomCode: code}))
	hostStream.wait(t, "resume", is("game_resumed"))
	bobStream.stop()
	resumeAfter := bobStream.resps[len(bobStream.resps)-1].GetEvent().GetSeq()
	must(cl.CloseQuestion(as(c(), host), &quizv1.CloseQuestionRequest{RoomCode: code}))
	must(cl.NextQuestion(as(c(), host), &quizv1.NextQuestionRequest{RoomCode: code}))
	annStream.wait(t, "leaderboard", is("leaderboard"))
	resumed := watch(t, srv.Addr, code, bob.GetPlayerToken(), resumeAfter)
	resumed.wait(t, "the replayed leaderboard", is("leaderboard"))
	streams = append(streams, resumed)

	for q := int32(1); q < 5; q++ {
		must(cl.NextQuestion(as(c(), host), &quizv1.NextQuestionRequest{RoomCode: code}))
		annStream.wait(t, "a question", is("question_opened"))
		if q == 1 {
			late := watch(t, srv.Addr, code, join("Lou").GetPlayerToken(), 0)
			late.wait(t, "a snapshot", is("snapshot"))
			streams = append(streams, late)
		}
		switch q {
		case 1:
			answer(ann, q, &quizv1.Answer{Choices: []int32{0, 2}})
			answer(bob, q, &quizv1.Answer{Choices: []int32{0, 1}})
		case 2:
			answer(ann, q, &quizv1.Answer{Choices: []int32{0}})
		case 3:
			answer(ann, q, &quizv1.Answer{Text: "x ray"})
			answer(bob, q, &quizv1.Answer{Text: "  Tracer  "})
		case 4:
			answer(ann, q, &quizv1.Answer{Choices: []int32{1}})
		}
		must(cl.CloseQuestion(as(c(), host), &quizv1.CloseQuestionRequest{RoomCode: code}))
		annStream.wait(t, "a reveal", is("question_revealed"))
		if q == 3 {
			inReveal := watch(t, srv.Addr, code, join("Mo").GetPlayerToken(), 0)
			inReveal.wait(t, "a snapshot", is("snapshot"))
			streams = append(streams, inReveal)
		}
		if q < 4 {
			must(cl.NextQuestion(as(c(), host), &quizv1.NextQuestionRequest{RoomCode: code}))
			annStream.wait(t, "leaderboard", is("leaderboard"))
		}
	}
	must(cl.EndGame(as(c(), host), &quizv1.EndGameRequest{RoomCode: code}))
	for _, s := range []*stream{hostStream, spectator, annStream, resumed} {
		s.wait(t, "the end", is("game_finished"))
	}
	finished := watch(t, srv.Addr, code, ann.GetPlayerToken(), 0)
	finished.wait(t, "a snapshot of the finished game", is("snapshot"))
	streams = append(streams, finished)

	lobby, err := cl.CreateRoom(c(), &quizv1.CreateRoomRequest{Source: &quizv1.CreateRoomRequest_DeckId{DeckId: up.GetDeck().GetId()}})
	if err != nil {
		t.Fatal(err)
	}
	closing := watch(t, srv.Addr, lobby.GetRoom().GetCode(), "", 0)
	closing.wait(t, "a snapshot", is("snapshot"))
	must(cl.EndGame(as(c(), lobby.GetHostToken()), &quizv1.EndGameRequest{RoomCode: lobby.GetRoom().GetCode()}))
	closing.wait(t, "the room's close", is("room_closed"))
	streams = append(streams, closing)

	var out [][]byte
	for _, s := range streams {
		s.stop()
		out = append(out, s.frames()...)
	}
	return out
}
