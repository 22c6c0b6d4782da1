package api

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// call is what the logging interceptors know of a call in progress.
type call struct {
	method string

	mu   sync.Mutex // guards room: a stream's request arrives in RecvMsg
	room string
}

// setRoom records the room a request names, if it names one.
func (c *call) setRoom(req any) {
	if r, ok := req.(interface{ GetRoomCode() string }); ok {
		c.mu.Lock()
		c.room = r.GetRoomCode()
		c.mu.Unlock()
	}
}

func (c *call) roomCode() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.room
}

type callKey struct{}

// callCtx is a call's context as the logging interceptors hand it on: the
// call's own, which also holds what they know of the call (one allocation
// per call for both).
type callCtx struct {
	context.Context
	call call
}

func (c *callCtx) Value(key any) any {
	if _, ok := key.(callKey); ok {
		return &c.call
	}
	return c.Context.Value(key)
}

// callLogger is log with the method and room of the call ctx belongs to,
// when LogCalls intercepts it.
func callLogger(ctx context.Context, log *slog.Logger) *slog.Logger {
	c, ok := ctx.Value(callKey{}).(*call)
	if !ok {
		return log
	}
	return log.With("method", c.method, "room", c.roomCode())
}

// LogCalls are the interceptors that log every call as it ends: method,
// room, status code and latency. Failures the server must look at
// (Internal, Unknown, DataLoss) are errors; Unavailable and
// ResourceExhausted, which a failing store or an abusive client cause, are
// warnings; the rest are debug lines.
func LogCalls(log *slog.Logger) []grpc.ServerOption {
	unary := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		c := &callCtx{Context: ctx, call: call{method: info.FullMethod}}
		c.call.setRoom(req)
		start := time.Now()
		resp, err := handler(c, req)
		logCall(ctx, log, &c.call, err, time.Since(start))
		return resp, err
	}
	stream := func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ls := &loggedStream{ServerStream: ss, ctx: callCtx{Context: ss.Context(), call: call{method: info.FullMethod}}}
		start := time.Now()
		err := handler(srv, ls)
		logCall(ss.Context(), log, &ls.ctx.call, err, time.Since(start))
		return err
	}
	return []grpc.ServerOption{grpc.ChainUnaryInterceptor(unary), grpc.ChainStreamInterceptor(stream)}
}

// logCall logs the end of a call at the level its status deserves.
func logCall(ctx context.Context, log *slog.Logger, c *call, err error, took time.Duration) {
	code := status.Code(err)
	level := slog.LevelDebug
	switch code {
	case codes.Internal, codes.Unknown, codes.DataLoss:
		level = slog.LevelError
	case codes.Unavailable, codes.ResourceExhausted:
		level = slog.LevelWarn
	}
	if !log.Enabled(ctx, level) {
		return
	}
	attrs := []any{"method", c.method, "room", c.roomCode(), "code", code.String(), "ms", took.Milliseconds()}
	if err != nil {
		attrs = append(attrs, "status", status.Convert(err).Message())
	}
	log.Log(ctx, level, "call", attrs...)
}

// loggedStream records the room a stream's request names.
type loggedStream struct {
	grpc.ServerStream
	ctx callCtx
}

func (s *loggedStream) Context() context.Context { return &s.ctx }

func (s *loggedStream) RecvMsg(m any) error {
	err := s.ServerStream.RecvMsg(m)
	if err == nil {
		s.ctx.call.setRoom(m)
	}
	return err
}
