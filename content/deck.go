package content

import (
	"fmt"
	"time"
)

// Kind is the kind of a question: how it is answered and scored.
type Kind int

// The question kinds.
const (
	KindSingle    Kind = iota + 1 // single choice: exactly one correct option, 2–6 options
	KindMultiple                  // multiple select: at least one correct option, 2–6 options
	KindTrueFalse                 // true/false: Options are exactly {"True","False"} with one correct
	KindTyped                     // typed answer: Accepted holds the accepted variants, no Options
	KindPoll                      // poll: 2–6 options, none correct, always 0 points
)

var kindNames = map[Kind]string{
	KindSingle:    "single",
	KindMultiple:  "multiple",
	KindTrueFalse: "truefalse",
	KindTyped:     "typed",
	KindPoll:      "poll",
}

// String returns the name of k as written after kind: in a deck.
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// parseKind returns the kind named s, as written after kind: in a deck.
func parseKind(s string) (Kind, bool) {
	for k, name := range kindNames {
		if name == s {
			return k, true
		}
	}
	return 0, false
}

// Option is one answer offered by a choice, true/false or poll question.
type Option struct {
	Text    string
	Correct bool
}

// Question is one question of a deck. Texts are kept as written in the
// source: inline Markdown such as `code` stays verbatim for clients to show.
type Question struct {
	Line        int           // line of the question's ## heading in the source
	Text        string        // the question, from its ## heading
	Kind        Kind          // how it is answered
	Options     []Option      // the options; none for KindTyped
	Accepted    []string      // typed answers, as written
	TimeLimit   time.Duration // 0: the room's default
	Points      int           // 0, 1000 or 2000 (default 1000 when absent; poll always 0)
	Explanation string        // shown at the reveal; paragraphs separated by a blank line
	Section     string        // the notes section (### heading) the question comes from

	// Passage is the notes passage the question comes from: its section's
	// facts, as Section.Passage writes them. It is not part of the deck
	// format: Generate fills it in, Builtin from the built-in notes, and
	// AddPassages from any notes. It gives answers away: show it only
	// after the question's reveal.
	Passage string
}

// Deck is a titled list of questions.
type Deck struct {
	ID          string // slug (file name without .md, or an `id:` line); [a-z0-9-], 1–40 chars
	Title       string // from the # heading
	Description string // from a description: line
	Notes       string // id of the notes it is drawn from, if any
	Questions   []Question
}

// AddPassages sets the Passage of each question of d whose Section is a
// section of n (by name, as written) and that has none yet.
func (d *Deck) AddPassages(n *Notes) {
	for i := range d.Questions {
		q := &d.Questions[i]
		if q.Passage == "" {
			q.Passage = n.Passage(q.Section)
		}
	}
}
