package conn

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// step is what one Watch call of the fake server does: send the events of
// these seqs (0: a snapshot at snapshotSeq), then end with err.
type step struct {
	seqs        []uint64
	snapshotSeq uint64
	err         error
}

// fakeServer serves Watch from a script of steps, one per call, and
// records what each call asked for.
type fakeServer struct {
	quizv1.UnimplementedQuizServiceServer
	mu    sync.Mutex // guards steps, afters, epochs and tokens
	steps []step
	// serverTime is the server_time of every event; unset when zero.
	serverTime time.Time
	// getRoom is GetRoom's error; nil: Unimplemented.
	getRoom error
	afters  []uint64
	epochs  []uint64
	tokens  []string
}

func (f *fakeServer) Watch(req *quizv1.WatchRequest, stream grpc.ServerStreamingServer[quizv1.WatchResponse]) error {
	md, _ := metadata.FromIncomingContext(stream.Context())
	f.mu.Lock()
	f.afters = append(f.afters, req.GetAfterSeq())
	f.epochs = append(f.epochs, req.GetEpoch())
	f.tokens = append(f.tokens, strings.Join(md.Get("authorization"), ","))
	if len(f.steps) == 0 {
		f.mu.Unlock()
		return status.Error(codes.Unavailable, "no more steps")
	}
	s := f.steps[0]
	f.steps = f.steps[1:]
	f.mu.Unlock()
	for _, seq := range s.seqs {
		ev := &quizv1.Event{Seq: seq, Payload: &quizv1.Event_GameStarted{GameStarted: &quizv1.GameStarted{}}}
		if seq == 0 {
			ev = &quizv1.Event{Seq: s.snapshotSeq, Payload: &quizv1.Event_Snapshot{Snapshot: &quizv1.RoomSnapshot{
				Room: &quizv1.RoomInfo{Epoch: 40 + s.snapshotSeq},
			}}}
		}
		if !f.serverTime.IsZero() {
			ev.ServerTime = timestamppb.New(f.serverTime)
		}
		if err := stream.Send(&quizv1.WatchResponse{Event: ev}); err != nil {
			return err
		}
	}
	return s.err
}

func (f *fakeServer) GetRoom(context.Context, *quizv1.GetRoomRequest) (*quizv1.GetRoomResponse, error) {
	if f.getRoom != nil {
		return nil, f.getRoom
	}
	return nil, status.Error(codes.Unimplemented, "no GetRoom")
}

func (f *fakeServer) ListDecks(context.Context, *quizv1.ListDecksRequest) (*quizv1.ListDecksResponse, error) {
	st, _ := status.New(codes.InvalidArgument, "bad deck").WithDetails(&errdetails.BadRequest{
		FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "source", Description: "deck.md:3: no options"}},
	})
	return nil, st.Err()
}

