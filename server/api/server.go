// Package api is the gRPC adapter of the room engine: it serves
// quiz.v1.QuizService, checks and converts every request, and maps the
// engine's errors to status codes in one table. Proto types and status codes
// appear nowhere else in the server.
package api

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/quizroom/quizroom/content"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

// Config configures a Server. Zero rates and limits mean the defaults;
// negative ones turn a limit off. Limits by address count an IPv4 address
// alone and an IPv6 address by its /64.
type Config struct {
	Engine *room.Engine
	Logger *slog.Logger
	// JoinRate is how many joins, room creations and deck uploads per
	// second one address may make; default 50.
	JoinRate float64
	// AnswerRate is how many answers per second one player may submit;
	// default 5.
	AnswerRate float64
	// WatchRate is how many Watch calls per second one address may open;
	// default 50, in bursts of 100: a classroom behind one address comes
	// back at once after a restart. WatchTokenRate is the same per token (a
	// player or the host); default 2.
	WatchRate, WatchTokenRate float64
	// StreamsPerToken is how many Watch streams one token may hold open at
	// once; default 4.
	StreamsPerToken int
	// UploadsPerHour is how many decks one address may upload an hour
	// (bursts of as many); default 20.
	UploadsPerHour float64
	// AuthFailRate is how many refused tokens per second one address may
	// send before its calls with tokens are refused without asking the
	// store; default 2, in bursts of 20.
	AuthFailRate float64
	// TrustedProxies are the proxies whose x-forwarded-for metadata names
	// the client; from any other peer it is ignored.
	TrustedProxies []netip.Prefix
	// Origin is what a NotFound for a room says about this server: its
	// store (default "memory") and when it started (default: when New ran).
	Origin Origin
}

// Defaults of Config.
const (
	DefaultJoinRate        = 50
	DefaultAnswerRate      = 5
	DefaultWatchRate       = 50
	DefaultWatchTokenRate  = 2
	DefaultStreamsPerToken = 4
	DefaultUploadsPerHour  = 20
	DefaultAuthFailRate    = 2
	// MaxConcurrentStreams is how many calls one connection may have open
	// at once.
	MaxConcurrentStreams = 64
	// StuckAfter is how long a stream cut off for reading too slowly may
	// take to send what was queued before the cut: a client still stuck
	// then reads nothing, and its connection is dropped.
	StuckAfter = 2 * time.Second
	// MaxMessageSize is the largest request the server reads: a deck or
	// notes of content.MaxSourceSize and some room to spare.
	MaxMessageSize = content.MaxSourceSize + 64<<10
	connBufferSize = 8 << 10
	readBufferSize = 2 << 10
	flowWindow     = 1 << 20
	maxChoices     = content.MaxOptions
	maxIDLen       = 64
)

// Server serves quiz.v1.QuizService.
type Server struct {
	quizv1.UnimplementedQuizServiceServer
	engine      *room.Engine
	log         *slog.Logger
	joins       *limiter // by address
	answers     *limiter // by player
	watches     *limiter // by address
	tokenWatch  *limiter // by token holder
	uploads     *limiter // by address
	authFails   *limiter // by address
	tokenStream *streams // by token holder
	proxies     []netip.Prefix
	origin      Origin
	joined      atomic.Pointer[joinedRoom] // the room of the last join
}

// joinedRoom is what JoinRoom answers about a room, made once for the
// joins that follow: a room's spec never changes (the engine keeps one
// per room), so neither does this, and a storm of joins to one room
// shares it instead of rendering the room's settings for each (grpc-go
// only reads a response, and protobuf encodes one message from several
// goroutines at once).
type joinedRoom struct {
	spec *room.Spec
	info *quizv1.RoomInfo
}

// joinedInfo is JoinRoom's description of the room of spec.
func (s *Server) joinedInfo(spec *room.Spec) *quizv1.RoomInfo {
	if j := s.joined.Load(); j != nil && j.spec == spec {
		return j.info
	}
	j := &joinedRoom{spec: spec, info: roomInfo(spec, nil, false)}
	s.joined.Store(j)
	return j.info
}

