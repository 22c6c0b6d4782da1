package content

import (
	"fmt"
	"strings"
)

// Leaks returns why the text of q gives its answer away, or nil. Players
// see a question's text and options before the reveal, so:
//
//   - a typed question's text must not contain an accepted answer;
//   - a choice or true/false question's text must not contain a correct
//     option unless it contains every wrong option too, as in "True or
//     false: …" or "Which is faster, X or Y?".
//
// "Contains" compares as typed answers are graded (NormalizeAnswer, then
// spaces and a plural ending ignored) and on word boundaries: the answer
// "X-Ray" stands in "an x ray trace" but not in "xrays-beta". An option that
// is a single stop word, such as "A" or "the", is never looked for. Parse
// reports every leak as an error on the question's line; Generate never
// makes a question that leaks.
func Leaks(q *Question) []string {
	var leaks []string
	switch q.Kind {
	case KindTyped:
		x := newAnswerIndex()
		for i, a := range q.Accepted {
			x.add(i, a)
		}
		for _, i := range x.find(q.Text) {
			leaks = append(leaks, fmt.Sprintf("question text gives the answer away: it contains the accepted answer %q; reword the question", clip(q.Accepted[i])))
		}
	case KindSingle, KindMultiple, KindTrueFalse:
		x := newAnswerIndex()
		wrong := 0
		for i, o := range q.Options {
			if isStopWord(NormalizeAnswer(o.Text)) {
				continue
			}
			x.add(i, o.Text)
			if !o.Correct {
				wrong++
			}
		}
		var named []string
		for _, i := range x.find(q.Text) {
			if q.Options[i].Correct {
				named = append(named, q.Options[i].Text)
			} else {
				wrong--
			}
		}
		if wrong > 0 {
			for _, o := range named {
				leaks = append(leaks, fmt.Sprintf("question text gives the answer away: it names the correct option %q but not every wrong one; reword it, or name every option", clip(o)))
			}
		}
	}
	return leaks
}

// stopWords are words too common to tell anything, generic verbs such as
// "lets" and "use" among them: a question's words that are stop words
// never count as giving an option away (Lint), an option that is one is
// never looked for in a question's text (Leaks), and they are no keywords
// of a fact (sameFact).
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a about above after again against all allow allows also am an and
		any are as at be because been before being below between both but by can could did do does doing
		down during each either enable enables few for from further had has have having help helps
		here how i if in into is it its itself just let lets may more most must neither no nor not now of
		off on once one ones only or other our out over own same should so some such than that the their
		them then there these they this those through to too under until up use used uses using very
		was we were what when where which while who whom whose why will with would you your`) {
		stopWords[w] = true
	}
}

// isStopWord reports whether the normalised text w is one stop word.
func isStopWord(w string) bool { return stopWords[w] }
