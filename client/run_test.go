package main

import (
	"context"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc/metadata"

	"github.com/quizroom/quizroom/server/servertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor bounds every wait of these tests; no test asserts on timing.
const waitFor = 60 * time.Second

// cli is one run of the quiz command, with its stdin a pipe and its output
// captured line by line.
type cli struct {
	t       *testing.T
	name    string
	in      *io.PipeWriter
	out     *lineWriter
	err     *lineWriter
	done    chan struct{}
	runErr  error
	pending []string // lines read but not matched yet
}

// start runs quiz with args against addr.
func start(t *testing.T, name, addr string, args ...string) *cli {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	inR, inW := io.Pipe()
	c := &cli{t: t, name: name, in: inW, out: newLineWriter(), err: newLineWriter(), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		c.runErr = run(ctx, append([]string{"--addr", addr}, args...), func(string) string { return "" }, inR, c.out, c.err)
	}()
	t.Cleanup(func() {
		cancel()
		_ = inW.Close()
		select {
		case <-c.done:
		case <-time.After(waitFor):
			t.Errorf("%s: still running after the test", name)
		}
	})
	return c
}

// send writes a line to the command's stdin.
func (c *cli) send(line string) {
	c.t.Helper()
	done := make(chan error, 1)
	go func() { _, err := io.WriteString(c.in, line+"\n"); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			c.t.Fatalf("%s: writing %q: %v", c.name, line, err)
		}
	case <-time.After(waitFor):
		c.t.Fatalf("%s: nobody read %q", c.name, line)
	}
}

// expect waits for an output line matching pattern that no earlier
// expect took, and returns its submatches. Lines are matched in any order:
// a player's own lines (answers accepted) race with the room's events.
func (c *cli) expect(pattern string) []string {
	c.t.Helper()
	re := regexp.MustCompile(pattern)
	for i, line := range c.pending {
		if m := re.FindStringSubmatch(line); m != nil {
			c.pending = slices.Delete(c.pending, i, i+1)
			return m
		}
	}
	deadline := time.After(waitFor)
	ended := c.done
	for {
		select {
		case line := <-c.out.lines:
			if m := re.FindStringSubmatch(line); m != nil {
				return m
			}
			c.pending = append(c.pending, line)
		case <-ended:
			// Lines written before the end may still be queued.
			ended = nil
			deadline = time.After(100 * time.Millisecond)
		case <-deadline:
			c.t.Fatalf("%s: no line matching %q (ended: %t, err %v); stdout:\n%s\nstderr:\n%s", c.name, pattern, ended == nil, c.runErr, c.out.String(), c.err.String())
		}
	}
}

// wait waits for the command to end and returns its error.
func (c *cli) wait() error {
	c.t.Helper()
	select {
	case <-c.done:
		return c.runErr
	case <-time.After(waitFor):
		c.t.Fatalf("%s did not end; stdout:\n%s\nstderr:\n%s", c.name, c.out.String(), c.err.String())
		return nil
	}
}

// lineWriter records what is written and hands out complete lines.
type lineWriter struct {
	mu    sync.Mutex // guards all and part
	all   strings.Builder
	part  string
	lines chan string
}

func newLineWriter() *lineWriter { return &lineWriter{lines: make(chan string, 100000)} }

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.all.Write(p)
	w.part += string(p)
	for {
		i := strings.IndexByte(w.part, '\n')
		if i < 0 {
			break
		}
		w.lines <- w.part[:i]
		w.part = w.part[i+1:]
	}
	return len(p), nil
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.all.String()
}

// runOnce runs a command that needs no input to its end.
func runOnce(t *testing.T, addr string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	c := start(t, strings.Join(args, " "), addr, args...)
	err = c.wait()
	return c.out.String(), c.err.String(), err
}

func TestDecksCommands(t *testing.T) {
	srv := servertest.Start(t, servertest.Options{})
	out, _, err := runOnce(t, srv.Addr, "decks")
	if err != nil || !strings.Contains(out, "aws-compute") {
		t.Fatalf("decks: err %v, output:\n%s", err, out)
	}
	if _, _, err := runOnce(t, "127.0.0.1:1", "decks"); err == nil || !strings.Contains(err.Error(), "cannot reach the server at 127.0.0.1:1") {
		t.Errorf("decks against nothing: got %v, want a cannot-reach message", err)
	}
}

// metadataToken returns ctx carrying a bearer token.
func metadataToken(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}
