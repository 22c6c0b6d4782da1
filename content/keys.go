package content

import (
	"regexp"
	"strings"

	"github.com/yuin/goldmark/ast"
)

// keyValue is one "key: value" line.
type keyValue struct {
	key, value string
	line       int
}

var keyLine = regexp.MustCompile(`^([A-Za-z][A-Za-z-]*)[ \t]*:[ \t]*(.*)$`)

// keyValues returns the "key: value" lines of paragraph p, recording a
// problem for every other line; hint says which keys belong there.
func (s *source) keyValues(p *ast.Paragraph, hint string) []keyValue {
	var kvs []keyValue
	lines := p.Lines()
	for i := range lines.Len() {
		seg := lines.At(i)
		line := s.line(seg.Start)
		t := strings.TrimSpace(string(seg.Value(s.src)))
		m := keyLine.FindStringSubmatch(t)
		if m == nil {
			s.addf(line, "expected a \"key: value\" line (%s), got %q", hint, clip(t))
			continue
		}
		kvs = append(kvs, keyValue{key: strings.ToLower(m[1]), value: strings.TrimSpace(m[2]), line: line})
	}
	return kvs
}

// seenKeys remembers the line of each key of one block of keys, to report
// a key given twice.
type seenKeys map[string]int

// first reports whether kv is the first line with its key, recording a
// problem on s if not.
func (k seenKeys) first(s *source, kv keyValue) bool {
	if prev, ok := k[kv.key]; ok {
		s.addf(kv.line, "duplicate key %s: (first on line %d)", kv.key, prev)
		return false
	}
	k[kv.key] = kv.line
	return true
}
