package conn

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Error is a failed call explained for people. It keeps the status code
// for callers that act on it (errors.As, then Code).
type Error struct {
	// Code is the call's status code.
	Code codes.Code
	// Msg says what went wrong and, where it helps, what to do.
	Msg string
	// Violations are the field violations of an InvalidArgument status:
	// for a deck, one "file:line: problem" each.
	Violations []string
	// Reason and Metadata are the status's google.rpc.ErrorInfo, when it
	// has one: ROOM_NOT_FOUND with the server's "store" and
	// "server_started" for a room that is not there.
	Reason   string
	Metadata map[string]string
	// Gone is true when the error says a room the client was in is gone
	// (Gone).
	Gone bool
}

// Error returns the message for people.
func (e *Error) Error() string { return e.Msg }

// Code is err's status code: that of an *Error, of a gRPC status, or
// codes.Unknown; codes.OK for nil.
func Code(err error) codes.Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return status.Code(err)
}

// Explain turns a failed call into an *Error whose message starts with
// doing ("joining room ABC123") and reads without a status dump: the
// server's own message where it is meant for people, a hint where the code
// says more than the message (an unreachable server, a timeout). addr is the
// server's address. Errors that are not statuses are returned as they are.
func Explain(err error, doing, addr string) error {
	if err == nil {
		return nil
	}
	var done *Error
	if errors.As(err, &done) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	st, ok := status.FromError(err)
	if !ok {
		if errors.Is(err, context.DeadlineExceeded) {
			return &Error{Code: codes.DeadlineExceeded, Msg: doing + ": the server did not answer in time (raise --timeout or QUIZ_TIMEOUT)"}
		}
		return err
	}
	e := &Error{Code: st.Code()}
	msg := st.Message()
	switch st.Code() {
	case codes.Unavailable:
		if strings.Contains(msg, "connection refused") || strings.Contains(msg, "connection error") || strings.Contains(msg, "no such host") || strings.Contains(msg, "dial") {
			msg = fmt.Sprintf("cannot reach the server at %s: is it running? (set --addr or QUIZ_ADDR)", addr)
		} else {
			msg = "the server is unavailable: " + msg
		}
	case codes.DeadlineExceeded:
		msg = "the server did not answer in time (raise --timeout or QUIZ_TIMEOUT)"
	case codes.Unauthenticated:
		msg = "the server refused the token: " + msg
	case codes.Internal, codes.Unknown:
		msg = "the server failed: " + msg
	case codes.DataLoss:
		msg = "the server lost this room's history (its store lost data), so the game cannot go on: " + msg
	case codes.Unimplemented:
		msg = "the server at " + addr + " does not serve this call: is it a Quizroom server of this version?"
	case codes.Canceled:
		return context.Canceled
	}
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				e.Violations = append(e.Violations, v.GetDescription())
			}
		case *errdetails.ErrorInfo:
			e.Reason, e.Metadata = d.GetReason(), d.GetMetadata()
		}
	}
	e.Msg = doing + ": " + msg
	return e
}

// ReasonRoomNotFound is the ErrorInfo reason of a NotFound for a room.
const ReasonRoomNotFound = "ROOM_NOT_FOUND"

// Gone explains a failure to reach room code, which the client saw at time
// seen, when it is NotFound: the room is gone. When the server keeps rooms
// in memory and started after seen, the room went with a restart, and the
// message says so and how to keep rooms across restarts; otherwise the
// room ended or expired. The *Error returned has Code NotFound. Other
// errors, and a NotFound when seen is zero (the client never saw the room,
// so the code may be wrong), are returned explained as they are.
func Gone(err error, doing, addr, code string, seen time.Time) error {
	err = Explain(err, doing, addr)
	var e *Error
	if !errors.As(err, &e) || e.Code != codes.NotFound || seen.IsZero() {
		return err
	}
	gone := &Error{Code: codes.NotFound, Reason: e.Reason, Metadata: e.Metadata, Gone: true,
		Msg: fmt.Sprintf("Room %s is gone: it ended or expired.", code)}
	if Restarted(e, seen) {
		gone.Msg = fmt.Sprintf("The server restarted and room %s is gone; rooms survive restarts when the server runs with Redis.", code)
	}
	return gone
}

// Restarted reports whether e says the room is not found on a server that
// keeps rooms in memory and started after seen: a restart lost the room.
func Restarted(e *Error, seen time.Time) bool {
	if e == nil || e.Reason != ReasonRoomNotFound || e.Metadata["store"] != "memory" {
		return false
	}
	started, err := time.Parse(time.RFC3339Nano, e.Metadata["server_started"])
	return err == nil && started.After(seen)
}
