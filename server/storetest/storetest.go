// Package storetest is the conformance suite of room.Store: every store
// (memory, Redis single node, Redis Cluster) runs Run and must pass it
// unchanged. It checks the contract documented on room.Store, with the
// memory store's behaviour as the reference where the documentation is
// silent.
//
// Stores measure time by their own clock (the memory store's Config.Clock,
// Redis's TIME), so the suite never fakes time: it uses short real
// durations, waits a few hundred milliseconds where time must pass, and
// otherwise asserts by phase and order, never by how long something took.
package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

// Options configure a store made for one test.
type Options struct {
	// LogSize is how many events each room keeps; 0: the store's default.
	LogSize int
}

// NewStore makes a fresh, empty store for one test and closes it when the
// test ends. Stores made by separate calls must not see each other's rooms
// or decks.
type NewStore func(t *testing.T, opt Options) room.Store

// Run runs the whole suite against the stores newStore makes. Its tests
// run in parallel with each other.
func Run(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		fn   func(*testing.T, NewStore)
	}{
		{"Now", testNow},
		{"CreateRoom", testCreateRoom},
		{"SpecRoundTrip", testSpecRoundTrip},
		{"Rooms", testRooms},
		{"Retention", testRetention},
		{"Keep", testKeep},
		{"Decks", testDecks},
		{"Lease", testLease},
		{"KeepLeases", testKeepLeases},
		{"Join", testJoin},
		{"Identify", testIdentify},
		{"LeaveKick", testLeaveKick},
		{"Lock", testLock},
		{"Roster", testRoster},
		{"Presence", testPresence},
		{"PresenceWhilePaused", testPresenceWhilePaused},
		{"PresenceInstances", testPresenceInstances},
		{"PresenceJudge", testPresenceJudge},
		{"ConnectRequireActive", testConnectRequireActive},
		{"PresenceBatch", testPresenceBatch},
		{"HostPresence", testHostPresence},
		{"HostAuto", testHostAuto},
		{"Epoch", testEpoch},
		{"MarkLost", testMarkLost},
		{"MarkLostGone", testMarkLostGone},
		{"SubmitRefusals", testSubmitRefusals},
		{"SubmitGrace", testSubmitGrace},
		{"SubmitOnce", testSubmitOnce},
		{"FirstAnswerWins", testFirstAnswerWins},
		{"Scoring", testScoring},
		{"Parity", testParity},
		{"Progress", testProgress},
		{"Advance", testAdvance},
		{"PauseResume", testPauseResume},
		{"Fencing", testFencing},
		{"Events", testEvents},
		{"Trimmed", testTrimmed},
		{"Wait", testWait},
		{"Follow", testFollow},
		{"FollowPast", testFollowPast},
		{"FollowKeepsPings", testFollowKeepsPings},
		{"FollowPending", testFollowPending},
		{"Ranking", testRanking},
		{"Report", testReport},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore)
		})
	}
}

// timeout bounds every call the suite makes, so a hung store fails the
// test instead of hanging it.
const timeout = 20 * time.Second

// ctx returns a context that ends with the test or after timeout.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), timeout)
	t.Cleanup(cancel)
	return c
}

// Question makers. Options are shown in this order; Correct indexes them.
func single() game.Question {
	return game.Question{
		Kind: game.SingleChoice, Text: "Which service runs containers without servers?",
		Options: []string{"EC2", "Fargate", "S3", "IAM"}, Correct: []int{1},
		TimeLimit: 20 * time.Second, Points: 1000, Explanation: "Fargate is serverless.", Section: "Containers",
	}
}

func multi() game.Question {
	return game.Question{
		Kind: game.MultipleSelect, Text: "Which are compute services?",
		Options: []string{"EC2", "Lambda", "S3", "Route 53"}, Correct: []int{0, 1},
		TimeLimit: 30 * time.Second, Points: 2000, Explanation: "S3 stores, Route 53 resolves.", Section: "Compute",
	}
}

func trueFalse() game.Question {
	return game.Question{
		Kind: game.TrueFalse, Text: "Lambda bills per millisecond.",
		Options: []string{"True", "False"}, Correct: []int{0},
		TimeLimit: 10 * time.Second, Points: 1000, Section: "Lambda",
	}
}

func typed() game.Question {
	return game.Question{
		Kind: game.TypedAnswer, Text: "Name the service that runs code on events.",
		Accepted: []string{"Lambda", "AWS Lambda"}, AcceptedKeys: []string{"lambda", "aws lambda"},
		TimeLimit: 15 * time.Second, Points: 1000, Section: "Lambda",
	}
}

func poll() game.Question {
	return game.Question{
		Kind: game.Poll, Text: "Which did you use most?",
		Options: []string{"EC2", "Lambda", "ECS"}, TimeLimit: 10 * time.Second, Section: "Survey",
	}
}

// newSpec is a room spec with the given questions and default settings for
// a server limit of 100 players; edit changes the settings first.
func newSpec(qs []game.Question, edit func(*game.Settings)) *room.Spec {
	s := game.Settings{}
	if edit != nil {
		edit(&s)
	}
	s = s.WithDefaults(100)
	s.QuestionCount = len(qs)
	return &room.Spec{
		Code: room.NewCode(), DeckID: "aws-compute", DeckTitle: "AWS compute",
		Questions: qs, Settings: s, HostTokenHash: room.HashToken("host-" + room.NewToken()),
		Created: time.Now().Truncate(time.Millisecond),
	}
}

