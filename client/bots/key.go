package bots

import (
	"slices"

	"github.com/quizroom/quizroom/content"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// Key is an answer key: the decks a room may play, loaded by the bots
// themselves, so that they can answer correctly on purpose. The server never
// tells a player the answer before the reveal; a bot with a Key knows it the
// way a student who studied the deck would.
type Key struct {
	byText map[string][]*content.Question
}

// NewKey makes a key of the questions of decks.
func NewKey(decks ...*content.Deck) *Key {
	k := &Key{byText: map[string][]*content.Question{}}
	for _, d := range decks {
		for i := range d.Questions {
			q := &d.Questions[i]
			k.byText[q.Text] = append(k.byText[q.Text], q)
		}
	}
	return k
}

// solution is what the key says about a question as shown.
type solution struct {
	correct  []int32 // indexes of the correct options as shown
	accepted string  // an accepted typed answer
}

// lookup finds q in the key: the question of the same text whose options
// are the same (in any order, since rooms may shuffle them).
func (k *Key) lookup(q *quizv1.QuestionOpened) (solution, bool) {
	if k == nil {
		return solution{}, false
	}
	for _, cq := range k.byText[q.GetText()] {
		if len(cq.Options) != len(q.GetOptions()) {
			continue
		}
		if len(cq.Options) == 0 {
			if len(cq.Accepted) == 0 {
				continue
			}
			return solution{accepted: cq.Accepted[0]}, true
		}
		var sol solution
		matched := 0
		for i, text := range q.GetOptions() {
			j := slices.IndexFunc(cq.Options, func(o content.Option) bool { return o.Text == text })
			if j < 0 {
				break
			}
			matched++
			if cq.Options[j].Correct {
				sol.correct = append(sol.correct, int32(i))
			}
		}
		if matched == len(cq.Options) {
			return sol, true
		}
	}
	return solution{}, false
}
