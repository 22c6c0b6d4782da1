package servertest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// Quizd builds quizd into a temporary directory of the test and returns
// its path, for tests that run the server as a process of its own.
func Quizd(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "quizd")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/quizroom/quizroom/cmd/quizd").CombinedOutput(); err != nil {
		t.Fatalf("building quizd: %v\n%s", err, out)
	}
	return bin
}

// FreeAddr returns a port of 127.0.0.1 that was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// ProcessOptions tune a quizd process.
type ProcessOptions struct {
	// Bin is the quizd binary (Quizd builds one).
	Bin string
	// Web also serves the web app on a free port, at Process.WebURL.
	Web bool
	// Args are more flags; the defaults are the in-memory store, free
	// ports of 127.0.0.1, no rate limits and warnings only in the log.
	Args []string
}

// Process is quizd running as a process, which a test can kill as a crash
// would and start again on the same ports.
type Process struct {
	// Addr is the gRPC address.
	Addr string
	// WebURL is the web app's address, such as "http://127.0.0.1:41234/",
	// when ProcessOptions.Web is set.
	WebURL string
	bin    string
	args   []string
	log    *os.File
	cmd    *exec.Cmd
	done   chan struct{}
}

// StartProcess starts quizd, waits until it serves, and kills it when the
// test ends; a failed test logs what quizd logged.
func StartProcess(t testing.TB, opt ProcessOptions) *Process {
	t.Helper()
	p := &Process{Addr: FreeAddr(t), bin: opt.Bin}
	web := ""
	if opt.Web {
		web = FreeAddr(t)
		p.WebURL = "http://" + web + "/"
	}
	p.args = append([]string{"-listen", p.Addr, "-http", web, "-log-level", "warn",
		"-join-rate", "-1", "-answer-rate", "-1", "-watch-rate", "-1"}, opt.Args...)
	log, err := os.Create(filepath.Join(t.TempDir(), "quizd.log"))
	if err != nil {
		t.Fatal(err)
	}
	p.log = log
	t.Cleanup(func() {
		p.Kill()
		_ = log.Close()
		if t.Failed() {
			out, _ := os.ReadFile(log.Name())
			t.Logf("quizd log:\n%s", out)
		}
	})
	p.Restart(t)
	return p
}

// Kill kills the process (SIGKILL: nothing runs on the way out, a room
// in memory is lost) and waits for it to end.
func (p *Process) Kill() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	<-p.done
	p.cmd = nil
}

// Stop stops the process as an orchestrator does (SIGTERM: it shuts down
// gracefully, telling clients to reconnect) and waits for it to end.
func (p *Process) Stop() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.done
	p.cmd = nil
}

// Restart starts the process again, on the same ports with the same flags,
// once it is not running (Kill, Stop), and waits until it serves.
func (p *Process) Restart(t testing.TB) {
	t.Helper()
	if p.cmd != nil {
		t.Fatal("quizd is still running: Kill it first")
	}
	cmd := exec.Command(p.bin, p.args...)
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	p.cmd, p.done = cmd, done
	if err := p.wait(done); err != nil {
		t.Fatal(err)
	}
}

// wait waits until the process serves gRPC and, with a web address, the
// web app, for at most 20 s.
func (p *Process) wait(exited <-chan struct{}) error {
	cc, err := grpc.NewClient(p.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer cc.Close()
	api := quizv1.NewQuizServiceClient(cc)
	web := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		select {
		case <-exited:
			return fmt.Errorf("quizd %q exited before it served", p.args)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err = api.ListDecks(ctx, &quizv1.ListDecksRequest{})
		cancel()
		if err == nil && p.WebURL != "" {
			var res *http.Response
			if res, err = web.Get(p.WebURL + "config.json"); err == nil {
				_ = res.Body.Close()
				if res.StatusCode != http.StatusOK {
					err = fmt.Errorf("GET /config.json: %s", res.Status)
				}
			}
		}
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("quizd does not serve on %s (web %q): %v", p.Addr, p.WebURL, err)
		}
	}
}
