package cli

import (
	"context"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/quizroom/quizroom/content"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/servertest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) {
		if buildDir != "" {
			_ = os.RemoveAll(buildDir)
		}
	}))
}

// waitFor bounds every wait of these tests; no test asserts on timing.
const waitFor = 60 * time.Second

// cli is one run of the quiz command, with its stdin a pipe and its output
// captured line by line.
type cli struct {
	t       *testing.T
	name    string
	in      io.WriteCloser
	out     *lineWriter
	err     *lineWriter
	done    chan struct{}
	runErr  error
	pending []string // lines read but not matched yet
	// errPending are stderr's lines read but not matched yet.
	errPending []string
	pid        int // the process's, when it runs as one (proc)
}

// start runs quiz with args against addr.
func start(t *testing.T, name, addr string, args ...string) *cli {
	t.Helper()
	return startEnv(t, name, addr, nil, args...)
}

// startEnv runs quiz with args against addr, in environment env. Without
// QUIZ_STATE_DIR in env, the run keeps its tokens in a directory of its
// own, never the user's.
func startEnv(t *testing.T, name, addr string, env map[string]string, args ...string) *cli {
	t.Helper()
	if env["QUIZ_STATE_DIR"] == "" {
		env = maps.Clone(env)
		if env == nil {
			env = map[string]string{}
		}
		env["QUIZ_STATE_DIR"] = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	inR, inW := io.Pipe()
	c := &cli{t: t, name: name, in: inW, out: newLineWriter(), err: newLineWriter(), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		c.runErr = Run(ctx, append([]string{"--addr", addr}, args...), func(k string) string { return env[k] }, inR, c.out, c.err)
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
	return c.match(c.out, &c.pending, pattern)
}

// expectErr is expect for the lines of stderr.
func (c *cli) expectErr(pattern string) []string {
	c.t.Helper()
	return c.match(c.err, &c.errPending, pattern)
}

func (c *cli) match(w *lineWriter, pending *[]string, pattern string) []string {
	c.t.Helper()
	re := regexp.MustCompile(pattern)
	for i, line := range *pending {
		if m := re.FindStringSubmatch(line); m != nil {
			*pending = slices.Delete(*pending, i, i+1)
			return m
		}
	}
	deadline := time.After(waitFor)
	ended := c.done
	for {
		select {
		case line := <-w.lines:
			if m := re.FindStringSubmatch(line); m != nil {
				return m
			}
			*pending = append(*pending, line)
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
	return runOnceEnv(t, addr, nil, args...)
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

const goodDeck = `# Tiny deck
id: tiny

## Which service runs code without managing servers?
kind: single

- [x] AWS Lambda
- [ ] Amazon EC2

> Lambda is serverless.
`

const badDeck = `# Bad deck
id: bad

## A question with no correct option
kind: single

- [ ] One
- [ ] Two
`

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDeckCommands(t *testing.T) {
	srv := servertest.Start(t, servertest.Options{})
	good, bad := writeFile(t, "tiny.md", goodDeck), writeFile(t, "bad.md", badDeck)

	out, _, err := runOnce(t, srv.Addr, "deck", "lint", good)
	if err != nil || !strings.Contains(out, `ok: deck "tiny", 1 questions`) {
		t.Errorf("lint of a good deck: err %v, output %q", err, out)
	}
	out, _, err = runOnce(t, srv.Addr, "deck", "lint", good, bad)
	if err == nil || !regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(bad)+`:4: .*correct`).MatchString(out) {
		t.Errorf("lint of a bad deck: err %v, output %q; want file:line: problem", err, out)
	}

	out, _, err = runOnce(t, srv.Addr, "deck", "from-notes", "../../content/notes/aws-compute.md", "--seed", "7", "--count", "4")
	if err != nil {
		t.Fatalf("from-notes: %v", err)
	}
	d, err := content.Parse("generated.md", []byte(out))
	if err != nil || len(d.Questions) != 4 {
		t.Fatalf("from-notes printed a deck that does not parse to 4 questions: %v\n%s", err, out)
	}
	again, _, _ := runOnce(t, srv.Addr, "deck", "from-notes", "../../content/notes/aws-compute.md", "--seed", "7", "--count", "4")
	if again != out {
		t.Error("from-notes with the same seed printed another deck")
	}

	out, _, err = runOnce(t, srv.Addr, "deck", "upload", good)
	m := regexp.MustCompile(`uploaded deck=(tiny-[0-9a-f]+) questions=1`).FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("upload: err %v, output %q", err, out)
	}
	for _, want := range []string{"by its id (tiny) and a hash of the file", "play it with: quiz host --deck " + m[1] + " --addr " + srv.Addr} {
		if !strings.Contains(out, want) {
			t.Errorf("upload output lacks %q:\n%s", want, out)
		}
	}
	// Its own id is not the deck's id: the refusal names the one that is.
	_, _, err = runOnce(t, srv.Addr, "host", "--deck", "tiny")
	if err == nil || !strings.Contains(err.Error(), `no deck "tiny"`) || !strings.Contains(err.Error(), "quiz decks --addr "+srv.Addr+" lists") ||
		!strings.Contains(err.Error(), "quiz host --deck "+m[1]) {
		t.Errorf("host --deck tiny: got %v, want the uploaded deck's id", err)
	}
	out, _, _ = runOnce(t, srv.Addr, "decks")
	if !strings.Contains(out, m[1]) || !strings.Contains(out, "uploaded") {
		t.Errorf("decks after the upload lacks %s:\n%s", m[1], out)
	}
	out, _, err = runOnce(t, srv.Addr, "deck", "upload", bad)
	if err == nil || !strings.Contains(out, bad+":4:") {
		t.Errorf("upload of a bad deck: err %v, output %q; want its problems with lines", err, out)
	}
}

func TestWatchJSON(t *testing.T) {
	srv := servertest.Start(t, servertest.Options{})
	host := start(t, "host", srv.Addr, "host", "--questions", "1", "--out", filepath.Join(t.TempDir(), "r.json"))
	code := host.expect(`^room code=(\S+) `)[1]
	watcher := start(t, "watcher", srv.Addr, "--json", "watch", code)
	line := watcher.expect(`^\{.*"snapshot":.*\}$`)[0]
	ev := &quizv1.Event{}
	if err := protojson.Unmarshal([]byte(line), ev); err != nil || ev.GetSnapshot().GetRole() != quizv1.Role_ROLE_SPECTATOR {
		t.Fatalf("watch --json line %q: %v, role %v", line, err, ev.GetSnapshot().GetRole())
	}
	host.send("end") // in the lobby: closes the room
	watcher.expect(`^\{.*"roomClosed":`)
	if err := watcher.wait(); err != nil {
		t.Errorf("watcher: %v", err)
	}
	if err := host.wait(); err != nil {
		t.Errorf("host: %v", err)
	}
}

func TestEnvironment(t *testing.T) {
	var stdout, stderr strings.Builder
	getenv := func(k string) string { return map[string]string{"QUIZ_TIMEOUT": "soon", "QUIZ_TLS": "maybe"}[k] }
	err := Run(context.Background(), []string{"decks"}, getenv, strings.NewReader(""), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), `QUIZ_TIMEOUT="soon"`) || !strings.Contains(err.Error(), `QUIZ_TLS="maybe"`) {
		t.Errorf("bad environment: got %v", err)
	}
	srv := servertest.Start(t, servertest.Options{})
	getenv = func(k string) string { return map[string]string{"QUIZ_ADDR": srv.Addr, "QUIZ_TIMEOUT": "5s"}[k] }
	stdout.Reset()
	if err := Run(context.Background(), []string{"decks"}, getenv, strings.NewReader(""), &stdout, &stderr); err != nil || !strings.Contains(stdout.String(), "aws-compute") {
		t.Errorf("QUIZ_ADDR: err %v, output %q", err, stdout.String())
	}
}

func TestHostNotesErrorsNameTheFile(t *testing.T) {
	srv := servertest.Start(t, servertest.Options{})
	notes := writeFile(t, "my-notes.md", "# My notes\n\n### Lambda\n\nJust prose, no bullets.\n")
	_, _, err := runOnce(t, srv.Addr, "host", "--notes", notes)
	if err == nil || !strings.Contains(err.Error(), "\n"+notes+":3: ") || strings.Contains(err.Error(), "\nnotes.md:") {
		t.Errorf("host --notes with bad notes: got %v, want problems naming %s", err, notes)
	}
}
