// Command stuck measures what clients that stop reading cost a server: it
// runs quizd as a child process, opens N Watch streams of one room whose
// clients never read (each on its own connection, with a fixed 64 KiB
// flow-control window, so the server's sends block once it is full), makes
// events until the server has cut every one of them off or a bound is
// reached, and prints the server's resident memory and goroutines before,
// while the streams are stuck, and after it let them go.
//
//	go run ./bench/stuck -n 200
//	go run ./bench/stuck -n 200 -server /path/to/another/quizd
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/quizroom/quizroom/bench/internal/proc"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "stuck:", err)
		os.Exit(1)
	}
}

func run() error {
	n := flag.Int("n", 200, "streams that never read")
	events := flag.Int("events", 20000, "events to make at most")
	server := flag.String("server", "", "quizd binary; default: build ./server")
	flag.Parse()
	bin := *server
	if bin == "" {
		dir, err := os.MkdirTemp("", "stuck")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "quizd")
		if out, err := exec.Command("go", "build", "-o", bin, "./server").CombinedOutput(); err != nil {
			return fmt.Errorf("building the server: %v\n%s", err, out)
		}
	}
	metricsAddr, err := freeAddr()
	if err != nil {
		return err
	}
	// Limits by environment: a server without one ignores it.
	srv, err := proc.Start(bin, []string{"-listen", "127.0.0.1:0", "-metrics", metricsAddr, "-join-rate", "-1"}, []string{"QUIZ_WATCH_RATE=-1", "QUIZ_PPROF=true"}, "addr=")
	if err != nil {
		return err
	}
	defer srv.Stop()
	ctx := context.Background()
	admin, err := grpc.NewClient(srv.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer admin.Close()
	api := quizv1.NewQuizServiceClient(admin)
	created, err := api.CreateRoom(ctx, &quizv1.CreateRoomRequest{Source: &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"}})
	if err != nil {
		return err
	}
	code := created.GetRoom().GetCode()
	host := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+created.GetHostToken())
	report := func(when string) {
		u, _ := proc.Read(srv.Pid())
		// A heap profile with gc=1 collects garbage first: the heap in use
		// is then what the server holds.
		if resp, err := http.Get("http://" + metricsAddr + "/debug/pprof/heap?gc=1"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		fmt.Printf("%-38s RSS %6.1f MiB  heap in use %6.1f MiB  goroutines %5d  watchers %4d\n", when, float64(u.RSS)/(1<<20),
			float64(gauge(metricsAddr, "go_memstats_heap_inuse_bytes"))/(1<<20), gauge(metricsAddr, "go_goroutines"), gauge(metricsAddr, "quizroom_watchers"))
	}
	report("before")
	var conns []*grpc.ClientConn
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for range *n {
		c, err := grpc.NewClient(srv.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(64<<10))
		if err != nil {
			return err
		}
		conns = append(conns, c)
		if _, err := quizv1.NewQuizServiceClient(c).Watch(ctx, &quizv1.WatchRequest{RoomCode: code}); err != nil {
			return err
		}
	}
	time.Sleep(time.Second)
	report(fmt.Sprintf("%d streams open", *n))
	peak := int64(0)
	made := 0
	for ; made < *events; made++ {
		if _, err := api.LockRoom(host, &quizv1.LockRoomRequest{RoomCode: code, Locked: made%2 == 0}); err != nil {
			return err
		}
		if made%16 == 0 {
			// Slow enough that the server's senders keep up until the
			// clients' windows are full, as with a few events a second.
			time.Sleep(time.Millisecond)
		}
		if made%500 == 499 {
			if u, err := proc.Read(srv.Pid()); err == nil {
				peak = max(peak, u.RSS)
			}
			if gauge(metricsAddr, "quizroom_watchers") == 0 && made > 5000 {
				break
			}
		}
	}
	report(fmt.Sprintf("after %d events", made+1))
	fmt.Printf("%-38s RSS %6.1f MiB\n", "peak RSS while they were fed", float64(peak)/(1<<20))
	time.Sleep(2 * time.Second)
	report("2 s later, the clients still connected")
	return nil
}

// gauge reads one metric of the server; -1 when it cannot.
func gauge(addr, name string) int {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return int(f)
		}
	}
	return -1
}

// freeAddr is a free address of 127.0.0.1.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
