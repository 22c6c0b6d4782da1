package room

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/quizroom/quizroom/server/game"
)

// Store keeps rooms: their fixed spec, their state, players, answers, scores
// and event log. Every method that changes a room is one atomic step that
// also appends the room's events to its log, so the log and the state never
// disagree. All times come from the store's clock, which every server
// instance sharing the store agrees on.
//
// Errors are of the kinds in errors.go: ErrNotFound for a missing room,
// ErrUnavailable when the store cannot be reached; each method names the
// others it returns. The memory and Redis stores implement it and run the
// same conformance suite (package storetest).
type Store interface {
	// Now reads the store's clock.
	Now(ctx context.Context) (time.Time, error)

	// SaveDeck keeps an uploaded deck's source under id for ttl; saving the
	// same id again keeps the first source and only renews the ttl. ErrFull
	// when the store holds max decks already (expired ones do not count).
	SaveDeck(ctx context.Context, id string, source []byte, max int, ttl time.Duration) error
	// KeepDeck renews an uploaded deck's ttl (a room was created from it).
	// ErrNotFound when there is no such deck, or it expired.
	KeepDeck(ctx context.Context, id string, ttl time.Duration) error
	// DeckIDs lists the uploaded decks that have not expired.
	DeckIDs(ctx context.Context) ([]string, error)
	// Deck returns an uploaded deck's source. ErrNotFound when there is
	// none, or it expired.
	Deck(ctx context.Context, id string) ([]byte, error)

	// CreateRoom stores a new room in the lobby. ErrExists when the code is
	// taken; ErrFull when the store holds max live rooms already.
	CreateRoom(ctx context.Context, spec *Spec, max int) error
	// Spec returns a room's fixed part.
	Spec(ctx context.Context, code string) (*Spec, error)
	// State returns a room's current state.
	State(ctx context.Context, code string) (*State, error)
	// Rooms lists the codes of rooms that are not finished or closed.
	Rooms(ctx context.Context) ([]string, error)
	// Orphans lists the rooms that may need an owner (rooms whose lease
	// may be free), so that the engine's sweep need not try every live
	// room: at least every room whose game runs and whose lease is free
	// or lapsed, possibly more.
	Orphans(ctx context.Context) ([]string, error)
	// Identify finds who holds a token (by its hash). ErrDenied when the
	// token is nobody's in this room, or a kicked or departed player's.
	Identify(ctx context.Context, code, tokenHash string) (Identity, error)
	// Join adds a player. ErrExists when the name (by NameKey) is taken or
	// was kicked; ErrPhase when the lobby is locked or the game is over;
	// ErrFull when the room holds Spec.Settings.MaxPlayers players.
	Join(ctx context.Context, code string, j Join) (Player, error)
	// Leave removes a player who leaves. ErrNotFound for an unknown or
	// already departed player.
	Leave(ctx context.Context, code, playerID string) error
	// Kick removes a player and appends EventKicked; the name cannot join
	// again. ErrNotFound for an unknown or departed player.
	Kick(ctx context.Context, code, playerID string) (seq uint64, err error)
	// Lock locks or unlocks the lobby and appends EventLocked; seq is 0 when
	// nothing changed. ErrPhase once the game has started.
	Lock(ctx context.Context, code string, locked bool) (seq uint64, err error)
	// FlushRoster appends one EventRoster with the joins and departures
	// since the last one, listing at most limit of each; seq is 0 when there
	// were none.
	FlushRoster(ctx context.Context, code string, limit int) (seq uint64, err error)
	// Roster returns up to limit active players, the most recent first
	// (limit 0: all), and how many there are.
	Roster(ctx context.Context, code string, limit int) ([]Player, int, error)
	// Connect counts one of a player's streams on an instance in (+1) or
	// out (-1), under the instance's presence lease, which it renews (as
	// Presence does) unless it was renewed lately; a lease it finds lapsed
	// is reported by the instance's next Presence. An instance has one
	// presence lease, for every room. A player counts as connected while
	// any instance whose lease has not lapsed counts a stream of theirs.
	// AllAnswered is true when, after a disconnect, every connected player
	// has answered the open question. ErrDenied, and nothing in the room
	// changed, when c.RequireActive and the member is a player who is not
	// active (unknown, departed or kicked). With c.State, it returns the
	// room's state after the change, read in the same step (a Watch needs
	// it for its snapshot).
	//
	// The host's streams count under HostMember, never towards the players
	// who may answer. When the host's last stream stops counting (by
	// Connect, or a lapsed lease judged by Connect or Presence) in a room
	// that is not over, the host is away: State.HostAway is set and
	// EventHost{Away, Phase} appended. When a stream of an away host counts
	// again, HostAway and AutoPacing are cleared (a reveal or leaderboard
	// deadline that AutoPacing set is dropped: the host paces again) and
	// EventHost{} is appended.
	Connect(ctx context.Context, code string, c Connection) (Connected, error)
	// Presence applies a batch of presence updates, one per room, and
	// returns their results in the same order. It renews each instance's
	// presence lease, once, for the longest TTL its updates give; an update
	// with Counts makes the instance's stream counts in room Code exactly
	// Counts (a player it does not list has none there). In the rooms of
	// the batch, the streams of every instance whose lease has lapsed are
	// dropped, as if they had disconnected (a store may do it once per room
	// and lapse). Lapsed reports that the instance's lease had lapsed or
	// never existed (or a Connect found it lapsed since): its streams may
	// have been dropped, and it should send its counts; it is said in every
	// update of that instance. AllAnswered as Connect. Each result has its
	// own error: ErrNotFound for a room that is gone, which does not fail
	// the others (an update without Counts need not look at its room, and
	// may not tell). An instance renews with one call, so that its cost
	// grows with instances, not with rooms. An update may be applied twice
	// (a store that sends a batch again when it lost the replies): it sets
	// a lease and counts, so the second leaves them as the first did.
	Presence(ctx context.Context, updates []PresenceUpdate) []PresenceResult
	// MarkLost records that the room's history was lost (its store lost
	// data: restarted empty, restored from an older snapshot, flushed): the
	// room is closed with EventClosed{Lost: true} and reason, gets a new
	// epoch, and expires after retain. A room that no longer exists is
	// created again from spec in that state, so that everyone who comes
	// back learns what happened. Marking a lost room again changes nothing.
	MarkLost(ctx context.Context, spec *Spec, reason string, retain time.Duration) (*State, error)

	// Submit records an answer to the open question, measured by the
	// store's clock. ErrPhase when no question is open, it is another
	// question, the options are not open yet, the game is paused, or the
	// deadline plus grace has passed; ErrExists for a second answer;
	// ErrDenied when the player is not active.
	Submit(ctx context.Context, code string, s Submission) (Accepted, error)
	// Progress appends EventProgress when the open question's answered
	// count changed since the last one; seq is 0 otherwise.
	Progress(ctx context.Context, code string) (seq uint64, err error)
	// Advance moves the room as t says if its version is still t.Version,
	// appending the events of the move (see Transition). ErrConflict
	// otherwise.
	Advance(ctx context.Context, code string, t Transition) (*State, error)

	// Events returns up to max events with seq > after, in order.
	// ErrTrimmed when the first of them is no longer kept; ErrLost when
	// after is beyond the room's last event (the store lost events).
	Events(ctx context.Context, code string, after uint64, max int) ([]Event, error)
	// Wait blocks until the room has events with seq > after, then returns
	// up to max of them; it returns no events and no error when wait passes
	// first. ErrTrimmed and ErrLost as Events.
	Wait(ctx context.Context, code string, after uint64, max int, wait time.Duration) ([]Event, error)
	// Follow subscribes to the room's notices, for its owner: a notice
	// comes with every event appended to its log and when a roster change
	// or an answer starts to pend (FlushRoster and Progress have work).
	// Notices may be lost (a reconnect, a store that cannot tell): the
	// owner still looks at the room now and then.
	Follow(ctx context.Context, code string) (Notices, error)
	// Scoreboard reads, in one step, the ranked standings of the active
	// players and everyone's results for question q (q < 0: none).
	Scoreboard(ctx context.Context, code string, q int) (*Scoreboard, error)
	// Report reads every player (departed and kicked ones too) and every
	// answer of the game.
	Report(ctx context.Context, code string) (*ReportData, error)

	// Keep makes every part of a room whose game is not over expire ttl
	// from now unless kept again, so that a room nobody drives any more
	// (every instance gone for good) does not stay for good. A room that is
	// over keeps its own expiry (Transition.Retain). ErrNotFound for a
	// missing room.
	Keep(ctx context.Context, code string, ttl time.Duration) error

	// Lease takes or renews the room's timer lease for owner for ttl. It
	// returns false when another owner holds it.
	Lease(ctx context.Context, code, owner string, ttl time.Duration) (bool, error)
	// KeepLeases renews, for ttl, every lease owner holds that has not
	// lapsed, as Lease would renew each. An instance calls it on its own
	// every third of its lease TTL, so that it keeps its rooms while its
	// rooms' own calls (and their Lease) wait behind a burst of others.
	KeepLeases(ctx context.Context, owner string, ttl time.Duration) error
	// Release gives up the lease if owner holds it.
	Release(ctx context.Context, code, owner string) error
}

