package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/quizroom/quizroom/client/state"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/servertest"
)

// TestStateLikeTheCLI records a player's stream through a game (lock,
// start, answers, the early close, leaderboard, a resume with after_seq,
// pause and resume, a kick, the end) and applies it both with the CLI's
// client/state and with the browser's src/state.ts (e2e/state.mjs): after
// every event, both must know the same room.
func TestStateLikeTheCLI(t *testing.T) {
	bin := node(t)
	s := servertest.Start(t, servertest.Options{})
	c := s.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	created, err := c.CreateRoom(ctx, &quizv1.CreateRoomRequest{Source: &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"},
		Settings: &quizv1.RoomSettings{QuestionCount: 3, ReadTime: durationpb.New(0)}})
	if err != nil {
		t.Fatal(err)
	}
	code := created.GetRoom().GetCode()
	host := servertest.WithToken(ctx, created.GetHostToken())
	join := func(name string) *quizv1.JoinRoomResponse {
		j, err := c.JoinRoom(ctx, &quizv1.JoinRoomRequest{RoomCode: code, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	ada, bo := join("Ada"), join("Bo")
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	answer := func(p *quizv1.JoinRoomResponse, q *quizv1.QuestionOpened) {
		a := &quizv1.Answer{Choices: []int32{0}}
		if q.GetKind() == quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER {
			a = &quizv1.Answer{Text: "a guess"}
		}
		must(c.SubmitAnswer(servertest.WithToken(ctx, p.GetPlayerToken()), &quizv1.SubmitAnswerRequest{RoomCode: code, QuestionIndex: q.GetIndex(), Answer: a}))
	}

	rec := record(t, c, code, ada.GetPlayerToken(), 0)
	rec.wait(t, func(r *quizv1.WatchResponse) bool { return r.GetEvent().GetSnapshot() != nil })
	must(c.LockRoom(host, &quizv1.LockRoomRequest{RoomCode: code, Locked: true}))
	must(c.LockRoom(host, &quizv1.LockRoomRequest{RoomCode: code}))
	must(c.StartGame(host, &quizv1.StartGameRequest{RoomCode: code}))
	q := rec.wait(t, func(r *quizv1.WatchResponse) bool { return r.GetEvent().GetQuestionOpened() != nil }).GetEvent().GetQuestionOpened()
	answer(bo, q) // Bo does not watch: only Ada's answer closes the question
	answer(ada, q)
	rec.wait(t, func(r *quizv1.WatchResponse) bool { return r.GetEvent().GetQuestionRevealed() != nil })
	must(c.NextQuestion(host, &quizv1.NextQuestionRequest{RoomCode: code}))
	last := rec.wait(t, func(r *quizv1.WatchResponse) bool { return r.GetEvent().GetLeaderboard() != nil })
	rec.stop()

	// The player's network drops; the page resumes after the last seq.
	resumed := record(t, c, code, ada.GetPlayerToken(), last.GetEvent().GetSeq())
	must(c.NextQuestion(host, &quizv1.NextQuestionRequest{RoomCode: code}))
	q = resumed.wait(t, func(r *quizv1.WatchResponse) bool { return r.GetEvent().GetQuestionOpened() != nil }).GetEvent().GetQuestionOpened()
	must(c.PauseGame(host, &quizv1.PauseGameRequest{RoomCode: code}))
	resumed.wait(t, func(r *quizv1.WatchResponse) bool { return r.GetEvent().GetGamePaused() != nil })
	must(c.ResumeGame(host, &quizv1.ResumeGameRequest{RoomCode: code}))
	resumed.wait(t, func(r *quizv1.WatchResponse) bool { return r.GetEvent().GetGameResumed() != nil })
	must(c.KickPlayer(host, &quizv1.KickPlayerRequest{RoomCode: code, PlayerId: bo.GetPlayerId()}))
	resumed.wait(t, func(r *quizv1.WatchResponse) bool { return r.GetEvent().GetPlayerKicked() != nil })
	answer(ada, q)
	resumed.wait(t, func(r *quizv1.WatchResponse) bool { return r.GetEvent().GetQuestionRevealed() != nil })
	must(c.EndGame(host, &quizv1.EndGameRequest{RoomCode: code}))
	resumed.wait(t, func(r *quizv1.WatchResponse) bool { return r.GetEvent().GetGameFinished() != nil })
	resumed.stop()
	frames := append(rec.frames(), resumed.frames()...)
	frames = append(frames, hostFrames(t, code, uint64(len(frames))+100)...)

	var room state.Room
	var want []map[string]any
	var encoded []string
	for _, f := range frames {
		var r quizv1.WatchResponse
		if err := proto.Unmarshal(f, &r); err != nil {
			t.Fatal(err)
		}
		received := r.GetEvent().GetServerTime().AsTime().Add(5 * time.Millisecond)
		room.Apply(r.GetEvent(), r.GetPersonal(), received)
		want = append(want, summary(&room, received))
		encoded = append(encoded, base64.StdEncoding.EncodeToString(f))
	}
	file := filepath.Join(t.TempDir(), "frames.json")
	b, _ := json.Marshal(encoded)
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "e2e/state.mjs", file).Output()
	if err != nil {
		t.Fatalf("e2e/state.mjs: %v\n%s", err, out)
	}
	var got []map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("e2e/state.mjs printed %s: %v", out, err)
	}
	// Compare through JSON, so that numbers have one type on both sides.
	wb, _ := json.Marshal(want)
	var wantJSON []map[string]any
	_ = json.Unmarshal(wb, &wantJSON)
	if len(got) != len(wantJSON) {
		t.Fatalf("the browser applied %d events, the CLI %d", len(got), len(wantJSON))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], wantJSON[i]) {
			t.Errorf("after event %d the browser knows\n%v\nthe CLI knows\n%v", i+1, got[i], wantJSON[i])
		}
	}
	if t.Failed() {
		return
	}
	t.Logf("%d events, both sides agree", len(got))
}

