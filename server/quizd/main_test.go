package quizd

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/quizroom/quizroom/client/conn"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/redistest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// env is a getenv over a map.
func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// running is quizd started by run() in a test.
type running struct {
	grpc, metrics, web string // addresses it logged
	stop               func() error
}

// startRun runs the server as main does, on free ports given through the
// environment, and returns the addresses it logged.
func startRun(t *testing.T, args []string, vars map[string]string) *running {
	t.Helper()
	if _, ok := vars["QUIZ_HTTP"]; !ok {
		vars["QUIZ_HTTP"] = "127.0.0.1:0" // not the fixed default port
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-log-format", "json"}, args...), env(vars), pw)
		pw.Close()
	}()
	r := &running{}
	lines := bufio.NewScanner(pr)
	for (r.grpc == "" || r.web == "" || (vars["QUIZ_METRICS"] != "" && r.metrics == "")) && lines.Scan() {
		line := lines.Text()
		if m := regexp.MustCompile(`"addr":"([^"]+)"`).FindStringSubmatch(line); m != nil {
			r.grpc = m[1]
		}
		if m := regexp.MustCompile(`http://([^/]+)/metrics`).FindStringSubmatch(line); m != nil {
			r.metrics = m[1]
		}
		if m := regexp.MustCompile(`"url":"([^"]+)"`).FindStringSubmatch(line); m != nil {
			r.web = m[1]
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	r.stop = func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(20 * time.Second):
			t.Fatal("run did not return within 20 s of the shutdown")
			return nil
		}
	}
	if r.grpc == "" {
		cancel()
		t.Fatalf("the server logged no address: %v", <-done)
	}
	return r
}

// TestRunServesAndShutsDown starts the server as main does, talks to it,
// reads its metrics, and stops it.
func TestRunServesAndShutsDown(t *testing.T) {
	r := startRun(t, nil, map[string]string{"QUIZ_LISTEN": "127.0.0.1:0", "QUIZ_METRICS": "127.0.0.1:0"})
	conn, err := grpc.NewClient(r.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	callCtx, callCancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer callCancel()
	h, err := healthpb.NewHealthClient(conn).Check(callCtx, &healthpb.HealthCheckRequest{})
	if err != nil || h.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health: %v %v", h, err)
	}
	decks, err := quizv1.NewQuizServiceClient(conn).ListDecks(callCtx, &quizv1.ListDecksRequest{})
	if err != nil || len(decks.GetDecks()) == 0 {
		t.Fatalf("ListDecks: %v %v", decks, err)
	}
	resp, err := http.Get("http://" + r.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `quizroom_grpc_calls_total{code="OK",method="/quiz.v1.QuizService/ListDecks"} 1`) {
		t.Errorf("the metrics do not count the ListDecks call:\n%s", body)
	}
	// The web app and, on the same address, the API for browsers.
	page, err := http.Get(r.web + "host")
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	req, _ := http.NewRequest(http.MethodPost, r.web+"quiz.v1.QuizService/ListDecks", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Connect-Protocol-Version", "1")
	listed, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	decksJSON, _ := io.ReadAll(listed.Body)
	listed.Body.Close()
	if page.StatusCode != http.StatusOK || !strings.Contains(string(decksJSON), `"aws-compute"`) {
		t.Errorf("the web address: GET /host %d, Connect ListDecks %s", page.StatusCode, decksJSON)
	}
	if !strings.Contains(string(body), "quizroom_rooms_history_lost_total 0") {
		t.Errorf("the metrics do not count rooms whose history was lost:\n%s", body)
	}
	if resp, err := http.Get("http://" + r.metrics + "/debug/pprof/"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("profiles without -pprof: %v, %v; want 404", resp.Status, err)
	} else {
		resp.Body.Close()
	}
	if err := r.stop(); err != nil {
		t.Errorf("run returned %v after the shutdown", err)
	}
	r = startRun(t, []string{"-pprof"}, map[string]string{"QUIZ_LISTEN": "127.0.0.1:0", "QUIZ_METRICS": "127.0.0.1:0"})
	if resp, err := http.Get("http://" + r.metrics + "/debug/pprof/"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("profiles with -pprof: %v, %v; want 200", resp, err)
	} else {
		resp.Body.Close()
	}
	if err := r.stop(); err != nil {
		t.Errorf("run returned %v after the shutdown", err)
	}
}

// TestHealthFollowsTheStore stops Redis under a running server: health
// turns NOT_SERVING, and SERVING again once Redis is back.
func TestHealthFollowsTheStore(t *testing.T) {
	srv := redistest.StartProcess(t, "--appendonly", "yes")
	r := startRun(t, nil, map[string]string{"QUIZ_LISTEN": "127.0.0.1:0", "QUIZ_REDIS_URL": srv.URL(), "QUIZ_REDIS_PREFIX": "health:"})
	defer func() {
		if err := r.stop(); err != nil {
			t.Errorf("run returned %v after the shutdown", err)
		}
	}()
	conn, err := grpc.NewClient(r.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	hc := healthpb.NewHealthClient(conn)
	status := func() healthpb.HealthCheckResponse_ServingStatus {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h, err := hc.Check(ctx, &healthpb.HealthCheckRequest{})
		if err != nil {
			t.Fatalf("health: %v", err)
		}
		return h.GetStatus()
	}
	becomes := func(want healthpb.HealthCheckResponse_ServingStatus, why string) {
		t.Helper()
		for end := time.Now().Add(30 * time.Second); status() != want; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("health is not %v within 30 s of %s", want, why)
			}
		}
	}
	becomes(healthpb.HealthCheckResponse_SERVING, "the start")
	srv.Kill()
	becomes(healthpb.HealthCheckResponse_NOT_SERVING, "Redis stopping")
	srv.Restart()
	becomes(healthpb.HealthCheckResponse_SERVING, "Redis coming back")
}

