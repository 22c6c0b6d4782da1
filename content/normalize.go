package content

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/quizroom/quizroom/server/game"
)

// NormalizeAnswer is the normal form of typed answers: Unicode NFKC
// (golang.org/x/text/unicode/norm), case folded, punctuation removed, runs
// of spaces collapsed to one, trimmed. Control and format characters (such
// as a zero-width space) are removed as well. The server uses it for both
// the deck's accepted answers and the player's typed text; grading then
// compares the two with game.SameAnswer, which also ignores the spaces and
// the plural ending of the last word: "X-Ray", "x ray" and "XRAYS!" are the
// same answer.
func NormalizeAnswer(s string) string {
	var b strings.Builder
	space := false
	for _, r := range fold(s) {
		switch {
		case unicode.IsSpace(r):
			space = true
		case ignored(r):
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fold applies NFKC and case folding.
func fold(s string) string {
	return norm.NFKC.String(cases.Fold().String(norm.NFKC.String(s)))
}

// ignored reports whether NormalizeAnswer drops r: punctuation, control and
// format characters.
func ignored(r rune) bool {
	return unicode.IsPunct(r) || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r)
}

// answerWords splits text into the words an answer may match: folded as
// NormalizeAnswer folds, split at spaces and punctuation. An answer stands
// in text when its key (NormalizeAnswer without spaces) is the
// concatenation of a run of these words, so "X-Ray" stands in "an X-Ray
// trace" and in "xray", but not in "xrays-beta" (a plural ending aside).
func answerWords(text string) []string {
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	for _, r := range fold(text) {
		switch {
		case unicode.IsSpace(r) || unicode.IsPunct(r):
			flush()
		case ignored(r):
		default:
			b.WriteRune(r)
		}
	}
	flush()
	return words
}

// answerIndex finds answers in texts: it maps every form of an answer
// (game.AnswerForms) to the answers that have it.
type answerIndex struct {
	forms  map[string][]int // form → ids of the answers with that form
	maxLen int              // bytes of the longest form
}

func newAnswerIndex() *answerIndex {
	return &answerIndex{forms: map[string][]int{}}
}

// add records answer a (as written) under id; an answer that normalises to
// nothing is left out.
func (x *answerIndex) add(id int, a string) {
	n := NormalizeAnswer(a)
	if n == "" {
		return
	}
	for _, f := range game.AnswerForms(n) {
		if ids := x.forms[f]; len(ids) == 0 || ids[len(ids)-1] != id {
			x.forms[f] = append(ids, id)
		}
		x.maxLen = max(x.maxLen, len(f))
	}
}

// find returns the ids of the answers that stand in text on word
// boundaries (see answerWords), each once, in the order found.
func (x *answerIndex) find(text string) []int {
	var found []int
	seen := map[int]bool{}
	words := answerWords(text)
	forms := make([][]string, len(words)) // the forms of each word
	for i, w := range words {
		forms[i] = game.AnswerForms(w)
	}
	for i := range words {
		span := ""
		for j := i; j < len(words); j++ {
			prefix := span
			span += words[j]
			if len(span) > x.maxLen+len("es") {
				break
			}
			// The forms of the span differ from it only in its last word.
			for k, f := range forms[j] {
				if k == 0 {
					f = span
				} else {
					f = prefix + f
				}
				for _, id := range x.forms[f] {
					if !seen[id] {
						seen[id] = true
						found = append(found, id)
					}
				}
			}
		}
	}
	return found
}
