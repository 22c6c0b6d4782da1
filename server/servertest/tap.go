package servertest

import (
	"context"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// Frame is one message a Tap received: its bytes as they came off the wire,
// and what they decode to.
type Frame struct {
	Raw  []byte
	Resp *quizv1.WatchResponse
}

// Tap is one Watch stream on a connection of its own that keeps every
// message's raw bytes beside its decoding, in the order they arrived, for
// tests that look at the wire itself.
type Tap struct {
	mu     sync.Mutex // guards frames and ended
	frames []Frame
	ended  error // why the stream ended, once it did
	cancel context.CancelFunc
	done   chan struct{}
}

// rawKeeper is a client codec that keeps each message's bytes before
// decoding it. A Tap's connection carries one stream, so the bytes kept
// belong to the message Recv returns next.
type rawKeeper struct {
	encoding.CodecV2
	last *[]byte
}

func (r rawKeeper) Unmarshal(data mem.BufferSlice, v any) error {
	*r.last = data.Materialize()
	return r.CodecV2.Unmarshal(data, v)
}

// Tap watches room code as token (empty: a spectator) from after, and
// stops when the test ends.
func (s *Server) Tap(t testing.TB, code, token string, after uint64) *Tap {
	t.Helper()
	var last []byte
	conn, err := grpc.NewClient(s.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(rawKeeper{CodecV2: encoding.GetCodecV2("proto"), last: &last})))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(WithToken(context.Background(), token))
	stream, err := quizv1.NewQuizServiceClient(conn).Watch(ctx, &quizv1.WatchRequest{RoomCode: code, AfterSeq: after})
	if err != nil {
		cancel()
		_ = conn.Close()
		t.Fatal(err)
	}
	tp := &Tap{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(tp.done)
		defer conn.Close()
		for {
			resp, err := stream.Recv()
			if err != nil {
				tp.mu.Lock()
				tp.ended = err
				tp.mu.Unlock()
				return
			}
			tp.mu.Lock()
			tp.frames = append(tp.frames, Frame{Raw: last, Resp: resp})
			tp.mu.Unlock()
		}
	}()
	t.Cleanup(tp.Stop)
	return tp
}

// Stop closes the stream and waits for its reader.
func (tp *Tap) Stop() {
	tp.cancel()
	<-tp.done
}

// Frames returns the messages received so far.
func (tp *Tap) Frames() []Frame {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return append([]Frame(nil), tp.frames...)
}

// Wait returns the first message received, now or within 20 s, that
// matches, failing the test otherwise (with how the stream ended, when it
// did, and the last message received).
func (tp *Tap) Wait(t testing.TB, what string, match func(*quizv1.WatchResponse) bool) *quizv1.WatchResponse {
	t.Helper()
	for deadline, seen := time.Now().Add(20*time.Second), 0; time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		frames := tp.Frames()
		for _, f := range frames[seen:] {
			if match(f.Resp) {
				return f.Resp
			}
		}
		seen = len(frames)
	}
	tp.mu.Lock()
	defer tp.mu.Unlock()
	var last *quizv1.WatchResponse
	if n := len(tp.frames); n > 0 {
		last = tp.frames[n-1].Resp
	}
	t.Fatalf("no %s within 20 s; %d messages received, the last %v; the stream's end: %v", what, len(tp.frames), last, tp.ended)
	return nil
}
