package redisstore

import (
	"fmt"
	"strconv"
	"strings"

	// The bulk reads decode a record per player and per answer: ten
	// thousand of each for a reveal in a big room, before anyone gets it.
	// go-json decodes them in less than half of encoding/json's time
	// (BenchmarkScoreboard10k), with the same results for these records.
	"github.com/goccy/go-json"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

// reply reads a script's reply, an array; the first element that is not
// what it should be sets err, and every later read returns a zero value.
type reply struct {
	v      []any
	status string
	err    error
}

// newReply reads a script's reply whose first element is its status.
func newReply(v []any) *reply {
	r := &reply{v: v}
	r.status = r.str(0)
	return r
}

func (r *reply) at(i int) any {
	if r.err == nil && i >= len(r.v) {
		r.err = fmt.Errorf("redis: script reply too short: %d elements, want %d", len(r.v), i+1)
	}
	if r.err != nil {
		return nil
	}
	return r.v[i]
}

// str reads element i as a string.
func (r *reply) str(i int) string {
	switch v := r.at(i).(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		r.err = fmt.Errorf("redis: script reply element %d: %T, want a string", i, v)
		return ""
	}
}

// int reads element i as a whole number (an integer or a string of one).
func (r *reply) int(i int) int64 {
	switch v := r.at(i).(type) {
	case int64:
		return v
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil && r.err == nil {
			r.err = fmt.Errorf("redis: script reply element %d: %q is not a whole number", i, v)
		}
		return n
	case nil:
		return 0
	default:
		r.err = fmt.Errorf("redis: script reply element %d: %T, want a number", i, v)
		return 0
	}
}

// list reads element i as an array.
func (r *reply) list(i int) []any {
	switch v := r.at(i).(type) {
	case []any:
		return v
	case nil:
		return nil
	default:
		r.err = fmt.Errorf("redis: script reply element %d: %T, want an array", i, v)
		return nil
	}
}

// hash reads element i, the reply of HGETALL, as a map.
func (r *reply) hash(i int) map[string]string {
	flat := r.list(i)
	m := make(map[string]string, len(flat)/2)
	for j := 0; j+1 < len(flat); j += 2 {
		k, _ := flat[j].(string)
		v, _ := flat[j+1].(string)
		m[k] = v
	}
	return m
}

// strings reads element i as an array of strings.
func (r *reply) strings(i int) []string {
	flat := r.list(i)
	out := make([]string, len(flat))
	for j, v := range flat {
		out[j], _ = v.(string)
	}
	return out
}

// stateFields are the fields of a state hash that state reads, by their
// index in a stateHash.
var stateFields = func() map[string]int {
	m := make(map[string]int, len(stateNames))
	for i, f := range stateNames {
		m[f] = i
	}
	return m
}()

// stateNames are the fields state reads, in a stateHash's order.
var stateNames = [...]string{"v", "seq", "ph", "q", "op", "dl", "pp", "pa", "lk", "pl", "an", "wt", "pd", "tc", "lost", "ha", "au", "ep", "rp", "pg"}

// The indexes of stateNames.
const (
	sfV = iota
	sfSeq
	sfPh
	sfQ
	sfOp
	sfDl
	sfPp
	sfPa
	sfLk
	sfPl
	sfAn
	sfWt
	sfPd
	sfTc
	sfLost
	sfHa
	sfAu
	sfEp
	sfRp
	sfPg
)

// stateHash is the fields of a state hash that state reads, taken from
// HGETALL's flat reply without making a map of it (a State is read for
// every Watch).
type stateHash struct {
	v   [len(stateNames)]string
	has [len(stateNames)]bool
}

// state reads a state hash at element i, read at the time at element
// i-1.
func (r *reply) state(i int) *room.State {
	now := r.int(i - 1)
	var h stateHash
	flat := r.list(i)
	for j := 0; j+1 < len(flat); j += 2 {
		k, _ := flat[j].(string)
		if f, ok := stateFields[k]; ok {
			h.v[f], _ = flat[j+1].(string)
			h.has[f] = true
		}
	}
	n := func(f int) int64 {
		v, err := strconv.ParseInt(h.v[f], 10, 64)
		if err != nil && r.err == nil {
			r.err = fmt.Errorf("redis: room state field %s: %q is not a whole number", stateNames[f], h.v[f])
		}
		return v
	}
	// n0 is n for the fields of the host's presence, which rooms created
	// before them lack.
	n0 := func(f int) int64 {
		if !h.has[f] {
			return 0
		}
		return n(f)
	}
	st := &room.State{
		Version:     n(sfV),
		Seq:         uint64(n(sfSeq)),
		Phase:       game.Phase(n(sfPh)),
		Q:           int(n(sfQ)),
		OpensAt:     msTime(n(sfOp)),
		Deadline:    msTime(n(sfDl)),
		PausedPhase: game.Phase(n(sfPp)),
		PausedAt:    msTime(n(sfPa)),
		Locked:      n(sfLk) == 1,
		Players:     int(n(sfPl)),
		Answered:    int(n(sfAn)),
		Waiting:     int(n(sfWt)),
		Played:      int(n(sfPd)),
		Touched:     msTime(n(sfTc)),
		Now:         msTime(now),
		Lost:        h.v[sfLost] == "1",
		HostAway:    msTime(n0(sfHa)),
		AutoPacing:  n0(sfAu) == 1,
	}
	st.Epoch, _ = strconv.ParseUint(h.v[sfEp], 10, 64)
	st.RosterPending = h.v[sfRp] == "1"
	st.ProgressPending = st.Phase == game.PhaseQuestion && h.v[sfAn] != h.v[sfPg]
	return st
}

// playerRecord is a player as the scripts keep them (keyPlayers).
type playerRecord struct {
	Name        string `json:"n"`
	Status      string `json:"s"` // a: active, l: left, k: kicked
	Join        int    `json:"j"`
	Score       int    `json:"sc"`
	CorrectTime int64  `json:"ct"` // ms
	Correct     int    `json:"cn"`
	Streak      int    `json:"st"`
	StreakQ     int    `json:"sq"`
}

// standing is the record's standing, unranked.
func (p *playerRecord) standing(id string) game.Standing {
	return game.Standing{
		PlayerID: id, Name: p.Name, Join: p.Join, Score: p.Score, CorrectTime: msDuration(p.CorrectTime),
		Correct: p.Correct, Streak: p.Streak, StreakQ: p.StreakQ,
	}
}

// answerRecord is an answer as the scripts keep it (keyAnswers).
type answerRecord struct {
	Answer  string `json:"a"` // the game.Answer as JSON
	Correct bool   `json:"ok"`
	Points  int    `json:"p"` // the change to the score, as applied at the reveal (0 before)
	Bonus   int    `json:"b"`
	Streak  int    `json:"s"`
	Elapsed int64  `json:"e"` // ms
}

// players decodes the records of a players hash.
func players(h map[string]string) (map[string]*playerRecord, error) {
	out := make(map[string]*playerRecord, len(h))
	for id, raw := range h {
		p := &playerRecord{}
		if err := json.Unmarshal([]byte(raw), p); err != nil {
			return nil, fmt.Errorf("redis: player %s: %w", id, err)
		}
		out[id] = p
	}
	return out, nil
}

// results decodes the answers of an answers hash.
func results(h map[string]string) (map[string]room.Result, error) {
	out := make(map[string]room.Result, len(h))
	for id, raw := range h {
		var a answerRecord
		var ans game.Answer
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			return nil, fmt.Errorf("redis: answer of %s: %w", id, err)
		}
		if err := json.Unmarshal([]byte(a.Answer), &ans); err != nil {
			return nil, fmt.Errorf("redis: answer of %s: %w", id, err)
		}
		out[id] = room.Result{
			PlayerID: id, Answer: ans, Correct: a.Correct, Points: a.Points, Bonus: a.Bonus,
			Streak: a.Streak, Elapsed: msDuration(a.Elapsed),
		}
	}
	return out, nil
}

// choices lists an answer's choices for the scripts: "0,2".
func choices(a game.Answer) string {
	parts := make([]string, len(a.Choices))
	for i, c := range a.Choices {
		parts[i] = strconv.Itoa(c)
	}
	return strings.Join(parts, ",")
}

// kinds lists the questions' kinds for the scripts, one digit each.
func kinds(qs []game.Question) (string, error) {
	var b strings.Builder
	for i, q := range qs {
		if q.Kind < 0 || q.Kind > 9 {
			return "", fmt.Errorf("question %d: kind %d does not fit the store's encoding", i+1, q.Kind)
		}
		b.WriteByte(byte('0' + q.Kind))
	}
	return b.String(), nil
}
