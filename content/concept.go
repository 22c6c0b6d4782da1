package content

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// blank replaces a concept's name in a fact turned into a question.
const blank = "____"

// nameStopWords are words of a concept's name too common to give it away.
var nameStopWords = map[string]bool{
	"a": true, "amazon": true, "an": true, "and": true, "aws": true, "by": true,
	"for": true, "in": true, "of": true, "on": true, "or": true, "service": true,
	"services": true, "the": true, "to": true, "when": true, "with": true,
}

// concept is a section of notes seen as something a question can ask for:
// its name, the variants of the name that facts may use, and the words
// that would give the name away.
type concept struct {
	name     string         // the section's heading, as written
	display  string         // the name without its aliases: "Amazon Elastic Container Service"
	short    string         // display without a leading AWS or Amazon: "Elastic Container Service"
	prefix   string         // the leading "AWS " or "Amazon " of display, if any
	aliases  []string       // the aliases in brackets: "ECS"
	topic    bool           // the heading names a topic, not a concept (isTopic)
	facts    []Fact         // the section's facts
	factKeys []factKeys     // the keywords of each fact, in order
	nameKeys []int32        // the keywords of the name's variants
	variants []string       // the name and its aliases, longest first
	words    []string       // lower-case words of the variants, but stop words
	match    *regexp.Regexp // any variant, case-insensitively
}

// newConcept derives the variants of a section name: the name itself; the
// name without a trailing parenthesis and each alias inside it
// ("Amazon Elastic Container Service (ECS)" → "ECS"); and each of those
// without a leading "AWS" or "Amazon".
func newConcept(name string) concept {
	c := concept{name: name, display: name, topic: isTopic(name)}
	if open := strings.LastIndex(name, " ("); open > 0 && strings.HasSuffix(name, ")") {
		c.display = strings.TrimSpace(name[:open])
		for _, a := range strings.FieldsFunc(name[open+2:len(name)-1], func(r rune) bool { return r == ',' || r == '/' }) {
			if a = strings.TrimSpace(a); a != "" {
				c.aliases = append(c.aliases, a)
			}
		}
	}
	c.short = c.display
	for _, p := range []string{"AWS ", "Amazon "} {
		if len(c.display) > len(p) && strings.EqualFold(c.display[:len(p)], p) {
			c.prefix, c.short = c.display[:len(p)], strings.TrimSpace(c.display[len(p):])
		}
	}
	for _, f := range append([]string{name, c.display}, c.aliases...) {
		c.addVariant(f)
		for _, prefix := range []string{"aws ", "amazon "} {
			if len(f) > len(prefix) && strings.EqualFold(f[:len(prefix)], prefix) {
				c.addVariant(strings.TrimSpace(f[len(prefix):]))
			}
		}
	}
	slices.SortStableFunc(c.variants, func(a, b string) int { return len(b) - len(a) })
	quoted := make([]string, len(c.variants))
	for i, v := range c.variants {
		quoted[i] = regexp.QuoteMeta(v)
	}
	c.match = regexp.MustCompile(`(?i)` + strings.Join(quoted, "|"))
	for _, v := range c.variants {
		for _, w := range words(v) {
			if !nameStopWords[w] && !slices.Contains(c.words, w) {
				c.words = append(c.words, w)
			}
		}
	}
	return c
}

// addVariant adds v unless it is empty or already there, ignoring case.
func (c *concept) addVariant(v string) {
	if v == "" || slices.ContainsFunc(c.variants, func(w string) bool { return strings.EqualFold(v, w) }) {
		return
	}
	c.variants = append(c.variants, v)
}

// occurrences returns the byte ranges where a variant of the name stands in
// text as whole words. Case is ignored, but for an occurrence all in lower
// case of a variant written with capitals: in "AWS Batch runs batch
// computing jobs", the second "batch" is a plain word, not the name.
func (c *concept) occurrences(text string) [][]int {
	var found [][]int
	for _, m := range c.match.FindAllStringIndex(text, -1) {
		if wordBoundary(text, m[0], m[1]) && !c.plainWord(text[m[0]:m[1]]) {
			found = append(found, m)
		}
	}
	return found
}

// plainWord reports whether occurrence is all in lower case while the
// variant it matches is written with capitals.
func (c *concept) plainWord(occurrence string) bool {
	if strings.ToLower(occurrence) != occurrence {
		return false
	}
	for _, v := range c.variants {
		if strings.EqualFold(v, occurrence) {
			return strings.ToLower(v) != v
		}
	}
	return false
}

