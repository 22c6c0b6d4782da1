package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/room"
	"github.com/quizroom/quizroom/server/servertest"
)

// report reads a room's report as its host.
func (e *env) report(t *testing.T, r testRoom) *quizv1.Report {
	t.Helper()
	resp, err := e.client.GetReport(as(ctx(t), r.host), &quizv1.GetReportRequest{RoomCode: r.code})
	if err != nil {
		t.Fatalf("GetReport: %v", err)
	}
	rep := resp.GetReport()
	rep.GeneratedAt = nil
	return rep
}

// roomInfo reads a room's description.
func (e *env) roomInfo(t *testing.T, code string) *quizv1.RoomInfo {
	t.Helper()
	resp, err := e.client.GetRoom(ctx(t), &quizv1.GetRoomRequest{RoomCode: code})
	if err != nil {
		t.Fatalf("GetRoom: %v", err)
	}
	return resp.GetRoom()
}

// unchanged fails the test when the room's report or description moved.
func (e *env) unchanged(t *testing.T, r testRoom, before *quizv1.Report, info *quizv1.RoomInfo) {
	t.Helper()
	if after := e.report(t, r); !proto.Equal(before, after) {
		t.Errorf("the room's report changed:\nbefore %v\nafter  %v", before, after)
	}
	if after := e.roomInfo(t, r.code); !proto.Equal(info, after) {
		t.Errorf("the room changed:\nbefore %v\nafter  %v", info, after)
	}
}

// TestRefusedAnswers sends answers that must be refused, each with its code,
// and checks that none of them changed the room.
func TestRefusedAnswers(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	r := e.create(t, fast())
	p := e.join(t, r.code, "Ada")
	e.join(t, r.code, "Bob")

	_, err := e.answer(t, r.code, p, 0, &quizv1.Answer{Choices: []int32{1}})
	wantCode(t, err, codes.FailedPrecondition, "answer in the lobby")

	e.host(t, r, start)
	if _, err := e.answer(t, r.code, p, 0, &quizv1.Answer{Choices: []int32{1}}); err != nil {
		t.Fatalf("first answer: %v", err)
	}
	before, info := e.report(t, r), e.roomInfo(t, r.code)
	cases := []struct {
		name string
		q    int
		a    *quizv1.Answer
		code codes.Code
	}{
		{"second answer", 0, &quizv1.Answer{Choices: []int32{0}}, codes.AlreadyExists},
		{"another question", 1, &quizv1.Answer{Choices: []int32{0}}, codes.FailedPrecondition},
		{"no such question", 99, &quizv1.Answer{Choices: []int32{0}}, codes.InvalidArgument},
		{"negative question", -1, &quizv1.Answer{Choices: []int32{0}}, codes.InvalidArgument},
		{"no answer", 0, nil, codes.InvalidArgument},
		{"two choices for single choice", 0, &quizv1.Answer{Choices: []int32{0, 1}}, codes.InvalidArgument},
		{"choice out of range", 0, &quizv1.Answer{Choices: []int32{3}}, codes.InvalidArgument},
		{"negative choice", 0, &quizv1.Answer{Choices: []int32{-1}}, codes.InvalidArgument},
		{"text for a choice question", 0, &quizv1.Answer{Text: "Lambda"}, codes.InvalidArgument},
		{"too many choices", 0, &quizv1.Answer{Choices: []int32{0, 1, 2, 3, 4, 5, 6}}, codes.InvalidArgument},
	}
	for _, c := range cases {
		_, err := e.answer(t, r.code, p, c.q, c.a)
		wantCode(t, err, c.code, c.name)
	}
	e.unchanged(t, r, before, info)

	e.host(t, r, closeQ)
	before, info = e.report(t, r), e.roomInfo(t, r.code)
	_, err = e.answer(t, r.code, p, 0, &quizv1.Answer{Choices: []int32{1}})
	wantCode(t, err, codes.FailedPrecondition, "answer after the close")
	e.unchanged(t, r, before, info)
}

