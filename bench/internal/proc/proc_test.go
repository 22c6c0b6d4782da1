package proc

import (
	"os"
	"testing"
	"time"
)

func TestParseCPU(t *testing.T) {
	// The command name may hold spaces and parentheses; utime and stime
	// are the 14th and 15th fields, in clock ticks.
	line := "4242 (quiz d) (x)) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 75 0 0 20 0 12 0 100 1000 200"
	got, err := parseCPU(line)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3250 * time.Millisecond; got != want {
		t.Errorf("parseCPU = %v, want %v", got, want)
	}
	if _, err := parseCPU("4242 (short) S 1 2"); err == nil {
		t.Error("parseCPU of a short line: no error")
	}
}

// TestSamplerSeesWork burns CPU in this process while sampling it: the
// window of the work shows CPU time, a window before the sampling began
// shows none.
func TestSamplerSeesWork(t *testing.T) {
	before := time.Now().Add(-time.Hour)
	s := Sample(os.Getpid(), time.Millisecond)
	time.Sleep(5 * time.Millisecond)
	from := time.Now()
	start, err := CPUTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	for spent := time.Duration(0); spent < 100*time.Millisecond; { // 100 ms of CPU, however long it takes
		for i := range 1_000_000 {
			x += i * i
		}
		now, err := CPUTime(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		spent = now - start
	}
	to := time.Now()
	time.Sleep(5 * time.Millisecond)
	s.Stop()
	// A sample's reading and its timestamp are microseconds apart, and the
	// CPU time moves in whole ticks: a tick landing between them can cut a
	// window short by one tick at either end.
	const slack = 2 * time.Second / clockTicks
	if got := s.Between(from, to); got < 100*time.Millisecond-slack {
		t.Errorf("Between(the work) = %v, want at least the 100 ms of CPU spent, less %v of rounding (x=%d)", got, slack, x)
	}
	if got := s.Between(before, before.Add(time.Minute)); got != 0 {
		t.Errorf("Between(an hour ago) = %v, want 0: no samples", got)
	}
}
