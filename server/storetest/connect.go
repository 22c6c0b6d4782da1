package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

// testConnectRequireActive checks Connection.RequireActive: a stream of a
// player who left, was kicked or never joined is refused with the message
// Identify gives a departed player, and nothing in the room changes (the
// instance's presence lease, which is the instance's for every room, may be
// renewed); active players and the host are counted as ever.
func testConnectRequireActive(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	ids := f.players(3)
	a, kicked, left := ids[0], ids[1], ids[2]
	if _, err := f.s.Kick(f.ctx, f.code, kicked); err != nil {
		t.Fatalf("Kick: %v", err)
	}
	if err := f.s.Leave(f.ctx, f.code, left); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	f.open(0)
	connect := func(id string) error {
		_, err := f.s.Connect(f.ctx, f.code, room.Connection{PlayerID: id, Instance: "R", Delta: 1, TTL: time.Minute, RequireActive: true})
		return err
	}
	for _, id := range []string{kicked, left, room.PlayerID(99)} {
		wantMsg(t, "Connect requiring an active player of "+id, connect(id), room.ErrDenied,
			fmt.Sprintf("player %s is no longer in room %s", id, f.code))
	}
	f.wantWaiting("only refused streams", 0)
	if err := connect(a); err != nil {
		t.Errorf("Connect requiring an active player of an active one: %v", err)
	}
	if err := connect(room.HostMember); err != nil {
		t.Errorf("Connect requiring an active player of the host: %v", err)
	}
	f.wantWaiting("an active player connected", 1)
	if _, err := f.s.Connect(f.ctx, f.code, room.Connection{PlayerID: kicked, Instance: "R", Delta: 1, TTL: time.Minute}); err != nil {
		t.Errorf("Connect of a kicked player without RequireActive: %v, want it ignored", err)
	}
}
