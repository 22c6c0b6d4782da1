package webserve_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.uber.org/goleak"
	"golang.org/x/net/http2"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/durationpb"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/api"
	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/room"
	"github.com/quizroom/quizroom/server/servertest"
	"github.com/quizroom/quizroom/server/webserve"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// clients are the ways a browser (or a bench) reaches the API: Connect
// with binary and JSON messages and gRPC-Web, over HTTP/1.1 and over
// HTTP/2 without TLS.
func clients(t *testing.T) map[string]struct {
	http *http.Client
	opts []connect.ClientOption
} {
	h1 := &http.Client{Transport: &http.Transport{}}
	h2c := &http.Client{Transport: &http2.Transport{AllowHTTP: true, DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}
	t.Cleanup(func() {
		h1.CloseIdleConnections()
		h2c.CloseIdleConnections()
	})
	return map[string]struct {
		http *http.Client
		opts []connect.ClientOption
	}{
		"connect proto http1": {h1, nil},
		"connect json http1":  {h1, []connect.ClientOption{connect.WithProtoJSON()}},
		"grpc-web http1":      {h1, []connect.ClientOption{connect.WithGRPCWeb()}},
		"connect proto h2c":   {h2c, nil},
		"grpc-web h2c":        {h2c, []connect.ClientOption{connect.WithGRPCWeb()}},
	}
}

// call makes a unary call of method through c.
func call[Req, Res any](ctx context.Context, c *http.Client, base, method, token string, req *Req, opts ...connect.ClientOption) (*Res, error) {
	cl := connect.NewClient[Req, Res](c, base+"quiz.v1.QuizService/"+method, opts...)
	r := connect.NewRequest(req)
	if token != "" {
		r.Header().Set("Authorization", "Bearer "+token)
	}
	res, err := cl.CallUnary(ctx, r)
	if err != nil {
		return nil, err
	}
	return res.Msg, nil
}

// TestBrowserProtocols plays the start of a game through each protocol: a
// player joins and watches, the host starts, the player answers, and the
// stream carries the question and the reveal with the player's own part.
func TestBrowserProtocols(t *testing.T) {
	s := servertest.Start(t, servertest.Options{Web: true})
	for name, c := range clients(t) {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			created, err := call[quizv1.CreateRoomRequest, quizv1.CreateRoomResponse](ctx, c.http, s.WebURL, "CreateRoom", "",
				&quizv1.CreateRoomRequest{Source: &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"}, Settings: &quizv1.RoomSettings{QuestionCount: 1, ReadTime: durationpb.New(0)}}, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			code, host := created.GetRoom().GetCode(), created.GetHostToken()
			joined, err := call[quizv1.JoinRoomRequest, quizv1.JoinRoomResponse](ctx, c.http, s.WebURL, "JoinRoom", "",
				&quizv1.JoinRoomRequest{RoomCode: code, Name: "Ada"}, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			watch := connect.NewClient[quizv1.WatchRequest, quizv1.WatchResponse](c.http, s.WebURL+"quiz.v1.QuizService/Watch", c.opts...)
			req := connect.NewRequest(&quizv1.WatchRequest{RoomCode: code})
			req.Header().Set("Authorization", "Bearer "+joined.GetPlayerToken())
			stream, err := watch.CallServerStream(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			defer stream.Close()
			next := func() *quizv1.WatchResponse {
				t.Helper()
				if !stream.Receive() {
					t.Fatalf("the stream ended: %v", stream.Err())
				}
				return stream.Msg()
			}
			if snap := next().GetEvent().GetSnapshot(); snap.GetYou().GetName() != "Ada" || snap.GetRole() != quizv1.Role_ROLE_PLAYER {
				t.Fatalf("first event: got %v, want a snapshot for the player Ada", snap)
			}
			if _, err := call[quizv1.StartGameRequest, quizv1.StartGameResponse](ctx, c.http, s.WebURL, "StartGame", host, &quizv1.StartGameRequest{RoomCode: code}, c.opts...); err != nil {
				t.Fatal(err)
			}
			var q *quizv1.QuestionOpened
			for q == nil {
				q = next().GetEvent().GetQuestionOpened()
			}
			if _, err := call[quizv1.SubmitAnswerRequest, quizv1.SubmitAnswerResponse](ctx, c.http, s.WebURL, "SubmitAnswer", joined.GetPlayerToken(),
				&quizv1.SubmitAnswerRequest{RoomCode: code, QuestionIndex: q.GetIndex(), Answer: answerFor(q)}, c.opts...); err != nil {
				t.Fatal(err)
			}
			for {
				resp := next()
				if resp.GetEvent().GetQuestionRevealed() == nil {
					continue
				}
				if !resp.GetPersonal().GetResult().GetAnswered() || resp.GetPersonal().GetStanding().GetRank() != 1 {
					t.Fatalf("the reveal's personal part: got %v, want an answered result and rank 1", resp.GetPersonal())
				}
				break
			}
		})
	}
}

func answerFor(q *quizv1.QuestionOpened) *quizv1.Answer {
	if q.GetKind() == quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER {
		return &quizv1.Answer{Text: "a guess"}
	}
	return &quizv1.Answer{Choices: []int32{0}}
}

// TestErrors keeps status codes, messages and field violations across the
// translation: a browser shows the same deck lint errors as the CLI.
func TestErrors(t *testing.T) {
	s := servertest.Start(t, servertest.Options{Web: true})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := &http.Client{Transport: &http.Transport{}}
	defer c.CloseIdleConnections()
	_, err := call[quizv1.JoinRoomRequest, quizv1.JoinRoomResponse](ctx, c, s.WebURL, "JoinRoom", "", &quizv1.JoinRoomRequest{RoomCode: "ZZZ222", Name: "Ada"})
	if connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("joining a room that does not exist: got %v, want NotFound", err)
	}
	_, err = call[quizv1.UploadDeckRequest, quizv1.UploadDeckResponse](ctx, c, s.WebURL, "UploadDeck", "", &quizv1.UploadDeckRequest{Source: "# Deck\n\n## A question?\n\n- [ ] only wrong\n- [ ] also wrong\n", FileName: "bad.md"})
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeInvalidArgument {
		t.Fatalf("uploading a bad deck: got %v, want InvalidArgument", err)
	}
	var lines []string
	for _, d := range ce.Details() {
		v, err := d.Value()
		if br, ok := v.(*errdetails.BadRequest); ok && err == nil {
			for _, fv := range br.GetFieldViolations() {
				lines = append(lines, fv.GetDescription())
			}
		}
	}
	if len(lines) == 0 || !strings.Contains(strings.Join(lines, "\n"), "bad.md:") {
		t.Errorf("the deck's problems: got %q, want field violations naming bad.md and a line", lines)
	}
}

// TestApp serves the pages beside the API.
func TestApp(t *testing.T) {
	s := servertest.Start(t, servertest.Options{Web: true})
	c := &http.Client{Transport: &http.Transport{}}
	defer c.CloseIdleConnections()
	for _, path := range []string{"", "host", "screen"} {
		r, err := c.Get(s.WebURL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != http.StatusOK || !strings.Contains(string(b), "<main") {
			t.Errorf("GET /%s: %d %.100s", path, r.StatusCode, b)
		}
	}
}

// TestStartTLSAndPublic serves HTTPS with the gRPC port's certificate, and
// with Public listens on every interface but opens on 127.0.0.1. A call
// over HTTPS knows the connection under its TLS session, which the service
// closes when a browser stopped reading its stream.
func TestStartTLSAndPublic(t *testing.T) {
	cert, pool := selfSigned(t)
	engine, err := room.New(room.Config{Store: memstore.New(memstore.Config{}), Encoder: api.Encoder{}})
	if err != nil {
		t.Fatal(err)
	}
	callConns := make(chan net.Conn, 1)
	g := grpc.NewServer(append(api.ServerOptions(nil), grpc.ChainUnaryInterceptor(
		func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			select {
			case callConns <- api.ConnOf(ctx):
			default:
			}
			return h(ctx, req)
		}))...)
	api.New(api.Config{Engine: engine}).Register(g)
	w, err := webserve.Start(webserve.Config{Addr: "127.0.0.1:0", Public: true, GRPC: g,
		TLS: &tls.Config{Certificates: []tls.Certificate{cert}}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop(time.Second)
	if !strings.HasPrefix(w.URL, "https://127.0.0.1:") || !strings.HasPrefix(w.ShareURL, "https://") {
		t.Errorf("URL %q, ShareURL %q: want https addresses, the first on 127.0.0.1", w.URL, w.ShareURL)
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	defer c.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	decks, err := call[quizv1.ListDecksRequest, quizv1.ListDecksResponse](ctx, c, w.URL, "ListDecks", "", &quizv1.ListDecksRequest{})
	if err != nil || len(decks.GetDecks()) == 0 {
		t.Fatalf("ListDecks over HTTPS: %v %v", decks, err)
	}
	callConn := <-callConns
	if _, ok := callConn.(*net.TCPConn); !ok {
		t.Errorf("a call over HTTPS knows its connection as a %T, want the *net.TCPConn under its TLS session", callConn)
	}
	r, err := c.Get(w.URL)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.ProtoMajor != 2 {
		t.Errorf("HTTPS served %s, want HTTP/2", r.Proto)
	}
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "quizd test"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:   time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