// New returns a Server for cfg.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	orDefault := func(v *float64, def float64) {
		if *v == 0 {
			*v = def
		}
	}
	orDefault(&cfg.JoinRate, DefaultJoinRate)
	orDefault(&cfg.AnswerRate, DefaultAnswerRate)
	orDefault(&cfg.WatchRate, DefaultWatchRate)
	orDefault(&cfg.WatchTokenRate, DefaultWatchTokenRate)
	orDefault(&cfg.UploadsPerHour, DefaultUploadsPerHour)
	orDefault(&cfg.AuthFailRate, DefaultAuthFailRate)
	if cfg.StreamsPerToken == 0 {
		cfg.StreamsPerToken = DefaultStreamsPerToken
	}
	if cfg.Origin.Store == "" {
		cfg.Origin.Store = "memory"
	}
	if cfg.Origin.Started.IsZero() {
		cfg.Origin.Started = time.Now()
	}
	return &Server{
		engine: cfg.Engine, log: cfg.Logger,
		joins: newLimiter(cfg.JoinRate), answers: newLimiter(cfg.AnswerRate),
		watches: newLimiter(cfg.WatchRate), tokenWatch: newLimiter(cfg.WatchTokenRate),
		uploads:     newBurstLimiter(cfg.UploadsPerHour/3600, max(int(cfg.UploadsPerHour), 1)),
		authFails:   newBurstLimiter(cfg.AuthFailRate, 10*max(int(cfg.AuthFailRate), 1)),
		tokenStream: &streams{limit: cfg.StreamsPerToken, open: map[string]int{}},
		proxies:     cfg.TrustedProxies,
		origin:      cfg.Origin,
	}
}

// Register adds the service to a gRPC server.
func (s *Server) Register(g *grpc.Server) { quizv1.RegisterQuizServiceServer(g, s) }

// ServerOptions are the options a gRPC server of this service needs: its
// transport's Credentials (TLS with tlsConf; plain TCP when it is nil), the
// frame codec and the interceptors that refuse undecodable requests with
// InvalidArgument, the message size limit, and TransportOptions.
func ServerOptions(tlsConf *tls.Config) []grpc.ServerOption {
	creds := insecure.NewCredentials()
	if tlsConf != nil {
		creds = credentials.NewTLS(tlsConf)
	}
	return append(TransportOptions(),
		grpc.Creds(Credentials(creds)),
		grpc.ForceServerCodecV2(Codec()),
		grpc.ChainUnaryInterceptor(refuseUndecodable),
		grpc.ChainStreamInterceptor(refuseUndecodableStream),
		grpc.MaxRecvMsgSize(MaxMessageSize),
	)
}

// TransportOptions are the HTTP/2 settings of the server, which the
// benchmarks' no-op servers share: keepalive fit for streams that stay
// open for a whole game (pings every 30 s; clients may ping every 10 s),
// buffers sized for many connections that carry small messages (instead of
// 32 KiB each way: 8 KiB to write, shared between connections by default, a
// connection holds one only while it writes; 2 KiB to read, shared too on a
// plain TCP connection, which holds one only while a frame arrives, and
// held for its life by a TLS one: clients send small frames, a request, a
// window update or a ping fits in one read, and a bigger frame is read past
// the buffer), and static flow-control windows (no BDP pings to estimate
// them).
func TransportOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.WriteBufferSize(connBufferSize),
		grpc.ReadBufferSize(readBufferSize),
		grpc.StaticStreamWindowSize(flowWindow),
		grpc.StaticConnWindowSize(flowWindow),
		grpc.MaxConcurrentStreams(MaxConcurrentStreams),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
	}
}

// fail maps an engine error to a status, naming field for InvalidArgument;
// an internal error is logged with the call it failed (see LogCalls).
func (s *Server) fail(ctx context.Context, err error, field string) error {
	return toStatus(callLogger(ctx, s.log), err, field, s.origin)
}

