package api

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	"github.com/quizroom/quizroom/content"
	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

// codeOf is the one table from the engine's error kinds to status codes.
var codeOf = []struct {
	kind error
	code codes.Code
}{
	{room.ErrInvalid, codes.InvalidArgument},
	{room.ErrNotFound, codes.NotFound},
	{room.ErrExists, codes.AlreadyExists},
	{room.ErrPhase, codes.FailedPrecondition},
	{room.ErrConflict, codes.Aborted},
	{room.ErrDenied, codes.PermissionDenied},
	{room.ErrFull, codes.ResourceExhausted},
	{room.ErrSlow, codes.ResourceExhausted},
	{room.ErrUnavailable, codes.Unavailable},
	{room.ErrShutdown, codes.Unavailable},
	{room.ErrLost, codes.DataLoss},
	{context.Canceled, codes.Canceled},
	{context.DeadlineExceeded, codes.DeadlineExceeded},
}

// Origin is what a NotFound for a room tells the client about the server
// (google.rpc.ErrorInfo metadata), so that a client can say "the server
// restarted and the room went with it" rather than "no such room".
type Origin struct {
	// Store is "memory" or "redis": whether rooms survive a restart.
	Store string
	// Started is when this server process started.
	Started time.Time
}

// ErrorInfo of a NotFound for a room (see quiz.proto).
const (
	ReasonRoomNotFound = "ROOM_NOT_FOUND"
	ErrorDomain        = "quiz.v1"
)

// roomNotFound is the ErrorInfo of a NotFound for a room.
func (o Origin) roomNotFound() *errdetails.ErrorInfo {
	return &errdetails.ErrorInfo{
		Reason: ReasonRoomNotFound,
		Domain: ErrorDomain,
		Metadata: map[string]string{
			"store":          o.Store,
			"server_started": o.Started.UTC().Format(time.RFC3339Nano),
		},
	}
}

// toStatus turns an engine error into a status with a message for the
// client; field names the request field at fault for InvalidArgument, which
// carries field violations; a missing room carries o's ErrorInfo. Errors
// of no known kind are logged and reported as Internal without their
// detail.
func toStatus(log *slog.Logger, err error, field string, o Origin) error {
	if err == nil {
		return nil
	}
	for _, c := range codeOf {
		if !errors.Is(err, c.kind) {
			continue
		}
		st := status.New(c.code, err.Error())
		var details protoadapt.MessageV1
		switch {
		case c.code == codes.InvalidArgument:
			details = violations(err, field)
		case errors.Is(err, room.ErrNoRoom):
			details = o.roomNotFound()
		}
		if details != nil {
			if detailed, derr := st.WithDetails(details); derr == nil {
				st = detailed
			}
		}
		return st.Err()
	}
	log.Error("internal error", "err", err)
	return status.Error(codes.Internal, "internal error: the server logged it")
}

// violations lists the fields at fault: one per deck or notes problem (its
// file and line in the description), one per bad setting, else field.
func violations(err error, field string) *errdetails.BadRequest {
	br := &errdetails.BadRequest{}
	var list content.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: field, Description: e.Error()})
		}
		return br
	}
	var settings []*game.SettingError
	collectSettingErrors(err, &settings)
	for _, e := range settings {
		br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: "settings." + e.Field, Description: e.Msg})
	}
	if len(br.FieldViolations) == 0 {
		br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: field, Description: err.Error()})
	}
	return br
}

// collectSettingErrors finds every *game.SettingError in err's tree.
func collectSettingErrors(err error, out *[]*game.SettingError) {
	var se *game.SettingError
	if errors.As(err, &se) && err == error(se) {
		*out = append(*out, se)
		return
	}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			collectSettingErrors(e, out)
		}
	case interface{ Unwrap() error }:
		collectSettingErrors(u.Unwrap(), out)
	}
}
