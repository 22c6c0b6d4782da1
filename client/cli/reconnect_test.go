package cli

import (
	"io"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/quizroom/quizroom/server/servertest"
)

// proxy forwards TCP connections to a server and can cut them all, as a
// network failure would.
type proxy struct {
	lis    net.Listener
	target string
	mu     sync.Mutex // guards conns
	conns  []net.Conn
	wg     sync.WaitGroup
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{lis: lis, target: target}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		_ = lis.Close()
		p.cut()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		in, err := p.lis.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = in.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(in, out)
		go p.pipe(out, in)
	}
}

func (p *proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	_ = dst.Close()
	_ = src.Close()
}

// cut closes every connection open through the proxy.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

// TestPlayerReconnects cuts a player's connection in the lobby, during a
// question and on a leaderboard: the player reconnects by itself, resumes
// after the last seq it saw, answers, and sees every event once.
func TestPlayerReconnects(t *testing.T) {
	srv := servertest.Start(t, servertest.Options{})
	px := startProxy(t, srv.Addr)
	host := start(t, "host", srv.Addr, "host", "--questions", "2", "--time", "60s", "--out", filepath.Join(t.TempDir(), "r.csv"))
	code := host.expect(`^room code=(\S+) `)[1]
	ann := start(t, "ann", px.lis.Addr().String(), "join", code, "--name", "Ann")
	ann.expect(`^seq=\d+ snapshot `)
	bob := start(t, "bob", srv.Addr, "join", code, "--name", "Bob")
	bob.expect(`^joined room=`)
	host.expect(`^seq=\d+ roster players=2 `)

	px.cut() // in the lobby
	host.send("start")
	ann.expect(`^seq=\d+ question 1/2 `)
	if !strings.Contains(ann.err.String(), "reconnecting (attempt 1") {
		t.Errorf("no reconnection notice on stderr:\n%s", ann.err.String())
	}

	// During the question: Ann's answer meets the dropped connection and
	// is sent again. Bob answers once hers is in: the server stops counting
	// a player whose stream dropped, and closes the question when every
	// player still counted has answered.
	px.cut()
	ann.send("1")
	ann.expect(`^answer 1/2 accepted`)
	bob.send("1")
	ann.expect(`^seq=\d+ result 1/2 answered=true `)
	host.send("next")
	ann.expect(`^seq=\d+ leaderboard 1/2 `)

	px.cut() // on the leaderboard
	host.send("next")
	ann.expect(`^seq=\d+ question 2/2 `)
	ann.send("2")
	bob.send("2")
	ann.expect(`^seq=\d+ result 2/2 answered=true `)
	host.send("next")
	ann.expect(`^seq=\d+ finished `)
	if err := ann.wait(); err != nil {
		t.Fatalf("ann: %v", err)
	}
	if n := strings.Count(ann.err.String(), "reconnecting (attempt 1"); n != 3 {
		t.Errorf("%d reconnections, want 3:\n%s", n, ann.err.String())
	}
	t.Logf("ann's stderr:\n%s", ann.err.String())

	// Every event once, in order: seqs never go back, and each seq's first
	// line appears once.
	seen := map[string]bool{}
	last := -1
	re := regexp.MustCompile(`^seq=(\d+) (\w+)`)
	for _, line := range strings.Split(ann.out.String(), "\n") {
		m := re.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		seq, _ := strconv.Atoi(m[1])
		if seq < last {
			t.Errorf("seq %d after %d:\n%s", seq, last, ann.out.String())
		}
		key := m[1] + " " + m[2]
		if seen[key] && m[2] != "standing" && m[2] != "podium" && m[2] != "missed" {
			t.Errorf("line %q twice:\n%s", key, ann.out.String())
		}
		seen[key], last = true, seq
	}
	for _, p := range []*cli{bob, host} {
		if err := p.wait(); err != nil {
			t.Errorf("%s: %v", p.name, err)
		}
	}
}
