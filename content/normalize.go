package content

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// NormalizeAnswer is how typed answers compare: Unicode NFKC
// (golang.org/x/text/unicode/norm), case folded, punctuation removed, runs of
// spaces collapsed, trimmed. Control and format characters (such as a
// zero-width space) are removed as well. The server uses it for both the
// deck's accepted answers and the player's typed text.
func NormalizeAnswer(s string) string {
	s = norm.NFKC.String(cases.Fold().String(norm.NFKC.String(s)))
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
		case unicode.IsPunct(r), unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r):
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
