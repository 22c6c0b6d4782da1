package content

import (
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkText records a problem at line if t (the what of something) is
// empty, longer than limit characters, or holds a control character.
func (s *source) checkText(line int, what, t string, limit int) {
	s.checkLen(line, what, t, limit)
	s.checkPrintable(line, what, t)
}

// checkLen records a problem at line if t is empty or longer than limit characters.
func (s *source) checkLen(line int, what, t string, limit int) {
	if t == "" {
		s.addf(line, "empty %s", what)
	} else if n := utf8.RuneCountInString(t); n > limit {
		s.addf(line, "%s too long: %d characters, at most %d", what, n, limit)
	}
}

// checkPrintable records a problem at line if t holds a control character.
func (s *source) checkPrintable(line int, what, t string) {
	if strings.IndexFunc(t, unicode.IsControl) >= 0 {
		s.addf(line, "%s holds a control character: only printable text is allowed", what)
	}
}

var idPattern = regexp.MustCompile(`^[a-z0-9-]+$`)

// checkID records a problem at line if id is not a valid deck or notes id.
func (s *source) checkID(line int, id string) {
	if !validID(id) {
		s.addf(line, "bad id %q: use 1 to %d characters a-z, 0-9 and -", clip(id), MaxIDLen)
	}
}

// validID reports whether id is 1 to MaxIDLen characters a-z, 0-9 and -.
func validID(id string) bool {
	return len(id) <= MaxIDLen && idPattern.MatchString(id)
}

// idFromFile returns the id a file name implies: its base name without extension.
func idFromFile(file string) string {
	base := path.Base(strings.ReplaceAll(file, "\\", "/"))
	return strings.TrimSuffix(base, path.Ext(base))
}

// clip shortens t for quoting in an error message.
func clip(t string) string {
	const limit = 40
	if utf8.RuneCountInString(t) <= limit {
		return t
	}
	return string([]rune(t)[:limit]) + "…"
}
