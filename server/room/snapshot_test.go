package room_test

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/api"
	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/room"
)

// rosterStore counts roster reads.
type rosterStore struct {
	room.Store
	reads atomic.Int32
}

func (s *rosterStore) Roster(ctx context.Context, code string, limit int) ([]room.Player, int, error) {
	s.reads.Add(1)
	return s.Store.Roster(ctx, code, limit)
}

// TestConcurrentSnapshotsShareTheirPublicPart has many players and
// spectators watch a game in its reveal at once, with the real encoder:
// snapshots of the same seq carry byte-identical public parts (roster,
// question, reveal, leaderboard), read, rendered and held once per seq, and each
// watcher's own fields (role, you, answered) and personal part are its own:
// Ann answered and has her result, Bob did not.
func TestConcurrentSnapshotsShareTheirPublicPart(t *testing.T) {
	store := &rosterStore{Store: memstore.New(memstore.Config{})}
	// No roster batches or progress while they watch: every snapshot is
	// of the same seq (but one, should the join's batch come in between).
	a := startInstance(t, store, "a", room.Config{Tick: time.Hour, Encoder: api.Encoder{}})
	code := newRoom(t, a.e)
	ps := joinAll(t, a.e, code, "Ann", "Bob")
	if _, err := a.e.Start(context.Background(), code, hostID); err != nil {
		t.Fatal(err)
	}
	spec, _, err := a.e.Info(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.e.Submit(context.Background(), code, ps[0], 0, anyAnswer(&spec.Questions[0])); err != nil {
		t.Fatal(err)
	}
	if _, err := a.e.Close(context.Background(), code, hostID); err != nil {
		t.Fatal(err)
	}
	store.reads.Store(0)

	const each = 10 // watchers of each identity
	whos := []room.Identity{ps[0], ps[1], {Role: room.Spectator}}
	frames := make([][]room.Frame, len(whos))
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, who := range whos {
		for range each {
			wg.Go(func() {
				sub, err := a.e.Watch(context.Background(), code, who, 0, 0)
				if err != nil {
					t.Error(err)
					return
				}
				defer sub.Close()
				f, err := sub.Next(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				frames[i] = append(frames[i], f)
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	public := map[uint64][]byte{} // by seq: the snapshot's bytes but the watcher's own fields
	held := map[uint64]*byte{}    // by seq: where the first frame's shared bytes are
	for i, who := range whos {
		for _, f := range frames[i] {
			// The public part is in memory once, not copied per watcher.
			if p, ok := held[f.Seq]; ok && p != &f.Shared[0] {
				t.Errorf("%v's snapshot at seq %d holds a copy of the public part", who, f.Seq)
			}
			held[f.Seq] = &f.Shared[0]
			var msg quizv1.WatchResponse
			if err := proto.Unmarshal(f.Bytes(), &msg); err != nil {
				t.Fatal(err)
			}
			snap := msg.GetEvent().GetSnapshot()
			if snap.GetReveal() == nil || len(snap.GetPlayers()) != 2 || snap.GetLeaderboard() == nil {
				t.Fatalf("%v's snapshot lacks the reveal, roster or leaderboard: %v", who, snap)
			}
			switch who.Role {
			case room.PlayerRole:
				if snap.GetRole() != quizv1.Role_ROLE_PLAYER || snap.GetYou().GetPlayerId() != who.PlayerID || snap.GetYou().GetName() != who.Name {
					t.Errorf("%s's snapshot: role %v, you %v", who.Name, snap.GetRole(), snap.GetYou())
				}
				if snap.GetAnswered() != (who == ps[0]) || msg.GetPersonal().GetResult().GetAnswered() != (who == ps[0]) {
					t.Errorf("%s's snapshot: answered %v, own result %v; only Ann answered", who.Name, snap.GetAnswered(), msg.GetPersonal().GetResult())
				}
				if got := msg.GetPersonal().GetStanding().GetPlayer().GetPlayerId(); got != who.PlayerID {
					t.Errorf("%s's own standing is %s's", who.Name, got)
				}
			default:
				if snap.GetRole() != quizv1.Role_ROLE_SPECTATOR || snap.GetYou() != nil || snap.GetAnswered() || msg.GetPersonal() != nil {
					t.Errorf("a spectator's snapshot: role %v, you %v, answered %v, personal %v", snap.GetRole(), snap.GetYou(), snap.GetAnswered(), msg.GetPersonal())
				}
			}
			// The watcher's own fields come last in the snapshot's bytes;
			// what comes before them is the public part.
			raw := snapshotBytes(t, f.Bytes())
			own, err := proto.Marshal(&quizv1.RoomSnapshot{Role: snap.GetRole(), You: snap.GetYou(), Answered: snap.GetAnswered()})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasSuffix(raw, own) {
				t.Fatalf("%v's snapshot does not end with its own fields", who)
			}
			pub := raw[:len(raw)-len(own)]
			if prev, ok := public[f.Seq]; ok && !bytes.Equal(prev, pub) {
				t.Errorf("%v's snapshot at seq %d has other public bytes than another watcher's", who, f.Seq)
			}
			public[f.Seq] = pub
		}
	}
	if n := int(store.reads.Load()); n != len(public) {
		t.Errorf("%d roster reads for %d concurrent snapshots of %d seqs, want one per seq", n, len(whos)*each, len(public))
	}
}

// snapshotBytes is the raw RoomSnapshot in a WatchResponse's event.
func snapshotBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	ev := field(t, b, 1)
	return field(t, ev, 10)
}

// field is the bytes of the length-delimited field num in message b.
func field(t *testing.T, b []byte, num protowire.Number) []byte {
	t.Helper()
	for len(b) > 0 {
		n, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			t.Fatal(protowire.ParseError(l))
		}
		b = b[l:]
		l = protowire.ConsumeFieldValue(n, typ, b)
		if l < 0 {
			t.Fatal(protowire.ParseError(l))
		}
		if n == num && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(b[:l])
			return v
		}
		b = b[l:]
	}
	t.Fatalf("no field %d", num)
	return nil
}
