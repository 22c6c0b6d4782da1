package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"google.golang.org/grpc/codes"

	"github.com/quizroom/quizroom/client/conn"
	"github.com/quizroom/quizroom/client/creds"
	"github.com/quizroom/quizroom/client/plain"
	"github.com/quizroom/quizroom/client/state"
	"github.com/quizroom/quizroom/client/tui"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

func (a *app) joinCommand() *cobra.Command {
	var name string
	var fresh bool
	cmd := &cobra.Command{
		Use:   "join CODE [--name NAME] [--new]",
		Short: "Join a room as a player and play",
		Long: `Join the room with the 6-character CODE under a display name and play.

The player's token is kept in the state directory ($QUIZ_STATE_DIR, by default
~/.config/quizroom on Linux), so that running quiz join CODE again on this machine, after
quitting, a crash or a lost connection, comes back as the same player with
their score and streak; --name is then not needed. --new joins as someone new.

On a terminal: pick options with 1-6 or A-F (or the arrows and enter); for a
multiple-select question toggle with space or the keys and submit with enter;
type a typed answer and press enter. In line mode, each input line answers the
open question: "2", "B", "1,3" or the text of a typed answer. ctrl+c leaves;
quiz join CODE comes back.`,
		Args: args(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.join(cmd.Context(), args[0], name, fresh)
		},
	}
	cmd.Flags().StringVar(&name, "name", a.envString("QUIZ_NAME", ""), "display name, 1 to 24 characters (env QUIZ_NAME)")
	cmd.Flags().BoolVar(&fresh, "new", false, "join as a new player even when this machine was in the room before")
	return cmd
}

// player is who plays: the token's client and how to greet them.
type player struct {
	client  *conn.Client
	opened  *conn.Watch // the room's stream, for a player who came back
	id      string
	name    string
	welcome string // the line that greets a player who came back
}

func (a *app) join(ctx context.Context, code, name string, fresh bool) error {
	code = strings.ToUpper(strings.TrimSpace(code))
	c, err := a.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	store := a.creds()
	var p *player
	if !fresh {
		if p, err = a.rejoin(ctx, c, store, code, name); err != nil {
			return err
		}
		if p != nil {
			defer p.opened.Close()
		}
	}
	if p == nil {
		if name == "" {
			return errors.New("join needs a display name: --name NAME (or QUIZ_NAME)")
		}
		resp, err := joinRoom(ctx, c, code, name)
		if err != nil {
			return err
		}
		code = resp.GetRoom().GetCode()
		p = &player{client: c.WithToken(resp.GetPlayerToken()), id: resp.GetPlayerId(), name: resp.GetName()}
		a.remember(store, creds.Entry{Addr: c.Addr(), Code: code, Role: creds.Player, Token: resp.GetPlayerToken(),
			PlayerID: resp.GetPlayerId(), Name: resp.GetName()})
	}
	comeBack := "quiz join " + code + a.serverFlags()
	var room *state.Room
	if a.tui() {
		room, err = tui.Run(ctx, tui.Config{
			Mode: tui.Play, Code: code, Client: p.client, Opened: p.opened, Notice: p.welcome, ComeBack: comeBack,
		}, a.stdin, a.stdout)
	} else {
		note := a.stdout
		if a.json {
			note = a.stderr
		}
		verb := "joined"
		if p.welcome != "" {
			verb = "resumed"
			fmt.Fprintln(a.stderr, p.welcome)
		}
		fmt.Fprintf(note, "%s room=%s name=%s id=%s\n", verb, code, strconv.Quote(p.name), p.id)
		room, err = plain.Run(ctx, plain.Config{
			Client: p.client, Code: code, Opened: p.opened, Role: plain.Player, In: a.stdin, Out: a.stdout, Log: a.stderr, JSON: a.json,
		})
		if errors.Is(err, context.Canceled) && !room.Over() {
			fmt.Fprintf(a.stderr, "You left room %s; run `%s` to come back with your score.\n", code, comeBack)
		}
	}
	if errors.Is(err, plain.ErrKicked) || errors.Is(err, tui.ErrKicked) {
		a.forget(store, creds.Entry{Addr: c.Addr(), Code: code, Role: creds.Player, Name: p.name})
		return fmt.Errorf("room %s: the host removed you from the game", code)
	}
	if room.Over() {
		a.forget(store, creds.Entry{Addr: c.Addr(), Code: code, Role: creds.Player})
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// rejoin comes back to room code as a player this machine joined it as
// (the one called name, or without a name the only one), when the saved
// token still works: the player, their stream and how to greet them. It
// returns nil, to join anew, when there is no saved token or it no longer
// works (the player left or was removed) and a name was given; an error
// when the room is gone.
func (a *app) rejoin(ctx context.Context, c *conn.Client, store *creds.Store, code, name string) (*player, error) {
	e, ok, err := savedPlayer(a.saved(store, c.Addr(), code, creds.Player), code, name)
	if !ok || err != nil {
		return nil, err
	}
	pc, w, err := a.comeBack(ctx, c, store, e, "coming back to room "+code)
	switch {
	case errors.Is(err, errStale) && name == "":
		return nil, fmt.Errorf("your place as %s in room %s is gone (you left or the host removed you): join as someone new with quiz join %s --name NAME%s",
			e.Name, code, code, a.serverFlags())
	case errors.Is(err, errStale):
		fmt.Fprintf(a.stderr, "Your place as %s in room %s is gone (you left or the host removed you); joining as a new player.\n", e.Name, code)
		return nil, nil
	case err != nil:
		return nil, err
	}
	snap := w.Snapshot()
	return &player{client: pc, opened: w, id: snap.GetYou().GetPlayerId(), name: snap.GetYou().GetName(), welcome: welcome(snap, w.Personal())}, nil
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
			e.Msg = fmt.Sprintf("joining room %s: the name %q is taken in this room; if it is you, run quiz join %s on the machine you joined from (it keeps your place), or pick another --name",
				code, name, code)
		case codes.FailedPrecondition:
			if strings.Contains(e.Msg, "locked") {
				e.Msg += ": only the host can unlock it (key l on the host's screen); ask them to"
			}
		}
	}
	return nil, err
}
