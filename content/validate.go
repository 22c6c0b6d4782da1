package content

import "strings"

// finish checks the question as a whole and returns it.
func (d *draft) finish() Question {
	p, q := d.p, &d.q
	p.checkText(q.Line, "question text", q.Text, MaxQuestionLen)
	if !d.kindSet {
		q.Kind = KindSingle
	}
	d.checkPoints()
	if q.Kind == KindTyped {
		d.checkTyped()
		d.checkLeaks()
		return *q
	}
	if d.answersLine > 0 {
		p.addf(d.answersLine, "answers: is only for kind: typed; a %s question marks its options with [x]", q.Kind)
	}
	if d.listLine == 0 {
		p.addf(q.Line, "question without options: add a task list (- [x] right, - [ ] wrong)")
		return *q
	}
	d.checkOptions()
	d.checkLeaks()
	return *q
}

// checkLeaks records, on the question's line, every way its text gives
// its answer away.
func (d *draft) checkLeaks() {
	for _, msg := range Leaks(&d.q) {
		d.p.addf(d.q.Line, "%s", msg)
	}
}

func (d *draft) checkPoints() {
	q := &d.q
	switch {
	case !d.pointsSet && q.Kind == KindPoll:
		q.Points = 0
	case !d.pointsSet:
		q.Points = DefaultPoints
	case q.Kind == KindPoll && q.Points != 0:
		d.p.addf(d.keys["points"], "a poll scores no points: use points: 0 or leave it out")
	}
}

func (d *draft) checkTyped() {
	p, q := d.p, &d.q
	if d.listLine > 0 {
		p.addf(d.listLine, "a typed question has no options: list its accepted answers after answers:, separated by |")
	}
	if d.answersLine == 0 {
		p.addf(q.Line, "typed question without accepted answers: add an answers: line, answers separated by |")
		return
	}
	line := d.answersLine
	if n := len(q.Accepted); n > MaxAccepted {
		p.addf(line, "too many accepted answers: %d, at most %d", n, MaxAccepted)
	}
	seen := map[string]string{}
	for _, a := range q.Accepted {
		p.checkText(line, "accepted answer", a, MaxAcceptedLen)
		if a == "" {
			continue
		}
		norm := NormalizeAnswer(a)
		if norm == "" {
			p.addf(line, "accepted answer %q is empty once normalised: case, spacing and punctuation are ignored", clip(a))
		} else if prev, ok := seen[norm]; ok {
			p.addf(line, "duplicate accepted answer %q: the same as %q once normalised", clip(a), clip(prev))
		} else {
			seen[norm] = a
		}
	}
}

func (d *draft) checkOptions() {
	p, q := d.p, &d.q
	if n := len(d.options); n < MinOptions {
		p.addf(d.listLine, "too few options: %d, at least %d", n, MinOptions)
	} else if n > MaxOptions {
		p.addf(d.listLine, "too many options: %d, at most %d", n, MaxOptions)
	}
	seen := map[string]int{}
	correct := 0
	for _, o := range d.options {
		if o.Correct {
			correct++
		}
		norm := NormalizeAnswer(o.Text)
		if prev, ok := seen[norm]; ok && o.Text != "" {
			p.addf(o.line, "duplicate option %q: the same as the option on line %d", clip(o.Text), prev)
		}
		seen[norm] = o.line
		q.Options = append(q.Options, o.Option)
	}
	switch q.Kind {
	case KindSingle:
		if correct != 1 {
			d.wantOneCorrect(correct, "a single-choice question: mark exactly one with [x], or use kind: multiple")
		}
	case KindMultiple:
		if correct == 0 {
			p.addf(q.Line, "no correct option: mark at least one with [x]")
		}
	case KindTrueFalse:
		d.checkTrueFalse(correct)
	case KindPoll:
		if correct > 0 {
			p.addf(q.Line, "%d correct options in a poll: a poll has no correct answer, use [ ] for every option", correct)
		}
	}
}

func (d *draft) wantOneCorrect(correct int, what string) {
	if correct == 0 {
		d.p.addf(d.q.Line, "no correct option in %s", what)
	} else {
		d.p.addf(d.q.Line, "%d correct options in %s", correct, what)
	}
}

// checkTrueFalse checks the options are True and False, in any order and
// case, and puts them in the canonical form: True first.
func (d *draft) checkTrueFalse(correct int) {
	q := &d.q
	var isTrue, isFalse *Option
	for i := range q.Options {
		switch o := &q.Options[i]; strings.ToLower(o.Text) {
		case "true":
			isTrue = o
		case "false":
			isFalse = o
		}
	}
	if len(q.Options) != 2 || isTrue == nil || isFalse == nil {
		d.p.addf(d.listLine, "true/false options must be exactly True and False")
		return
	}
	if correct != 1 {
		d.wantOneCorrect(correct, "a true/false question: mark exactly one of True and False with [x]")
		return
	}
	q.Options = []Option{{Text: "True", Correct: isTrue.Correct}, {Text: "False", Correct: isFalse.Correct}}
}
