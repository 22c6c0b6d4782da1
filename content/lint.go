package content

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/quizroom/quizroom/server/game"
)

// Warning is a fairness problem Lint finds in a deck (or LintNotes in
// notes): something that lets a player answer without knowing, or that
// tells the answer of another question. Unlike an Error it never stops a
// deck from being played.
type Warning struct {
	Line int    // line of the question's ## heading, or of the notes' fact or section
	Msg  string // what is unfair and how to fix it
}

// Thresholds of Lint's length rule: a correct option is far longer than
// the wrong ones when it is at least LongOptionRatio (in tenths) times as
// long as the longest wrong option and at least LongOptionExtra characters
// longer. Lengths count characters.
const (
	LongOptionRatio = 18 // tenths: 1.8×
	LongOptionExtra = 12
)

// Lint returns the fairness warnings of deck d, in line order:
//
//   - the section names an answer: it equals or contains a correct option
//     or an accepted answer, or a correct option or accepted answer names
//     the section's concept while no wrong option does (a client that
//     shows the section before the reveal gives the answer away);
//   - an option gives the answer away: a word of the question, not a stop
//     word, appears only in the correct options; or an option carries an
//     alias in brackets, such as "(IAM)";
//   - a correct option is far longer than every wrong one (see
//     LongOptionRatio and LongOptionExtra);
//   - a multiple-select question has fewer than two wrong options;
//   - an explanation gives away the answer of another question: it
//     contains that question's correct option or accepted answer, which
//     its own question's text, answers and section (a name of the section's
//     concept, as the reveal shows the section) do not already show;
//   - two questions have the same text (once normalised);
//   - two accepted answers of a question are the same once spaces and a
//     plural ending are ignored (one of them is never needed).
//
// Answers are found in texts as Leaks finds them. True and False are not
// answers for these rules, and polls have none.
func Lint(d *Deck) []Warning {
	var ws []Warning
	for i := range d.Questions {
		q := &d.Questions[i]
		for _, rule := range []func(*Question) []string{sectionRule, giveawayWordRule, bracketRule, lengthRule, wrongCountRule, acceptedRule} {
			for _, msg := range rule(q) {
				ws = append(ws, Warning{Line: q.Line, Msg: msg})
			}
		}
	}
	ws = append(ws, explanationRule(d)...)
	ws = append(ws, duplicateRule(d)...)
	slices.SortStableFunc(ws, func(a, b Warning) int { return cmp.Compare(a.Line, b.Line) })
	return ws
}

// answers returns the answers of q the lint rules look for: its correct
// options or its accepted answers, but never True or False.
func answers(q *Question) []string {
	switch q.Kind {
	case KindTyped:
		return q.Accepted
	case KindSingle, KindMultiple:
		var out []string
		for _, o := range q.Options {
			if o.Correct {
				out = append(out, o.Text)
			}
		}
		return out
	}
	return nil
}

// sectionRule warns when q's section names one of its answers: the section
// holds the answer ("AWS Lambda" for the answer "AWS Lambda" or "Lambda"),
// or the answer names the section's concept (by its name or an alias) and
// no wrong option does ("Upload it to AWS Elastic Beanstalk" under "AWS
// Elastic Beanstalk").
func sectionRule(q *Question) []string {
	as := answers(q)
	if q.Section == "" || len(as) == 0 {
		return nil
	}
	x := newAnswerIndex()
	for i, a := range as {
		x.add(i, a)
	}
	named := map[int]bool{}
	for _, i := range x.find(q.Section) {
		named[i] = true
	}
	c := newConcept(q.Section)
	wrongNames := slices.ContainsFunc(q.Options, func(o Option) bool { return !o.Correct && c.mentions(o.Text) })
	for i, a := range as {
		if !wrongNames && c.mentions(a) {
			named[i] = true
		}
	}
	var out []string
	for i, a := range as {
		if named[i] {
			out = append(out, fmt.Sprintf("section %q names the answer %q: a client that shows the section before the reveal gives the answer away; ask about another fact, or give the answer as a description", clip(q.Section), clip(a)))
		}
	}
	return out
}

// giveawayWordRule warns about words of a choice question's text that
// appear in its correct options and in none of its wrong ones.
func giveawayWordRule(q *Question) []string {
	if q.Kind != KindSingle && q.Kind != KindMultiple {
		return nil
	}
	right, wrong := map[string]bool{}, map[string]bool{}
	for _, o := range q.Options {
		set := wrong
		if o.Correct {
			set = right
		}
		for _, w := range answerWords(o.Text) {
			for _, f := range game.AnswerForms(w) {
				set[f] = true
			}
		}
	}
	if len(wrong) == 0 {
		return nil
	}
	var words []string
	for _, w := range answerWords(q.Text) {
		if isStopWord(w) || slices.Contains(words, w) {
			continue
		}
		inRight, inWrong := false, false
		for _, f := range game.AnswerForms(w) {
			inRight = inRight || right[f]
			inWrong = inWrong || wrong[f]
		}
		if inRight && !inWrong {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return nil
	}
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = strconv.Quote(w)
	}
	return []string{fmt.Sprintf("the question's %s %s appear%s in the correct option only: a player can match it without knowing; use it in a wrong option too, or drop it",
		plural(len(words), "word", "words"), strings.Join(quoted, ", "), plural(len(words), "s", ""))}
}

// alias matches a short part in brackets: "(IAM)", "(CDN)", "(Aurora Serverless)".
var alias = regexp.MustCompile(`\(\s*[^()\s]+(?:\s+[^()\s]+){0,2}\s*\)`)