// fixture is one test's store and room.
type fixture struct {
	t     *testing.T
	s     room.Store
	spec  *room.Spec
	code  string
	ctx   context.Context
	grace time.Duration
}

// newRoom makes a store and creates a room in it.
func newRoom(t *testing.T, newStore NewStore, qs []game.Question, edit func(*game.Settings)) *fixture {
	t.Helper()
	f := &fixture{t: t, s: newStore(t, Options{}), spec: newSpec(qs, edit), ctx: ctx(t), grace: 250 * time.Millisecond}
	f.code = f.spec.Code
	if err := f.s.CreateRoom(f.ctx, f.spec, 10); err != nil {
		t.Fatalf("CreateRoom: %v", err)
	}
	return f
}

// another creates another room in the same store.
func (f *fixture) another(qs []game.Question) *fixture {
	f.t.Helper()
	g := *f
	g.spec = newSpec(qs, nil)
	g.code = g.spec.Code
	if err := f.s.CreateRoom(f.ctx, g.spec, 10); err != nil {
		f.t.Fatalf("CreateRoom: %v", err)
	}
	return &g
}

// join adds a player called name and returns them and their token hash.
func (f *fixture) join(name string) (room.Player, string) {
	f.t.Helper()
	name, key, err := room.ParseName(name)
	if err != nil {
		f.t.Fatal(err)
	}
	hash := room.HashToken(room.NewToken())
	p, err := f.s.Join(f.ctx, f.code, room.Join{Name: name, NameKey: key, TokenHash: hash})
	if err != nil {
		f.t.Fatalf("Join %q: %v", name, err)
	}
	return p, hash
}

// players adds n players named P1…Pn and returns their ids in join order.
func (f *fixture) players(n int) []string {
	f.t.Helper()
	ids := make([]string, n)
	for i := range ids {
		p, _ := f.join("P" + string(rune('A'+i)))
		ids[i] = p.ID
	}
	return ids
}

// state reads the room's state.
func (f *fixture) state() *room.State {
	f.t.Helper()
	st, err := f.s.State(f.ctx, f.code)
	if err != nil {
		f.t.Fatalf("State: %v", err)
	}
	return st
}

// advance moves the room with t, its version filled in from the state.
func (f *fixture) advance(tr room.Transition) *room.State {
	f.t.Helper()
	tr.Version = f.state().Version
	st, err := f.s.Advance(f.ctx, f.code, tr)
	if err != nil {
		f.t.Fatalf("Advance to %v: %v", tr.To, err)
	}
	// The state Advance returns is the room as the move left it (the
	// engine acts on it without reading the room again).
	got, want := *st, *f.state()
	got.Now, want.Now = time.Time{}, time.Time{}
	if got != want {
		f.t.Errorf("Advance to %v returned\n%+v\nthe room then is\n%+v", tr.To, got, want)
	}
	return st
}

// open opens question q with the question's own limit and no read time.
func (f *fixture) open(q int) *room.State {
	f.t.Helper()
	return f.advance(room.Transition{To: game.PhaseQuestion, Q: q, Limit: f.spec.Questions[q].TimeLimit})
}

// reveal closes and scores question q.
func (f *fixture) reveal(q int) *room.State {
	f.t.Helper()
	return f.advance(room.Transition{To: game.PhaseReveal, Q: q, Options: len(f.spec.Questions[q].Options)})
}

// submission is what the engine would submit for player id's answer a to
// question q.
func (f *fixture) submission(id string, q int, a game.Answer) room.Submission {
	question := &f.spec.Questions[q]
	return room.Submission{
		PlayerID: id, Q: q, Answer: a, Grade: question.Grade(a), Kind: question.Kind,
		Points: question.Points, Limit: question.TimeLimit,
		PrevScored: game.PreviousScored(f.spec.Questions, q), Scoring: f.spec.Settings.Scoring, Grace: f.grace,
	}
}

// submit submits and fails the test on an error.
func (f *fixture) submit(id string, q int, a game.Answer) room.Accepted {
	f.t.Helper()
	acc, err := f.s.Submit(f.ctx, f.code, f.submission(id, q, a))
	if err != nil {
		f.t.Fatalf("Submit %s q%d: %v", id, q, err)
	}
	return acc
}

// events reads every kept event after after.
func (f *fixture) events(after uint64) []room.Event {
	f.t.Helper()
	evs, err := f.s.Events(f.ctx, f.code, after, 1000)
	if err != nil {
		f.t.Fatalf("Events after %d: %v", after, err)
	}
	return evs
}

// lastEvent is the room's newest event; it fails when there is none.
func (f *fixture) lastEvent() room.Event {
	f.t.Helper()
	evs := f.events(0)
	if len(evs) == 0 {
		f.t.Fatal("no events")
	}
	return evs[len(evs)-1]
}

// wantErr fails unless err is of kind.
func wantErr(t *testing.T, what string, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Errorf("%s: got error %v, want kind %q", what, err, kind)
	}
}

// wantMsg fails unless err is of kind with message msg.
func wantMsg(t *testing.T, what string, err, kind error, msg string) {
	t.Helper()
	wantErr(t, what, err, kind)
	if err != nil && err.Error() != msg {
		t.Errorf("%s: got message %q, want %q", what, err.Error(), msg)
	}
}

// eventually polls cond every 20 ms until it holds or the timeout passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not the case after %v", what, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// choice answers with one option.
func choice(i ...int) game.Answer { return game.Answer{Choices: i} }
