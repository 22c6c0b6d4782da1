package proc

import (
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"
)

// childEnv makes the test binary act as a child that collects garbage
// (TestMain).
const childEnv = "PROC_TEST_GC_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		fmt.Println("listening nowhere")
		runtime.GC()
		runtime.GC()
		time.Sleep(time.Minute) // until Stop
		return
	}
	os.Exit(m.Run())
}

// TestCollectionsOfAChild runs a child with GODEBUG=gctrace=1 that
// collects twice: both collections are told, within the time it ran, and
// their trace lines are not in its tail.
func TestCollectionsOfAChild(t *testing.T) {
	before := time.Now()
	c, err := Start(os.Args[0], []string{"-test.run=^$"}, []string{childEnv + "=1", "GODEBUG=gctrace=1"}, "listening")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	var gcs []Collection
	for deadline := time.Now().Add(30 * time.Second); len(gcs) < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		gcs = c.Collections()
	}
	if len(gcs) < 2 {
		t.Fatalf("Collections() = %v, want the child's two; its output: %s", gcs, c.Tail())
	}
	after := time.Now()
	for i, g := range gcs {
		if g.Start.Before(before) || g.End().After(after) {
			t.Errorf("collection %d ran %v to %v, outside the child's life (%v to %v)", i+1, g.Start, g.End(), before, after)
		}
		if g.Clock <= 0 {
			t.Errorf("collection %d took %v, want a time", i+1, g.Clock)
		}
	}
	if n, _ := Overlapping(gcs, before, after); n != len(gcs) {
		t.Errorf("Overlapping(the child's life) = %d collections, want all %d", n, len(gcs))
	}
	if tail := c.Tail(); tail != "listening nowhere" {
		t.Errorf("Tail() = %q, want only the child's own line", tail)
	}
}

func TestParseGCTrace(t *testing.T) {
	started := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	line := "gc 12 @5.250s 4%: 0.050+120+0.45 ms clock, 0.10+30/60/0+0.90 ms cpu, 180->190->160 MB, 256 MB goal, 40 MB stacks, 0 MB globals, 2 P"
	got, ok := parseGCTrace(line, started)
	want := Collection{Start: started.Add(5250 * time.Millisecond), Clock: 120500 * time.Microsecond}
	if !ok || !got.Start.Equal(want.Start) || got.Clock != want.Clock {
		t.Errorf("parseGCTrace(%q) = %v, %v; want %v, true", line, got, ok, want)
	}
	for _, line := range []string{"", "gc", "quizd listening addr=127.0.0.1:1", "gc 1 @x.s 0%: 1+2+3 ms clock", "scvg: 1 MB released"} {
		if got, ok := parseGCTrace(line, started); ok {
			t.Errorf("parseGCTrace(%q) = %v, true; want no collection", line, got)
		}
	}
}

func TestOverlapping(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	gcs := []Collection{
		{Start: ms(0), Clock: 100 * time.Millisecond},   // ends as the window begins: outside
		{Start: ms(150), Clock: 100 * time.Millisecond}, // all 100 ms inside
		{Start: ms(300), Clock: 100 * time.Millisecond}, // its first 50 ms inside
		{Start: ms(400), Clock: time.Millisecond},       // after
	}
	n, d := Overlapping(gcs, ms(100), ms(350))
	if n != 2 || d != 150*time.Millisecond {
		t.Errorf("Overlapping = %d, %v; want 2 collections, 150ms", n, d)
	}
}
