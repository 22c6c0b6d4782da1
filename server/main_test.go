package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// env is a getenv over a map.
func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestRunServesAndShutsDown starts the server as main does, on free ports
// given through the environment, talks to it, reads its metrics, and stops
// it.
func TestRunServesAndShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-log-format", "json"}, env(map[string]string{
			"QUIZ_LISTEN": "127.0.0.1:0", "QUIZ_METRICS": "127.0.0.1:0",
		}), pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	addrs := map[string]string{}
	for len(addrs) < 2 && lines.Scan() {
		line := lines.Text()
		if m := regexp.MustCompile(`"addr":"([^"]+)"`).FindStringSubmatch(line); m != nil {
			addrs["grpc"] = m[1]
		}
		if m := regexp.MustCompile(`http://([^/]+)/metrics`).FindStringSubmatch(line); m != nil {
			addrs["metrics"] = m[1]
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if len(addrs) < 2 {
		t.Fatalf("the logs did not give both addresses: %v", addrs)
	}
	conn, err := grpc.NewClient(addrs["grpc"], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	callCtx, callCancel := context.WithTimeout(ctx, 10*time.Second)
	defer callCancel()
	h, err := healthpb.NewHealthClient(conn).Check(callCtx, &healthpb.HealthCheckRequest{})
	if err != nil || h.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health: %v %v", h, err)
	}
	decks, err := quizv1.NewQuizServiceClient(conn).ListDecks(callCtx, &quizv1.ListDecksRequest{})
	if err != nil || len(decks.GetDecks()) == 0 {
		t.Fatalf("ListDecks: %v %v", decks, err)
	}
	resp, err := http.Get("http://" + addrs["metrics"] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `quizroom_grpc_calls_total{code="OK",method="/quiz.v1.QuizService/ListDecks"} 1`) {
		t.Errorf("the metrics do not count the ListDecks call:\n%s", body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v after the shutdown", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return within 20 s of the shutdown")
	}
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
	}
	for _, c := range cases {
		err := run(context.Background(), c.args, env(c.env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("run(%q, %v): got %v, want an error saying %q", c.args, c.env, err, c.want)
		}
	}
}