// mask returns text with every whole-word variant of the name blanked out.
func (c *concept) mask(text string) string {
	var b strings.Builder
	last := 0
	for _, m := range c.occurrences(text) {
		b.WriteString(text[last:m[0]])
		b.WriteString(blank)
		last = m[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// mentions reports whether text names the concept.
func (c *concept) mentions(text string) bool {
	return len(c.occurrences(text)) > 0
}

// leaks reports whether text gives the name away: a word of the text starts
// with a word of the name ("Lambdas", "containers" for "Container Service").
func (c *concept) leaks(text string) bool {
	for _, t := range words(text) {
		for _, w := range c.words {
			if strings.HasPrefix(t, w) {
				return true
			}
		}
	}
	return false
}

// related reports whether one concept's name holds the other's, as "Lambda
// triggered by events" holds "Lambda": a fact of one may be true of the other.
func (c *concept) related(o *concept) bool {
	return c.mentions(o.name) || o.mentions(c.name)
}

// namedBy reports whether text names c without a whole variant: it holds
// every word of c's display name but stop words, and there are at least
// two ("a registry for containers" names "Elastic Container Registry" no
// more than "container" does, but "the container registry" does).
func (c *concept) namedBy(text string) bool {
	var name []string
	for _, w := range words(c.display) {
		if !nameStopWords[w] {
			name = append(name, stem(w))
		}
	}
	if len(name) < 2 {
		return false
	}
	in := map[string]bool{}
	for _, w := range words(text) {
		in[stem(w)] = true
	}
	for _, w := range name {
		if !in[w] {
			return false
		}
	}
	return true
}

// topicWords start headings that name a topic rather than a concept.
var topicWords = map[string]bool{
	"about": true, "choose": true, "choosing": true, "compare": true, "comparing": true,
	"differences": true, "how": true, "introduction": true, "notes": true, "overview": true,
	"summary": true, "tips": true, "using": true, "what": true, "when": true, "where": true,
	"which": true, "who": true, "why": true,
}

// connectives may stand in lower case inside a name: "Identity and Access
// Management", "Lambda@Edge for CloudFront".
var connectives = map[string]bool{
	"a": true, "an": true, "and": true, "as": true, "at": true, "by": true, "de": true,
	"for": true, "from": true, "in": true, "of": true, "on": true, "or": true, "the": true,
	"to": true, "with": true,
}

// isTopic reports whether a section heading names a topic ("When to choose
// Amazon EC2", "Lambda triggered by events") rather than a concept ("AWS
// Lambda", "Amazon Elastic Container Service (ECS)", "pods"): it starts
// with a word such as when, how or choosing; holds a ? or :; or mixes
// capitalised words with lower-case ones other than connectives such as
// "and" or "of". A heading of one word, or all in lower case, is a name.
func isTopic(heading string) bool {
	if strings.ContainsAny(heading, "?:") {
		return true
	}
	fields := strings.Fields(heading)
	if len(fields) == 0 {
		return false
	}
	if topicWords[strings.ToLower(strings.Trim(fields[0], "*_"))] {
		return true
	}
	capital, lower := false, false
	for _, f := range fields {
		switch {
		case strings.IndexFunc(f, unicode.IsUpper) >= 0 || strings.IndexFunc(f, unicode.IsDigit) >= 0:
			capital = true
		case !connectives[f] && strings.IndexFunc(f, unicode.IsLetter) >= 0:
			lower = true
		}
	}
	return capital && lower
}

// wordBoundary reports whether text[start:end] is not part of a longer word.
func wordBoundary(text string, start, end int) bool {
	before, _ := utf8.DecodeLastRuneInString(text[:start])
	after, _ := utf8.DecodeRuneInString(text[end:])
	return (start == 0 || !isWordRune(before)) && (end == len(text) || !isWordRune(after))
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// stem cuts a lower-case word to a crude stem, so that "provisioning",
// "provision", "managed", "manage" and "management" compare equal: a
// trailing -ments, -ment, -ing, -ed, -es or -s, then a trailing -e, each
// only when 3 letters stay.
func stem(w string) string {
	for _, suffix := range []string{"ments", "ment", "ing", "ed", "es", "s"} {
		if strings.HasSuffix(w, suffix) && len(w)-len(suffix) >= 3 && !strings.HasSuffix(w, "ss") {
			w = w[:len(w)-len(suffix)]
			break
		}
	}
	if len(w) > 3 {
		w = strings.TrimSuffix(w, "e")
	}
	return w
}

// words returns the lower-case words (runs of letters and digits) of text.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !isWordRune(r) })
}
