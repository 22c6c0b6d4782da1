package proc

import (
	"os"
	"testing"
	"time"
)

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
	// A sample's timestamp follows its reading by microseconds: the window
	// can miss that much of the work at its end.
	const slack = time.Millisecond
	if got := s.Between(from, to); got < 100*time.Millisecond-slack {
		t.Errorf("Between(the work) = %v, want at least the 100 ms of CPU spent, less %v of rounding (x=%d)", got, slack, x)
	}
	if got := s.Between(before, before.Add(time.Minute)); got != 0 {
		t.Errorf("Between(an hour ago) = %v, want 0: no samples", got)
	}
}