// TestHostCallsNeedTheHostToken makes every host call with a player's token,
// with none, with a stranger's and with a malformed header.
func TestHostCallsNeedTheHostToken(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	r := e.create(t, fast())
	p := e.join(t, r.code, "Mallory")
	calls := map[string]func(context.Context) error{
		"StartGame": func(c context.Context) error {
			_, err := e.client.StartGame(c, &quizv1.StartGameRequest{RoomCode: r.code})
			return err
		},
		"NextQuestion": func(c context.Context) error {
			_, err := e.client.NextQuestion(c, &quizv1.NextQuestionRequest{RoomCode: r.code})
			return err
		},
		"CloseQuestion": func(c context.Context) error {
			_, err := e.client.CloseQuestion(c, &quizv1.CloseQuestionRequest{RoomCode: r.code})
			return err
		},
		"PauseGame": func(c context.Context) error {
			_, err := e.client.PauseGame(c, &quizv1.PauseGameRequest{RoomCode: r.code})
			return err
		},
		"ResumeGame": func(c context.Context) error {
			_, err := e.client.ResumeGame(c, &quizv1.ResumeGameRequest{RoomCode: r.code})
			return err
		},
		"EndGame": func(c context.Context) error {
			_, err := e.client.EndGame(c, &quizv1.EndGameRequest{RoomCode: r.code})
			return err
		},
		"KickPlayer": func(c context.Context) error {
			_, err := e.client.KickPlayer(c, &quizv1.KickPlayerRequest{RoomCode: r.code, PlayerId: p.id})
			return err
		},
		"LockRoom": func(c context.Context) error {
			_, err := e.client.LockRoom(c, &quizv1.LockRoomRequest{RoomCode: r.code, Locked: true})
			return err
		},
		"GetReport": func(c context.Context) error {
			_, err := e.client.GetReport(c, &quizv1.GetReportRequest{RoomCode: r.code})
			return err
		},
	}
	other := e.create(t, fast())
	before := e.roomInfo(t, r.code)
	for name, call := range calls {
		wantCode(t, call(as(ctx(t), p.token)), codes.PermissionDenied, name+" with a player token")
		wantCode(t, call(ctx(t)), codes.Unauthenticated, name+" without a token")
		wantCode(t, call(as(ctx(t), other.host)), codes.PermissionDenied, name+" with another room's host token")
		wantCode(t, call(as(ctx(t), room.NewToken())), codes.PermissionDenied, name+" with a made-up token")
		wantCode(t, call(as(ctx(t), "not-a-token")), codes.Unauthenticated, name+" with a malformed token")
	}
	if after := e.roomInfo(t, r.code); !proto.Equal(before, after) {
		t.Errorf("refused host calls changed the room:\nbefore %v\nafter  %v", before, after)
	}
	bad := metadataCtx(t, "authorization", "Basic abc")
	wantCode(t, calls["StartGame"](bad), codes.Unauthenticated, "StartGame with a Basic header")
}

