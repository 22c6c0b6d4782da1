package redisstore

import (
	"embed"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

//go:embed lua/*.lua
var luaFiles embed.FS

// The scripts: every state change is one of them, atomic in Redis, and
// appends its events to the room's log in the same step. Each is the
// constants header, the prelude and its own file; redis.Script runs it by
// EVALSHA and loads it with EVAL the first time a server lacks it.
var (
	scriptCreate     = newScript("create")
	scriptState      = newScript("state")
	scriptIdentify   = newScript("identify")
	scriptJoin       = newScript("join")
	scriptLeave      = newScript("leave")
	scriptKick       = newScript("kick")
	scriptLock       = newScript("lock")
	scriptFlush      = newScript("flush")
	scriptConnect    = newScript("connect")
	scriptPresence   = newScript("presence")
	scriptLost       = newScript("lost")
	scriptSubmit     = newScript("submit")
	scriptProgress   = newScript("progress")
	scriptAdvance    = newScript("advance")
	scriptLease      = newScript("lease")
	scriptKeep       = newScript("keep")
	scriptRelease    = newScript("release")
	scriptEvents     = newScript("events")
	scriptScoreboard = newScript("scoreboard")
	scriptReport     = newScript("report")
	scriptSaveDeck   = newScript("savedeck")
	scriptKeepDeck   = newScript("keepdeck")
	scriptDeckIDs    = newScript("deckids")
	scriptRoster     = newScript("roster")
	scriptBeat       = newScript("beat")
	scriptAlive      = newScript("alive")
	scriptOrphans    = newScript("orphans")
)

// shardedScripts maps each script to its variant for a Redis Cluster,
// which announces new events with SPUBLISH (sharded Pub/Sub: the channel
// lives on the room's shard) instead of PUBLISH.
var shardedScripts = map[*redis.Script]*redis.Script{}

// scriptSources are the sources of every script, for loadScripts: each
// variant, one for a single server, one for a Cluster.
var scriptSources = struct{ plain, sharded []string }{}

// newScript assembles the script lua/<name>.lua, and its Cluster variant.
func newScript(name string) *redis.Script {
	plain, sharded := scriptSource(name, "PUBLISH"), scriptSource(name, "SPUBLISH")
	scriptSources.plain = append(scriptSources.plain, plain)
	scriptSources.sharded = append(scriptSources.sharded, sharded)
	s := redis.NewScript(plain)
	shardedScripts[s] = redis.NewScript(sharded)
	return s
}

// scriptSource is a script's full source: header, prelude, body; publish
// is the command that announces new events.
func scriptSource(name, publish string) string {
	return header(publish) + mustRead("prelude") + mustRead(name)
}

func mustRead(name string) string {
	b, err := luaFiles.ReadFile("lua/" + name + ".lua")
	if err != nil {
		panic("redisstore: missing script " + name)
	}
	return string(b)
}

// header defines, from the Go definitions, the constants of the rules the
// scripts use, so the two never drift apart.
func header(publish string) string {
	var b strings.Builder
	def := func(name string, v any) {
		if s, ok := v.(string); ok {
			v = "'" + s + "'"
		}
		fmt.Fprintf(&b, "local %s = %v\n", name, v)
	}
	for _, c := range []struct {
		name string
		v    any
	}{
		{"PHASE_LOBBY", int(game.PhaseLobby)},
		{"PHASE_QUESTION", int(game.PhaseQuestion)},
		{"PHASE_REVEAL", int(game.PhaseReveal)},
		{"PHASE_LEADERBOARD", int(game.PhaseLeaderboard)},
		{"PHASE_PAUSED", int(game.PhasePaused)},
		{"PHASE_FINISHED", int(game.PhaseFinished)},
		{"PHASE_CLOSED", int(game.PhaseClosed)},
		{"KIND_POLL", int(game.Poll)},
		{"POLICY_SPEED", int(game.Speed)},
		{"FULL_POINTS_MS", game.FullPointsWithin.Milliseconds()},
		{"STREAK_STEP", game.StreakStep},
		{"STREAK_CAP", game.StreakCap},
		{"STANDARD_POINTS", game.StandardPoints},
		{"EVENT_ROSTER", int(room.EventRoster)},
		{"EVENT_LOCKED", int(room.EventLocked)},
		{"EVENT_STARTED", int(room.EventStarted)},
		{"EVENT_OPENED", int(room.EventOpened)},
		{"EVENT_PROGRESS", int(room.EventProgress)},
		{"EVENT_REVEALED", int(room.EventRevealed)},
		{"EVENT_LEADERBOARD", int(room.EventLeaderboard)},
		{"EVENT_PAUSED", int(room.EventPaused)},
		{"EVENT_RESUMED", int(room.EventResumed)},
		{"EVENT_FINISHED", int(room.EventFinished)},
		{"EVENT_KICKED", int(room.EventKicked)},
		{"EVENT_CLOSED", int(room.EventClosed)},
		{"EVENT_HOST", int(room.EventHost)},
		{"HOST_MEMBER", room.HostMember},
		{"REFUSED_NOT_OPEN", int(room.NotOpen)},
		{"REFUSED_PAUSED", int(room.Paused)},
		{"REFUSED_OTHER", int(room.OtherQuestion)},
		{"REFUSED_NOT_YET", int(room.NotYet)},
		{"REFUSED_LATE", int(room.Late)},
		{"PLAYER_ID", playerIDFormat},
		{"PUBLISH", publish},
	} {
		def(c.name, c.v)
	}
	return b.String()
}

// playerIDFormat makes room.PlayerID's ids in Lua's string.format; a test
// checks the two agree.
const playerIDFormat = "p%06d"
