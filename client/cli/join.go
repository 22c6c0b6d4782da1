package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/grpc/codes"

	"github.com/quizroom/quizroom/client/conn"
	"github.com/quizroom/quizroom/client/plain"
	"github.com/quizroom/quizroom/client/state"
	"github.com/quizroom/quizroom/client/tui"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

func (a *app) joinCommand() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "join CODE --name NAME",
		Short: "Join a room as a player and play",
		Long: `Join the room with the 6-character CODE under a display name and play.

On a terminal: pick options with 1-6 or A-F (or the arrows and enter); for a
multiple-select question toggle with space or the keys and submit with enter;
type a typed answer and press enter. In line mode, each input line answers the
open question: "2", "B", "1,3" or the text of a typed answer.`,
		Args: args(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.join(cmd.Context(), args[0], name)
		},
	}
	cmd.Flags().StringVar(&name, "name", a.envString("QUIZ_NAME", ""), "display name, 1 to 24 characters (env QUIZ_NAME)")
	return cmd
}

func (a *app) join(ctx context.Context, code, name string) error {
	if name == "" {
		return errors.New("join needs a display name: --name NAME (or QUIZ_NAME)")
	}
	c, err := a.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	resp, err := joinRoom(ctx, c, code, name)
	if err != nil {
		return err
	}
	code = resp.GetRoom().GetCode()
	player := c.WithToken(resp.GetPlayerToken())
	var room *state.Room
	if a.tui() {
		room, err = tui.Run(ctx, tui.Config{
			Mode: tui.Play, Code: code, Client: player,
		}, a.stdin, a.stdout)
	} else {
		note := a.stdout
		if a.json {
			note = a.stderr
		}
		fmt.Fprintf(note, "joined room=%s name=%s id=%s\n", code, strconv.Quote(resp.GetName()), resp.GetPlayerId())
		room, err = plain.Run(ctx, plain.Config{
			Client: player, Code: code, Role: plain.Player, In: a.stdin, Out: a.stdout, Log: a.stderr, JSON: a.json,
		})
	}
	if room != nil && !room.Over() {
		leave(player, code)
	}
	if errors.Is(err, plain.ErrKicked) || errors.Is(err, tui.ErrKicked) {
		return fmt.Errorf("room %s: the host removed you from the game", code)
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// joinRoom joins, with messages that say what to do about a refusal.
func joinRoom(ctx context.Context, c *conn.Client, code, name string) (*quizv1.JoinRoomResponse, error) {
	cctx, cancel := c.Call(ctx)
	defer cancel()
	resp, err := c.API.JoinRoom(cctx, &quizv1.JoinRoomRequest{RoomCode: code, Name: name})
	if err == nil {
		return resp, nil
	}
	err = conn.Explain(err, "joining room "+code, c.Addr())
	var e *conn.Error
	if errors.As(err, &e) {
		switch e.Code {
		case codes.NotFound:
			e.Msg = fmt.Sprintf("no room %s on %s: check the code", code, c.Addr())
		case codes.AlreadyExists:
			e.Msg += ": pick another --name"
		case codes.FailedPrecondition:
			if strings.Contains(e.Msg, "locked") {
				e.Msg += ": only the host can unlock it (key l on the host's screen); ask them to"
			}
		}
	}
	return nil, err
}

// leave tells the server the player is gone, so a question need not wait
// for them; a failure changes nothing for the user, who is leaving anyway.
func leave(player *conn.Client, code string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ctx, cancel2 := player.Call(ctx)
	defer cancel2()
	_, _ = player.API.LeaveRoom(ctx, &quizv1.LeaveRoomRequest{RoomCode: code})
}
