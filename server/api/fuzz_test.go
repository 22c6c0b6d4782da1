package api

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/room"
)

// fuzzServer is the service on a running engine, called in-process.
func fuzzServer(f testing.TB) *Server {
	f.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e, err := room.New(room.Config{Store: memstore.New(memstore.Config{}), Encoder: Encoder{}, Logger: log})
	if err != nil {
		f.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = e.Run(ctx); close(done) }()
	f.Cleanup(func() { cancel(); <-done })
	return New(Config{Engine: e, Logger: log, JoinRate: -1, AnswerRate: -1})
}

func withToken(token string) context.Context {
	return metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+token))
}

// known are the codes a handler may answer bad input with; anything else
// (Internal, Unknown) means the input reached somewhere it should not.
var known = map[codes.Code]bool{
	codes.OK: true, codes.InvalidArgument: true, codes.NotFound: true, codes.AlreadyExists: true,
	codes.FailedPrecondition: true, codes.PermissionDenied: true, codes.Unauthenticated: true,
	codes.ResourceExhausted: true,
}

// FuzzSubmitAnswer throws arbitrary answers at an open question: the
// server answers each with a known code, and no player ever has more than
// one accepted answer to a question.
func FuzzSubmitAnswer(f *testing.F) {
	s := fuzzServer(f)
	created, err := s.CreateRoom(context.Background(), &quizv1.CreateRoomRequest{Source: &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"}})
	if err != nil {
		f.Fatal(err)
	}
	code, host := created.GetRoom().GetCode(), created.GetHostToken()
	var tokens []string
	for _, name := range []string{"A", "B", "C"} {
		j, err := s.JoinRoom(context.Background(), &quizv1.JoinRoomRequest{RoomCode: code, Name: name})
		if err != nil {
			f.Fatal(err)
		}
		tokens = append(tokens, j.GetPlayerToken())
	}
	if _, err := s.StartGame(withToken(host), &quizv1.StartGameRequest{RoomCode: code}); err != nil {
		f.Fatal(err)
	}
	f.Add(uint8(0), int32(0), []byte{1}, "")
	f.Add(uint8(1), int32(0), []byte{}, "lambda")
	f.Add(uint8(2), int32(7), []byte{0, 0, 9}, "\x00")
	f.Add(uint8(0), int32(-1), []byte{255, 1, 2, 3, 4, 5, 6}, "")
	f.Fuzz(func(t *testing.T, who uint8, q int32, choices []byte, text string) {
		cs := make([]int32, len(choices))
		for i, c := range choices {
			cs[i] = int32(int8(c))
		}
		_, err := s.SubmitAnswer(withToken(tokens[int(who)%len(tokens)]), &quizv1.SubmitAnswerRequest{
			RoomCode: code, QuestionIndex: q, Answer: &quizv1.Answer{Choices: cs, Text: text},
		})
		if c := status.Code(err); !known[c] {
			t.Fatalf("answer q=%d choices=%v text=%q: %v", q, cs, text, err)
		}
		rep, err := s.GetReport(withToken(host), &quizv1.GetReportRequest{RoomCode: code})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range rep.GetReport().GetPlayers() {
			seen := map[int32]bool{}
			for _, a := range p.GetAnswers() {
				if seen[a.GetQuestionIndex()] {
					t.Fatalf("%s has two answers to question %d", p.GetStanding().GetPlayer().GetPlayerId(), a.GetQuestionIndex())
				}
				seen[a.GetQuestionIndex()] = true
			}
		}
	})
}

// FuzzJoinRoom throws arbitrary codes and names at JoinRoom: known codes
// only, and every accepted name is one the room can show.
func FuzzJoinRoom(f *testing.F) {
	s := fuzzServer(f)
	created, err := s.CreateRoom(context.Background(), &quizv1.CreateRoomRequest{Source: &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"}, Settings: &quizv1.RoomSettings{MaxPlayers: 10000}})
	if err != nil {
		f.Fatal(err)
	}
	code := created.GetRoom().GetCode()
	f.Add(code, "Ada")
	f.Add(code, " ")
	f.Add("abc", "x")
	f.Add(code, "a\u202eb")
	f.Fuzz(func(t *testing.T, c, name string) {
		if len(c) > 0 && c[0] == '=' {
			c = code // let the fuzzer reach the real room often
		}
		resp, err := s.JoinRoom(context.Background(), &quizv1.JoinRoomRequest{RoomCode: c, Name: name})
		if st := status.Code(err); !known[st] {
			t.Fatalf("join %q as %q: %v", c, name, err)
		}
		if err == nil && (resp.GetName() == "" || len([]rune(resp.GetName())) > room.MaxNameLen) {
			t.Fatalf("join as %q accepted the name %q", name, resp.GetName())
		}
	})
}

// FuzzDecodeRequest throws arbitrary bytes at the server's codec as every
// request type: each either decodes or is marked undecodable (which the
// interceptors refuse with InvalidArgument), never both, and never panics.
func FuzzDecodeRequest(f *testing.F) {
	f.Add([]byte{0x0a, 0x06, 'A', 'B', 'C', '2', '3', '4'})
	f.Add([]byte{0x0a, 0xff, 0xff, 0xff})
	f.Add([]byte{0x10, 0x80})
	c := Codec()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range []proto.Message{
			&quizv1.WatchRequest{}, &quizv1.JoinRoomRequest{}, &quizv1.SubmitAnswerRequest{},
			&quizv1.CreateRoomRequest{}, &quizv1.UploadDeckRequest{},
		} {
			if err := c.Unmarshal(mem.BufferSlice{mem.SliceBuffer(data)}, m); err != nil {
				t.Fatalf("%T: the codec returned %v; it marks undecodable bytes instead", m, err)
			}
			why, bad := undecodable(m)
			if strict := proto.Unmarshal(data, m.ProtoReflect().New().Interface()); (strict != nil) != bad {
				t.Fatalf("%T: marked undecodable=%t (%s) but proto.Unmarshal says %v", m, bad, why, strict)
			}
		}
	})
}