// token reads the bearer token from the request metadata; "" when none.
// A token that cannot be one the server made is refused here, before the
// store is asked.
func token(ctx context.Context) (string, error) {
	vals := metadata.ValueFromIncomingContext(ctx, "authorization")
	if len(vals) == 0 {
		return "", nil
	}
	v := vals[0]
	const prefix = "bearer "
	if len(v) < len(prefix) || !strings.EqualFold(v[:len(prefix)], prefix) {
		return "", status.Error(codes.Unauthenticated, "authorization metadata must be \"Bearer <token>\"")
	}
	t := strings.TrimSpace(v[len(prefix):])
	if !room.WellFormedToken(t) {
		return "", status.Errorf(codes.Unauthenticated, "malformed token: tokens are %d characters of A-Z, a-z, 0-9, - and _, as CreateRoom and JoinRoom return them", room.TokenLen)
	}
	return t, nil
}

// who identifies the caller of a room with ask (see identify); required
// makes a token mandatory.
func (s *Server) who(ctx context.Context, code string, required bool, ask identifier) (room.Identity, error) {
	t, err := token(ctx)
	if err != nil {
		return room.Identity{}, err
	}
	if t == "" {
		if required {
			return room.Identity{}, status.Error(codes.Unauthenticated, "this call needs a token: send \"authorization: Bearer <token>\" metadata")
		}
		return room.Identity{Role: room.Spectator}, nil
	}
	return s.identify(ctx, code, t, ask)
}

// identifier is how the engine finds who holds a token: Engine.Identify
// asks the store, Engine.IdentifyRemembered uses what the instance learnt
// where the call itself refuses a player who is no longer active.
type identifier func(ctx context.Context, code, token string) (room.Identity, error)

// identify asks the engine who holds a token, unless the caller's address
// sent too many refused tokens lately: guessing tokens costs the store
// nothing then.
func (s *Server) identify(ctx context.Context, code, t string, ask identifier) (room.Identity, error) {
	key := s.clientKey(ctx)
	if !s.authFails.ok(key) {
		return room.Identity{}, status.Error(codes.ResourceExhausted, "too many refused tokens from this address: wait a minute before trying again")
	}
	id, err := ask(ctx, code, t)
	if errors.Is(err, room.ErrDenied) {
		s.authFails.allow(key)
	}
	if err != nil {
		return room.Identity{}, s.fail(ctx, err, "authorization")
	}
	return id, nil
}

// roomCall parses a room code and identifies the caller, who must have a
// token.
func (s *Server) roomCall(ctx context.Context, rawCode string) (string, room.Identity, error) {
	code, err := room.ParseCode(rawCode)
	if err != nil {
		return "", room.Identity{}, s.fail(ctx, err, "room_code")
	}
	who, err := s.who(ctx, code, true, s.engine.Identify)
	return code, who, err
}

// limitJoins refuses an address that joins, creates or uploads too fast.
func (s *Server) limitJoins(ctx context.Context) error {
	if !s.joins.allow(s.clientKey(ctx)) {
		return status.Error(codes.ResourceExhausted, "too many requests from this address: slow down and retry")
	}
	return nil
}

// ListDecks lists the decks this server can run.
func (s *Server) ListDecks(ctx context.Context, _ *quizv1.ListDecksRequest) (*quizv1.ListDecksResponse, error) {
	decks, err := s.engine.Decks(ctx)
	if err != nil {
		return nil, s.fail(ctx, err, "")
	}
	resp := &quizv1.ListDecksResponse{}
	for _, d := range decks {
		resp.Decks = append(resp.Decks, deckInfo(d.Deck, d.Uploaded))
	}
	return resp, nil
}

func deckInfo(d *content.Deck, uploaded bool) *quizv1.DeckInfo {
	return &quizv1.DeckInfo{
		Id: d.ID, Title: d.Title, Description: d.Description,
		QuestionCount: int32(len(d.Questions)), Notes: d.Notes, Uploaded: uploaded,
	}
}

