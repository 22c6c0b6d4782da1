package api_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/api"
	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/room"
	"github.com/quizroom/quizroom/server/servertest"
)

// watchErr opens a Watch and returns how it ended, or nil once it
// delivered its first event (the stream stays open until the test ends).
func (e *env) watchErr(t *testing.T, cl quizv1.QuizServiceClient, code, token string) error {
	t.Helper()
	c, cancel := context.WithCancel(as(context.Background(), token))
	t.Cleanup(cancel)
	stream, err := cl.Watch(c, &quizv1.WatchRequest{RoomCode: code})
	if err != nil {
		return err
	}
	_, err = stream.Recv()
	return err
}

// identifyCounter counts how often the store is asked who holds a token.
type identifyCounter struct {
	room.Store
	n atomic.Int64
}

func (s *identifyCounter) Identify(ctx context.Context, code, hash string) (room.Identity, error) {
	s.n.Add(1)
	return s.Store.Identify(ctx, code, hash)
}

// TestAbuse is a table of abuse rules: for each, a server with that limit
// set low, the abuse, and the refusal it must meet.
func TestAbuse(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  servertest.Options
		run  func(t *testing.T, e *env)
	}{
		{
			name: "deck uploads per address",
			opt:  servertest.Options{API: api.Config{UploadsPerHour: 2}},
			run: func(t *testing.T, e *env) {
				for i := range 3 {
					_, err := e.client.UploadDeck(ctx(t), &quizv1.UploadDeckRequest{Source: strings.Replace(testDeck, "id: test-deck", "id: deck-"+string(rune('a'+i)), 1)})
					if i < 2 && err != nil {
						t.Fatalf("upload %d of 2 allowed: %v", i+1, err)
					}
					if i == 2 {
						wantCode(t, err, codes.ResourceExhausted, "a third upload in the hour")
					}
				}
			},
		},
		{
			name: "uploaded decks expire",
			opt:  servertest.Options{Engine: room.Config{DeckTTL: 300 * time.Millisecond}},
			run: func(t *testing.T, e *env) {
				up, err := e.client.UploadDeck(ctx(t), &quizv1.UploadDeckRequest{Source: testDeck})
				if err != nil {
					t.Fatal(err)
				}
				time.Sleep(500 * time.Millisecond)
				decks, err := e.client.ListDecks(ctx(t), &quizv1.ListDecksRequest{})
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range decks.GetDecks() {
					if d.GetId() == up.GetDeck().GetId() {
						t.Errorf("ListDecks still lists %s after its time", d.GetId())
					}
				}
				_, err = e.client.CreateRoom(ctx(t), &quizv1.CreateRoomRequest{Source: &quizv1.CreateRoomRequest_DeckId{DeckId: up.GetDeck().GetId()}})
				wantCode(t, err, codes.NotFound, "CreateRoom from an expired deck")
			},
		},
		{
			name: "Watch calls per address",
			opt:  servertest.Options{API: api.Config{WatchRate: 1}},
			run: func(t *testing.T, e *env) {
				r := e.create(t, fast())
				for range 2 { // the burst
					if err := e.watchErr(t, e.client, r.code, ""); err != nil {
						t.Fatal(err)
					}
				}
				wantCode(t, e.watchErr(t, e.client, r.code, ""), codes.ResourceExhausted, "a third Watch at once")
			},
		},
		{
			name: "Watch calls per token",
			opt:  servertest.Options{API: api.Config{WatchTokenRate: 1}},
			run: func(t *testing.T, e *env) {
				r := e.create(t, fast())
				p := e.join(t, r.code, "Ann")
				for range 2 {
					if err := e.watchErr(t, e.client, r.code, p.token); err != nil {
						t.Fatal(err)
					}
				}
				wantCode(t, e.watchErr(t, e.client, r.code, p.token), codes.ResourceExhausted, "a player's third Watch at once")
				if err := e.watchErr(t, e.client, r.code, r.host); err != nil {
					t.Errorf("the host's Watch while a player is over the limit: %v", err)
				}
			},
		},
		{
			name: "open streams per token",
			opt:  servertest.Options{API: api.Config{StreamsPerToken: 2, WatchTokenRate: -1}},
			run: func(t *testing.T, e *env) {
				r := e.create(t, fast())
				p := e.join(t, r.code, "Ann")
				first := e.watch(t, r.code, p.token, 0)
				e.watch(t, r.code, p.token, 0)
				wantCode(t, e.watchErr(t, e.client, r.code, p.token), codes.ResourceExhausted, "a third stream of one token")
				first.stop()
				var err error
				for range 100 { // the server counts the stream out once its handler returned
					if err = e.watchErr(t, e.client, r.code, p.token); err == nil {
						break
					}
					time.Sleep(10 * time.Millisecond)
				}
				if err != nil {
					t.Errorf("a stream after one of two closed: %v", err)
				}
			},
		},
		{
			name: "streams per connection",
			opt:  servertest.Options{API: api.Config{WatchRate: -1}},
			run: func(t *testing.T, e *env) {
				r := e.create(t, fast())
				conn, err := grpc.NewClient(e.srv.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = conn.Close() })
				cl := quizv1.NewQuizServiceClient(conn)
				for range api.MaxConcurrentStreams {
					if err := e.watchErr(t, cl, r.code, ""); err != nil {
						t.Fatal(err)
					}
				}
				// The connection has no stream left: a call waits for one.
				c, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
				defer cancel()
				_, err = cl.GetRoom(c, &quizv1.GetRoomRequest{RoomCode: r.code})
				wantCode(t, err, codes.DeadlineExceeded, "a call beyond the connection's streams")
			},
		},
		{
			name: "malformed tokens",
			run: func(t *testing.T, e *env) {
				r := e.create(t, fast())
				for _, tok := range []string{"x", strings.Repeat("a", 23), strings.Repeat("a", 21) + "=", "abc def ghi jkl mnop q"} {
					_, err := e.client.StartGame(as(ctx(t), tok), &quizv1.StartGameRequest{RoomCode: r.code})
					wantCode(t, err, codes.Unauthenticated, "StartGame with token "+tok)
				}
			},
		},
		{
			name: "guessed tokens",
			opt:  servertest.Options{API: api.Config{AuthFailRate: 0.001}},
			run: func(t *testing.T, e *env) {
				r := e.create(t, fast())
				counter := e.srv.Store.(*identifyCounter)
				for range 10 { // the burst
					_, err := e.client.StartGame(as(ctx(t), room.NewToken()), &quizv1.StartGameRequest{RoomCode: r.code})
					wantCode(t, err, codes.PermissionDenied, "a guessed token")
				}
				asked := counter.n.Load()
				for range 20 {
					_, err := e.client.StartGame(as(ctx(t), room.NewToken()), &quizv1.StartGameRequest{RoomCode: r.code})
					wantCode(t, err, codes.ResourceExhausted, "a guessed token after 10 refusals")
				}
				if got := counter.n.Load() - asked; got != 0 {
					t.Errorf("20 guesses after the limit asked the store %d times, want none", got)
				}
			},
		},
		{
			name: "look-alike names",
			run: func(t *testing.T, e *env) {
				r := e.create(t, fast())
				e.join(t, r.code, "Ada")
				for _, name := range []string{"\u0410da", "ADA", "\uff21da", "Ad\u0430"} {
					_, err := e.client.JoinRoom(ctx(t), &quizv1.JoinRoomRequest{RoomCode: r.code, Name: name})
					wantCode(t, err, codes.AlreadyExists, "joining as "+name+" beside Ada")
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.opt.Store == nil {
				tc.opt.Store = &identifyCounter{Store: memstore.New(memstore.Config{})}
			}
			tc.run(t, newEnv(t, tc.opt))
		})
	}
}
