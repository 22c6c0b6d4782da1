package api

import (
	"bytes"
	"testing"

	"github.com/quizroom/quizroom/server/room"
)

// TestCodecFrames checks that the codec sends a frame's bytes as they are,
// and that the frames of one shared event, which every watcher of a room
// gets in turn, cost no allocation after the first: thousands of watchers
// join while roster events go to those already there, and what each frame
// allocates is garbage the server's heap grows by.
func TestCodecFrames(t *testing.T) {
	c := Codec()
	shared := []byte("the room's event")
	frames := []room.Frame{
		{Shared: shared},
		{Shared: shared, Personal: []byte("mine")},
		{Head: []byte("head"), Shared: shared, Personal: []byte("tail")},
		{Shared: []byte("another event")},
		{Shared: shared},
		{Shared: []byte("a third event")},
		{Shared: shared},
	}
	for i, f := range frames {
		out, err := c.Marshal(&frameMessage{f})
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Materialize(); !bytes.Equal(got, f.Bytes()) {
			t.Errorf("frame %d: sent %q, want %q", i, got, f.Bytes())
		}
	}
	// Watchers still sending one event while others send the next.
	m, next := &frameMessage{room.Frame{Shared: shared}}, &frameMessage{room.Frame{Shared: []byte("the next event")}}
	_, _ = c.Marshal(next)
	if got := testing.AllocsPerRun(100, func() { _, _ = c.Marshal(m); _, _ = c.Marshal(next) }); got != 0 {
		t.Errorf("two shared events' frames for more watchers: %.0f allocations, want 0", got)
	}
	m.Frame = room.Frame{Shared: shared, Personal: []byte("mine")}
	if got := testing.AllocsPerRun(100, func() { _, _ = c.Marshal(m) }); got > 3 {
		t.Errorf("a frame with a personal part: %.0f allocations, want at most 3 (the list and its two parts)", got)
	}
}
