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
	name     string
	variants []string       // the name and its aliases, longest first
	words    []string       // lower-case words of the variants, but stop words
	match    *regexp.Regexp // any variant, case-insensitively
}

// newConcept derives the variants of a section name: the name itself; the
// name without a trailing parenthesis and each alias inside it
// ("Amazon Elastic Container Service (ECS)" → "ECS"); and each of those
// without a leading "AWS" or "Amazon".
func newConcept(name string) concept {
	forms := []string{name}
	if open := strings.LastIndex(name, " ("); open > 0 && strings.HasSuffix(name, ")") {
		forms = append(forms, name[:open])
		aliases := strings.FieldsFunc(name[open+2:len(name)-1], func(r rune) bool { return r == ',' || r == '/' })
		forms = append(forms, aliases...)
	}
	c := concept{name: name}
	for _, f := range forms {
		f = strings.TrimSpace(f)
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
// text as whole words.
func (c *concept) occurrences(text string) [][]int {
	var found [][]int
	for _, m := range c.match.FindAllStringIndex(text, -1) {
		if wordBoundary(text, m[0], m[1]) {
			found = append(found, m)
		}
	}
	return found
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

// wordBoundary reports whether text[start:end] is not part of a longer word.
func wordBoundary(text string, start, end int) bool {
	before, _ := utf8.DecodeLastRuneInString(text[:start])
	after, _ := utf8.DecodeRuneInString(text[end:])
	return (start == 0 || !isWordRune(before)) && (end == len(text) || !isWordRune(after))
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// words returns the lower-case words (runs of letters and digits) of text.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !isWordRune(r) })
}
