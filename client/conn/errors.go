package conn

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				e.Violations = append(e.Violations, v.GetDescription())
			}
		}
	}
	e.Msg = doing + ": " + msg
	return e
}
