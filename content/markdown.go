package content

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// markdown parses decks and notes: CommonMark plus GitHub task lists.
var markdown = goldmark.New(goldmark.WithExtensions(extension.TaskList))

// source is one Markdown file being read: its bytes, its line starts for
// turning byte offsets into line numbers, and the problems found in it.
type source struct {
	collector
	src        []byte
	lineStarts []int // byte offset of the start of each line
}

// newSource checks the size and encoding of src and parses it. It returns a
// nil document when src is too large or not UTF-8; the problem is recorded.
func newSource(file, what string, src []byte) (*source, ast.Node) {
	s := &source{collector: collector{file: file}, src: src, lineStarts: []int{0}}
	for i, b := range src {
		if b == '\n' {
			s.lineStarts = append(s.lineStarts, i+1)
		}
	}
	if len(src) > MaxSourceSize {
		s.addf(1, "%s too large: %d bytes, at most %d", what, len(src), MaxSourceSize)
		return s, nil
	}
	if !utf8.Valid(src) {
		s.addf(s.line(firstInvalidUTF8(src)), "%s is not valid UTF-8", what)
		return s, nil
	}
	return s, markdown.Parser().Parse(text.NewReader(src))
}

// firstInvalidUTF8 returns the offset of the first byte of src that is not
// part of a valid UTF-8 sequence.
func firstInvalidUTF8(src []byte) int {
	for i := 0; i < len(src); {
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return 0
}

// line returns the 1-based line holding byte offset off.
func (s *source) line(off int) int {
	return sort.Search(len(s.lineStarts), func(i int) bool { return s.lineStarts[i] > off })
}

// lineOf returns the line where node n starts.
func (s *source) lineOf(n ast.Node) int {
	if p := n.Pos(); p >= 0 {
		return s.line(p)
	}
	if t, ok := n.(*ast.Text); ok {
		return s.line(t.Segment.Start)
	}
	if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
		return s.line(n.Lines().At(0).Start)
	}
	if c := n.FirstChild(); c != nil {
		return s.lineOf(c)
	}
	return 1
}

// text returns the source text of lines, from byte offset from on, each line
// trimmed and the lines joined by one space.
func (s *source) text(lines *text.Segments, from int) string {
	var parts []string
	for i := range lines.Len() {
		seg := lines.At(i)
		if seg.Stop <= from {
			continue
		}
		if seg.Start < from {
			seg = text.NewSegment(from, seg.Stop)
		}
		if t := strings.TrimSpace(string(seg.Value(s.src))); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, " ")
}

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

// describe names a Markdown block for an error message.
func describe(n ast.Node) string {
	switch n := n.(type) {
	case *ast.Heading:
		return fmt.Sprintf("level-%d heading", n.Level)
	case *ast.Paragraph:
		return "paragraph"
	case *ast.List:
		return "list"
	case *ast.Blockquote:
		return "> quote"
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		return "code block"
	case *ast.HTMLBlock:
		return "HTML block"
	case *ast.ThematicBreak:
		return "--- line"
	}
	return strings.ToLower(n.Kind().String())
}

// isComment reports whether n is an HTML comment block, which is ignored.
func isComment(n ast.Node) bool {
	h, ok := n.(*ast.HTMLBlock)
	return ok && h.HTMLBlockType == ast.HTMLBlockType2
}

// clip shortens t for quoting in an error message.
func clip(t string) string {
	const limit = 40
	if utf8.RuneCountInString(t) <= limit {
		return t
	}
	return string([]rune(t)[:limit]) + "…"
}
