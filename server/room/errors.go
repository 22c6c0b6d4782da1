package room

import (
	"errors"
	"fmt"
)

// Kinds of error the engine and its stores return. Callers test them with
// errors.Is; the gRPC adapter maps each to a status code in one table.
var (
	// ErrNotFound: no such room, deck or player.
	ErrNotFound = errors.New("not found")
	// ErrExists: a room code, name or answer that already exists.
	ErrExists = errors.New("already exists")
	// ErrInvalid: a request that can never succeed as it is (bad name, bad answer, bad settings).
	ErrInvalid = errors.New("invalid")
	// ErrPhase: the room is not in a phase that allows the call.
	ErrPhase = errors.New("wrong phase")
	// ErrConflict: the room moved on since the caller read it (a stale version).
	ErrConflict = errors.New("room changed")
	// ErrDenied: the caller's token does not allow the call.
	ErrDenied = errors.New("permission denied")
	// ErrFull: a limit was reached (room full, too many rooms or decks, too fast).
	ErrFull = errors.New("limit reached")
	// ErrTrimmed: the events asked for are no longer kept.
	ErrTrimmed = errors.New("events no longer kept")
	// ErrUnavailable: the store cannot be reached.
	ErrUnavailable = errors.New("store unavailable")
	// ErrSlow: a watcher read too slowly and was cut off.
	ErrSlow = errors.New("client too slow")
	// ErrShutdown: the server is shutting down.
	ErrShutdown = errors.New("server shutting down")
	// ErrLost: the room's history was lost (the store lost data).
	ErrLost = errors.New("history lost")
	// ErrNoRoom: no such room; a kind of ErrNotFound, so that the adapter
	// can tell a missing room from a missing deck or player.
	ErrNoRoom = fmt.Errorf("%w: no such room", ErrNotFound)
)

// NoRoom is the error for a room code the store does not have (or no
// longer has: it expired, or a memory store restarted).
func NoRoom(code string) error { return Errorf(ErrNoRoom, "no room %s", code) }

// Error is an error of one of the kinds above with a message for the client.
type Error struct {
	Kind error
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Unwrap makes errors.Is see the kind.
func (e *Error) Unwrap() error { return e.Kind }

// Errorf makes an *Error of kind with a formatted message.
func Errorf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// Wrap gives err the kind without changing its message; errors.Is and
// errors.As see both.
func Wrap(kind, err error) error { return &wrapped{kind: kind, err: err} }

type wrapped struct{ kind, err error }

func (w *wrapped) Error() string   { return w.err.Error() }
func (w *wrapped) Unwrap() []error { return []error{w.kind, w.err} }

// LostRoomError is the refusal of a join to a room whose history was
// lost; both stores return it.
func LostRoomError(code string) error {
	return Errorf(ErrPhase, "room %s was closed: the server lost its history (its store lost data), so the game cannot go on", code)
}

// GoneError is the refusal of a token whose player left or was kicked;
// both stores return it.
func GoneError(code, playerID string) error {
	return Errorf(ErrDenied, "player %s is no longer in room %s", playerID, code)
}
