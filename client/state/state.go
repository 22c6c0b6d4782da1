// Package state keeps a room as one watcher of its event stream sees it:
// each event is applied in seq order, a snapshot replaces everything known,
// and a clock estimated from the events' server times turns deadlines into
// countdowns. The terminal UI, the line output and the bots all read it.
package state

import (
	"fmt"
	"slices"
	"time"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// Room is a room as its watcher knows it. The zero Room knows nothing yet;
// Apply events to it. It is not safe for concurrent use.
type Room struct {
	// Seq is the seq of the last event applied.
	Seq uint64
	// Info describes the room, from the last snapshot.
	Info *quizv1.RoomInfo
	// Role is what the watcher's token makes it.
	Role quizv1.Role
	// You is the watching player; nil for the host and spectators.
	You *quizv1.Player
	// Phase is the room's phase; PausedPhase the phase a pause froze and
	// PausedRemaining the time that was left in it.
	Phase, PausedPhase quizv1.Phase
	PausedRemaining    time.Duration
	// Players is the roster known, in join order; the host knows all of
	// it, others the most recent ones. PlayerCount is the room's total.
	Players     []*quizv1.Player
	PlayerCount int
	// Locked is true when the lobby refuses new players.
	Locked bool
	// Question is the open question, or the last one shown.
	Question *quizv1.QuestionOpened
	// Answered is true when the watching player's answer to Question was
	// accepted.
	Answered bool
	// Progress is Question's answered count.
	Progress *quizv1.AnswerProgress
	// Reveal is Question's reveal, once it is closed.
	Reveal *quizv1.QuestionRevealed
	// Leaderboard is the latest standings.
	Leaderboard *quizv1.Leaderboard
	// Finished holds the final results once the game is over.
	Finished *quizv1.GameFinished
	// Personal is the watching player's own part of the latest reveal,
	// leaderboard, final results or snapshot: their result and standing.
	// It is nil for the host and spectators, and while a question is open.
	Personal *quizv1.Personal
	// Kicked is true when the host removed the watching player.
	Kicked bool
	// ClosedReason says why the room closed; set with PHASE_CLOSED.
	ClosedReason string
	// Host is the host's presence as last told (the snapshot's host, then
	// HostPresence events); nil while the host is here. HostAway reads it.
	Host *quizv1.HostPresence
	// Clock estimates the server's clock from the events.
	Clock Clock

	// ranks are the players' ranks at the latest leaderboard or final
	// standings, and before are those of the one before, for RankChange;
	// listed and listedBefore are how many players those lists ranked.
	ranks, before        map[string]int32
	listed, listedBefore int
}

// Apply updates the room with ev and the watching player's own part of it
// (nil when it has none), received at local time received.
func (r *Room) Apply(ev *quizv1.Event, personal *quizv1.Personal, received time.Time) {
	if st := ev.GetServerTime(); st != nil {
		r.Clock.Observe(st.AsTime(), received)
	}
	r.Seq = ev.GetSeq()
	switch p := ev.GetPayload().(type) {
	case *quizv1.Event_Snapshot:
		r.applySnapshot(p.Snapshot)
		r.Personal = personal
	case *quizv1.Event_RosterChanged:
		rc := p.RosterChanged
		r.applyRoster(rc)
		r.PlayerCount = int(rc.GetPlayerCount())
		r.recount()
	case *quizv1.Event_RoomLocked:
		r.Locked = p.RoomLocked.GetLocked()
	case *quizv1.Event_GameStarted:
		r.PlayerCount = int(p.GameStarted.GetPlayerCount())
		if r.Info != nil {
			r.Info.QuestionCount = p.GameStarted.GetQuestionCount()
		}
	case *quizv1.Event_QuestionOpened:
		q := p.QuestionOpened
		r.Phase, r.Question, r.Answered, r.Reveal, r.Personal = quizv1.Phase_PHASE_QUESTION, q, false, nil, nil
		r.Progress = &quizv1.AnswerProgress{Index: q.GetIndex(), Players: int32(r.PlayerCount)}
	case *quizv1.Event_AnswerProgress:
		r.Progress = p.AnswerProgress
	case *quizv1.Event_QuestionRevealed:
		r.Phase, r.Reveal, r.Personal = quizv1.Phase_PHASE_REVEAL, p.QuestionRevealed, personal
		if res := personal.GetResult(); res != nil {
			r.Answered = res.GetAnswered()
		}
	case *quizv1.Event_Leaderboard:
		r.Phase, r.Leaderboard, r.Personal = quizv1.Phase_PHASE_LEADERBOARD, p.Leaderboard, personal
		r.rank(p.Leaderboard.GetTop(), personal.GetStanding())
	case *quizv1.Event_GamePaused:
		r.PausedPhase = r.Phase
		if pp := p.GamePaused.GetPausedPhase(); pp != quizv1.Phase_PHASE_UNSPECIFIED {
			r.PausedPhase = pp
		}
		r.Phase = quizv1.Phase_PHASE_PAUSED
		r.PausedRemaining = p.GamePaused.GetRemaining().AsDuration()
	case *quizv1.Event_GameResumed:
		gr := p.GameResumed
		r.Phase, r.PausedPhase, r.PausedRemaining = gr.GetPhase(), quizv1.Phase_PHASE_UNSPECIFIED, 0
		if gr.GetPhase() == quizv1.Phase_PHASE_QUESTION && r.Question != nil {
			q := cloneQuestion(r.Question)
			if gr.GetOpensAt() != nil {
				q.OpensAt = gr.GetOpensAt()
			}
			if gr.GetDeadline() != nil {
				q.Deadline = gr.GetDeadline()
			}
			r.Question = q
		}
	case *quizv1.Event_GameFinished:
		r.Phase, r.Finished, r.Personal = quizv1.Phase_PHASE_FINISHED, p.GameFinished, personal
		r.rank(append(p.GameFinished.GetPodium(), p.GameFinished.GetStandings()...), personal.GetStanding())
	case *quizv1.Event_PlayerKicked:
		pk := p.PlayerKicked
		r.removePlayer(pk.GetPlayer().GetPlayerId())
		r.PlayerCount = int(pk.GetPlayerCount())
		r.recount()
		if r.You != nil && pk.GetPlayer().GetPlayerId() == r.You.GetPlayerId() {
			r.Kicked = true
		}
	case *quizv1.Event_RoomClosed:
		r.Phase, r.ClosedReason = quizv1.Phase_PHASE_CLOSED, p.RoomClosed.GetReason()
	case *quizv1.Event_HostPresence:
		r.setHost(p.HostPresence)
	}
}

// applySnapshot replaces what the room knew, but its clock.
func (r *Room) applySnapshot(s *quizv1.RoomSnapshot) {
	clock := r.Clock
	*r = Room{
		Seq:             r.Seq,
		Info:            s.GetRoom(),
		Role:            s.GetRole(),
		You:             s.GetYou(),
		Phase:           s.GetPhase(),
		PausedPhase:     s.GetPausedPhase(),
		PausedRemaining: s.GetPausedRemaining().AsDuration(),
		PlayerCount:     int(s.GetRoom().GetPlayerCount()),
		Locked:          s.GetRoom().GetLocked(),
		Question:        s.GetQuestion(),
		Answered:        s.GetAnswered(),
		Progress:        s.GetProgress(),
		Reveal:          s.GetReveal(),
		Leaderboard:     s.GetLeaderboard(),
		Finished:        s.GetFinished(),
		Clock:           clock,
	}
	r.setHost(s.GetHost())
	// The snapshot lists the most recent players first.
	r.Players = slices.Clone(s.GetPlayers())
	slices.Reverse(r.Players)
	if r.Phase == quizv1.Phase_PHASE_CLOSED {
		r.ClosedReason = "the room is closed"
	}
	if lb := s.GetLeaderboard(); lb != nil {
		r.rank(lb.GetTop(), nil)
	}
}

// setHost records the host's presence: nil when the host is here and the
// game keeps its own pacing.
func (r *Room) setHost(h *quizv1.HostPresence) {
	if !h.GetAway() && !h.GetAutoPacing() {
		h = nil
	}
	r.Host = h
}

// HostAway says whether the host is away while the game needs them, and
// what happens: auto is true when the game already goes on by itself;
// otherwise in is how long until it does, at local time now (0 when it
// never will by itself: in the lobby nothing starts without the host). away
// is false while the host is here, once the game is over, and in a room
// paced by timers anyway.
func (r *Room) HostAway(now time.Time) (away bool, in time.Duration, auto bool) {
	h := r.Host
	if !h.GetAway() || r.Over() {
		return false, 0, false
	}
	if h.GetAutoPacing() {
		if h.GetAutoAt() == nil && r.Info.GetSettings().GetPacing() == quizv1.PacingMode_PACING_MODE_AUTO {
			return false, 0, false // timers pace this room: the host is not missed
		}
		return true, 0, true
	}
	if h.GetAutoAt() == nil {
		return true, 0, false
	}
	return true, max(h.GetAutoAt().AsTime().Sub(r.Clock.ServerNow(now)), 0), false
}

// HostNotice is what players and spectators are told while the host is
// away (HostAway): "The host is away — the game goes on by itself in 42
// s", "The host is away; the game goes on by itself", or, in the lobby,
// that the game starts when the host is back. Empty while the host is not
// missed.
func (r *Room) HostNotice(now time.Time) string {
	away, in, auto := r.HostAway(now)
	switch {
	case !away:
		return ""
	case auto:
		return "The host is away; the game goes on by itself"
	case r.Host.GetAutoAt() != nil && in > 0:
		return fmt.Sprintf("The host is away — the game goes on by itself in %d s", int((in+time.Second-1)/time.Second))
	case r.Host.GetAutoAt() != nil:
		return "The host is away; the game goes on by itself"
	case r.Phase == quizv1.Phase_PHASE_LOBBY:
		return "The host is away; the game starts when they are back"
	}
	return "The host is away"
}

// DefaultHostAwayLimit is the server's host-away limit when a room's
// settings do not say.
const DefaultHostAwayLimit = 60 * time.Second

// HostAwayLimit is how long a HOST-paced room waits for its host before the
// game goes on by itself (RoomSettings.host_away_limit).
func HostAwayLimit(info *quizv1.RoomInfo) time.Duration {
	if d := info.GetSettings().GetHostAwayLimit().AsDuration(); d > 0 {
		return d
	}
	return DefaultHostAwayLimit
}

// GoesOn says how room info's game goes on while its host is away: "the
// timers move it on" (AUTO pacing) or "the game goes on by itself after 60
// s" (the host-away limit).
func GoesOn(info *quizv1.RoomInfo) string {
	if info.GetSettings().GetPacing() == quizv1.PacingMode_PACING_MODE_AUTO {
		return "the timers move it on"
	}
	d := HostAwayLimit(info)
	if d >= 2*time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("the game goes on by itself after %d min", int(d/time.Minute))
	}
	return fmt.Sprintf("the game goes on by itself after %d s", int(d.Round(time.Second)/time.Second))
}

