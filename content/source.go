package content

import (
	"fmt"
	"sort"
	"strings"
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