// hostFrames are the frames of a host who goes away from a HOST-paced game,
// which goes on by itself, and comes back; then of a lobby whose host is
// away. The server of this test has no host to lose, so they are made
// here, from seq on.
func hostFrames(t *testing.T, code string, seq uint64) [][]byte {
	t.Helper()
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	settings := &quizv1.RoomSettings{Pacing: quizv1.PacingMode_PACING_MODE_HOST}
	q := &quizv1.QuestionOpened{Index: 1, Count: 3, Text: "Which?", Options: []string{"a", "b"}}
	events := []struct {
		after time.Duration
		ev    *quizv1.Event
	}{
		{0, &quizv1.Event{Payload: &quizv1.Event_Snapshot{Snapshot: &quizv1.RoomSnapshot{
			Room: &quizv1.RoomInfo{Code: code, Settings: settings, Epoch: 7}, Role: quizv1.Role_ROLE_PLAYER, Phase: quizv1.Phase_PHASE_REVEAL,
			Question: q, Reveal: &quizv1.QuestionRevealed{Index: 1}, You: &quizv1.Player{PlayerId: "p1", Name: "Ada"},
			Host: &quizv1.HostPresence{Away: true, AutoAt: timestamppb.New(at.Add(60 * time.Second))},
		}}}},
		{20 * time.Second, &quizv1.Event{Payload: &quizv1.Event_HostPresence{HostPresence: &quizv1.HostPresence{
			Away: true, AutoAt: timestamppb.New(at.Add(60 * time.Second))}}}},
		{60 * time.Second, &quizv1.Event{Payload: &quizv1.Event_HostPresence{HostPresence: &quizv1.HostPresence{Away: true, AutoPacing: true}}}},
		{61 * time.Second, &quizv1.Event{Payload: &quizv1.Event_QuestionOpened{QuestionOpened: &quizv1.QuestionOpened{Index: 2, Count: 3, Text: "Next?"}}}},
		{70 * time.Second, &quizv1.Event{Payload: &quizv1.Event_HostPresence{HostPresence: &quizv1.HostPresence{}}}},
		{80 * time.Second, &quizv1.Event{Payload: &quizv1.Event_Snapshot{Snapshot: &quizv1.RoomSnapshot{
			Room: &quizv1.RoomInfo{Code: code, Settings: settings, Epoch: 8}, Role: quizv1.Role_ROLE_SPECTATOR, Phase: quizv1.Phase_PHASE_LOBBY,
			Host: &quizv1.HostPresence{Away: true},
		}}}},
	}
	var out [][]byte
	for i, e := range events {
		e.ev.Seq = seq + uint64(i)
		e.ev.ServerTime = timestamppb.New(at.Add(e.after))
		b, err := proto.Marshal(&quizv1.WatchResponse{Event: e.ev})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// summary is what the room knows at local time now, as e2e/state.mjs
// writes it for the browser's Room.
func summary(r *state.Room, now time.Time) map[string]any {
	var ids []string
	for _, p := range r.Players {
		ids = append(ids, p.GetPlayerId())
	}
	ms := func(t interface{ AsTime() time.Time }) int64 {
		if reflect.ValueOf(t).IsNil() {
			return -1
		}
		return t.AsTime().UnixMilli()
	}
	m := map[string]any{
		"seq": strconv.FormatUint(r.Seq, 10), "code": r.Code(), "role": int(r.Role), "you": r.You.GetName(),
		"phase": int(r.Phase), "pausedPhase": int(r.PausedPhase), "pausedRemaining": r.PausedRemaining.Milliseconds(),
		"players": ids, "playerCount": r.PlayerCount, "locked": r.Locked,
		"question": -1, "opensAt": int64(-1), "deadline": int64(-1), "answered": r.Answered,
		"progress": -1, "reveal": -1, "leaderboard": -1, "finished": -1,
		"rank": -1, "score": -1, "gap": -1, "points": -1, "kicked": r.Kicked, "closed": r.ClosedReason, "over": r.Over(),
		"hostNotice": r.HostNotice(now),
	}
	if q := r.Question; q != nil {
		m["question"], m["opensAt"], m["deadline"] = q.GetIndex(), ms(q.GetOpensAt()), ms(q.GetDeadline())
	}
	if r.Progress != nil {
		m["progress"] = r.Progress.GetAnswered()
	}
	if r.Reveal != nil {
		m["reveal"] = r.Reveal.GetIndex()
	}
	if r.Leaderboard != nil {
		m["leaderboard"] = r.Leaderboard.GetAfterQuestion()
	}
	if r.Finished != nil {
		m["finished"] = r.Finished.GetPlayerCount()
	}
	if p := r.Personal; p != nil {
		m["gap"] = p.GetGapToNext()
		if st := p.GetStanding(); st != nil {
			m["rank"], m["score"] = st.GetRank(), st.GetScore()
		}
		if res := p.GetResult(); res != nil {
			m["points"] = res.GetPoints()
		}
	}
	return m
}

// recording is one Watch stream's messages, re-encoded as they came.
type recording struct {
	mu     sync.Mutex // guards resps
	resps  []*quizv1.WatchResponse
	cancel context.CancelFunc
	done   chan struct{}
}

func record(t *testing.T, c quizv1.QuizServiceClient, code, token string, after uint64) *recording {
	t.Helper()
	ctx, cancel := context.WithCancel(servertest.WithToken(context.Background(), token))
	w, err := c.Watch(ctx, &quizv1.WatchRequest{RoomCode: code, AfterSeq: after})
	if err != nil {
		t.Fatal(err)
	}
	r := &recording{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for {
			resp, err := w.Recv()
			if err != nil {
				return
			}
			r.mu.Lock()
			r.resps = append(r.resps, resp)
			r.mu.Unlock()
		}
	}()
	t.Cleanup(r.stop)
	return r
}

func (r *recording) stop() {
	r.cancel()
	<-r.done
}

// wait returns the first message that matches, waiting up to 20 s.
func (r *recording) wait(t *testing.T, match func(*quizv1.WatchResponse) bool) *quizv1.WatchResponse {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		r.mu.Lock()
		resps := r.resps
		r.mu.Unlock()
		for _, m := range resps {
			if match(m) {
				return m
			}
		}
	}
	t.Fatal("the stream did not bring what the test waited for within 20 s")
	return nil
}

// frames returns the messages received so far, encoded.
func (r *recording) frames() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out [][]byte
	for _, m := range r.resps {
		b, _ := proto.Marshal(m)
		out = append(out, b)
	}
	return out
}