// serve starts f on 127.0.0.1 and returns a client of it.
func serve(t *testing.T, f *fakeServer) *Client {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	quizv1.RegisterQuizServiceServer(srv, f)
	done := make(chan struct{})
	go func() { _ = srv.Serve(lis); close(done) }()
	c, err := Dial(Config{Addr: lis.Addr().String(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.Close()
		srv.Stop()
		<-done
	})
	return c
}

// follow runs Follow with fast backoff and returns what the handler saw:
// each event's seq, and -attempt for each reconnection notice.
func follow(t *testing.T, c *Client, stopAt uint64) ([]int64, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var got []int64
	err := c.Follow(ctx, FollowConfig{Code: "ABC234", MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond},
		func(u Update) bool {
			if u.Event == nil {
				if !u.Reconnecting || u.Err == nil {
					t.Errorf("connection update %+v: want Reconnecting with its reason", u)
				}
				got = append(got, -int64(u.Attempt))
				return true
			}
			got = append(got, int64(u.Event.GetSeq()))
			return stopAt == 0 || u.Event.GetSeq() < stopAt
		})
	return got, err
}

func TestFollowResumesAfterLastSeq(t *testing.T) {
	f := &fakeServer{steps: []step{
		{seqs: []uint64{0, 3, 4}, snapshotSeq: 2, err: status.Error(codes.Unavailable, "server shutting down")},
		{seqs: []uint64{5, 6}, err: status.Error(codes.ResourceExhausted, "too slow")},
		{seqs: []uint64{5, 6, 7}}, // replays two already seen, then ends the stream with OK
	}}
	c := serve(t, f).WithToken("tok")
	got, err := follow(t, c, 0)
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	if want := []int64{2, 3, 4, -1, 5, 6, -1, 7}; !slices.Equal(got, want) {
		t.Errorf("handler saw %v, want %v", got, want)
	}
	if want := []uint64{0, 4, 6}; !slices.Equal(f.afters, want) {
		t.Errorf("after_seq of the calls = %v, want %v", f.afters, want)
	}
	if want := []uint64{0, 42, 42}; !slices.Equal(f.epochs, want) {
		t.Errorf("epoch of the calls = %v, want %v: the snapshot's, once known", f.epochs, want)
	}
	for _, tok := range f.tokens {
		if tok != "Bearer tok" {
			t.Errorf("authorization = %q, want Bearer tok", tok)
		}
	}
}

// TestFollowGoesOnWithAnOpenedWatch opens a Watch, reads its snapshot and
// hands it to Follow: Follow goes on with that call, and only a dropped
// stream makes another.
func TestFollowGoesOnWithAnOpenedWatch(t *testing.T) {
	f := &fakeServer{steps: []step{
		{seqs: []uint64{0, 3, 4}, snapshotSeq: 2, err: status.Error(codes.Unavailable, "server shutting down")},
		{seqs: []uint64{5}},
	}}
	c := serve(t, f).WithToken("tok")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := c.Open(ctx, "ABC234")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if got := w.Snapshot().GetRoom().GetEpoch(); got != 42 {
		t.Errorf("Open's snapshot has epoch %d, want 42", got)
	}
	var got []int64
	err = c.Follow(ctx, FollowConfig{Code: "ABC234", Opened: w, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}, func(u Update) bool {
		if u.Event == nil {
			got = append(got, -int64(u.Attempt))
		} else {
			got = append(got, int64(u.Event.GetSeq()))
		}
		return true
	})
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	if want := []int64{2, 3, 4, -1, 5}; !slices.Equal(got, want) {
		t.Errorf("handler saw %v, want %v", got, want)
	}
	if want := []uint64{0, 4}; !slices.Equal(f.afters, want) {
		t.Errorf("after_seq of the calls = %v, want %v: the opened call, then one resume", f.afters, want)
	}
}

// TestOpenRefusals: Open returns the server's refusal, and refuses a
// stream that does not start with a snapshot.
func TestOpenRefusals(t *testing.T) {
	f := &fakeServer{steps: []step{
		{err: status.Error(codes.PermissionDenied, "not a player of this room")},
		{seqs: []uint64{7}},
	}}
	c := serve(t, f)
	if _, err := c.Open(context.Background(), "ABC234"); status.Code(err) != codes.PermissionDenied {
		t.Errorf("Open with a refused token = %v, want PermissionDenied", err)
	}
	if _, err := c.Open(context.Background(), "ABC234"); err == nil || !strings.Contains(err.Error(), "not a snapshot") {
		t.Errorf("Open of a stream without a snapshot = %v, want it refused", err)
	}
}

func TestFollowRewatchesAfterAGap(t *testing.T) {
	f := &fakeServer{steps: []step{
		{seqs: []uint64{0, 3, 5, 6}, snapshotSeq: 2},
		{seqs: []uint64{4, 5}},
	}}
	got, err := follow(t, serve(t, f), 0)
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	if want := []int64{2, 3, -1, 4, 5}; !slices.Equal(got, want) {
		t.Errorf("handler saw %v, want %v", got, want)
	}
	if want := []uint64{0, 3}; !slices.Equal(f.afters, want) {
		t.Errorf("after_seq of the calls = %v, want %v", f.afters, want)
	}
}

func TestFollowStopsOnPermanentErrors(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{status.Error(codes.NotFound, "no room ABC234"), "Room ABC234 is gone: it ended or expired."},
		{status.Error(codes.DataLoss, "room ABC234's history was lost"), "the server lost this room's history"},
		{status.Error(codes.InvalidArgument, "after_seq 9 is ahead of the room"), "after_seq 9 is ahead"},
	} {
		f := &fakeServer{steps: []step{{seqs: []uint64{0}, snapshotSeq: 1, err: status.Error(codes.Unavailable, "restarting")}, {err: tc.err}}}
		got, err := follow(t, serve(t, f), 0)
		var e *Error
		if !errors.As(err, &e) || e.Code != status.Code(tc.err) || !strings.Contains(e.Msg, tc.want) {
			t.Fatalf("Follow = %v, want an explained %v saying %q", err, status.Code(tc.err), tc.want)
		}
		if want := []int64{1, -1}; !slices.Equal(got, want) || len(f.afters) != 2 {
			t.Errorf("%v: handler saw %v after %d calls, want %v after 2: no retry", status.Code(tc.err), got, len(f.afters), want)
		}
	}
}