// bracketRule warns about options that carry an alias in brackets.
func bracketRule(q *Question) []string {
	var out []string
	for _, o := range q.Options {
		if m := alias.FindString(o.Text); m != "" {
			out = append(out, fmt.Sprintf("option %q carries %s in brackets: the precise-looking option stands out; drop it, or write every option alike", clip(o.Text), m))
		}
	}
	return out
}

// lengthRule warns when a correct option is far longer than every wrong one.
func lengthRule(q *Question) []string {
	if q.Kind != KindSingle && q.Kind != KindMultiple {
		return nil
	}
	longestWrong := -1
	for _, o := range q.Options {
		if !o.Correct {
			longestWrong = max(longestWrong, utf8.RuneCountInString(o.Text))
		}
	}
	if longestWrong < 0 {
		return nil
	}
	var out []string
	for _, o := range q.Options {
		n := utf8.RuneCountInString(o.Text)
		if o.Correct && n*10 >= LongOptionRatio*longestWrong && n-longestWrong >= LongOptionExtra {
			out = append(out, fmt.Sprintf("correct option %q is %d characters, the longest wrong one %d: a player can pick it by its length; shorten it or lengthen the others", clip(o.Text), n, longestWrong))
		}
	}
	return out
}

// wrongCountRule warns about a multiple-select question with fewer than
// two wrong options: ticking everything but the odd one out wins.
func wrongCountRule(q *Question) []string {
	if q.Kind != KindMultiple {
		return nil
	}
	wrong := 0
	for _, o := range q.Options {
		if !o.Correct {
			wrong++
		}
	}
	if wrong >= 2 {
		return nil
	}
	return []string{fmt.Sprintf("multiple-select question with %d wrong %s: a player ticks all but the odd one out; offer at least 2 plausible wrong options", wrong, plural(wrong, "option", "options"))}
}

// acceptedRule warns about accepted answers that grading treats as one.
func acceptedRule(q *Question) []string {
	var out []string
	for i, a := range q.Accepted {
		for _, b := range q.Accepted[:i] {
			if NormalizeAnswer(a) != NormalizeAnswer(b) && game.SameAnswer(NormalizeAnswer(a), NormalizeAnswer(b)) {
				out = append(out, fmt.Sprintf("accepted answer %q is the same as %q once spaces and plural endings are ignored: drop it", clip(a), clip(b)))
				break
			}
		}
	}
	return out
}

// explanationRule warns about explanations that give away the answer of
// another question of d.
func explanationRule(d *Deck) []Warning {
	type entry struct {
		q    int
		text string
	}
	var entries []entry
	x := newAnswerIndex()
	for i := range d.Questions {
		for _, a := range answers(&d.Questions[i]) {
			x.add(len(entries), a)
			entries = append(entries, entry{i, a})
		}
	}
	var ws []Warning
	for i := range d.Questions {
		q := &d.Questions[i]
		if q.Explanation == "" {
			continue
		}
		// Answers the question's text, answers or section (shown at the
		// reveal with the explanation) already show are not given away.
		shown := append([]string{q.Text}, answers(q)...)
		if q.Section != "" {
			shown = append(shown, newConcept(q.Section).variants...)
		}
		own := map[int]bool{}
		for _, t := range shown {
			for _, e := range x.find(t) {
				own[e] = true
			}
		}
		given := map[int]string{} // question → the longest of its answers given away
		var order []int
		for _, e := range x.find(q.Explanation) {
			other := entries[e]
			if other.q == i || own[e] {
				continue
			}
			if prev, ok := given[other.q]; !ok {
				order = append(order, other.q)
			} else if len(prev) >= len(other.text) {
				continue
			}
			given[other.q] = other.text
		}
		for _, j := range order {
			ws = append(ws, Warning{Line: q.Line, Msg: fmt.Sprintf("explanation gives away %q, the answer of the question on line %d: a player who sees this reveal first knows it; say it without that answer", clip(given[j]), d.Questions[j].Line)})
		}
	}
	return ws
}

// duplicateRule warns about questions with the same text as an earlier one.
func duplicateRule(d *Deck) []Warning {
	var ws []Warning
	first := map[string]int{}
	for _, q := range d.Questions {
		key := NormalizeAnswer(q.Text)
		if line, ok := first[key]; ok {
			ws = append(ws, Warning{Line: q.Line, Msg: fmt.Sprintf("the same question as on line %d: keep one", line)})
			continue
		}
		first[key] = q.Line
	}
	return ws
}

// plural returns one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// LintNotes returns what Generate makes of notes n that its author may
// want to change, in line order: each section whose heading reads as a
// topic rather than a concept's name (its facts are not asked and it is
// never an answer), and each fact that makes no question, with why (too
// short once masked, still giving the name away, only a denial, or saying
// what a fact of another concept says).
func LintNotes(n *Notes) []Warning {
	g := newGenerator(n)
	var ws []Warning
	for i, s := range n.Sections {
		if g.concepts[i].topic {
			ws = append(ws, Warning{Line: s.Line, Msg: fmt.Sprintf("section %q reads as a topic, not the name of a concept: its facts are not asked and it is never offered as an answer; make the heading a name to have them asked", clip(s.Name))})
			continue
		}
		for j, f := range s.Facts {
			if why := g.skip(i, j); why != "" {
				ws = append(ws, Warning{Line: f.Line, Msg: "fact not asked: " + why})
			}
		}
	}
	return ws
}

// LooksLikeNotes reports whether src is notes rather than a deck: it has
// ### headings and no ## heading (a deck's questions).
func LooksLikeNotes(src []byte) bool {
	doc := markdown.Parser().Parse(text.NewReader(src))
	notes := false
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok {
			if h.Level == 2 {
				return false
			}
			notes = notes || h.Level == 3
		}
	}
	return notes
}