// UploadDeck validates and stores a deck.
func (s *Server) UploadDeck(ctx context.Context, req *quizv1.UploadDeckRequest) (*quizv1.UploadDeckResponse, error) {
	if err := s.limitJoins(ctx); err != nil {
		return nil, err
	}
	if !s.uploads.allow(s.clientKey(ctx)) {
		return nil, status.Error(codes.ResourceExhausted, "too many deck uploads from this address this hour: try again later (uploaded decks are kept 48 hours after their last use)")
	}
	name := req.GetFileName()
	if utf8.RuneCountInString(name) > 100 || strings.ContainsAny(name, "\x00\n\r") {
		return nil, s.fail(ctx, room.Errorf(room.ErrInvalid, "file name: at most 100 characters on one line"), "file_name")
	}
	d, err := s.engine.UploadDeck(ctx, name, []byte(req.GetSource()))
	if err != nil {
		return nil, s.fail(ctx, uploadError(err), "source")
	}
	resp := &quizv1.UploadDeckResponse{Deck: deckInfo(d, true)}
	for _, w := range content.Lint(d) {
		resp.Warnings = append(resp.Warnings, &quizv1.DeckWarning{Line: int32(w.Line), Message: w.Msg})
	}
	return resp, nil
}

// uploadError gives a deck's validation errors the InvalidArgument kind.
func uploadError(err error) error {
	var list content.ErrorList
	if errors.As(err, &list) {
		return room.Wrap(room.ErrInvalid, err)
	}
	return err
}

// CreateRoom opens a room.
func (s *Server) CreateRoom(ctx context.Context, req *quizv1.CreateRoomRequest) (*quizv1.CreateRoomResponse, error) {
	if err := s.limitJoins(ctx); err != nil {
		return nil, err
	}
	var src room.Source
	field := "deck_id"
	switch v := req.GetSource().(type) {
	case *quizv1.CreateRoomRequest_DeckId:
		if len(v.DeckId) > maxIDLen {
			return nil, s.fail(ctx, room.Errorf(room.ErrInvalid, "deck id too long: %d characters, at most %d", len(v.DeckId), maxIDLen), field)
		}
		src.DeckID = v.DeckId
	case *quizv1.CreateRoomRequest_Notes:
		src.Notes, field = []byte(v.Notes), "notes"
	default:
		return nil, s.fail(ctx, room.Errorf(room.ErrInvalid, "no source: set deck_id or notes"), "source")
	}
	spec, hostToken, err := s.engine.Create(ctx, src, settingsIn(req.GetSettings()))
	if err != nil {
		return nil, s.fail(ctx, err, field)
	}
	return &quizv1.CreateRoomResponse{Room: roomInfo(spec, nil, true), HostToken: hostToken}, nil
}

// GetRoom describes a room.
func (s *Server) GetRoom(ctx context.Context, req *quizv1.GetRoomRequest) (*quizv1.GetRoomResponse, error) {
	code, err := room.ParseCode(req.GetRoomCode())
	if err != nil {
		return nil, s.fail(ctx, err, "room_code")
	}
	spec, st, err := s.engine.Info(ctx, code)
	if err != nil {
		return nil, s.fail(ctx, err, "room_code")
	}
	return &quizv1.GetRoomResponse{Room: roomInfo(spec, st, false)}, nil
}

// JoinRoom adds a player.
func (s *Server) JoinRoom(ctx context.Context, req *quizv1.JoinRoomRequest) (*quizv1.JoinRoomResponse, error) {
	if err := s.limitJoins(ctx); err != nil {
		return nil, err
	}
	code, err := room.ParseCode(req.GetRoomCode())
	if err != nil {
		return nil, s.fail(ctx, err, "room_code")
	}
	p, tok, spec, err := s.engine.Join(ctx, code, req.GetName())
	if err != nil {
		return nil, s.fail(ctx, err, "name")
	}
	return &quizv1.JoinRoomResponse{PlayerId: p.ID, PlayerToken: tok, Room: s.joinedInfo(spec), Name: p.Name}, nil
}