// recount follows the roster in the open question's answered count: a
// player who left can no longer answer, one who joined late can. The
// server sends a new count only when someone answers.
func (r *Room) recount() {
	if r.Phase != quizv1.Phase_PHASE_QUESTION || r.Progress == nil {
		return
	}
	p := r.Progress
	players := max(int32(r.PlayerCount), p.GetAnswered())
	if players != p.GetPlayers() {
		r.Progress = &quizv1.AnswerProgress{Index: p.GetIndex(), Answered: p.GetAnswered(), Players: players}
	}
}

// rank records the ranks of new standings (and the watching player's
// own), keeping those they replace for RankChange.
func (r *Room) rank(standings []*quizv1.Standing, you *quizv1.Standing) {
	ranks := make(map[string]int32, len(standings)+1)
	for _, s := range standings {
		ranks[s.GetPlayer().GetPlayerId()] = s.GetRank()
	}
	listed := len(ranks)
	if id := you.GetPlayer().GetPlayerId(); id != "" {
		ranks[id] = you.GetRank()
	}
	r.before, r.ranks = r.ranks, ranks
	r.listedBefore, r.listed = r.listed, listed
}

// RankChange is how many places player id moved up (negative: down) to
// rank since the leaderboard before the latest one. known is false at the
// first leaderboard, and when the player was not listed on the one before:
// up is then true when the player is listed now above where that list
// ended, so must have climbed into it.
func (r *Room) RankChange(id string, rank int32) (change int32, known, up bool) {
	if r.before == nil {
		return 0, false, false
	}
	if was, ok := r.before[id]; ok {
		return was - rank, true, false
	}
	return 0, false, int(rank) <= r.listedBefore
}

