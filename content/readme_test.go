package content

import (
	"os"
	"testing"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// TestReadmeExamples checks that the deck and notes examples in README.md
// are valid, and that the deck example shows every kind of question and
// lints clean.
func TestReadmeExamples(t *testing.T) {
	src, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var examples [][]byte
	doc := markdown.Parser().Parse(text.NewReader(src))
	err = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if code, ok := n.(*ast.FencedCodeBlock); ok && entering && string(code.Language(src)) == "markdown" {
			var b []byte
			for i := range code.Lines().Len() {
				seg := code.Lines().At(i)
				b = append(b, seg.Value(src)...)
			}
			examples = append(examples, b)
		}
		return ast.WalkContinue, nil
	})
	if err != nil || len(examples) != 2 {
		t.Fatalf("found %d markdown examples (%v), want a deck and notes", len(examples), err)
	}
	d, err := Parse("aws-compute.md", examples[0])
	if err != nil {
		t.Fatalf("deck example: %v", err)
	}
	kinds := map[Kind]bool{}
	for _, q := range d.Questions {
		kinds[q.Kind] = true
	}
	if len(kinds) != len(kindNames) {
		t.Errorf("deck example shows %d kinds, want all %d", len(kinds), len(kindNames))
	}
	for _, w := range Lint(d) {
		t.Errorf("deck example line %d: %s", w.Line, w.Msg)
	}
	if _, err := ParseNotes("aws-compute.md", examples[1]); err != nil {
		t.Errorf("notes example: %v", err)
	}
}
