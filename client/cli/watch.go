package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/quizroom/quizroom/client/plain"
	"github.com/quizroom/quizroom/client/tui"
)

func (a *app) watchCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "watch CODE",
		Short: "Watch a room as a spectator, for a projector",
		Long: `Watch the room with the 6-character CODE without joining it: the
questions, the countdown, how the answers split, the leaderboard and the
podium. It needs no token.`,
		Args: args(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.watch(cmd.Context(), args[0])
		},
	}
}

func (a *app) watch(ctx context.Context, code string) error {
	code = strings.ToUpper(strings.TrimSpace(code))
	c, err := a.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	if a.tui() {
		inv := a.invite(ctx, code)
		_, err = tui.Run(ctx, tui.Config{Mode: tui.Watch, Code: code, Client: c, Invite: inv.Line, InviteHint: inv.Hint}, a.stdin, a.stdout)
	} else {
		_, err = plain.Run(ctx, plain.Config{Client: c, Code: code, Role: plain.Spectator, Out: a.stdout, Log: a.stderr, JSON: a.json})
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
