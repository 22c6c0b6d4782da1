package room

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/quizroom/quizroom/server/game"
)

// viewEncoder renders a player's own part from every field of their view,
// at lengths that differ from player to player.
type viewEncoder struct{}

func (viewEncoder) Event(_ *Spec, e *Event, _ *Scoreboard) ([]byte, error) {
	return fmt.Appendf(nil, "event %d:%d", e.Type, e.Seq), nil
}

func (viewEncoder) AppendPersonal(dst []byte, _ *Spec, e *Event, v *View) ([]byte, error) {
	if v.Standing == nil {
		return dst, nil // as a player not ranked: no personal part
	}
	dst = fmt.Appendf(dst, "|%s rank %d gap %d streak %d", v.Standing.PlayerID, v.Standing.Rank, v.Gap, v.Streak)
	if v.Result != nil {
		dst = fmt.Appendf(dst, " correct %v points %d %s", v.Result.Correct, v.Result.Points, bytes.Repeat([]byte{'*'}, v.Result.Points%97))
	}
	return dst, nil
}

func (viewEncoder) SnapshotShared(*Spec, *Snapshot) ([]byte, error) { return nil, nil }
func (viewEncoder) Snapshot(*Spec, *Snapshot, []byte) (head, tail []byte, err error) {
	return nil, nil, nil
}

// TestRenderIsTheSameInParallel renders a reveal for a room of 2,000
// players (some unranked), spectators and a host with one worker and with
// several: every watcher gets the same bytes, and no frame's bytes change
// after it was delivered (the workers' shared buffers do not overwrite
// what they handed out).
func TestRenderIsTheSameInParallel(t *testing.T) {
	const players = 2000
	sb := &Scoreboard{Results: map[string]Result{}}
	var subs []*Subscription
	for i := range players {
		id := PlayerID(i + 1)
		if i%10 != 3 { // every tenth player is not ranked
			sb.Standings = append(sb.Standings, game.Standing{PlayerID: id, Score: 10 * (players - i), Rank: len(sb.Standings) + 1, Streak: i % 5})
		}
		if i%3 != 0 {
			sb.Results[id] = Result{PlayerID: id, Correct: i%2 == 0, Points: i}
		}
		subs = append(subs, &Subscription{who: Identity{Role: PlayerRole, PlayerID: id}})
		if i%500 == 0 {
			subs = append(subs, &Subscription{who: Identity{Role: Spectator}}, &Subscription{who: Identity{Role: Host}})
		}
	}
	sb.byID = sb.index()
	ev := &Event{Seq: 42, Type: EventRevealed, Q: 3}
	shared, _ := viewEncoder{}.Event(nil, ev, sb)

	collect := func(workers int) (got, atDelivery [][]byte) {
		frames := make([]Frame, len(subs))
		atDelivery = make([][]byte, len(subs))
		err := render(viewEncoder{}, nil, ev, shared, sb, subs, workers, func(i int, f Frame) {
			frames[i] = f
			atDelivery[i] = f.Bytes()
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range frames {
			if f.Seq != ev.Seq || f.Final {
				t.Fatalf("%d workers: frame %d is seq %d final %v, want seq %d not final", workers, i, f.Seq, f.Final, ev.Seq)
			}
			got = append(got, f.Bytes())
		}
		return got, atDelivery
	}
	want, _ := collect(1)
	for i, b := range want {
		_, ranked := sb.byID[subs[i].who.PlayerID]
		ranked = ranked && subs[i].who.Role == PlayerRole
		if (len(b) > len(shared)) != ranked {
			t.Fatalf("watcher %+v: frame %q; want a personal part exactly when ranked (%v)", subs[i].who, b, ranked)
		}
	}
	for _, workers := range []int{2, 3, 8} {
		got, atDelivery := collect(workers)
		for i := range want {
			if !bytes.Equal(got[i], want[i]) || !bytes.Equal(atDelivery[i], want[i]) {
				t.Fatalf("%d workers, watcher %d: frame %q (at delivery %q), want %q", workers, i, got[i], atDelivery[i], want[i])
			}
		}
	}
}
