package game

import (
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
)

// Kind is how a question is answered.
type Kind int

// The question kinds.
const (
	SingleChoice Kind = iota + 1
	MultipleSelect
	TrueFalse
	TypedAnswer
	Poll
)

// MaxTextAnswer is the longest typed answer accepted, in characters.
const MaxTextAnswer = 60

// Question is one question as the rules see it. Accepted holds the typed
// answers as the deck writes them, for the reveal; AcceptedKeys holds them
// normalised the way Answer.Text is, for grading.
type Question struct {
	Kind         Kind
	Text         string
	Options      []string
	Correct      []int // indexes of the correct options, ascending
	Accepted     []string
	AcceptedKeys []string
	AllowTypo    bool // grading forgives one typo in a typed answer (NearAnswer); from Settings.AllowTypos
	TimeLimit    time.Duration
	Points       int // 0, 1000 or 2000
	Explanation  string
	Section      string
	// Passage is the notes passage the question comes from (its section's
	// facts, one "- fact" line each), for studying after the game; empty
	// when the deck names no notes. Like Explanation, it gives the answer
	// away: players may see it only after the question's reveal.
	Passage string
}

// Answer is a player's answer: option indexes, or normalised typed text.
type Answer struct {
	Choices []int
	Text    string
}

// ErrBadAnswer is the kind of every error Check returns.
var ErrBadAnswer = errors.New("bad answer")

// Check reports whether a fits q's kind: the right number of choices, each in
// range and none repeated, or a typed text of 1 to MaxTextAnswer characters.
func (q *Question) Check(a Answer) error {
	if q.Kind == TypedAnswer {
		n := utf8.RuneCountInString(a.Text)
		switch {
		case len(a.Choices) > 0:
			return fmt.Errorf("%w: a typed-answer question takes text, not choices", ErrBadAnswer)
		case n == 0:
			return fmt.Errorf("%w: empty answer text", ErrBadAnswer)
		case n > MaxTextAnswer:
			return fmt.Errorf("%w: answer text too long: %d characters, at most %d", ErrBadAnswer, n, MaxTextAnswer)
		}
		return nil
	}
	if a.Text != "" {
		return fmt.Errorf("%w: this question takes choices, not text", ErrBadAnswer)
	}
	if len(a.Choices) == 0 {
		return fmt.Errorf("%w: no choice given", ErrBadAnswer)
	}
	if q.Kind != MultipleSelect && len(a.Choices) > 1 {
		return fmt.Errorf("%w: %d choices given, this question takes one", ErrBadAnswer, len(a.Choices))
	}
	seen := make([]bool, len(q.Options))
	for _, c := range a.Choices {
		if c < 0 || c >= len(q.Options) {
			return fmt.Errorf("%w: choice %d out of range: options are 0 to %d", ErrBadAnswer, c, len(q.Options)-1)
		}
		if seen[c] {
			return fmt.Errorf("%w: choice %d given twice", ErrBadAnswer, c)
		}
		seen[c] = true
	}
	return nil
}

// Grade is how right an answer is. Credit is Num/Den of the points: Den is
// never 0. Wrong marks an answer that earns nothing on a question that has a
// right answer, which is what a wrong-answer penalty applies to.
type Grade struct {
	Correct bool // fully correct
	Wrong   bool
	Num     int
	Den     int
}

// Credit is the fraction of the points the answer earns.
func (g Grade) Credit() float64 { return float64(g.Num) / float64(g.Den) }

// Grade grades an answer that passed Check. A typed answer is right when it
// is the same answer as an accepted one (SameAnswer: spaces and a plural
// ending aside), or one typo away when q.AllowTypo (NearAnswer). Multiple
// select earns max((right − wrong) / correct, 0); a poll is neither right
// nor wrong.
func (q *Question) Grade(a Answer) Grade {
	switch q.Kind {
	case Poll:
		return Grade{Den: 1}
	case TypedAnswer:
		for _, k := range q.AcceptedKeys {
			if SameAnswer(a.Text, k) || q.AllowTypo && NearAnswer(a.Text, k) {
				return Grade{Correct: true, Num: 1, Den: 1}
			}
		}
		return Grade{Wrong: true, Den: 1}
	case MultipleSelect:
		right, wrong := 0, 0
		for _, c := range a.Choices {
			if slices.Contains(q.Correct, c) {
				right++
			} else {
				wrong++
			}
		}
		num := max(right-wrong, 0)
		return Grade{Correct: wrong == 0 && right == len(q.Correct), Wrong: num == 0, Num: num, Den: len(q.Correct)}
	default:
		if slices.Contains(q.Correct, a.Choices[0]) {
			return Grade{Correct: true, Num: 1, Den: 1}
		}
		return Grade{Wrong: true, Den: 1}
	}
}
