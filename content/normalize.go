package content

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// NormalizeAnswer is how typed answers compare: Unicode NFKC
// (golang.org/x/text/unicode/norm), case folded, and every space,
// punctuation mark, control and format character (such as a zero-width
// space) removed, so "Quokka quux", "quokkaq uux" and "QUOKKA-QUUX!" are
// the same answer. The server uses it for both the deck's accepted answers
// and the player's typed text.
func NormalizeAnswer(s string) string {
	s = norm.NFKC.String(cases.Fold().String(norm.NFKC.String(s)))
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), unicode.IsPunct(r), unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
