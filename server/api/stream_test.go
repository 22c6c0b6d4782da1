package api_test

import (
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/servertest"
)

// TestResumeAfterDisconnect drops a player's stream mid-question and
// resumes it with after_seq: the player gets exactly the events they missed,
// in order, none twice, the same ones the host saw.
func TestResumeAfterDisconnect(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	r := e.create(t, fast())
	p := e.join(t, r.code, "Flaky")
	other := e.join(t, r.code, "Steady")
	e.watch(t, r.code, e.join(t, r.code, "Idle").token, 0) // never answers: the host closes
	hostWatch := e.watch(t, r.code, r.host, 0)
	w := e.watch(t, r.code, p.token, 0)
	e.host(t, r, start)
	w.until(t, opened(0))
	w.stop()
	last := w.all[len(w.all)-1].GetSeq()

	// The game goes on without the player.
	if _, err := e.answer(t, r.code, other, 0, &quizv1.Answer{Choices: []int32{1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.answer(t, r.code, p, 0, &quizv1.Answer{Choices: []int32{1}}); err != nil {
		t.Fatal(err) // answering needs no stream
	}
	e.host(t, r, closeQ)
	e.host(t, r, next)
	e.host(t, r, next)
	_, hostSeen := hostWatch.until(t, opened(1))

	resumed := e.watch(t, r.code, p.token, last)
	_, got := resumed.until(t, opened(1))
	var want []uint64
	for _, ev := range append(hostWatch.all[:0:0], hostWatch.all...) {
		if ev.GetSeq() > last && ev.GetSnapshot() == nil {
			want = append(want, ev.GetSeq())
		}
	}
	_ = hostSeen
	var gotSeqs []uint64
	for _, ev := range got {
		gotSeqs = append(gotSeqs, ev.GetSeq())
		if ev.GetSnapshot() != nil {
			t.Errorf("resume sent a snapshot at seq %d; the missed events are kept", ev.GetSeq())
		}
	}
	if fmt.Sprint(gotSeqs) != fmt.Sprint(want) {
		t.Errorf("resumed after %d: got seqs %v, want %v", last, gotSeqs, want)
	}
	for _, ev := range got {
		if rev := ev.GetQuestionRevealed(); rev != nil && !resumed.you(ev).GetResult().GetAnswered() {
			t.Errorf("the replayed reveal lacks the player's own result: %v", rev)
		}
	}
}

// TestResumeBeyondTheLog resumes after events the room no longer keeps: the
// stream starts with a snapshot instead.
func TestResumeBeyondTheLog(t *testing.T) {
	e := newEnv(t, servertest.Options{Store: memstore.New(memstore.Config{LogSize: 10})})
	r := e.create(t, fast())
	p := e.join(t, r.code, "Late")
	w := e.watch(t, r.code, p.token, 0)
	e.host(t, r, start)
	w.until(t, opened(0))
	w.stop()
	for range 6 { // pause and resume: two events each, beyond the ten kept
		e.host(t, r, pause)
		e.host(t, r, resume)
	}
	resumed := e.watch(t, r.code, p.token, 1)
	first := resumed.next(t)
	if first.GetSnapshot() == nil {
		t.Fatalf("first event after a resume beyond the log: got %v, want a snapshot", first)
	}
	if q := first.GetSnapshot().GetQuestion(); q.GetIndex() != 0 || first.GetSnapshot().GetPhase() != quizv1.Phase_PHASE_QUESTION {
		t.Errorf("snapshot shows phase %v question %v, want question 0 open", first.GetSnapshot().GetPhase(), q)
	}
}

// TestKickAndLock kicks a player (their stream ends after PlayerKicked,
// their token stops working, their name stays taken) and locks the lobby.
func TestKickAndLock(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	r := e.create(t, fast())
	p := e.join(t, r.code, "Prankster")
	w := e.watch(t, r.code, p.token, 0)
	if _, err := e.client.KickPlayer(as(ctx(t), r.host), &quizv1.KickPlayerRequest{RoomCode: r.code, PlayerId: p.id}); err != nil {
		t.Fatal(err)
	}
	ev, _ := w.until(t, func(ev *quizv1.Event) bool { return ev.GetPlayerKicked() != nil })
	if got := ev.GetPlayerKicked().GetPlayer().GetPlayerId(); got != p.id {
		t.Errorf("kicked %s, want %s", got, p.id)
	}
	if err := w.end(t); err != nil {
		t.Errorf("the kicked player's stream ended with %v, want a clean end", err)
	}
	_, err := e.client.LeaveRoom(as(ctx(t), p.token), &quizv1.LeaveRoomRequest{RoomCode: r.code})
	wantCode(t, err, codes.PermissionDenied, "a kicked player's token")
	_, err = e.client.JoinRoom(ctx(t), &quizv1.JoinRoomRequest{RoomCode: r.code, Name: "prankster"})
	wantCode(t, err, codes.AlreadyExists, "rejoining with a kicked name")
	_, err = e.client.KickPlayer(as(ctx(t), r.host), &quizv1.KickPlayerRequest{RoomCode: r.code, PlayerId: p.id})
	wantCode(t, err, codes.NotFound, "kicking twice")

	if _, err := e.client.LockRoom(as(ctx(t), r.host), &quizv1.LockRoomRequest{RoomCode: r.code, Locked: true}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.JoinRoom(ctx(t), &quizv1.JoinRoomRequest{RoomCode: r.code, Name: "Newcomer"})
	wantCode(t, err, codes.FailedPrecondition, "joining a locked room")
	if _, err := e.client.LockRoom(as(ctx(t), r.host), &quizv1.LockRoomRequest{RoomCode: r.code, Locked: false}); err != nil {
		t.Fatal(err)
	}
	left := e.join(t, r.code, "Newcomer")
	if _, err := e.client.LeaveRoom(as(ctx(t), left.token), &quizv1.LeaveRoomRequest{RoomCode: r.code}); err != nil {
		t.Fatal(err)
	}
	e.join(t, r.code, "Newcomer") // a name that left is free again
}

// TestWatchRefusesDepartedPlayers watches with the tokens of a kicked and
// a departed player, which this server remembers from their joins: the
// streams are refused as if the store had been asked who holds the
// tokens, though it was not (their count in the store refuses them).
func TestWatchRefusesDepartedPlayers(t *testing.T) {
	store := &identifyCounter{Store: memstore.New(memstore.Config{})}
	e := newEnv(t, servertest.Options{Store: store})
	r := e.create(t, fast())
	kicked := e.join(t, r.code, "Kicked")
	left := e.join(t, r.code, "Left")
	stays := e.join(t, r.code, "Stays")
	if _, err := e.client.KickPlayer(as(ctx(t), r.host), &quizv1.KickPlayerRequest{RoomCode: r.code, PlayerId: kicked.id}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.LeaveRoom(as(ctx(t), left.token), &quizv1.LeaveRoomRequest{RoomCode: r.code}); err != nil {
		t.Fatal(err)
	}
	asked := store.n.Load()
	for _, p := range []player{kicked, left} {
		err := e.watchErr(t, e.client, r.code, p.token)
		wantCode(t, err, codes.PermissionDenied, "a Watch with the token of "+p.name)
		if want := "player " + p.id + " is no longer in room " + r.code; status.Convert(err).Message() != want {
			t.Errorf("a Watch with the token of %s: %q, want %q", p.name, status.Convert(err).Message(), want)
		}
	}
	if err := e.watchErr(t, e.client, r.code, stays.token); err != nil {
		t.Errorf("a Watch with the token of a player who stays: %v", err)
	}
	if n := store.n.Load() - asked; n != 0 {
		t.Errorf("three Watch calls with tokens the server made asked the store about them %d times, want none", n)
	}
}

// TestShutdownTellsWatchersToReconnect stops the server: open streams end
// with Unavailable, which clients take as "resume elsewhere".
func TestShutdownTellsWatchersToReconnect(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	r := e.create(t, fast())
	w := e.watch(t, r.code, r.host, 0)
	e.srv.Stop()
	wantCode(t, w.end(t), codes.Unavailable, "a stream at shutdown")
}

// TestEndInLobbyClosesRoom ends a game that never started: the room closes
// and every stream ends after RoomClosed.
func TestEndInLobbyClosesRoom(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	r := e.create(t, fast())
	p := e.join(t, r.code, "Early")
	w := e.watch(t, r.code, p.token, 0)
	e.host(t, r, end)
	w.until(t, func(ev *quizv1.Event) bool { return ev.GetRoomClosed() != nil })
	if err := w.end(t); err != nil {
		t.Errorf("stream ended with %v after RoomClosed, want a clean end", err)
	}
	_, err := e.client.JoinRoom(ctx(t), &quizv1.JoinRoomRequest{RoomCode: r.code, Name: "Later"})
	wantCode(t, err, codes.FailedPrecondition, "joining a closed room")
}

// TestKickedPlayerCannotAnswer kicks a player the server has seen answer
// (so it remembers their token): their next answer is refused all the same.
func TestKickedPlayerCannotAnswer(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	r := e.create(t, fast())
	p := e.join(t, r.code, "Cheeky")
	e.join(t, r.code, "Fair")
	e.host(t, r, start)
	if _, err := e.answer(t, r.code, p, 0, rightAnswer(0)); err != nil {
		t.Fatal(err)
	}
	e.host(t, r, closeQ)
	if _, err := e.client.KickPlayer(as(ctx(t), r.host), &quizv1.KickPlayerRequest{RoomCode: r.code, PlayerId: p.id}); err != nil {
		t.Fatal(err)
	}
	e.host(t, r, next)
	e.host(t, r, next)
	_, err := e.answer(t, r.code, p, 1, rightAnswer(1))
	wantCode(t, err, codes.PermissionDenied, "an answer after a kick")
}
