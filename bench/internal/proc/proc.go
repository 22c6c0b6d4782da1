// Package proc starts a benchmark's server as a child process and reads
// what it costs: CPU time from its CPU clock, resident memory and its peak
// from /proc, and, when it runs with GODEBUG=gctrace=1, when its garbage
// collections ran.
package proc

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Child is a running child process.
type Child struct {
	cmd     *exec.Cmd
	Addr    string    // the address it printed on its first line "listening <addr>"
	started time.Time // just before it started: its gctrace times count from about then

	mu   sync.Mutex   // guards tail and gcs
	tail []string     // its last lines of output, but for gctrace's
	gcs  []Collection // the collections its gctrace lines told of
}

// tailLines is how many of its last lines of output a Child keeps.
const tailLines = 40

// Tail is the child's last lines of output (stdout and stderr, but for
// gctrace's lines: Collections), to say why it failed.
func (c *Child) Tail() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.tail, "\n")
}

// Start runs name with args and waits for a line containing marker on its
// stdout or stderr; the word after the marker, if any, is its address.
func Start(name string, args []string, env []string, marker string) (*Child, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	found := make(chan string, 1)
	c := &Child{cmd: cmd, started: started}
	go func() {
		sc := bufio.NewScanner(out)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			c.mu.Lock()
			if gc, ok := parseGCTrace(line, c.started); ok {
				c.gcs = append(c.gcs, gc)
			} else if c.tail = append(c.tail, line); len(c.tail) > tailLines {
				c.tail = c.tail[1:]
			}
			c.mu.Unlock()
			if !sent {
				if i := strings.Index(line, marker); i >= 0 {
					addr := ""
					if f := strings.Fields(line[i+len(marker):]); len(f) > 0 {
						addr = f[0]
					}
					found <- addr
					sent = true
				}
			}
		}
		if !sent {
			close(found)
		}
	}()
	select {
	case addr, ok := <-found:
		if !ok {
			_ = cmd.Wait()
			return nil, fmt.Errorf("%s exited before printing %q", name, marker)
		}
		c.Addr = strings.Trim(addr, `"`)
		return c, nil
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("%s printed no %q within 60 s", name, marker)
	}
}

// Collection is one garbage collection of a child's Go runtime, as its
// GODEBUG=gctrace=1 line tells of it.
type Collection struct {
	Start time.Time     // when it began, to within the child's start-up
	Clock time.Duration // how long it ran: its sweep termination, concurrent mark and mark termination
}

// End is when the collection finished.
func (g Collection) End() time.Time { return g.Start.Add(g.Clock) }

// Collections are the garbage collections the child ran so far, oldest
// first; none unless it runs with GODEBUG=gctrace=1.
func (c *Child) Collections() []Collection {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Collection(nil), c.gcs...)
}

// Overlapping is how many of gcs ran during [from, to], and for how long
// in all within it.
func Overlapping(gcs []Collection, from, to time.Time) (n int, d time.Duration) {
	for _, g := range gcs {
		start, end := g.Start, g.End()
		if start.Before(from) {
			start = from
		}
		if end.After(to) {
			end = to
		}
		if start.Before(end) {
			n++
			d += end.Sub(start)
		}
	}
	return n, d
}

// gcTrace matches a gctrace line: "gc 7 @2.345s 3%: 0.020+41+0.11 ms
// clock, ...": the time since the program started and the wall-clock
// times of the collection's three phases.
var gcTrace = regexp.MustCompile(`^gc \d+ @([0-9.]+)s \d+%: ([0-9.]+)\+([0-9.]+)\+([0-9.]+) ms clock`)

