package content

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Rules of the generator.
const (
	MinFactWords   = 4 // words a fact must keep once its concept is masked
	MaxDistractors = 3 // other concepts offered beside the right one
	MaxTypedWords  = 3 // words of a name short enough to be a typed answer

	// Two facts of different concepts say the same thing (and a question on
	// one has two defensible answers) when they share at least SameFactWords
	// keywords, and those are at least SameFactShare percent of the
	// keywords of the shorter fact; see sameFact.
	SameFactWords = 2
	SameFactShare = 60
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
// the concept it describes, with the concept's name masked. A
// single-choice question offers the concept beside up to three others of
// the notes, a true/false one states the fact of the right concept or of a
// wrong one, a typed one asks to type the name. Every question carries
// its section's passage. README.md lists the rules; in short, a fact is
// skipped when it is in a topic section (isTopic), is too short once
// masked, still gives the name away, or says what a fact of another
// concept says (sameFact); a question is skipped when it would be too
// long or its text would give its answer away (Leaks).
func Generate(n *Notes, opt GenerateOptions) (*Deck, error) {
	kinds, err := checkOptions(opt)
	if err != nil {
		return nil, err
	}
	g := newGenerator(n)
	g.rng = rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15))
	g.kinds = kinds
	g.time = opt.TimeLimit
	var qs []Question
	for i, s := range n.Sections {
		for j, f := range s.Facts {
			if g.skip(i, j) != "" {
				continue
			}
			if q, ok := g.question(i, j, f); ok {
				q.Passage = n.Sections[i].Passage()
				qs = append(qs, q)
			}
		}
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("no question can be made from notes %q: every fact is too short, gives its concept away, fits another concept too, or is in a topic section", n.ID)
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
	notes    *Notes
	rng      *rand.Rand
	kinds    []Kind
	time     time.Duration
	concepts []concept // one per section, in order
}

func newGenerator(n *Notes) *generator {
	g := &generator{notes: n}
	table := keywordTable{}
	for _, s := range n.Sections {
		c := newConcept(s.Name)
		c.facts = s.Facts
		c.nameKeys = table.of(strings.Join(c.variants, " "))
		for _, f := range s.Facts {
			c.factKeys = append(c.factKeys, factKeys{keys: table.of(c.mask(f.Text)), negated: negated(f.Text)})
		}
		g.concepts = append(g.concepts, c)
	}
	return g
}

// skip returns why fact j of section i makes no question, or "". The
// reasons do not depend on the seed.
func (g *generator) skip(i, j int) string {
	c := &g.concepts[i]
	f := c.facts[j]
	masked := c.mask(f.Text)
	switch {
	case c.topic:
		return fmt.Sprintf("the section %q names a topic, not a concept", clip(c.name))
	case len(words(masked)) < MinFactWords:
		return fmt.Sprintf("fewer than %d words once %q is masked", MinFactWords, clip(c.display))
	case c.leaks(masked):
		return fmt.Sprintf("it gives %q away: a word of the name is still there once masked", clip(c.display))
	case !affirms(masked):
		return "it only says what the concept is not or does not do, which is true of other concepts too"
	}
	if o := g.sameFactAs(i, j); o != nil {
		return fmt.Sprintf("it also fits %q (line %d says the same of it): a question would have two right answers", clip(o.concept.display), o.fact.Line)
	}
	return ""
}

// conceptFact is a fact and the concept it is about.
type conceptFact struct {
	concept *concept
	fact    Fact
}

// sameFactAs returns a fact of another concept (never a topic) that says
// what fact j of section i says (sameFact), or nil.
func (g *generator) sameFactAs(i, j int) *conceptFact {
	c := &g.concepts[i]
	for k := range g.concepts {
		o := &g.concepts[k]
		if k == i || o.topic {
			continue
		}
		for h, keys := range o.factKeys {
			if sameFact(c.factKeys[j], keys, o.nameKeys, c.nameKeys) {
				return &conceptFact{o, o.facts[h]}
			}
		}
	}
	return nil
}

// question makes a question from fact f, fact j of section i, if it can.
func (g *generator) question(i, j int, f Fact) (Question, bool) {
	c := &g.concepts[i]
	masked := c.mask(f.Text)
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
	blanked := strings.Contains(masked, blank)
	q := Question{
		Kind:        kinds[g.rng.IntN(len(kinds))],
		TimeLimit:   g.time,
		Points:      DefaultPoints,
		Section:     c.name,
		Explanation: quote(c, f, blanked),
	}
	switch q.Kind {
	case KindSingle:
		q.Text = fmt.Sprintf("Which one is this about? “%s”", masked)
		if blanked {
			q.Text = fmt.Sprintf("Which fills the blank? “%s”", masked)
		}
		q.Options = append(q.Options, Option{Text: c.short, Correct: true})
		for _, o := range others[:min(len(others), MaxDistractors)] {
			q.Options = append(q.Options, Option{Text: o.short})
		}
		g.rng.Shuffle(len(q.Options), func(i, j int) { q.Options[i], q.Options[j] = q.Options[j], q.Options[i] })
	case KindTyped:
		q.Text = fmt.Sprintf("Name what this is about: “%s”", masked)
		if blanked {
			q.Text = fmt.Sprintf("What fills the blank? “%s”", masked)
		}
		q.Accepted = accepted
	case KindTrueFalse:
		paired := c
		if g.rng.IntN(2) == 1 && (!blanked || subject(masked)) {
			if o := g.falsePair(c.factKeys[j], others); o != nil {
				paired = o
			}
		}
		if paired == c {
			q.Explanation = "True. " + q.Explanation
		} else {
			q.Explanation = "False. " + q.Explanation
		}
		q.Text = fmt.Sprintf("True or false: this is about %s. “%s”", paired.display, masked)
		if blanked {
			q.Text = "True or false: " + fillBlanks(masked, paired.short)
		}
		q.Options = []Option{{Text: "True", Correct: paired == c}, {Text: "False", Correct: paired != c}}
	}
	if utf8.RuneCountInString(q.Text) > MaxQuestionLen || len(Leaks(&q)) > 0 {
		return Question{}, false
	}
	return q, true
}