// Spec is what a room is made of; it never changes once created.
type Spec struct {
	Code          string
	DeckID        string
	DeckTitle     string
	Questions     []game.Question // in game order, options in shown order
	Settings      game.Settings   // defaults filled in
	HostTokenHash string
	Created       time.Time
}

// lastScored is the last question up to q that is not a poll, or -1: the
// question a current streak was last extended at.
func (s *Spec) lastScored(q int) int {
	if q >= 0 && q < len(s.Questions) && s.Questions[q].Kind != game.Poll {
		return q
	}
	return s.PreviousScored(min(max(q, 0), len(s.Questions)))
}

// PreviousScored is game.PreviousScored for the spec's questions.
func (s *Spec) PreviousScored(q int) int { return game.PreviousScored(s.Questions, q) }

// State is a room's changing part.
type State struct {
	Version     int64 // changes with every Advance: the fencing token
	Seq         uint64
	Phase       game.Phase
	Q           int       // the current question, -1 before the first
	OpensAt     time.Time // the current question's options open
	Deadline    time.Time // the current phase ends (zero: when the host says)
	PausedPhase game.Phase
	PausedAt    time.Time
	Locked      bool
	Players     int       // active players
	Answered    int       // answers to the current question
	Waiting     int       // connected active players who have not answered it
	Played      int       // questions revealed
	Touched     time.Time // the last change of any kind
	Now         time.Time // the store's clock when the state was read
	// Epoch names the room's history: drawn when the room is created and
	// again when its history is lost, so that a seq is only comparable
	// with seqs of the same epoch.
	Epoch uint64
	// Lost is true once the room's history was lost (see Store.MarkLost).
	Lost bool
	// RosterPending is true when players joined or left since the last
	// roster event (FlushRoster has one to append), ProgressPending when
	// the open question's answer count changed since the last progress
	// event (Progress has one); a room's owner calls them only then.
	RosterPending, ProgressPending bool
	// HostAway is when the host went away: the last of the host's streams
	// stopped counting (HostMember in presence) while the room was not
	// over; zero while the host is here, and for a host who never watched.
	HostAway time.Time
	// AutoPacing is true while a HOST-paced game goes on by itself because
	// its host stayed away past Settings.HostAwayLimit (Transition.Auto);
	// the host coming back ends it.
	AutoPacing bool
	// Board is, after a move that asked for it (Transition.Board), the
	// scoreboard the move left, read in the same step: the standings and,
	// after a reveal, the question's results. Nil when the store did not
	// read it; Standing.Rank is set, streaks are as recorded.
	Board *Scoreboard
}