// LeaveRoom removes the calling player.
func (s *Server) LeaveRoom(ctx context.Context, req *quizv1.LeaveRoomRequest) (*quizv1.LeaveRoomResponse, error) {
	code, who, err := s.roomCall(ctx, req.GetRoomCode())
	if err != nil {
		return nil, err
	}
	if err := s.engine.Leave(ctx, code, who); err != nil {
		return nil, s.fail(ctx, err, "")
	}
	return &quizv1.LeaveRoomResponse{}, nil
}

// Watch streams a room's events.
func (s *Server) Watch(req *quizv1.WatchRequest, stream grpc.ServerStreamingServer[quizv1.WatchResponse]) error {
	ctx := stream.Context()
	code, err := room.ParseCode(req.GetRoomCode())
	if err != nil {
		return s.fail(ctx, err, "room_code")
	}
	if !s.watches.allow(s.clientKey(ctx)) {
		return status.Error(codes.ResourceExhausted, "too many Watch calls from this address: back off and resume with after_seq")
	}
	// The stream's count in the store refuses a player who left or was
	// kicked: the token need not be asked about first.
	who, err := s.who(ctx, code, false, s.engine.IdentifyRemembered)
	if err != nil {
		return err
	}
	if who.Role != room.Spectator {
		holder := code + "/" + who.PlayerID // the host has no player id
		if !s.tokenWatch.allow(holder) {
			return status.Error(codes.ResourceExhausted, "this token opened streams too often: back off and resume with after_seq")
		}
		if !s.tokenStream.acquire(holder) {
			return status.Errorf(codes.ResourceExhausted, "this token already has %d streams open: close one first", s.tokenStream.limit)
		}
		defer s.tokenStream.release(holder)
	}
	sub, err := s.engine.Watch(ctx, code, who, req.GetAfterSeq(), req.GetEpoch())
	if err != nil {
		return s.fail(ctx, err, "after_seq")
	}
	defer sub.Close()
	// A client that stopped reading leaves this handler blocked in SendMsg
	// even after its subscription was cut off (too slow): StuckAfter later
	// the client's connection is dropped, which ends the stream (SendMsg
	// fails, the handler returns) and frees what the transport still holds
	// for the client. A client that reads, however slowly, gets what was
	// queued before the cut and then the status. Either way it resumes with
	// after_seq and misses nothing.
	if conn := ConnOf(ctx); conn != nil {
		sub.AfterCut(StuckAfter, func() {
			if conn.Close() == nil {
				callLogger(ctx, s.log).Warn("dropped the connection of a client that stopped reading", "peer", s.clientKey(ctx))
			}
		})
	}
	return s.send(ctx, sub, stream)
}

// send sends a subscription's frames until it ends.
func (s *Server) send(ctx context.Context, sub *room.Subscription, stream grpc.ServerStreamingServer[quizv1.WatchResponse]) error {
	// One message for every frame: SendMsg is done with it when it returns
	// (the codec hands on the frame's bytes, never the message).
	m := new(frameMessage)
	for {
		f, err := sub.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return s.fail(ctx, err, "")
		}
		m.Frame = f
		err = stream.SendMsg(m)
		m.Frame = room.Frame{} // the frame's bytes are not kept
		if err != nil {
			if cut := sub.Err(); cut != nil {
				return s.fail(ctx, cut, "") // why the stream ended: the cut
			}
			return err
		}
	}
}

