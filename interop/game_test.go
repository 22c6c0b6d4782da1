package interop_test

import (
	"context"
	"testing"
	"time"

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

func is(kind string) func(*quizv1.WatchResponse) bool {
	return func(r *quizv1.WatchResponse) bool {
		p := r.GetEvent().ProtoReflect()
		f := p.WhichOneof(p.Descriptor().Oneofs().ByName("payload"))
		return f != nil && string(f.Name()) == kind
	}
}

// recordGame plays a scripted game that makes every kind of event, watched
// by the host (whose stream ends for a while mid-game), a spectator and
// players (one of them kicked, one resuming with after_seq, three joining
// late), and returns the raw bytes of every WatchResponse they received.
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
	hostStream := srv.Tap(t, code, host, 0)
	spectator := srv.Tap(t, code, "", 0)
	annStream := srv.Tap(t, code, ann.GetPlayerToken(), 0)
	bobStream := srv.Tap(t, code, bob.GetPlayerToken(), 0)
	kimStream := srv.Tap(t, code, kim.GetPlayerToken(), 0)
	streams := []*servertest.Tap{hostStream, spectator, annStream, bobStream, kimStream}
	hostStream.Wait(t, "roster", is("roster_changed"))

	must(cl.LockRoom(as(c(), host), &quizv1.LockRoomRequest{RoomCode: code, Locked: true}))
	must(cl.LockRoom(as(c(), host), &quizv1.LockRoomRequest{RoomCode: code, Locked: false}))
	must(cl.KickPlayer(as(c(), host), &quizv1.KickPlayerRequest{RoomCode: code, PlayerId: kim.GetPlayerId()}))
	kimStream.Wait(t, "kick", is("player_kicked"))
	must(cl.StartGame(as(c(), host), &quizv1.StartGameRequest{RoomCode: code}))
	answer := func(p *quizv1.JoinRoomResponse, q int32, a *quizv1.Answer) {
		t.Helper()
		must(cl.SubmitAnswer(as(c(), p.GetPlayerToken()), &quizv1.SubmitAnswerRequest{RoomCode: code, QuestionIndex: q, Answer: a}))
	}
	answer(ann, 0, &quizv1.Answer{Choices: []int32{1}})
	hostStream.Wait(t, "progress", is("answer_progress"))
	must(cl.PauseGame(as(c(), host), &quizv1.PauseGameRequest{RoomCode: code}))
	must(cl.ResumeGame(as(c(), host), &quizv1.ResumeGameRequest{RoomCode: code}))
	hostStream.Wait(t, "resume", is("game_resumed"))
	bobStream.Stop()
	bobFrames := bobStream.Frames()
	resumeAfter := bobFrames[len(bobFrames)-1].Resp.GetEvent().GetSeq()
	must(cl.CloseQuestion(as(c(), host), &quizv1.CloseQuestionRequest{RoomCode: code}))
	must(cl.NextQuestion(as(c(), host), &quizv1.NextQuestionRequest{RoomCode: code}))
	annStream.Wait(t, "leaderboard", is("leaderboard"))
	resumed := srv.Tap(t, code, bob.GetPlayerToken(), resumeAfter)
	resumed.Wait(t, "the replayed leaderboard", is("leaderboard"))
	streams = append(streams, resumed)

	// lateJoiner joins and watches, getting a snapshot of the room as it is.
	lateJoiner := func(name string) {
		s := srv.Tap(t, code, join(name).GetPlayerToken(), 0)
		s.Wait(t, "a snapshot", is("snapshot"))
		streams = append(streams, s)
	}
	for q := int32(1); q < 5; q++ {
		must(cl.NextQuestion(as(c(), host), &quizv1.NextQuestionRequest{RoomCode: code}))
		annStream.Wait(t, "the question", func(r *quizv1.WatchResponse) bool {
			return r.GetEvent().GetQuestionOpened().GetIndex() == q
		})
		if q == 1 {
			lateJoiner("Lou") // in the question phase
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
		annStream.Wait(t, "the reveal", func(r *quizv1.WatchResponse) bool {
			return r.GetEvent().GetQuestionRevealed().GetIndex() == q
		})
		if q == 2 {
			// The host's program goes away and comes back: everyone is
			// told, and a snapshot made meanwhile says so.
			hostStream.Stop()
			annStream.Wait(t, "the host away", func(r *quizv1.WatchResponse) bool {
				return r.GetEvent().GetHostPresence().GetAway()
			})
			lateJoiner("Max")
			hostStream = srv.Tap(t, code, host, 0)
			streams = append(streams, hostStream)
			annStream.Wait(t, "the host back", func(r *quizv1.WatchResponse) bool {
				h := r.GetEvent().GetHostPresence()
				return h != nil && !h.GetAway()
			})
		}
		if q == 3 {
			lateJoiner("Mo") // in the reveal phase
		}
		if q < 4 {
			must(cl.NextQuestion(as(c(), host), &quizv1.NextQuestionRequest{RoomCode: code}))
			annStream.Wait(t, "leaderboard", is("leaderboard"))
		}
	}
	must(cl.EndGame(as(c(), host), &quizv1.EndGameRequest{RoomCode: code}))
	for _, s := range []*servertest.Tap{hostStream, spectator, annStream, resumed} {
		s.Wait(t, "the end", is("game_finished"))
	}
	finished := srv.Tap(t, code, ann.GetPlayerToken(), 0)
	finished.Wait(t, "a snapshot of the finished game", is("snapshot"))
	streams = append(streams, finished)

	lobby, err := cl.CreateRoom(c(), &quizv1.CreateRoomRequest{Source: &quizv1.CreateRoomRequest_DeckId{DeckId: up.GetDeck().GetId()}})
	if err != nil {
		t.Fatal(err)
	}
	closing := srv.Tap(t, lobby.GetRoom().GetCode(), "", 0)
	closing.Wait(t, "a snapshot", is("snapshot"))
	must(cl.EndGame(as(c(), lobby.GetHostToken()), &quizv1.EndGameRequest{RoomCode: lobby.GetRoom().GetCode()}))
	closing.Wait(t, "the room's close", is("room_closed"))
	streams = append(streams, closing)

	var out [][]byte
	for _, s := range streams {
		s.Stop()
		for _, f := range s.Frames() {
			out = append(out, f.Raw)
		}
	}
	return out
}
