package plain

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/quizroom/quizroom/client/conn"
	"github.com/quizroom/quizroom/client/control"
	"github.com/quizroom/quizroom/client/state"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// Role is what a session's input lines are.
type Role int

// The roles of a session.
const (
	// Spectator ignores input.
	Spectator Role = iota
	// Player reads answers to the open question.
	Player
	// Host reads host commands (control.Help).
	Host
)

// Config configures a line-mode session. Zero fields get defaults where
// one is documented.
type Config struct {
	// Client is the connection, with the player's or host's token.
	Client *conn.Client
	// Code is the room's code.
	Code string
	// Opened, when set, is the room's Watch call already open (conn.Open,
	// for a player or host who came back): Run follows it.
	Opened *conn.Watch
	// Role says what input lines are.
	Role Role
	// In holds input lines; nil reads none.
	In io.Reader
	// Lines, when set, are the input lines instead of In's (ReadLines),
	// so that the caller may read further lines once Run returns.
	Lines <-chan string
	// OnEvent, when set, is called with each event once it is applied and
	// before it is printed, on Run's goroutine: the session waits for it.
	OnEvent func(*quizv1.Event)
	// Out gets the event lines and, without JSON, the session's own
	// lines (answers, refused commands).
	Out io.Writer
	// Log gets reconnection notices and, with JSON, the session's own
	// lines; default io.Discard.
	Log io.Writer
	// JSON writes each event as one line of protojson instead of lines.
	JSON bool
	// Now is the local clock; default time.Now.
	Now func() time.Time
}

// ErrKicked is returned when the host removed the player.
var ErrKicked = errors.New("the host removed you from the room")

// Run follows the room and prints it until the game is over (finished,
// closed, or this player kicked), ctx ends, or the stream fails for good.
// It returns the room as last seen; ErrKicked when the player was kicked.
func Run(ctx context.Context, cfg Config) (*state.Room, error) {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &session{cfg: cfg, room: &state.Room{}, done: make(chan string, 16)}

	updates := make(chan conn.Update)
	followErr := make(chan error, 1)
	followDone := make(chan struct{})
	go func() {
		defer close(followDone)
		followErr <- cfg.Client.Follow(ctx, conn.FollowConfig{Code: cfg.Code, Now: cfg.Now, Opened: cfg.Opened}, func(u conn.Update) bool {
			select {
			case updates <- u:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	input := cfg.Lines
	if input == nil && cfg.In != nil {
		input = ReadLines(ctx, cfg.In)
	}
	if cfg.Role == Spectator {
		input = nil
	}
	defer func() {
		cancel()
		<-followDone
		s.wg.Wait()
	}()
	for {
		select {
		case u := <-updates:
			if u.Event == nil {
				fmt.Fprintf(cfg.Log, "reconnecting (attempt %d, in %s): %v\n", u.Attempt, dur(u.Wait), u.Err)
				continue
			}
			s.room.Apply(u.Event, u.Personal, u.Received)
			if cfg.OnEvent != nil {
				cfg.OnEvent(u.Event)
			}
			if err := s.print(u.Event); err != nil {
				return s.room, err
			}
			if s.room.Kicked {
				return s.room, ErrKicked
			}
			if s.room.Over() {
				return s.room, nil
			}
		case line, ok := <-input:
			if !ok {
				input = nil
				continue
			}
			s.handle(ctx, line)
		case note := <-s.done:
			s.note(note)
		case err := <-followErr:
			return s.room, err
		}
	}
}

// session is the state of one Run; its fields belong to Run's goroutine
// but for wg and done, which the goroutines of submissions and commands
// use.
type session struct {
	cfg  Config
	room *state.Room
	wg   sync.WaitGroup // submissions and commands in flight
	done chan string    // lines from submissions and commands
}

// print writes an event.
func (s *session) print(ev *quizv1.Event) error {
	if s.cfg.JSON {
		b, err := protojson.Marshal(ev)
		if err != nil {
			return err
		}
		// protojson varies its spacing on purpose; scripts read one
		// compact line per event.
		var buf bytes.Buffer
		if err := json.Compact(&buf, b); err != nil {
			return err
		}
		buf.WriteByte('\n')
		_, err = s.cfg.Out.Write(buf.Bytes())
		return err
	}
	for _, l := range Lines(ev, s.room) {
		if _, err := fmt.Fprintln(s.cfg.Out, l); err != nil {
			return err
		}
	}
	return nil
}

// note writes one of the session's own lines.
func (s *session) note(line string) {
	if s.cfg.JSON {
		fmt.Fprintln(s.cfg.Log, line)
		return
	}
	fmt.Fprintln(s.cfg.Out, line)
}

// handle acts on an input line.
func (s *session) handle(ctx context.Context, line string) {
	if strings.TrimSpace(line) == "" {
		return
	}
	switch s.cfg.Role {
	case Player:
		s.answer(ctx, line)
	case Host:
		cmd, err := control.Parse(line, s.room)
		if err != nil {
			s.note("command refused: " + err.Error())
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := control.Do(ctx, s.cfg.Client, s.cfg.Code, cmd); err != nil {
				s.report(ctx, "command refused: "+err.Error())
			}
		}()
	}
}

// answer submits line as the answer to the open question, once its options
// open.
func (s *session) answer(ctx context.Context, line string) {
	r := s.room
	if r.Phase != quizv1.Phase_PHASE_QUESTION || r.Question == nil {
		s.note("answer refused: no question is open")
		return
	}
	q := r.Question
	pos := position(q.GetIndex(), q.GetCount())
	a, err := ParseAnswer(line, q)
	if err != nil {
		s.note("answer " + pos + " refused: " + err.Error())
		return
	}
	wait := r.OpensIn(s.cfg.Now())
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if wait > 0 {
			t := time.NewTimer(wait)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
		resp, err := control.Submit(ctx, s.cfg.Client, s.cfg.Code, q.GetIndex(), a)
		if err != nil {
			s.report(ctx, "answer "+pos+" refused: "+err.Error())
			return
		}
		s.report(ctx, fmt.Sprintf("answer %s accepted elapsed=%s", pos, dur(resp.GetElapsed().AsDuration())))
	}()
}

// report hands a line to Run's goroutine, unless Run is over.
func (s *session) report(ctx context.Context, line string) {
	select {
	case s.done <- line:
	case <-ctx.Done():
	}
}

// ReadLines sends in's lines until it ends or ctx does, then closes the
// channel. The goroutine ends when a read returns: a reader that never
// returns keeps it.
func ReadLines(ctx context.Context, in io.Reader) <-chan string {
	out := make(chan string)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			select {
			case out <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