// SubmitAnswer records the calling player's answer.
func (s *Server) SubmitAnswer(ctx context.Context, req *quizv1.SubmitAnswerRequest) (*quizv1.SubmitAnswerResponse, error) {
	code, err := room.ParseCode(req.GetRoomCode())
	if err != nil {
		return nil, s.fail(ctx, err, "room_code")
	}
	t, err := token(ctx)
	if err != nil {
		return nil, err
	}
	if t == "" {
		return nil, status.Error(codes.Unauthenticated, "answering needs the player token: send \"authorization: Bearer <token>\" metadata")
	}
	who, err := s.identify(ctx, code, t, s.engine.IdentifyRemembered)
	if err != nil {
		return nil, err
	}
	if !s.answers.allow(code + "/" + who.PlayerID) {
		return nil, status.Error(codes.ResourceExhausted, "too many answers: slow down")
	}
	a := req.GetAnswer()
	if len(a.GetChoices()) > maxChoices {
		return nil, s.fail(ctx, room.Errorf(room.ErrInvalid, "too many choices: %d, at most %d", len(a.GetChoices()), maxChoices), "answer.choices")
	}
	if len(a.GetText()) > 4*game.MaxTextAnswer {
		return nil, s.fail(ctx, room.Errorf(room.ErrInvalid, "answer text too long: %d bytes, at most %d characters", len(a.GetText()), game.MaxTextAnswer), "answer.text")
	}
	acc, err := s.engine.Submit(ctx, code, who, int(req.GetQuestionIndex()), game.Answer{Choices: intsIn(a.GetChoices()), Text: a.GetText()})
	if err != nil {
		return nil, s.fail(ctx, err, "answer")
	}
	return &quizv1.SubmitAnswerResponse{Accepted: true, Elapsed: durationpb.New(acc.Elapsed)}, nil
}

// control runs a host call that moves the game and returns the state after.
func (s *Server) control(ctx context.Context, rawCode string, do func(context.Context, string, room.Identity) (*room.State, error)) (*room.State, error) {
	code, who, err := s.roomCall(ctx, rawCode)
	if err != nil {
		return nil, err
	}
	st, err := do(ctx, code, who)
	if err != nil {
		return nil, s.fail(ctx, err, "")
	}
	return st, nil
}

// StartGame starts the game.
func (s *Server) StartGame(ctx context.Context, req *quizv1.StartGameRequest) (*quizv1.StartGameResponse, error) {
	st, err := s.control(ctx, req.GetRoomCode(), s.engine.Start)
	if err != nil {
		return nil, err
	}
	// Starting appends GameStarted and then the first QuestionOpened.
	return &quizv1.StartGameResponse{Seq: st.Seq - 1}, nil
}

// NextQuestion moves the game on.
func (s *Server) NextQuestion(ctx context.Context, req *quizv1.NextQuestionRequest) (*quizv1.NextQuestionResponse, error) {
	st, err := s.control(ctx, req.GetRoomCode(), s.engine.Next)
	if err != nil {
		return nil, err
	}
	return &quizv1.NextQuestionResponse{Seq: st.Seq, Phase: phases[st.Phase]}, nil
}

// CloseQuestion closes the open question.
func (s *Server) CloseQuestion(ctx context.Context, req *quizv1.CloseQuestionRequest) (*quizv1.CloseQuestionResponse, error) {
	st, err := s.control(ctx, req.GetRoomCode(), s.engine.Close)
	if err != nil {
		return nil, err
	}
	return &quizv1.CloseQuestionResponse{Seq: st.Seq}, nil
}

// PauseGame pauses the game.
func (s *Server) PauseGame(ctx context.Context, req *quizv1.PauseGameRequest) (*quizv1.PauseGameResponse, error) {
	st, err := s.control(ctx, req.GetRoomCode(), s.engine.Pause)
	if err != nil {
		return nil, err
	}
	return &quizv1.PauseGameResponse{Seq: st.Seq}, nil
}

// ResumeGame resumes the game.
func (s *Server) ResumeGame(ctx context.Context, req *quizv1.ResumeGameRequest) (*quizv1.ResumeGameResponse, error) {
	st, err := s.control(ctx, req.GetRoomCode(), s.engine.Resume)
	if err != nil {
		return nil, err
	}
	return &quizv1.ResumeGameResponse{Seq: st.Seq}, nil
}

// EndGame ends the game.
func (s *Server) EndGame(ctx context.Context, req *quizv1.EndGameRequest) (*quizv1.EndGameResponse, error) {
	st, err := s.control(ctx, req.GetRoomCode(), s.engine.End)
	if err != nil {
		return nil, err
	}
	return &quizv1.EndGameResponse{Seq: st.Seq}, nil
}