// applyRoster removes the players who left and adds those who joined and
// were not known yet, in one pass over the roster: a room of thousands
// gets batches of hundreds of joins at a time.
func (r *Room) applyRoster(rc *quizv1.RosterChanged) {
	left := make(map[string]bool, len(rc.GetLeft()))
	for _, pl := range rc.GetLeft() {
		left[pl.GetPlayerId()] = true
	}
	known := make(map[string]bool, len(r.Players)+len(rc.GetJoined()))
	r.Players = slices.DeleteFunc(r.Players, func(p *quizv1.Player) bool {
		known[p.GetPlayerId()] = !left[p.GetPlayerId()]
		return left[p.GetPlayerId()]
	})
	for _, pl := range rc.GetJoined() {
		if !known[pl.GetPlayerId()] {
			known[pl.GetPlayerId()] = true
			r.Players = append(r.Players, pl)
		}
	}
}

func (r *Room) removePlayer(id string) {
	r.Players = slices.DeleteFunc(r.Players, func(p *quizv1.Player) bool { return p.GetPlayerId() == id })
}

// cloneQuestion copies q's fields that a resume changes, so that events
// already handed out are never modified.
func cloneQuestion(q *quizv1.QuestionOpened) *quizv1.QuestionOpened {
	return &quizv1.QuestionOpened{
		Index: q.GetIndex(), Count: q.GetCount(), Kind: q.GetKind(), Text: q.GetText(),
		Options: q.GetOptions(), OpensAt: q.GetOpensAt(), Deadline: q.GetDeadline(),
		TimeLimit: q.GetTimeLimit(), Points: q.GetPoints(),
	}
}