// TestBadInput sends malformed requests: each gets a clear error and the
// room stays as it was.
func TestBadInput(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	r := e.create(t, fast())
	e.join(t, r.code, "Taken")
	before, info := e.report(t, r), e.roomInfo(t, r.code)

	joins := []struct {
		name, code, player string
		want               codes.Code
		msg                string
	}{
		{"empty name", r.code, "   ", codes.InvalidArgument, "name is empty"},
		{"long name", r.code, strings.Repeat("n", 25), codes.InvalidArgument, "at most 24"},
		{"huge name", r.code, strings.Repeat("n", 100000), codes.InvalidArgument, "too long"},
		{"control character", r.code, "bad\x07name", codes.InvalidArgument, "control character"},
		{"invisible formatting", r.code, "bad\u200bname", codes.InvalidArgument, "control character"},
		{"taken name, other case", r.code, "TAKEN", codes.AlreadyExists, "taken"},
		{"unknown room", "ZZZZZZ", "New", codes.NotFound, "no room"},
		{"malformed code", "ABC", "New", codes.InvalidArgument, "codes have 6"},
		{"code with a bad letter", "ABCDE0", "New", codes.InvalidArgument, "codes use only"},
		{"empty code", "", "New", codes.InvalidArgument, "empty"},
	}
	for _, c := range joins {
		_, err := e.client.JoinRoom(ctx(t), &quizv1.JoinRoomRequest{RoomCode: c.code, Name: c.player})
		wantCode(t, err, c.want, c.name)
		if err != nil && !strings.Contains(status.Convert(err).Message(), c.msg) {
			t.Errorf("%s: message %q does not say %q", c.name, status.Convert(err).Message(), c.msg)
		}
	}
	_, err := e.client.Watch(ctx(t), &quizv1.WatchRequest{RoomCode: r.code})
	if err != nil {
		t.Fatal(err)
	}
	stream, _ := e.client.Watch(as(ctx(t), room.NewToken()), &quizv1.WatchRequest{RoomCode: r.code})
	_, err = stream.Recv()
	wantCode(t, err, codes.PermissionDenied, "Watch with a wrong token")
	stream, _ = e.client.Watch(ctx(t), &quizv1.WatchRequest{RoomCode: r.code, AfterSeq: 1 << 40})
	_, err = stream.Recv()
	wantCode(t, err, codes.InvalidArgument, "Watch after a seq the room has not reached")
	e.unchanged(t, r, before, info)

	_, err = e.client.UploadDeck(ctx(t), &quizv1.UploadDeckRequest{Source: "# Deck\n\n## Q?\n\n- [ ] a\n- [ ] b\n"})
	wantCode(t, err, codes.InvalidArgument, "a deck without a correct option")
	if v := fieldViolations(err); len(v) == 0 || !strings.Contains(v[0].GetDescription(), "deck.md:3:") {
		t.Errorf("deck violations %v do not name the line (deck.md:3:)", v)
	}
	_, err = e.client.UploadDeck(ctx(t), &quizv1.UploadDeckRequest{Source: strings.Repeat("x", 1<<20+1)})
	wantCode(t, err, codes.ResourceExhausted, "a deck over 1 MiB")
	_, err = e.client.UploadDeck(ctx(t), &quizv1.UploadDeckRequest{Source: strings.Repeat("x", 3<<20)})
	wantCode(t, err, codes.ResourceExhausted, "a message over the size limit")

	_, err = e.client.CreateRoom(ctx(t), &quizv1.CreateRoomRequest{
		Source:   &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"},
		Settings: &quizv1.RoomSettings{TimeLimit: durationOf(1), MaxPlayers: -3, LeaderboardSize: 1000, HostAwayLimit: durationOf(9 * time.Second)},
	})
	wantCode(t, err, codes.InvalidArgument, "bad settings")
	fields := map[string]bool{}
	for _, v := range fieldViolations(err) {
		fields[v.GetField()] = true
	}
	for _, f := range []string{"settings.time_limit", "settings.max_players", "settings.leaderboard_size", "settings.host_away_limit"} {
		if !fields[f] {
			t.Errorf("bad settings: no violation for %s in %v", f, fields)
		}
	}
	_, err = e.client.CreateRoom(ctx(t), &quizv1.CreateRoomRequest{Source: &quizv1.CreateRoomRequest_DeckId{DeckId: "no-such-deck"}})
	wantCode(t, err, codes.NotFound, "an unknown deck")
	_, err = e.client.CreateRoom(ctx(t), &quizv1.CreateRoomRequest{})
	wantCode(t, err, codes.InvalidArgument, "no source")
	_, err = e.client.CreateRoom(ctx(t), &quizv1.CreateRoomRequest{Source: &quizv1.CreateRoomRequest_Notes{Notes: "just prose"}})
	wantCode(t, err, codes.InvalidArgument, "notes that are not notes")
}