// parseGCTrace reads a gctrace line of a program started at started.
func parseGCTrace(line string, started time.Time) (Collection, bool) {
	m := gcTrace.FindStringSubmatch(line)
	if m == nil {
		return Collection{}, false
	}
	var f [4]float64
	for i := range f {
		v, err := strconv.ParseFloat(m[i+1], 64)
		if err != nil {
			return Collection{}, false
		}
		f[i] = v
	}
	return Collection{
		Start: started.Add(time.Duration(f[0] * float64(time.Second))),
		Clock: time.Duration((f[1] + f[2] + f[3]) * float64(time.Millisecond)),
	}, true
}

// Pid is the child's process id.
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// Stop ends the child with SIGTERM, then SIGKILL after a grace period.
func (c *Child) Stop() {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

// Usage is what a process has cost so far.
type Usage struct {
	CPU     time.Duration // user + system
	RSS     int64         // resident bytes now
	PeakRSS int64         // resident bytes at most (VmHWM)
}

// Read reads a process's usage: its CPU clock and, from /proc, its memory.
func Read(pid int) (Usage, error) {
	var u Usage
	var err error
	if u.CPU, err = CPUTime(pid); err != nil {
		return u, err
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return u, err
	}
	defer f.Close()
	return u, readStatus(f, &u)
}

func readStatus(r io.Reader, u *Usage) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "VmRSS":
			u.RSS = kb << 10
		case "VmHWM":
			u.PeakRSS = kb << 10
		}
	}
	return sc.Err()
}

// CPUTime reads a process's CPU time (user + system, every thread) from
// its CPU clock, to the nanosecond: one system call, where /proc/PID/stat
// costs the kernel a walk of the process's threads and counts in 10 ms
// ticks.
func CPUTime(pid int) (time.Duration, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(processClock(pid), &ts); err != nil {
		return 0, fmt.Errorf("reading the CPU clock of process %d: %w", pid, err)
	}
	return time.Duration(ts.Nano()), nil
}

// processClock is the clock id of pid's CPU clock, as clock_getcpuclockid(3)
// makes it on Linux: the pid's complement shifted past the clock type
// (CPUCLOCK_SCHED, 2: the scheduler's exact run time), with no per-thread bit.
func processClock(pid int) int32 {
	return int32(^pid<<3 | 2)
}

// cpuSample is a process's CPU time at a moment.
type cpuSample struct {
	at  time.Time
	cpu time.Duration
}

// Sampler reads a process's CPU time every few milliseconds, so that the
// CPU it spent in a window of time (a fan-out, a burst of answers) can be
// told apart from the rest of a run.
type Sampler struct {
	pid  int
	stop chan struct{}
	done chan struct{}

	mu      sync.Mutex // guards samples
	samples []cpuSample
}

// Sample starts reading pid's CPU time every interval, until Stop; it
// reads it once before it returns.
func Sample(pid int, every time.Duration) *Sampler {
	s := &Sampler{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	s.sample()
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.sample()
			}
		}
	}()
	return s
}

// sample reads the CPU time once.
func (s *Sampler) sample() {
	if cpu, err := CPUTime(s.pid); err == nil {
		s.mu.Lock()
		s.samples = append(s.samples, cpuSample{at: time.Now(), cpu: cpu})
		s.mu.Unlock()
	}
}

// Stop ends the sampling with one last reading.
func (s *Sampler) Stop() {
	close(s.stop)
	<-s.done
	s.sample()
}

// Between is the CPU time spent from the last sample at or before from to
// the first sample at or after to: the window, widened to whole samples.
func (s *Sampler) Between(from, to time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := sort.Search(len(s.samples), func(i int) bool { return s.samples[i].at.After(from) }) - 1
	j := sort.Search(len(s.samples), func(i int) bool { return !s.samples[i].at.Before(to) })
	if i < 0 || j >= len(s.samples) {
		return 0
	}
	return s.samples[j].cpu - s.samples[i].cpu
}

// Per divides the CPU time d among n operations; 0 when there were none.
func Per(d time.Duration, n int64) time.Duration {
	if n == 0 {
		return 0
	}
	return d / time.Duration(n)
}

// Micros is d in microseconds, for tables.
func Micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
