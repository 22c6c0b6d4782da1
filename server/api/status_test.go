package api

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/quizroom/quizroom/content"
	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

// TestToStatus checks the one table from error kinds to status codes, and
// that unknown errors do not leak their detail.
func TestToStatus(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cases := []struct {
		err  error
		code codes.Code
		msg  string
	}{
		{room.Errorf(room.ErrInvalid, "name is empty"), codes.InvalidArgument, "name is empty"},
		{room.Errorf(room.ErrNotFound, "no room ABCDEF"), codes.NotFound, "no room ABCDEF"},
		{room.Errorf(room.ErrExists, "taken"), codes.AlreadyExists, "taken"},
		{room.Errorf(room.ErrPhase, "no question is open"), codes.FailedPrecondition, "no question is open"},
		{room.Errorf(room.ErrConflict, "changed"), codes.Aborted, "changed"},
		{room.Errorf(room.ErrDenied, "host only"), codes.PermissionDenied, "host only"},
		{room.Errorf(room.ErrFull, "room full"), codes.ResourceExhausted, "room full"},
		{room.Errorf(room.ErrSlow, "too slow: reconnect with after_seq"), codes.ResourceExhausted, "after_seq"},
		{room.Errorf(room.ErrUnavailable, "redis unavailable"), codes.Unavailable, "redis unavailable"},
		{room.Errorf(room.ErrShutdown, "shutting down"), codes.Unavailable, "shutting down"},
		{room.Wrap(room.ErrInvalid, fmt.Errorf("%w: no choice given", game.ErrBadAnswer)), codes.InvalidArgument, "no choice given"},
		{errors.New("secret internal detail"), codes.Internal, "internal error"},
	}
	for _, c := range cases {
		st := status.Convert(toStatus(log, c.err, "field", Origin{}))
		if st.Code() != c.code || !strings.Contains(st.Message(), c.msg) {
			t.Errorf("%v: got %v %q, want %v with %q", c.err, st.Code(), st.Message(), c.code, c.msg)
		}
		if strings.Contains(st.Message(), "secret") {
			t.Errorf("%v: the message leaks internal detail", c.err)
		}
	}
}

// TestViolations checks the field violations of InvalidArgument: a deck's
// lines, bad settings by field, else the request's field.
func TestViolations(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	deckErr := room.Wrap(room.ErrInvalid, content.ErrorList{
		{File: "d.md", Line: 3, Msg: "no correct option"},
		{File: "d.md", Line: 9, Msg: "empty text"},
	})
	settingsErr := room.Wrap(room.ErrInvalid, errors.Join(
		&game.SettingError{Field: "time_limit", Msg: "1s is out of range"},
		&game.SettingError{Field: "max_players", Msg: "-1 is out of range"},
	))
	cases := []struct {
		err  error
		want []string
	}{
		{deckErr, []string{"source: d.md:3: no correct option", "source: d.md:9: empty text"}},
		{settingsErr, []string{"settings.time_limit: 1s is out of range", "settings.max_players: -1 is out of range"}},
		{room.Errorf(room.ErrInvalid, "name is empty"), []string{"source: name is empty"}},
	}
	for _, c := range cases {
		var got []string
		for _, d := range status.Convert(toStatus(log, c.err, "source", Origin{})).Details() {
			for _, v := range d.(*errdetails.BadRequest).GetFieldViolations() {
				got = append(got, v.GetField()+": "+v.GetDescription())
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%v: got violations %q, want %q", c.err, got, c.want)
		}
	}
}

// TestRoomNotFoundInfo checks that a NotFound for a room, and only for a
// room, carries the ErrorInfo that tells a restarted server apart.
func TestRoomNotFoundInfo(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	started := time.Date(2026, 12, 2, 10, 0, 0, 250e6, time.FixedZone("CET", 3600))
	o := Origin{Store: "memory", Started: started}
	info := func(err error) *errdetails.ErrorInfo {
		for _, d := range status.Convert(toStatus(log, err, "room_code", o)).Details() {
			if ei, ok := d.(*errdetails.ErrorInfo); ok {
				return ei
			}
		}
		return nil
	}
	ei := info(room.NoRoom("ABCDEF"))
	if ei == nil {
		t.Fatal("a missing room: no ErrorInfo")
	}
	want := map[string]string{"store": "memory", "server_started": "2026-12-02T09:00:00.25Z"}
	if ei.GetReason() != "ROOM_NOT_FOUND" || ei.GetDomain() != "quiz.v1" || fmt.Sprint(ei.GetMetadata()) != fmt.Sprint(want) {
		t.Errorf("ErrorInfo %v, want ROOM_NOT_FOUND, quiz.v1, %v", ei, want)
	}
	for _, err := range []error{
		room.Errorf(room.ErrNotFound, `no deck "x"`),
		room.Errorf(room.ErrNotFound, "no player p000001 in room ABCDEF"),
	} {
		if ei := info(err); ei != nil {
			t.Errorf("%v: ErrorInfo %v, want none (not a room)", err, ei)
		}
	}
}
