package main

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/quizroom/quizroom/bench/internal/proc"
	"github.com/quizroom/quizroom/client/conn"
)

// redisPorts are the ports of the benchmark's Redis: one server, or the
// masters of its Cluster (-redis-cluster).
func (b *bench) redisPorts() []int {
	ports := []int{b.opt.redisPort}
	for i := 1; i < b.opt.redisShards; i++ {
		ports = append(ports, b.opt.redisPort+i)
	}
	return ports
}

// redisURL is the URL quizd gets.
func (b *bench) redisURL() string {
	var url string
	if b.opt.redisShards == 0 {
		url = fmt.Sprintf("redis://127.0.0.1:%d", b.opt.redisPort)
	} else {
		var addrs []string
		for _, p := range b.redisPorts() {
			addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", p))
		}
		url = "redis://" + strings.Join(addrs, ",") + "?cluster=true"
	}
	if b.opt.redisOptions == "" {
		return url
	}
	if strings.Contains(url, "?") {
		return url + "&" + b.opt.redisOptions
	}
	return url + "?" + b.opt.redisOptions
}

// startRedis starts the benchmark's own redis-server once, or the masters
// of its Cluster and the Cluster itself.
func (b *bench) startRedis() error {
	if b.redis != nil {
		return nil
	}
	var addrs []string
	for i, port := range b.redisPorts() {
		args := []string{
			"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--dir", b.dir, "--maxclients", "20000",
		}
		if b.opt.redisShards > 0 {
			args = append(args, "--cluster-enabled", "yes", "--cluster-config-file", fmt.Sprintf("nodes-%d.conf", i))
		}
		r, err := proc.Start("redis-server", args, nil, "Ready to accept connections")
		if err != nil {
			return fmt.Errorf("starting redis-server (is it installed?): %w", err)
		}
		b.redis = append(b.redis, r)
		addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", port))
	}
	if b.opt.redisShards > 0 {
		out, err := exec.Command("redis-cli", append(append([]string{"--cluster", "create"}, addrs...), "--cluster-replicas", "0", "--cluster-yes")...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("redis-cli --cluster create: %v: %s", err, out)
		}
		for range 100 {
			out, _ := exec.Command("redis-cli", "-p", strconv.Itoa(b.opt.redisPort), "CLUSTER", "INFO").Output()
			if strings.Contains(string(out), "cluster_state:ok") {
				return nil
			}
			time.Sleep(100 * time.Millisecond)
		}
		return fmt.Errorf("the Redis Cluster did not come up")
	}
	return b.redisCLI("PING")
}

func (b *bench) stopRedis() {
	for _, r := range b.redis {
		r.Stop()
	}
}

