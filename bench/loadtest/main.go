// Command loadtest measures what one Quizroom server holds on this machine:
// rooms of N players, each on its own gRPC connection, playing a whole game
// on the memory store, on Redis, and on two server instances sharing one
// Redis; many small rooms at once; and, in the same run, the ceilings the
// numbers are compared with (a no-op unary call, a no-op broadcast to N
// streams, EVALSHA on the same Redis). The servers run as child processes,
// so their CPU and memory are theirs alone; the players are client/bots.
//
// Run it from the repository root (it builds ./server):
//
//	go run ./bench/loadtest -n 100,1000,5000,10000 -stores memory,redis,redis2
//	go run ./bench/loadtest -rooms 1000 -room-size 10 -stores memory,redis
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/quizroom/quizroom/bench/internal/noop"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	sizes     []int
	stores    []string
	rooms     int
	roomSize  int
	questions int
	think     time.Duration
	ceilings  bool
	paired    bool
	redisPort int
	// redisShards, when set, makes Redis a Cluster of that many masters
	// on redisPort and the ports after it.
	redisShards int
	// perConn is how many players share one connection (1: each its own).
	perConn int
	// limit is each question's time limit.
	limit     time.Duration
	basePort  int
	pprofPort int
	timeout   time.Duration
	// redisOptions are go-redis URL options for the servers' Redis URL.
	redisOptions string
	// gctrace runs the servers with GODEBUG=gctrace=1 and notes, for each
	// one-room game, which events met a garbage collection.
	gctrace bool
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) > 0 && args[0] == noop.ServeArg {
		return noop.Serve(ctx, out)
	}
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	sizes := fs.String("n", "100,1000", "players in the one room, a comma-separated list of sizes")
	stores := fs.String("stores", "memory", "comma-separated: memory, redis, redis2 (two instances sharing Redis)")
	o := options{}
	fs.IntVar(&o.rooms, "rooms", 0, "instead of one big room: this many rooms at once, of -room-size players")
	fs.IntVar(&o.roomSize, "room-size", 10, "players per room with -rooms")
	fs.IntVar(&o.questions, "questions", 10, "questions per game")
	fs.DurationVar(&o.think, "think", 1500*time.Millisecond, "every player answers this long after the options open, all at once")
	fs.BoolVar(&o.ceilings, "ceilings", true, "also measure the no-op ceilings and EVALSHA")
	fs.BoolVar(&o.paired, "paired", true, "measure the no-op broadcast and burst of a size right before each game of that size (one room), not once at the start")
	fs.IntVar(&o.redisPort, "redis-port", 27379, "port of the redis-server the benchmark starts")
	fs.DurationVar(&o.limit, "time-limit", 20*time.Second, "each question's time limit (raise it when the answers of every room cannot all arrive in 20 s)")
	fs.IntVar(&o.perConn, "players-per-conn", 1, "players sharing one gRPC connection (more than 1 for more players than the open-files limit allows connections)")
	fs.IntVar(&o.redisShards, "redis-cluster", 0, "with a number of masters: Redis is a Cluster of them, on -redis-port and the ports after it")
	fs.IntVar(&o.basePort, "port", 27051, "port of the first server instance (the second gets the next)")
	fs.IntVar(&o.pprofPort, "pprof-port", 0, "serve each instance's metrics and profiles (/debug/pprof/) on 127.0.0.1 from this port on; 0: none")
	fs.DurationVar(&o.timeout, "timeout", 15*time.Minute, "give up on one scenario after this long")
	fs.StringVar(&o.redisOptions, "redis-options", "", "go-redis URL options for the servers' Redis URL, such as pool_size=50&pool_timeout=30s")
	fs.BoolVar(&o.gctrace, "gctrace", false, "run the servers with GODEBUG=gctrace=1 and list, for each one-room game, each question's and reveal's delivery time and the garbage collections during it")
	cpuProfile := fs.String("cpuprofile", "", "write the benchmark's own CPU profile (the bots', not the servers') to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if os.Getenv("GOGC") == "" {
		// The bots and the no-op's clients share the servers' cores: a
		// collector that runs a quarter as often leaves the servers more
		// of them, for the games and the ceilings alike (the servers keep
		// Go's defaults).
		debug.SetGCPercent(400)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("-n: %q is not a positive number", s)
		}
		o.sizes = append(o.sizes, n)
	}
	for _, s := range strings.Split(*stores, ",") {
		switch s = strings.TrimSpace(s); s {
		case "memory", "redis", "redis2":
			o.stores = append(o.stores, s)
		default:
			return fmt.Errorf("-stores: unknown store %q (memory, redis, redis2)", s)
		}
	}
	if err := raiseFileLimit(); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "quizroom-loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	quizd := filepath.Join(dir, "quizd")
	build := exec.CommandContext(ctx, "go", "build", "-o", quizd, "./server")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building ./server (run from the repository root): %w", err)
	}
	fmt.Fprintf(out, "# loadtest %s\n\n", strings.Join(args, " "))
	fmt.Fprintf(out, "%s\n\n", machine())
	b := &bench{opt: o, quizd: quizd, dir: dir, out: out}
	defer b.stopRedis()
	return b.all(ctx)
}

// raiseFileLimit lifts the soft open-files limit to the hard one: 10,000
// players are 10,000 connections in this process and in the server's.
func raiseFileLimit() error {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return err
	}
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return fmt.Errorf("raising the open-files limit: %w", err)
	}
	return nil
}

// machine describes where the numbers come from.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	go1, _ := exec.Command("go", "version").Output()
	return fmt.Sprintf("machine: %d CPUs (%s), %s", numCPU(), cpu, strings.TrimSpace(string(go1)))
}

func numCPU() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "processor\t:")
}