// Where says where the game is, for people: "in the lobby", "at question 2
// of 5", "after question 2 of 5", "paused at question 2 of 5", "finished",
// "closed".
func (r *Room) Where() string {
	return where(r.Phase, r.PausedPhase, r.Question)
}

func where(phase, paused quizv1.Phase, q *quizv1.QuestionOpened) string {
	switch phase {
	case quizv1.Phase_PHASE_QUESTION:
		return fmt.Sprintf("at question %d of %d", q.GetIndex()+1, q.GetCount())
	case quizv1.Phase_PHASE_REVEAL, quizv1.Phase_PHASE_LEADERBOARD:
		return fmt.Sprintf("after question %d of %d", q.GetIndex()+1, q.GetCount())
	case quizv1.Phase_PHASE_PAUSED:
		return "paused " + where(paused, quizv1.Phase_PHASE_UNSPECIFIED, q)
	case quizv1.Phase_PHASE_FINISHED:
		return "finished"
	case quizv1.Phase_PHASE_CLOSED:
		return "closed"
	}
	return "in the lobby"
}

// Code is the room's code, once a snapshot named it.
func (r *Room) Code() string { return r.Info.GetCode() }

// Over reports whether the game can go no further: finished, closed, or
// the watching player kicked.
func (r *Room) Over() bool {
	return r.Phase == quizv1.Phase_PHASE_FINISHED || r.Phase == quizv1.Phase_PHASE_CLOSED || r.Kicked
}

// Open reports whether the watching player may answer Question at local
// time now: the question phase, options open, deadline not passed, not
// answered yet.
func (r *Room) Open(now time.Time) bool {
	if r.Phase != quizv1.Phase_PHASE_QUESTION || r.Question == nil || r.Answered {
		return false
	}
	return r.OpensIn(now) <= 0 && r.Remaining(now) > 0
}

// OpensIn is how long until Question's options open (read time); 0 or less
// once they are open.
func (r *Room) OpensIn(now time.Time) time.Duration {
	if r.Question.GetOpensAt() == nil {
		return 0
	}
	return r.Question.GetOpensAt().AsTime().Sub(r.Clock.ServerNow(now))
}

// Remaining is the time left to answer Question at local time now: the
// frozen remainder while paused, 0 once the deadline passed or outside the
// question phase.
func (r *Room) Remaining(now time.Time) time.Duration {
	switch {
	case r.Phase == quizv1.Phase_PHASE_PAUSED && r.PausedPhase == quizv1.Phase_PHASE_QUESTION:
		return r.PausedRemaining
	case r.Phase != quizv1.Phase_PHASE_QUESTION || r.Question.GetDeadline() == nil:
		return 0
	}
	return max(r.Question.GetDeadline().AsTime().Sub(r.Clock.ServerNow(now)), 0)
}

// Fraction is the share of Question's time limit left at local time now,
// from 1 (the options just opened) to 0, for countdown bars.
func (r *Room) Fraction(now time.Time) float64 {
	limit := r.Question.GetTimeLimit().AsDuration()
	if limit <= 0 {
		return 0
	}
	return min(float64(r.Remaining(now))/float64(limit), 1)
}