// TestRunServesTLS serves TLS with a certificate of its own: the CLI's
// client, trusting that certificate, plays; a plaintext client cannot.
func TestRunServesTLS(t *testing.T) {
	certFile, keyFile := selfSigned(t)
	r := startRun(t, []string{"-tls-cert", certFile, "-tls-key", keyFile}, map[string]string{"QUIZ_LISTEN": "127.0.0.1:0"})
	defer func() {
		if err := r.stop(); err != nil {
			t.Errorf("run returned %v after the shutdown", err)
		}
	}()
	c, err := conn.Dial(conn.Config{Addr: r.grpc, CAFile: certFile})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := c.Call(context.Background())
	defer cancel()
	if _, err := c.API.ListDecks(ctx, &quizv1.ListDecksRequest{}); err != nil {
		t.Fatalf("ListDecks over TLS: %v", err)
	}
	plain, err := conn.Dial(conn.Config{Addr: r.grpc})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	ctx2, cancel2 := plain.Call(context.Background())
	defer cancel2()
	if _, err := plain.API.ListDecks(ctx2, &quizv1.ListDecksRequest{}); status.Code(err) != codes.Unavailable {
		t.Errorf("a plaintext call to a TLS server: got %v, want Unavailable", err)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "quizd test"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestBadConfiguration refuses bad flags and environment values with a
// message that names them.
func TestBadConfiguration(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-nope"}, nil, "flag provided but not defined"},
		{nil, map[string]string{"QUIZ_MAX_PLAYERS": "many"}, "QUIZ_MAX_PLAYERS"},
		{nil, map[string]string{"QUIZ_GRACE": "soon"}, "QUIZ_GRACE"},
		{[]string{"-log-level", "loud"}, nil, "-log-level"},
		{[]string{"-log-format", "xml"}, nil, "-log-format"},
		{[]string{"-tls-cert", "x.pem"}, nil, "go together"},
		{[]string{"-max-players", "0"}, nil, "at least 1"},
		{[]string{"-listen", "256.0.0.1:1"}, nil, "listening on"},
		{[]string{"extra"}, nil, "takes only flags"},
		{[]string{"-public", "-http", ""}, nil, "-public needs"},
		{nil, map[string]string{"QUIZ_PUBLIC": "maybe"}, "QUIZ_PUBLIC"},
		{[]string{"-listen", "127.0.0.1:0", "-http", "256.0.0.1:1"}, nil, "web: listening on"},
		{[]string{"-trusted-proxies", "10.0.0.0/8,proxy.example"}, nil, `-trusted-proxies: "proxy.example" is neither`},
		{nil, map[string]string{"QUIZ_PPROF": "maybe"}, "QUIZ_PPROF"},
	}
	for _, c := range cases {
		err := run(context.Background(), c.args, env(c.env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("run(%q, %v): got %v, want an error saying %q", c.args, c.env, err, c.want)
		}
	}
}