// notFound is the server's NotFound for room ABC234 with its ErrorInfo.
func notFound(t *testing.T, store string, started time.Time) error {
	t.Helper()
	st, err := status.New(codes.NotFound, "no room ABC234").WithDetails(&errdetails.ErrorInfo{
		Reason: ReasonRoomNotFound, Domain: "quiz.v1",
		Metadata: map[string]string{"store": store, "server_started": started.Format(time.RFC3339Nano)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return st.Err()
}

// TestFollowSaysTheServerRestarted follows a room whose server restarts
// (Unavailable) and comes back without it: a memory server started after
// the last event seen lost it in the restart; otherwise it ended.
func TestFollowSaysTheServerRestarted(t *testing.T) {
	const restarted = "The server restarted and room ABC234 is gone; rooms survive restarts when the server runs with Redis."
	const ended = "Room ABC234 is gone: it ended or expired."
	for _, tc := range []struct {
		name string
		err  func(seen time.Time) error
		want string
	}{
		{"memory, started later", func(seen time.Time) error { return notFound(t, "memory", seen.Add(time.Second)) }, restarted},
		{"memory, started before", func(seen time.Time) error { return notFound(t, "memory", seen.Add(-time.Hour)) }, ended},
		{"redis", func(seen time.Time) error { return notFound(t, "redis", seen.Add(time.Second)) }, ended},
		{"no detail", func(time.Time) error { return status.Error(codes.NotFound, "no room ABC234") }, ended},
		{"history lost, room not there", func(seen time.Time) error {
			return status.Error(codes.DataLoss, "room ABC234's history was lost on the server")
		}, restarted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
			f := &fakeServer{serverTime: seen, steps: []step{
				{seqs: []uint64{0}, snapshotSeq: 1, err: status.Error(codes.Unavailable, "restarting")},
				{err: tc.err(seen)},
			}, getRoom: notFound(t, "memory", seen.Add(time.Second))}
			_, err := follow(t, serve(t, f), 0)
			var e *Error
			if !errors.As(err, &e) || e.Code != codes.NotFound || e.Msg != tc.want {
				t.Fatalf("Follow = %v, want NotFound saying %q", err, tc.want)
			}
		})
	}
}

func TestGone(t *testing.T) {
	seen := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	if err := Gone(notFound(t, "memory", seen.Add(time.Minute)), "joining room ABC234", "a:1", "ABC234", time.Time{}); !strings.Contains(err.Error(), "no room ABC234") {
		t.Errorf("Gone without a time seen = %v, want the server's message: the code may be wrong", err)
	}
	err := Gone(notFound(t, "memory", seen.Add(time.Minute)), "joining room ABC234", "a:1", "ABC234", seen)
	if want := "The server restarted and room ABC234 is gone; rooms survive restarts when the server runs with Redis."; err == nil || err.Error() != want {
		t.Errorf("Gone = %v, want %q", err, want)
	}
	if err := Gone(status.Error(codes.PermissionDenied, "not yours"), "joining room ABC234", "a:1", "ABC234", seen); Code(err) != codes.PermissionDenied {
		t.Errorf("Gone(PermissionDenied) = %v, want it explained as it is", err)
	}
}

func TestFollowGivesUp(t *testing.T) {
	f := &fakeServer{} // every call: Unavailable
	got, err := follow(t, serve(t, f), 0)
	if err == nil || !strings.Contains(err.Error(), "gave up after 3 reconnections") {
		t.Fatalf("Follow = %v, want it to give up", err)
	}
	if want := []int64{-1, -2, -3}; !slices.Equal(got, want) {
		t.Errorf("handler saw %v, want %v", got, want)
	}
}

func TestFollowAttemptsResetAfterAnEvent(t *testing.T) {
	unavailable := status.Error(codes.Unavailable, "down")
	f := &fakeServer{steps: []step{
		{seqs: []uint64{0}, snapshotSeq: 1, err: unavailable},
		{err: unavailable},
		{seqs: []uint64{2}, err: unavailable},
		{seqs: []uint64{3}},
	}}
	got, err := follow(t, serve(t, f), 0)
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	if want := []int64{1, -1, -2, 2, -1, 3}; !slices.Equal(got, want) {
		t.Errorf("handler saw %v, want %v", got, want)
	}
}

func TestFollowStopsWhenHandlerSays(t *testing.T) {
	f := &fakeServer{steps: []step{{seqs: []uint64{0, 2, 3, 4}, snapshotSeq: 1}}}
	got, err := follow(t, serve(t, f), 3)
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	if want := []int64{1, 2, 3}; !slices.Equal(got, want) {
		t.Errorf("handler saw %v, want %v", got, want)
	}
}

func TestExplain(t *testing.T) {
	c := serve(t, &fakeServer{})
	ctx, cancel := c.Call(context.Background())
	defer cancel()
	_, err := c.API.ListDecks(ctx, &quizv1.ListDecksRequest{})
	err = Explain(err, "listing decks", c.Addr())
	var e *Error
	if !errors.As(err, &e) || e.Code != codes.InvalidArgument || e.Msg != "listing decks: bad deck" {
		t.Fatalf("Explain = %#v", err)
	}
	if !slices.Equal(e.Violations, []string{"deck.md:3: no options"}) {
		t.Errorf("violations = %q", e.Violations)
	}

	tests := []struct {
		err  error
		code codes.Code
		want string
	}{
		{status.Error(codes.Unavailable, "connection error: desc = \"transport: Error while dialing: dial tcp 127.0.0.1:1: connect: connection refused\""), codes.Unavailable,
			"joining: cannot reach the server at 127.0.0.1:1: is it running? (set --addr or QUIZ_ADDR)"},
		{status.Error(codes.Unavailable, "the server is shutting down"), codes.Unavailable, "joining: the server is unavailable: the server is shutting down"},
		{status.Error(codes.DeadlineExceeded, "context deadline exceeded"), codes.DeadlineExceeded, "joining: the server did not answer in time (raise --timeout or QUIZ_TIMEOUT)"},
		{status.Error(codes.FailedPrecondition, "room ABC234 is locked"), codes.FailedPrecondition, "joining: room ABC234 is locked"},
		{status.Error(codes.Internal, "internal error: the server logged it"), codes.Internal, "joining: the server failed: internal error: the server logged it"},
	}
	for _, tt := range tests {
		got := Explain(tt.err, "joining", "127.0.0.1:1")
		if Code(got) != tt.code || got.Error() != tt.want {
			t.Errorf("Explain(%v) = %q (%v), want %q (%v)", tt.err, got, Code(got), tt.want, tt.code)
		}
	}
	if Explain(nil, "x", "y") != nil {
		t.Error("Explain(nil) is not nil")
	}
	if got := Explain(status.Error(codes.Canceled, "canceled"), "x", "y"); !errors.Is(got, context.Canceled) {
		t.Errorf("Explain(Canceled) = %v, want context.Canceled", got)
	}
}

func TestDialUnreachable(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close() // nothing listens there now
	c, err := Dial(Config{Addr: addr, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := c.Call(context.Background())
	defer cancel()
	_, err = c.API.ListDecks(ctx, &quizv1.ListDecksRequest{})
	if got := Explain(err, "listing decks", addr); !strings.Contains(got.Error(), "cannot reach the server at "+addr) {
		t.Errorf("Explain = %q, want a cannot-reach message", got)
	}
}

func TestDialTLSConfig(t *testing.T) {
	if _, err := Dial(Config{Addr: "127.0.0.1:1", CAFile: "/no/such/ca.pem"}); err == nil {
		t.Error("Dial with a missing CA file succeeded")
	}
	c, err := Dial(Config{Addr: "127.0.0.1:1", InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
}

func TestBackoffBounds(t *testing.T) {
	cfg := FollowConfig{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}.withDefaults()
	for n := 1; n <= 10; n++ {
		want := min(100*time.Millisecond<<(n-1), time.Second)
		for range 20 {
			if d := backoff(cfg, n); d < want*3/4 || d > want*5/4 {
				t.Fatalf("backoff(%d) = %s, want within 25%% of %s", n, d, want)
			}
		}
	}
}