// ShownPhase is the room's phase, or the one a pause froze.
func (st *State) ShownPhase() game.Phase {
	if st.Phase == game.PhasePaused {
		return st.PausedPhase
	}
	return st.Phase
}

// HostMember is the host's member id in presence (Connection.PlayerID,
// PresenceUpdate.Counts): the host's streams are counted like a player's,
// under the same leases and graces, but never as a player who may answer.
// Player ids start with "p", so it is nobody's.
const HostMember = "host"

// MaxEpoch bounds epochs, so that they are exact in a Lua number (a
// double) and in JSON.
const MaxEpoch = 1<<52 - 1

// Connection is a change of one player's streams on one instance.
type Connection struct {
	PlayerID string
	Instance string        // the instance the stream is on
	Delta    int           // +1: a stream opened; -1: one closed
	TTL      time.Duration // the instance's presence lease

	// RequireActive refuses a player who is not active: a Watch counts its
	// stream with it, so that a token the engine identified from memory
	// (Engine.IdentifyRemembered) is refused once its player left or was
	// kicked, as asking the store would.
	RequireActive bool

	// State asks for the room's state after the change (Connected.State).
	State bool
}

// Connected is what Store.Connect did.
type Connected struct {
	// AllAnswered is true when, after a disconnect, every connected player
	// has answered the open question.
	AllAnswered bool
	// State is the room's state after the change, with the store's clock,
	// when Connection.State asked for it.
	State *State
}