// leadingBlank matches a fact whose subject is the masked name.
var leadingBlank = regexp.MustCompile(`^(?:(?i:a|an|the) )?` + blank)

// subject reports whether the masked name is the subject of the fact: it
// opens the fact, maybe after an article. Only then may a true/false
// question put another concept in its place: "AWS X-Ray helps you debug
// ____ functions" with another name in the blank could well be true.
func subject(masked string) bool { return leadingBlank.MatchString(masked) }

// quote quotes fact f of c for an explanation. It names c only when the
// fact does not ("It gives your backend HTTPS endpoints"): the reveal
// shows the right answer, and a name in every explanation would give away
// the answer of every other question on c.
func quote(c *concept, f Fact, named bool) string {
	if named {
		return fmt.Sprintf("From the notes: “%s”", f.Text)
	}
	return fmt.Sprintf("From the notes on %s: “%s”", c.display, f.Text)
}

// falsePair returns the first of others that a true/false question may
// wrongly state a fact with keywords fact of: one none of whose facts
// shares a keyword with it, so that the statement is false by the notes
// and unlikely to be true anyway. Nil when there is none.
func (g *generator) falsePair(fact factKeys, others []*concept) *concept {
	for _, o := range others {
		if !slices.ContainsFunc(o.factKeys, func(k factKeys) bool { return common(fact.keys, k.keys) > 0 }) {
			return o
		}
	}
	return nil
}

// distractors returns the concepts that may be offered as wrong answers to
// a question on c whose text is masked, in random order: concepts, never
// topics, that the text does not name, whose names neither hold c's nor
// are held by it, and that differ from c once normalised. Options show the
// short names ("Lambda", "Elastic Container Service"): a leading AWS or
// Amazon on some names and not others would tell the answer apart.
func (g *generator) distractors(c *concept, masked string) []*concept {
	var out []*concept
	for i := range g.concepts {
		o := &g.concepts[i]
		if o == c || o.topic || c.related(o) || o.mentions(masked) || o.namedBy(masked) || NormalizeAnswer(o.short) == NormalizeAnswer(c.short) {
			continue
		}
		out = append(out, o)
	}
	g.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// typedAnswers returns what a player may type for c: its name without
// aliases, the same without a leading AWS or Amazon, and each alias bare
// and with that prefix ("Amazon Elastic Container Service", "Elastic
// Container Service", "ECS", "Amazon ECS"); grading adds plurals, spacing
// and punctuation. None when every form of the name has more than
// MaxTypedWords words.
func typedAnswers(c *concept) []string {
	forms := []string{c.display, c.short}
	for _, a := range c.aliases {
		forms = append(forms, a, c.prefix+a)
	}
	if !slices.ContainsFunc(forms, func(v string) bool { return len(words(v)) <= MaxTypedWords }) {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, v := range forms {
		key := squeezed(v)
		if key == "" || seen[key] || utf8.RuneCountInString(v) > MaxAcceptedLen || strings.Contains(v, "|") || len(out) == MaxAccepted {
			continue
		}
		seen[key] = true
		out = append(out, v)
	}
	return out
}

// squeezed returns the normal form of answer a without spaces: answers
// with the same one are the same to grading.
func squeezed(a string) string {
	return strings.ReplaceAll(NormalizeAnswer(a), " ", "")
}

// fillBlanks puts name in every blank of masked, turning an "a" or "an"
// just before a blank into the article name takes.
func fillBlanks(masked, name string) string {
	parts := strings.Split(masked, blank)
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString(name)
		}
		if i < len(parts)-1 {
			p = fixArticle(p, name)
		}
		b.WriteString(p)
	}
	return b.String()
}

// trailingArticle matches an "a" or "an" that ends text before a blank.
var trailingArticle = regexp.MustCompile(`(^|[^\pL\pN])([Aa]n?) $`)

// fixArticle returns text, which comes just before name, with a trailing
// "a" or "an" made the one name takes.
func fixArticle(text, name string) string {
	m := trailingArticle.FindStringSubmatchIndex(text)
	if m == nil {
		return text
	}
	art := "a"
	if anSound(name) {
		art = "an"
	}
	if text[m[4]] == 'A' {
		art = strings.ToUpper(art[:1]) + art[1:]
	}
	return text[:m[4]] + art + " "
}

// anSound reports whether name starts with a vowel sound: a vowel, or in an
// acronym a letter whose name does ("an ECS task", "an S3 bucket").
func anSound(name string) bool {
	first, _, _ := strings.Cut(name, " ")
	r, _ := utf8.DecodeRuneInString(first)
	if len(first) > 1 && strings.ToUpper(first) == first && unicode.IsUpper(r) {
		return strings.ContainsRune("AEFHILMNORSX", r)
	}
	return strings.ContainsRune("AEIOUaeiou", r)
}
