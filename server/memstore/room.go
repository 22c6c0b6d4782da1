package memstore

import (
	"sync"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

// memRoom is one room's data. mu guards every field but spec, which never
// changes.
type memRoom struct {
	spec *room.Spec

	mu          sync.Mutex
	state       room.State
	players     []*memPlayer              // in join order
	byID        map[string]*memPlayer     // every player who joined
	names       map[string]string         // name key → player id, kicked names included
	tokens      map[string]*memPlayer     // token hash → player
	joined      []room.Player             // joins since the last roster event
	left        []room.Player             // departures since the last roster event
	presence    map[string]int            // open streams per connected active player, on every live instance
	host        int                       // the host's open streams, on every live instance
	streams     map[string]map[string]int // instance → member (player id or room.HostMember) → open streams there
	answers     []map[string]*room.Result
	counts      [][]int // answers per option, by question
	correct     []int   // fully correct answers, by question
	progress    int     // answered count in the last progress event
	log         []room.Event
	logSize     int
	changed     chan struct{} // closed and replaced when events are appended and when roster or progress work starts to pend
	pings       int           // times roster or progress work started to pend
	rosterPings int           // of those, roster work
	expires     time.Time
	leaseOwner  string
	leaseUntil  time.Time
}

// memPlayer is a player and their running totals.
type memPlayer struct {
	room.Player
	join        int
	nameKey     string
	tokenHash   string
	active      bool
	left        bool
	kicked      bool
	score       int
	correctTime time.Duration
	correctN    int
	streak      int
	streakQ     int
}

func newMemRoom(spec *room.Spec, now time.Time, logSize int) *memRoom {
	n := len(spec.Questions)
	r := &memRoom{
		spec:     spec,
		byID:     make(map[string]*memPlayer),
		names:    make(map[string]string),
		tokens:   make(map[string]*memPlayer),
		presence: make(map[string]int),
		streams:  make(map[string]map[string]int),
		answers:  make([]map[string]*room.Result, n),
		counts:   make([][]int, n),
		correct:  make([]int, n),
		logSize:  logSize,
		changed:  make(chan struct{}),
	}
	for i := range n {
		r.answers[i] = make(map[string]*room.Result)
		r.counts[i] = make([]int, len(spec.Questions[i].Options))
	}
	r.state = room.State{Phase: game.PhaseLobby, Q: -1, Touched: now, Epoch: room.NewEpoch()}
	return r
}

// appendEvent adds events to the log with the next seqs, trims it, and wakes
// waiters. r.mu is held.
func (r *memRoom) appendEvent(now time.Time, evs ...room.Event) uint64 {
	for _, e := range evs {
		r.state.Seq++
		e.Seq, e.Time = r.state.Seq, now
		r.log = append(r.log, e)
	}
	if over := len(r.log) - r.logSize; over > 0 {
		r.log = append(r.log[:0:0], r.log[over:]...)
	}
	r.notify()
	r.state.Touched = now
	return r.state.Seq
}

// notify wakes the room's waiters and followers. r.mu is held.
func (r *memRoom) notify() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// current is a copy of the room's state as State returns it, read at now.
// r.mu is held.
func (r *memRoom) current(now time.Time) *room.State {
	st := r.state
	st.Now = now
	st.RosterPending = r.rosterPending()
	st.ProgressPending = st.Phase == game.PhaseQuestion && st.Answered != r.progress
	return &st
}

// rosterPending says whether joins or departures wait for the owner's
// next roster event.
func (r *memRoom) rosterPending() bool { return len(r.joined)+len(r.left) > 0 }

// ping tells the room's follower that roster (or else progress) work
// pends. r.mu is held.
func (r *memRoom) ping(roster bool) {
	r.pings++
	if roster {
		r.rosterPings++
	}
	r.notify()
}

// eventsAfter returns up to max events with seq > after. r.mu is held.
func (r *memRoom) eventsAfter(after uint64, max int) ([]room.Event, error) {
	if after > r.state.Seq {
		return nil, room.Errorf(room.ErrLost, "room %s has no event %d: its last is %d, so events were lost", r.spec.Code, after, r.state.Seq)
	}
	if after == r.state.Seq {
		return nil, nil
	}
	first := r.state.Seq - uint64(len(r.log)) + 1
	if after+1 < first {
		return nil, room.Errorf(room.ErrTrimmed, "events after %d are no longer kept; the oldest kept is %d", after, first)
	}
	evs := r.log[after+1-first:]
	if len(evs) > max {
		evs = evs[:max]
	}
	return append([]room.Event(nil), evs...), nil
}

// activePlayer finds an active player or fails with kind.
func (r *memRoom) activePlayer(id string, kind error) (*memPlayer, error) {
	p, ok := r.byID[id]
	if !ok || !p.active {
		return nil, room.Errorf(kind, "no player %s in room %s", id, r.spec.Code)
	}
	return p, nil
}

// depart makes p inactive, dropping their presence. r.mu is held.
func (r *memRoom) depart(p *memPlayer) {
	p.active = false
	r.state.Players--
	for _, counts := range r.streams {
		delete(counts, p.ID)
	}
	if r.presence[p.ID] > 0 {
		delete(r.presence, p.ID)
		if r.questionOpen() && !r.answeredCurrent(p.ID) {
			r.state.Waiting--
		}
	}
}

// member reports whether id counts its streams: an active player or the
// host. r.mu is held.
func (r *memRoom) member(id string) bool {
	if id == room.HostMember {
		return true
	}
	p, ok := r.byID[id]
	return ok && p.active
}

// setCount makes instance's stream count of member id n and returns the
// count it had. r.mu is held.
func (r *memRoom) setCount(instance, id string, n int) (had int) {
	counts := r.streams[instance]
	if counts == nil {
		counts = map[string]int{}
		r.streams[instance] = counts
	}
	had = counts[id]
	if n == 0 {
		delete(counts, id)
	} else {
		counts[id] = n
	}
	return had
}

// setStreams makes instance's stream count of member id n at now, keeping
// the player's total and Waiting in step (or the host's presence, see
// setHost); it reports whether a player stopped waiting. r.mu is held.
func (r *memRoom) setStreams(now time.Time, instance, id string, n int) (stopped bool) {
	if id == room.HostMember {
		r.setHost(now, instance, n)
		return false
	}
	before := r.presence[id]
	after := max(before+n-r.setCount(instance, id, n), 0)
	if after == 0 {
		delete(r.presence, id)
	} else {
		r.presence[id] = after
	}
	if !r.questionOpen() || r.answeredCurrent(id) {
		return false
	}
	switch {
	case before == 0 && after > 0:
		r.state.Waiting++
	case before > 0 && after == 0:
		r.state.Waiting--
		return true
	}
	return false
}

// setHost makes instance's count of the host's streams n at now. The host
// going from some streams to none in a room that is not over is away; an
// away host with a stream again is back, and takes the pacing back from
// AUTO pacing (a hold it set is dropped). Each appends EventHost. r.mu is
// held.
func (r *memRoom) setHost(now time.Time, instance string, n int) {
	before := r.host
	r.host = max(before+n-r.setCount(instance, room.HostMember, n), 0)
	st := &r.state
	switch {
	case st.Phase.Over():
	case before > 0 && r.host == 0:
		st.HostAway = now
		r.appendEvent(now, room.Event{Type: room.EventHost, Away: true, Phase: st.Phase})
	case before == 0 && r.host > 0 && !st.HostAway.IsZero():
		if st.AutoPacing && held(st) {
			st.Deadline = time.Time{}
		}
		st.HostAway, st.AutoPacing = time.Time{}, false
		r.appendEvent(now, room.Event{Type: room.EventHost, Phase: st.Phase})
	}
}

// held reports whether the room shows a reveal or a leaderboard, paused
// or not: the phases AUTO pacing holds for a time.
func held(st *room.State) bool {
	p := st.ShownPhase()
	return p == game.PhaseReveal || p == game.PhaseLeaderboard
}

// expire drops the streams of the dead instances (their presence lease
// lapsed: Store.dead); it reports whether a waiting player stopped
// waiting. r.mu is held.
func (r *memRoom) expire(now time.Time, dead map[string]bool) (stopped bool) {
	for instance, counts := range r.streams {
		if !dead[instance] {
			continue
		}
		for id := range counts {
			stopped = r.setStreams(now, instance, id, 0) || stopped
		}
		delete(r.streams, instance)
	}
	return stopped
}

// allAnswered reports whether the open question can close early because
// a player stopped waiting and nobody connected is left to answer. r.mu
// is held.
func (r *memRoom) allAnswered(stopped bool) bool {
	return stopped && r.state.Phase == game.PhaseQuestion && r.state.Waiting == 0 && r.state.Answered > 0
}

// questionOpen reports whether the current question is open or paused:
// while paused, streams still count towards Waiting, so that it is right
// when the question resumes. r.mu is held.
func (r *memRoom) questionOpen() bool {
	st := &r.state
	return st.Phase == game.PhaseQuestion || st.Phase == game.PhasePaused && st.PausedPhase == game.PhaseQuestion
}

// answeredCurrent reports whether the player answered the current question.
func (r *memRoom) answeredCurrent(id string) bool {
	if r.state.Q < 0 || r.state.Q >= len(r.answers) {
		return false
	}
	_, ok := r.answers[r.state.Q][id]
	return ok
}

// standing is a player's standing, unranked.
func (p *memPlayer) standing() game.Standing {
	return game.Standing{
		PlayerID: p.ID, Name: p.Name, Join: p.join, Score: p.score,
		CorrectTime: p.correctTime, Correct: p.correctN, Streak: p.streak, StreakQ: p.streakQ,
	}
}
