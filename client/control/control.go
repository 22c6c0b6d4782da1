// Package control makes the calls that act on a room, for both the terminal
// UI and the line mode: the host's controls (start, next, close, pause,
// resume, end, kick, lock), read from typed lines too, and a player's
// answers.
package control

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/quizroom/quizroom/client/conn"
	"github.com/quizroom/quizroom/client/state"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// Action is one of the host's controls.
type Action int

// The host's controls.
const (
	Start  Action = iota + 1 // StartGame
	Next                     // NextQuestion
	Close                    // CloseQuestion
	Pause                    // PauseGame
	Resume                   // ResumeGame
	End                      // EndGame
	Kick                     // KickPlayer
	Lock                     // LockRoom, locked
	Unlock                   // LockRoom, unlocked
)

var names = map[Action]string{
	Start: "start", Next: "next", Close: "close", Pause: "pause", Resume: "resume",
	End: "end", Kick: "kick", Lock: "lock", Unlock: "unlock",
}

// String is the action's name as typed in line mode.
func (a Action) String() string {
	if n, ok := names[a]; ok {
		return n
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// Command is an action and, for Kick, whom.
type Command struct {
	Action Action
	// PlayerID is the player to kick.
	PlayerID string
}

// Do runs cmd in room code with the host's client.
func Do(ctx context.Context, host *conn.Client, code string, cmd Command) error {
	ctx, cancel := host.Call(ctx)
	defer cancel()
	var err error
	switch cmd.Action {
	case Start:
		_, err = host.API.StartGame(ctx, &quizv1.StartGameRequest{RoomCode: code})
	case Next:
		_, err = host.API.NextQuestion(ctx, &quizv1.NextQuestionRequest{RoomCode: code})
	case Close:
		_, err = host.API.CloseQuestion(ctx, &quizv1.CloseQuestionRequest{RoomCode: code})
	case Pause:
		_, err = host.API.PauseGame(ctx, &quizv1.PauseGameRequest{RoomCode: code})
	case Resume:
		_, err = host.API.ResumeGame(ctx, &quizv1.ResumeGameRequest{RoomCode: code})
	case End:
		_, err = host.API.EndGame(ctx, &quizv1.EndGameRequest{RoomCode: code})
	case Kick:
		_, err = host.API.KickPlayer(ctx, &quizv1.KickPlayerRequest{RoomCode: code, PlayerId: cmd.PlayerID})
	case Lock, Unlock:
		_, err = host.API.LockRoom(ctx, &quizv1.LockRoomRequest{RoomCode: code, Locked: cmd.Action == Lock})
	default:
		return fmt.Errorf("unknown host action %v", cmd.Action)
	}
	return conn.Explain(err, cmd.Action.String(), host.Addr())
}

// Help lists the commands Parse reads.
const Help = "start, next, close, pause, resume, end, lock, unlock, kick NAME"

// Parse reads a command typed as a line ("next", "kick Ann"); kick finds
// the player by name (ignoring case) in r's roster.
func Parse(line string, r *state.Room) (Command, error) {
	word, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	rest = strings.TrimSpace(rest)
	for a, n := range names {
		if !strings.EqualFold(word, n) {
			continue
		}
		if a != Kick {
			return Command{Action: a}, nil
		}
		if rest == "" {
			return Command{}, fmt.Errorf("kick whom? type kick NAME")
		}
		for _, p := range r.Players {
			if strings.EqualFold(p.GetName(), rest) || p.GetPlayerId() == rest {
				return Command{Action: Kick, PlayerID: p.GetPlayerId()}, nil
			}
		}
		return Command{}, fmt.Errorf("no player %q in the room", rest)
	}
	return Command{}, fmt.Errorf("unknown command %q: use %s", word, Help)
}

// submitAttempts bounds Submit's tries: a call that meets a dropped
// connection, or a server restarting, is sent again, backing off from
// 150 ms to 1 s: about 6 s in all, longer than a server takes to restart
// and far shorter than a question.
const submitAttempts = 9

// Submit sends a player's answer to question index of room code. When the
// connection drops under the call or the server is restarting
// (Unavailable) it tries again, up to submitAttempts times (ctx ends them
// sooner: the caller cancels it when the question closes): the server
// keeps the first accepted answer, so a retry that finds the answer
// already there (AlreadyExists) means the lost call went through, and
// Submit reports it accepted (without its time).
func Submit(ctx context.Context, player *conn.Client, code string, index int32, a *quizv1.Answer) (*quizv1.SubmitAnswerResponse, error) {
	req := &quizv1.SubmitAnswerRequest{RoomCode: code, QuestionIndex: index, Answer: a}
	for attempt := 1; ; attempt++ {
		cctx, cancel := player.Call(ctx)
		resp, err := player.API.SubmitAnswer(cctx, req)
		cancel()
		switch {
		case err == nil:
			return resp, nil
		case attempt > 1 && status.Code(err) == codes.AlreadyExists:
			return &quizv1.SubmitAnswerResponse{Accepted: true}, nil
		case status.Code(err) != codes.Unavailable || attempt == submitAttempts:
			return nil, conn.Explain(err, "answering", player.Addr())
		}
		t := time.NewTimer(min(time.Duration(1<<(attempt-1))*150*time.Millisecond, time.Second))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}