// fieldViolations reads the BadRequest details of a status.
func fieldViolations(err error) []*errdetails.BadRequest_FieldViolation {
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			return br.GetFieldViolations()
		}
	}
	return nil
}

// rawCodec sends a *[]byte as it is, so a test can put any bytes on the
// wire; it decodes nothing.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error)      { return *v.(*[]byte), nil }
func (rawCodec) Unmarshal(data []byte, v any) error { *v.(*[]byte) = data; return nil }
func (rawCodec) Name() string                       { return "proto" }

// TestUndecodableRequest sends bytes that are no protobuf message to a
// unary call and to Watch: both are InvalidArgument, as documented, not
// Internal.
func TestUndecodableRequest(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	conn, err := grpc.NewClient(e.srv.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	garbage := []byte{0x0a, 0xff, 0xff, 0xff} // field 1, a length far beyond the message
	var out []byte
	err = conn.Invoke(ctx(t), "/quiz.v1.QuizService/JoinRoom", &garbage, &out)
	wantCode(t, err, codes.InvalidArgument, "JoinRoom with undecodable bytes")
	if !strings.Contains(status.Convert(err).Message(), "JoinRoom") {
		t.Errorf("the message %q does not name the call", status.Convert(err).Message())
	}

	s, err := conn.NewStream(ctx(t), &grpc.StreamDesc{ServerStreams: true}, "/quiz.v1.QuizService/Watch")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SendMsg(&garbage); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseSend(); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.RecvMsg(&out), codes.InvalidArgument, "Watch with undecodable bytes")
}

// TestWatchAheadOfTheRoom resumes after a seq the room has not reached:
// InvalidArgument, as documented.
func TestWatchAheadOfTheRoom(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	r := e.create(t, fast())
	s, err := e.client.Watch(as(ctx(t), r.host), &quizv1.WatchRequest{RoomCode: r.code, AfterSeq: 1000})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Recv()
	wantCode(t, err, codes.InvalidArgument, "Watch after a seq the room has not reached")
}

// TestStoredDeckThatNoLongerParses stores an upload that today's deck rules
// refuse (its text names its answer), as an upload made before the rules
// grew stricter would be: the deck list leaves it out instead of failing.
func TestStoredDeckThatNoLongerParses(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	old := "# Old\n\n## Which service, AWS Lambda or not?\n\n- [x] AWS Lambda\n- [ ] Amazon EC2\n"
	if err := e.srv.Store.SaveDeck(ctx(t), "old-0badc0de", []byte(old), 100, time.Hour); err != nil {
		t.Fatal(err)
	}
	e.create(t, fast()) // uploads the test deck
	resp, err := e.client.ListDecks(ctx(t), &quizv1.ListDecksRequest{})
	if err != nil {
		t.Fatalf("ListDecks with a stored deck that no longer parses: %v", err)
	}
	var ids []string
	for _, d := range resp.GetDecks() {
		ids = append(ids, d.GetId())
	}
	if len(ids) != 2 || ids[0] != "aws-compute" || !strings.HasPrefix(ids[1], "test-deck") {
		t.Errorf("ListDecks = %v, want the built-in deck and the test deck", ids)
	}
}

// TestUploadWarnsOfUnfairQuestions uploads a deck whose correct option is
// far longer than the wrong ones: it is stored, with a warning that names
// the question's line.
func TestUploadWarnsOfUnfairQuestions(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	src := "# Tells\n\n## Which bills per millisecond of compute?\n\n- [x] The service that charges you only while your code is busy\n- [ ] EC2\n- [ ] S3\n"
	resp, err := e.client.UploadDeck(ctx(t), &quizv1.UploadDeckRequest{Source: src})
	if err != nil {
		t.Fatalf("a deck with warnings only was refused: %v", err)
	}
	if w := resp.GetWarnings(); len(w) != 1 || w[0].GetLine() != 3 || !strings.Contains(w[0].GetMessage(), "by its length") {
		t.Errorf("warnings = %v, want one about the long option on line 3", w)
	}
}
