// Package redistest gives tests a Redis: its own redis-server on a free
// port of 127.0.0.1 (stopped when the test ends), a three-master Redis
// Cluster, or the server QUIZ_TEST_REDIS_ADDR names.
//
// Where redis-server is not installed, tests fail when the environment
// variable CI is set (Redis tests are mandatory there) and otherwise run
// against miniredis, an in-process imitation, saying so; tests that need a
// real process (a Cluster, a server to kill) are skipped then.
package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// AddrEnv names the environment variable that points tests at a running
// Redis (host:port) instead of starting one.
const AddrEnv = "QUIZ_TEST_REDIS_ADDR"

// startTimeout bounds how long a server may take to answer after starting.
const startTimeout = 10 * time.Second

// Server is a Redis for one test.
type Server struct {
	// Addr is the server's host:port.
	Addr string
	// Mini is the in-process imitation when there is no redis-server, else
	// nil.
	Mini *miniredis.Miniredis

	t    testing.TB
	dir  string
	args []string
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// URL is the server's Redis URL.
func (s *Server) URL() string { return "redis://" + s.Addr }

// Start returns a Redis for t: the server QUIZ_TEST_REDIS_ADDR names, else
// a redis-server of its own, else (outside CI) miniredis.
func Start(t testing.TB) *Server {
	t.Helper()
	if addr := os.Getenv(AddrEnv); addr != "" {
		return &Server{Addr: addr, t: t}
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		return startMini(t)
	}
	return StartProcess(t)
}

// StartProcess starts a redis-server of the test's own, one it may stop
// and restart, with extra configuration args (such as "--appendonly",
// "yes" to keep its data across a restart). Without redis-server it fails
// in CI and skips elsewhere.
func StartProcess(t testing.TB, args ...string) *Server {
	t.Helper()
	needBinary(t, "redis-server", "it starts, stops and restarts a redis-server process")
	s := &Server{t: t, dir: t.TempDir()}
	var err error
	for range 5 {
		var port int
		if port, err = freePort(false); err != nil {
			continue
		}
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		s.args = append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", s.dir}, args...)
		if err = s.start(); err == nil {
			t.Cleanup(s.Kill)
			return s
		}
	}
	t.Fatalf("starting redis-server: %v", err)
	return nil
}

// needBinary fails in CI and skips elsewhere when name is not installed.
func needBinary(t testing.TB, name, why string) {
	t.Helper()
	if _, err := exec.LookPath(name); err == nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed, and Redis tests are mandatory in CI (CI is set): install it (Debian: apt-get install -y redis-server redis-tools)", name)
	}
	t.Skipf("skipped: %s is not installed, and miniredis cannot stand in here because %s", name, why)
}