// redisCLI runs one command on every server of the benchmark's Redis.
func (b *bench) redisCLI(args ...string) error {
	for _, port := range b.redisPorts() {
		out, err := exec.Command("redis-cli", append([]string{"-p", strconv.Itoa(port)}, args...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("redis-cli %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}

// resetRedis empties Redis and its statistics between scenarios.
func (b *bench) resetRedis() error {
	if err := b.redisCLI("FLUSHALL"); err != nil {
		return err
	}
	return b.redisCLI("CONFIG", "RESETSTAT")
}

// commandStats reads the calls of every command from INFO commandstats,
// summed over the servers.
func (b *bench) commandStats() (map[string]int64, error) {
	sum := map[string]int64{}
	for _, port := range b.redisPorts() {
		stats, err := commandStatsOf(port)
		if err != nil {
			return nil, err
		}
		for k, v := range stats {
			sum[k] += v
		}
	}
	return sum, nil
}

// commandStatsOf reads the calls of every command of one server.
func commandStatsOf(port int) (map[string]int64, error) {
	out, err := exec.Command("redis-cli", "-p", strconv.Itoa(port), "INFO", "commandstats").Output()
	if err != nil {
		return nil, fmt.Errorf("redis-cli INFO commandstats: %w", err)
	}
	stats := map[string]int64{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		// cmdstat_evalsha:calls=12,usec=…
		line := strings.TrimSpace(sc.Text())
		name, rest, ok := strings.Cut(strings.TrimPrefix(line, "cmdstat_"), ":calls=")
		if !ok || name == line {
			continue
		}
		calls, _, _ := strings.Cut(rest, ",")
		n, err := strconv.ParseInt(calls, 10, 64)
		if err == nil {
			stats[name] = n
		}
	}
	return stats, sc.Err()
}

// benchmarkEvalsha runs redis-benchmark with EVALSHA of a script returning 1
// and returns its calls per second.
func (b *bench) benchmarkEvalsha(ctx context.Context) (float64, error) {
	sha, err := exec.Command("redis-cli", "-p", strconv.Itoa(b.opt.redisPort), "SCRIPT", "LOAD", "return 1").Output()
	if err != nil {
		return 0, fmt.Errorf("loading the EVALSHA script: %w", err)
	}
	out, err := exec.CommandContext(ctx, "redis-benchmark", "-p", strconv.Itoa(b.opt.redisPort), "-q", "-n", "200000", "-c", "50",
		"EVALSHA", strings.TrimSpace(string(sha)), "0").Output()
	if err != nil {
		return 0, fmt.Errorf("redis-benchmark: %w", err)
	}
	// "EVALSHA ...: 81234.56 requests per second, p50=0.3 msec"
	line := string(out)
	if i := strings.LastIndex(line, "\r"); i >= 0 {
		line = line[i+1:]
	}
	_, rest, ok := strings.Cut(line, ": ")
	if !ok {
		return 0, fmt.Errorf("redis-benchmark said %q", out)
	}
	rate, err := strconv.ParseFloat(strings.Fields(rest)[0], 64)
	if err != nil {
		return 0, fmt.Errorf("redis-benchmark said %q", out)
	}
	return rate, nil
}

// redisSample is what Redis said at one moment: calls per command and the
// CPU seconds it used, in all and per server.
type redisSample struct {
	calls  map[string]int64
	cpu    float64
	shards []shardSample
}

// shardSample is one server's commands and CPU seconds.
type shardSample struct {
	port  int
	calls int64
	cpu   float64
}

// sampleRedis reads INFO commandstats and INFO cpu of every server.
func (b *bench) sampleRedis() (redisSample, error) {
	all := redisSample{calls: map[string]int64{}}
	for _, port := range b.redisPorts() {
		calls, err := commandStatsOf(port)
		if err != nil {
			return redisSample{}, err
		}
		out, err := exec.Command("redis-cli", "-p", strconv.Itoa(port), "INFO", "cpu").Output()
		if err != nil {
			return redisSample{}, fmt.Errorf("redis-cli INFO cpu: %w", err)
		}
		sh := shardSample{port: port}
		for _, line := range strings.Split(string(out), "\n") {
			k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
			if ok && (k == "used_cpu_sys" || k == "used_cpu_user") {
				f, _ := strconv.ParseFloat(v, 64)
				sh.cpu += f
			}
		}
		for k, v := range calls {
			all.calls[k] += v
			sh.calls += v
		}
		all.cpu += sh.cpu
		all.shards = append(all.shards, sh)
	}
	return all, nil
}

// redisBreakdown says, for one scenario, which commands Redis ran per
// accepted answer (those inside scripts included, as INFO commandstats
// counts them), and its CPU per answer and per room-second.
func redisBreakdown(name string, before, after redisSample, accepted, rooms int, wall time.Duration) string {
	type row struct {
		cmd string
		n   int64
	}
	var rows []row
	total := int64(0)
	for cmd, n := range after.calls {
		if d := n - before.calls[cmd]; d > 0 && cmd != "info" && cmd != "config|resetstat" && cmd != "flushall" {
			rows = append(rows, row{cmd, d})
			total += d
		}
	}
	slices.SortFunc(rows, func(a, b row) int { return int(b.n - a.n) })
	a := float64(max(accepted, 1))
	var sb strings.Builder
	cpu := after.cpu - before.cpu
	fmt.Fprintf(&sb, "- %s: %d accepted answers, %.2f Redis commands each; Redis CPU %.1f µs/answer, %.1f µs/room-second (%.2f s over %.0f s, %d rooms):",
		name, accepted, float64(total)/a, cpu*1e6/a, cpu*1e6/(float64(rooms)*wall.Seconds()), cpu, wall.Seconds(), rooms)
	for _, r := range rows {
		fmt.Fprintf(&sb, " %s %.2f", r.cmd, float64(r.n)/a)
	}
	if len(after.shards) > 1 {
		sb.WriteString("; per shard:")
		for i, sh := range after.shards {
			fmt.Fprintf(&sb, " :%d %.2f commands/answer, CPU %.2f s;", sh.port, float64(sh.calls-before.shards[i].calls)/a, sh.cpu-before.shards[i].cpu)
		}
	}
	return sb.String()
}

// sharedConns puts players on shared connections, per at a time on each:
// 10,000 rooms of 10 players are more connections than a process may open.
type sharedConns struct {
	dial  func() (*conn.Client, error)
	per   int
	mu    sync.Mutex
	all   []*conn.Client
	cur   *conn.Client
	count int
}

// next lends the current connection, dialling a new one every per players.
func (s *sharedConns) next() (*conn.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil || s.count == s.per {
		c, err := s.dial()
		if err != nil {
			return nil, err
		}
		s.all, s.cur, s.count = append(s.all, c), c, 0
	}
	s.count++
	return s.cur.Lend(), nil
}

// close closes every connection.
func (s *sharedConns) close() {
	for _, c := range s.all {
		_ = c.Close()
	}
}
