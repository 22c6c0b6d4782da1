package content

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Rules of the generator.
const (
	MinFactWords   = 4 // words a fact must keep once its concept is masked
	MaxDistractors = 3 // other concepts offered beside the right one
	MaxTypedWords  = 3 // words of a name short enough to be a typed answer
)

// GenerateOptions tune Generate.
type GenerateOptions struct {
	Seed      uint64        // the same notes, options and seed give the same deck
	Count     int           // questions wanted; 0: all it can make (one per usable fact)
	TimeLimit time.Duration // per question; 0: the room's default
	Kinds     []Kind        // kinds to make; nil: single, true/false and typed
}

// generatedKinds are the kinds Generate can make, and makes by default.
var generatedKinds = []Kind{KindSingle, KindTrueFalse, KindTyped}

// Generate makes a deck from notes n: for each fact, a question asking for
// its concept, the concept's name masked in the fact. A single-choice
// question offers the concept beside up to three others of the notes, a
// true/false one pairs the fact with the right concept or a wrong one, a
// typed one asks to type the name. It skips a fact too short to ask (fewer
// than MinFactWords words once masked) or that gives its concept away (a
// word of the name still there once masked). It never offers as wrong a
// concept that the fact names or whose name holds the right one's, and
// never offers two options that are equal once normalised.
func Generate(n *Notes, opt GenerateOptions) (*Deck, error) {
	kinds, err := checkOptions(opt)
	if err != nil {
		return nil, err
	}
	g := &generator{
		rng:   rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)),
		kinds: kinds,
		time:  opt.TimeLimit,
	}
	for _, s := range n.Sections {
		g.concepts = append(g.concepts, newConcept(s.Name))
	}
	var qs []Question
	for i, s := range n.Sections {
		for _, f := range s.Facts {
			if q, ok := g.question(i, f); ok {
				qs = append(qs, q)
			}
		}
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("no question can be made from notes %q: every fact is too short or gives its concept away", n.ID)
	}
	g.rng.Shuffle(len(qs), func(i, j int) { qs[i], qs[j] = qs[j], qs[i] })
	count := opt.Count
	if count == 0 || count > len(qs) {
		count = len(qs)
	}
	return &Deck{
		ID:          n.ID,
		Title:       n.Title,
		Description: fmt.Sprintf("Generated from the notes %s with seed %d.", n.ID, opt.Seed),
		Notes:       n.ID,
		Questions:   qs[:min(count, MaxQuestions)],
	}, nil
}

// checkOptions returns the kinds to make, or why opt is not allowed.
func checkOptions(opt GenerateOptions) ([]Kind, error) {
	if opt.Count < 0 {
		return nil, fmt.Errorf("bad count %d: use 0 for all, or a positive number", opt.Count)
	}
	t := opt.TimeLimit
	if t != 0 && (t%time.Second != 0 || t < MinTimeLimit || t > MaxTimeLimit) {
		return nil, fmt.Errorf("bad time limit %v: use 0 or whole seconds from %s to %s", t, seconds(MinTimeLimit), seconds(MaxTimeLimit))
	}
	if len(opt.Kinds) == 0 {
		return generatedKinds, nil
	}
	for _, k := range opt.Kinds {
		if !slices.Contains(generatedKinds, k) {
			return nil, fmt.Errorf("cannot generate %s questions: use single, truefalse or typed", k)
		}
	}
	return opt.Kinds, nil
}

// generator holds the state of one Generate call.
type generator struct {
	rng      *rand.Rand
	kinds    []Kind
	time     time.Duration
	concepts []concept // one per section, in order
}

// question makes a question from fact f of section i, if it can.
func (g *generator) question(i int, f Fact) (Question, bool) {
	c := &g.concepts[i]
	masked := c.mask(f.Text)
	if len(words(masked)) < MinFactWords || c.leaks(masked) {
		return Question{}, false
	}
	others := g.distractors(c, masked)
	accepted := typedAnswers(c)
	var kinds []Kind
	for _, k := range g.kinds {
		if (k != KindSingle || len(others) > 0) && (k != KindTyped || len(accepted) > 0) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return Question{}, false
	}
	q := Question{
		Kind:        kinds[g.rng.IntN(len(kinds))],
		TimeLimit:   g.time,
		Points:      DefaultPoints,
		Section:     c.name,
		Explanation: fmt.Sprintf("From the notes on %s: “%s”", c.name, f.Text),
	}
	switch q.Kind {
	case KindSingle:
		q.Text = fmt.Sprintf("Which concept do the notes describe? “%s”", masked)
		q.Options = append(q.Options, Option{Text: c.name, Correct: true})
		for _, o := range others[:min(len(others), MaxDistractors)] {
			q.Options = append(q.Options, Option{Text: o.name})
		}
		g.rng.Shuffle(len(q.Options), func(i, j int) { q.Options[i], q.Options[j] = q.Options[j], q.Options[i] })
	case KindTyped:
		q.Text = fmt.Sprintf("Name the concept the notes describe: “%s”", masked)
		q.Accepted = accepted
	case KindTrueFalse:
		paired := c
		if len(others) > 0 && g.rng.IntN(2) == 1 {
			paired = others[0]
			q.Explanation = fmt.Sprintf("False: the notes say this about %s, not %s: “%s”", c.name, paired.name, f.Text)
		}
		q.Text = fmt.Sprintf("True or false: the notes say this about %s. “%s”", paired.name, masked)
		q.Options = []Option{{Text: "True", Correct: paired == c}, {Text: "False", Correct: paired != c}}
	}
	if utf8.RuneCountInString(q.Text) > MaxQuestionLen {
		return Question{}, false
	}
	return q, true
}

// distractors returns the concepts that may be offered as wrong answers to
// a question on c whose text is masked, in random order.
func (g *generator) distractors(c *concept, masked string) []*concept {
	var out []*concept
	for i := range g.concepts {
		o := &g.concepts[i]
		if o == c || c.related(o) || o.mentions(masked) || NormalizeAnswer(o.name) == NormalizeAnswer(c.name) {
			continue
		}
		out = append(out, o)
	}
	g.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// typedAnswers returns the variants of c's name a player may type, or none
// if every form of the name is too long to type.
func typedAnswers(c *concept) []string {
	short := slices.ContainsFunc(c.variants, func(v string) bool { return len(words(v)) <= MaxTypedWords })
	if !short {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, v := range c.variants {
		norm := NormalizeAnswer(v)
		if norm == "" || seen[norm] || utf8.RuneCountInString(v) > MaxAcceptedLen || strings.Contains(v, "|") || len(out) == MaxAccepted {
			continue
		}
		seen[norm] = true
		out = append(out, v)
	}
	return out
}