// start runs redis-server with s.args and waits until it answers.
func (s *Server) start() error {
	cmd := exec.Command("redis-server", s.args...)
	log, err := os.Create(filepath.Join(s.dir, "redis-"+strings.ReplaceAll(s.Addr, ":", "-")+".log"))
	if err != nil {
		return err
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("running redis-server: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.cmd, s.done = cmd, done
	if err := waitUntil(done, func(ctx context.Context) error { return ping(ctx, s.Addr) }); err != nil {
		s.Kill()
		out, _ := os.ReadFile(log.Name())
		return fmt.Errorf("redis-server on %s: %w\n%s", s.Addr, err, out)
	}
	return nil
}

// Kill stops the server at once (SIGKILL), as a crash would.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Restart starts the killed server again on the same port, empty.
func (s *Server) Restart() {
	s.t.Helper()
	if s.cmd != nil {
		s.t.Fatal("redistest: Restart of a running server")
	}
	deadline := time.Now().Add(startTimeout)
	for {
		err := s.start()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("restarting redis-server: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Cluster is a three-master Redis Cluster of the test's own.
type Cluster struct {
	Nodes []*Server
}

// URL is the cluster's Redis URL, naming every node.
func (c *Cluster) URL() string {
	addrs := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		addrs[i] = n.Addr
	}
	return "redis://" + strings.Join(addrs, ",") + "?cluster=true"
}

// StartCluster starts three redis-server processes in cluster mode, joins
// them with redis-cli --cluster create (no replicas) and waits until the
// cluster is ok. Without redis-server and redis-cli it fails in CI and
// skips elsewhere.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	needBinary(t, "redis-server", "miniredis has no Cluster mode")
	needBinary(t, "redis-cli", "it creates the Cluster")
	c := &Cluster{}
	for i := range 3 {
		s := &Server{t: t, dir: t.TempDir()}
		var err error
		for range 5 {
			var port int
			if port, err = freePort(true); err != nil {
				continue
			}
			s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
			s.args = []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", s.dir,
				"--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(s.dir, "nodes.conf"), "--cluster-node-timeout", "5000"}
			if err = s.start(); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("starting cluster node %d: %v", i+1, err)
		}
		t.Cleanup(s.Kill)
		c.Nodes = append(c.Nodes, s)
	}
	args := []string{"--cluster", "create"}
	for _, n := range c.Nodes {
		args = append(args, n.Addr)
	}
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command("redis-cli", args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	for _, n := range c.Nodes {
		err := waitUntil(n.done, func(ctx context.Context) error {
			cl := redis.NewClient(&redis.Options{Addr: n.Addr, MaxRetries: -1})
			defer cl.Close()
			info, err := cl.ClusterInfo(ctx).Result()
			if err != nil {
				return err
			}
			if !strings.Contains(info, "cluster_state:ok") {
				return errors.New("cluster_state is not ok yet")
			}
			return nil
		})
		if err != nil {
			t.Fatalf("cluster node %s: %v", n.Addr, err)
		}
	}
	return c
}

// waitUntil retries check until it succeeds, the process ends (done is
// closed) or startTimeout passes.
func waitUntil(done <-chan struct{}, check func(context.Context) error) error {
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := check(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-done:
			return errors.New("the process exited")
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v: %w", startTimeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ping checks that a Redis answers on addr; one that wants a password
// answers too.
func ping(ctx context.Context, addr string) error {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	err := c.Ping(ctx).Err()
	if err != nil && strings.HasPrefix(err.Error(), "NOAUTH") {
		return nil
	}
	return err
}

// freePort finds a port of 127.0.0.1 that is free now (the server started
// on it may still lose a race for it: callers retry). For a Cluster node,
// the bus port 10000 above it must be free too.
func freePort(bus bool) (int, error) {
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		if !bus {
			return port, nil
		}
		if port+10000 > 65535 {
			continue
		}
		b, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
		if err != nil {
			continue
		}
		_ = b.Close()
		return port, nil
	}
	return 0, errors.New("no free port with a free cluster bus port")
}

// miniNotice is printed once per test binary that falls back to miniredis.
var miniNotice sync.Once

// startMini starts miniredis, or fails in CI. Its key TTLs do not pass on
// their own, so a goroutine moves them on with the real clock.
func startMini(t testing.TB) *Server {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal("redis-server is not installed, and Redis tests are mandatory in CI (CI is set): install it (Debian: apt-get install -y redis-server redis-tools)")
	}
	const notice = "redis-server is not installed: the Redis tests run against miniredis, an in-process imitation (install redis-server to test against Redis itself)"
	t.Log(notice)
	miniNotice.Do(func() { fmt.Fprintln(os.Stderr, "redistest: "+notice) })
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		t.Fatalf("starting miniredis: %v", err)
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		last := time.Now()
		for {
			select {
			case <-stop:
				return
			case now := <-tick.C:
				m.FastForward(now.Sub(last))
				last = now
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		<-stopped
		m.Close()
	})
	return &Server{Addr: m.Addr(), Mini: m, t: t}
}

// ResetCommandStats zeroes the server's command statistics (CONFIG
// RESETSTAT), so that CommandCalls counts from now.
func (s *Server) ResetCommandStats(t testing.TB) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer rdb.Close()
	if err := rdb.ConfigResetStat(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
}

// CommandCalls reads INFO commandstats: the calls of each command since the
// last ResetCommandStats (commands run inside scripts included), but INFO
// and CONFIG RESETSTAT themselves.
func (s *Server) CommandCalls(t testing.TB) map[string]int {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer rdb.Close()
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]int{}
	for _, line := range strings.Split(info, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":calls=")
		if !ok {
			continue
		}
		name = strings.TrimPrefix(name, "cmdstat_")
		if name == "info" || name == "config|resetstat" {
			continue
		}
		count, _, _ := strings.Cut(rest, ",")
		calls[name], _ = strconv.Atoi(count)
	}
	return calls
}