// PresenceUpdate renews an instance's presence lease for a room it has
// streams in or judges, and may set its stream counts there.
type PresenceUpdate struct {
	Code     string // the room
	Instance string
	TTL      time.Duration
	Counts   map[string]int // member (player id or HostMember) → streams on the instance; nil: renew only
}

// PresenceResult is what Presence found in one room.
type PresenceResult struct {
	Lapsed      bool  // the instance's lease had lapsed or did not exist
	AllAnswered bool  // as Connect's
	Err         error // the update failed: nothing else is set
}

// Remaining is the time left in the current phase at now, or, when paused,
// at the pause.
func (s *State) Remaining() time.Duration {
	if s.Deadline.IsZero() {
		return 0
	}
	at := s.Now
	if s.Phase == game.PhasePaused {
		at = s.PausedAt
	}
	return max(s.Deadline.Sub(at), 0)
}

// Role is what a token makes its holder.
type Role int

// The roles.
const (
	Spectator Role = iota + 1
	PlayerRole
	Host
)

// Identity is who a token belongs to.
type Identity struct {
	Role     Role
	PlayerID string // for PlayerRole
	Name     string // for PlayerRole
}

// PlayerID is the id of the player who joined nth (from 1). Ids sort in join
// order, which the Redis store's ranking relies on for its last tie-break.
func PlayerID(n int) string { return fmt.Sprintf("p%06d", n) }

// Join is a join request as the store sees it.
type Join struct {
	Name      string // display name, normalised
	NameKey   string // the name folded for uniqueness
	TokenHash string
}

// Submission is an answer with everything the store needs to score it.
type Submission struct {
	PlayerID   string
	Q          int
	Answer     game.Answer
	Grade      game.Grade
	Kind       game.Kind
	Points     int
	Limit      time.Duration
	PrevScored int // game.PreviousScored for Q
	Scoring    game.Scoring
	Grace      time.Duration
}

// Accepted is what Submit measured.
type Accepted struct {
	Elapsed     time.Duration
	AllAnswered bool // every connected player has answered now
	Version     int64
}

// Transition is a move of a room, fenced by its version. By To:
//   - PhaseQuestion: opens question Q; options open at now+Read, the
//     deadline is Limit after that. From the lobby it appends EventStarted
//     before EventOpened.
//   - PhaseReveal: closes question Q, applies its answers to the scores,
//     appends EventRevealed; Hold > 0 sets a deadline (AUTO pacing).
//   - PhaseLeaderboard: appends EventLeaderboard; Hold as for reveal.
//   - PhasePaused: freezes the phase and its deadline; EventPaused.
//   - Resume (any To): ends a pause, shifting OpensAt and Deadline by its
//     length; EventResumed.
//   - PhaseFinished: EventFinished; the room expires after Retain.
//   - PhaseClosed: EventClosed with Reason; the room expires after Retain.
//   - Auto (To ignored): the host stayed away past the limit, so the game
//     goes on with AUTO pacing: AutoPacing is set, a pause is ended (as
//     Resume), a reveal or leaderboard without a deadline gets one Hold
//     from now, and EventHost{Away, AutoPacing} is appended. ErrConflict
//     when the host is not away (it came back since the room was read).
//
// Under AutoPacing, a reveal or leaderboard whose Hold is 0 holds AutoHold.
type Transition struct {
	Version int64
	To      game.Phase
	Resume  bool
	Q       int
	Read    time.Duration
	Limit   time.Duration
	Hold    time.Duration
	// AutoHold is how long a reveal or leaderboard holds when the room is
	// under AutoPacing (the settings' reveal or leaderboard time).
	AutoHold time.Duration
	// Auto puts a HOST-paced game whose host is away on AUTO pacing.
	Auto    bool
	Options int // PhaseReveal: options of question Q, for EventRevealed.Counts
	Reason  string
	Retain  time.Duration
	// Board asks for the scoreboard the move leaves (State.Board), which
	// the move's event needs for its personal parts; a store may leave it
	// to a read.
	Board bool
}