// KickPlayer removes a player.
func (s *Server) KickPlayer(ctx context.Context, req *quizv1.KickPlayerRequest) (*quizv1.KickPlayerResponse, error) {
	code, who, err := s.roomCall(ctx, req.GetRoomCode())
	if err != nil {
		return nil, err
	}
	if len(req.GetPlayerId()) > maxIDLen {
		return nil, s.fail(ctx, room.Errorf(room.ErrInvalid, "player id too long: %d characters, at most %d", len(req.GetPlayerId()), maxIDLen), "player_id")
	}
	seq, err := s.engine.Kick(ctx, code, who, req.GetPlayerId())
	if err != nil {
		return nil, s.fail(ctx, err, "player_id")
	}
	return &quizv1.KickPlayerResponse{Seq: seq}, nil
}

// LockRoom locks or unlocks the lobby.
func (s *Server) LockRoom(ctx context.Context, req *quizv1.LockRoomRequest) (*quizv1.LockRoomResponse, error) {
	code, who, err := s.roomCall(ctx, req.GetRoomCode())
	if err != nil {
		return nil, err
	}
	seq, err := s.engine.Lock(ctx, code, who, req.GetLocked())
	if err != nil {
		return nil, s.fail(ctx, err, "")
	}
	return &quizv1.LockRoomResponse{Seq: seq}, nil
}

// GetReport returns the room's report.
func (s *Server) GetReport(ctx context.Context, req *quizv1.GetReportRequest) (*quizv1.GetReportResponse, error) {
	code, who, err := s.roomCall(ctx, req.GetRoomCode())
	if err != nil {
		return nil, err
	}
	rep, err := s.engine.Report(ctx, code, who)
	if err != nil {
		return nil, s.fail(ctx, err, "")
	}
	return &quizv1.GetReportResponse{Report: reportOut(rep)}, nil
}

// normalizedText is a typed answer as it was compared; "" for none.
func normalizedText(typed string) string {
	if typed == "" {
		return ""
	}
	return content.NormalizeAnswer(typed)
}

// reportOut converts a report.
func reportOut(rep *room.Report) *quizv1.Report {
	out := &quizv1.Report{Room: roomInfo(rep.Spec, rep.State, true), GeneratedAt: timestamppb.New(rep.State.Now)}
	for q := range rep.Data.Results {
		question := &rep.Spec.Questions[q]
		st := rep.Stats(q)
		out.Questions = append(out.Questions, &quizv1.ReportQuestion{
			Index: int32(q), Text: question.Text, Kind: kinds[question.Kind], Options: question.Options,
			CorrectChoices: ints32(question.Correct), AcceptedAnswers: question.Accepted,
			OptionCounts: ints32(st.Counts), Answered: int32(st.Answered), CorrectCount: int32(st.Correct),
			AverageTime: durationpb.New(st.AverageTime), Revealed: true,
			Explanation: question.Explanation, Section: question.Section, Passage: question.Passage,
		})
	}
	answers := map[string][]*quizv1.ReportAnswer{}
	for q, results := range rep.Data.Results {
		for _, r := range results {
			answers[r.PlayerID] = append(answers[r.PlayerID], &quizv1.ReportAnswer{
				QuestionIndex: int32(q), Choices: ints32(r.Answer.Choices), Text: r.Answer.Text,
				NormalizedText: normalizedText(r.Answer.Text),
				Correct:        r.Correct, Points: int32(r.Points), StreakBonus: int32(r.Bonus),
				Elapsed: durationpb.New(r.Elapsed),
			})
		}
	}
	missed := rep.Missed()
	for i := range rep.Data.Standings {
		st := &rep.Data.Standings[i]
		p := &quizv1.ReportPlayer{
			Standing: standingOut(st), Answers: answers[st.PlayerID],
			Left: rep.Data.Departed[st.PlayerID], Kicked: rep.Data.Kicked[st.PlayerID],
		}
		for _, m := range missed[st.PlayerID] {
			p.MissedQuestions = append(p.MissedQuestions, int32(m.Q))
		}
		out.Players = append(out.Players, p)
	}
	return out
}
