package tui

import (
	"context"
	"errors"
	"fmt"
	"io"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/quizroom/quizroom/client/conn"
	"github.com/quizroom/quizroom/client/control"
	"github.com/quizroom/quizroom/client/state"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// Run shows the UI on the terminal behind in and out and follows the room
// with cfg.Client until the user quits or ctx ends; then it leaves a line
// on the terminal saying how the game went (Model.Summary). It returns the
// room as last seen and why it stopped: nil when the user quit, ErrKicked,
// the stream's final error, or ctx's.
func Run(ctx context.Context, cfg Config, in io.Reader, out io.Writer) (*state.Room, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := cfg.Client
	if cfg.Submit == nil {
		cfg.Submit = func(index int32, a *quizv1.Answer) (*quizv1.SubmitAnswerResponse, error) {
			return control.Submit(ctx, c, cfg.Code, index, a)
		}
	}
	if cfg.Control == nil {
		cfg.Control = func(cmd control.Command) error { return control.Do(ctx, c, cfg.Code, cmd) }
	}
	m := New(cfg)
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out), tea.WithAltScreen())
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		err := c.Follow(ctx, conn.FollowConfig{Code: cfg.Code, Opened: cfg.Opened}, func(u conn.Update) bool {
			if u.Event != nil && cfg.OnEvent != nil {
				cfg.OnEvent(u.Event)
			}
			p.Send(UpdateMsg(u))
			return ctx.Err() == nil
		})
		if ctx.Err() == nil {
			p.Send(EndMsg{Err: err})
		}
	}()
	_, err := p.Run()
	cancel()
	<-followed
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		err = context.Canceled
	}
	if err == nil {
		err = m.Err()
	}
	if s := m.Summary(); s != "" && err == nil {
		fmt.Fprintln(out, s)
	}
	return m.Room(), err
}