// Result is one player's answer to one question, as scored.
type Result struct {
	PlayerID string
	Answer   game.Answer
	Correct  bool
	Points   int // applied change to the score, bonus included
	Bonus    int
	Streak   int // streak after this answer
	Elapsed  time.Duration
}

// Scoreboard is the standings and one question's results, read together.
type Scoreboard struct {
	Standings []game.Standing // active players, ranked
	Results   map[string]Result
	Missed    map[string][]Miss // by player, once the game is finished; set by Engine.finalBoard
	byID      map[string]int    // player id → index in Standings, set by Engine.board
	answers   int               // every answer of the game, set by Engine.finalBoard
}

// ReportData is everything a game recorded.
type ReportData struct {
	Standings []game.Standing // every player who joined, active ones ranked first
	Departed  map[string]bool // players who left
	Kicked    map[string]bool // players the host removed
	Results   [][]Result      // by question, revealed questions only
}

// Refusal is why a store refuses an answer to a question that is not open.
// Both stores report it with the same message (see Err).
type Refusal int

// The refusals, in the order the stores check them.
const (
	NotOpen       Refusal = iota + 1 // no question is open
	Paused                           // the question is paused
	OtherQuestion                    // another question is open
	NotYet                           // the options are not open yet
	Late                             // the deadline and its grace have passed
)

// Err is the refusal as an ErrPhase error for an answer to question q when
// open is the current question.
func (r Refusal) Err(q, open int) error {
	switch r {
	case Paused:
		return Errorf(ErrPhase, "the game is paused: answers are accepted again when it resumes")
	case OtherQuestion:
		return Errorf(ErrPhase, "question_index %d is not open: the open question is question_index %d", q, open)
	case NotYet:
		return Errorf(ErrPhase, "the options of question_index %d are not open yet", q)
	case Late:
		return Errorf(ErrPhase, "question_index %d is closed: its deadline has passed", q)
	default:
		return Errorf(ErrPhase, "no question is open")
	}
}

// CheckOpen is the check every store makes before accepting an answer to
// question q at now: it returns the refusal, or 0 when the answer may be
// accepted.
func CheckOpen(st *State, q int, now time.Time, grace time.Duration) Refusal {
	switch {
	case st.Phase == game.PhasePaused && st.PausedPhase == game.PhaseQuestion:
		return Paused
	case st.Phase != game.PhaseQuestion:
		return NotOpen
	case st.Q != q:
		return OtherQuestion
	case now.Before(st.OpensAt):
		return NotYet
	case now.After(st.Deadline.Add(grace)):
		return Late
	}
	return 0
}

// NewEpoch draws a random epoch in [1, MaxEpoch].
func NewEpoch() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])%MaxEpoch + 1
}

// Notices are a room's notices (Store.Follow). A follower takes the
// channel first (Next), then what came before it (News, Pending): a notice
// after Next closes the channel, one before it is in what Pending has not
// yet reported, so none is lost between the two.
type Notices interface {
	// Next returns a channel closed at the next notice after the call.
	Next() <-chan struct{}
	// News reports whether a notice says more than that the log reached
	// seq: an event past seq (announced at any time since the
	// subscription began, so that an owner can tell whether a state it
	// knows is still current), or work pending or notices possibly missed
	// that Pending has not reported yet. The owner's own events wake it,
	// and need no look.
	News(seq uint64) bool
	// Pending reports what the notices said besides events since Pending
	// last reported: roster changes pend (FlushRoster has work), answers
	// pend (Progress has work), or notices may have been missed (then the
	// state says what pends). A ping comes only when such work starts to
	// pend, so what Pending reports is the follower's to act on.
	Pending() (roster, answers, missed bool)
	// Close ends the subscription.
	Close()
}
