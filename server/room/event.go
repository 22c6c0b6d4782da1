package room

import (
	"time"

	"github.com/quizroom/quizroom/server/game"
)

// EventType says what an Event records.
type EventType int

// The event types. Their numbers are stored (Redis keeps them in its log):
// append new ones, never renumber.
const (
	EventRoster      EventType = 1  // players joined or left (batched)
	EventLocked      EventType = 2  // the lobby was locked or unlocked
	EventStarted     EventType = 3  // the game started
	EventOpened      EventType = 4  // a question opened
	EventProgress    EventType = 5  // the answered count changed
	EventRevealed    EventType = 6  // a question closed and was scored
	EventLeaderboard EventType = 7  // the leaderboard is shown
	EventPaused      EventType = 8  // the game was paused
	EventResumed     EventType = 9  // the game resumed
	EventFinished    EventType = 10 // the game finished
	EventKicked      EventType = 11 // the host removed a player
	EventClosed      EventType = 12 // the room is gone
	EventHost        EventType = 13 // the host went away or came back, or the game went on without them
)

// Event is one entry of a room's log. It is small and self-contained:
// question texts come from the room's Spec, personal parts from the
// Scoreboard, so the same event serves every watcher. Only the fields of
// its Type are set.
type Event struct {
	Seq  uint64
	Time time.Time
	Type EventType

	Q             int           // question index: opened, progress, revealed, leaderboard
	OpensAt       time.Time     // opened, resumed
	Deadline      time.Time     // opened, resumed
	Counts        []int         // revealed: answers per option
	Answered      int           // progress, revealed
	Correct       int           // revealed
	Players       int           // player count: roster, started, progress, revealed, kicked, finished
	Phase         game.Phase    // paused: the frozen phase; resumed: the phase going on; host: the room's phase
	Remaining     time.Duration // paused: time that was left
	Locked        bool          // locked
	Joined        []Player      // roster
	Left          []Player      // roster
	JoinedOmitted int           // roster
	LeftOmitted   int           // roster
	Player        *Player       // kicked
	Reason        string        // closed
	Lost          bool          // closed: the room's history was lost
	Played        int           // finished: questions revealed
	Away          bool          // host: the host is away
	AutoPacing    bool          // host: the game goes on by itself (the host stayed away too long)
}

// Player is a player as others see them.
type Player struct {
	ID   string
	Name string
}

// Personal reports whether the event has a part that differs per player.
func (e *Event) Personal() bool {
	switch e.Type {
	case EventRevealed, EventLeaderboard, EventFinished:
		return true
	}
	return false
}
