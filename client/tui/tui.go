// Package tui is the quiz CLI's full-screen terminal UI.
package tui

import (
	"context"
	"errors"
	"io"

	"github.com/quizroom/quizroom/client/conn"
	"github.com/quizroom/quizroom/client/state"
)

// Mode is whose screen the UI shows.
type Mode int

// The modes.
const (
	Play Mode = iota + 1
	Host
	Watch
)

// Config configures the UI.
type Config struct {
	Mode   Mode
	Code   string
	Client *conn.Client
	Report func(context.Context) (string, error)
}

// ErrKicked is returned when the host removed the player.
var ErrKicked = errors.New("kicked")

// Run runs the UI.
func Run(ctx context.Context, cfg Config, in io.Reader, out io.Writer) (*state.Room, error) {
	return nil, errors.New("todo")
}
