package content

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseNotesValid(t *testing.T) {
	src := "# Compute\nid: compute\n\n### AWS Lambda\n- Runs code\n  without servers.\n- Scales out.\n\n<!-- ignored -->\n\n### AWS Batch\n* Runs batch jobs.\n"
	got, err := ParseNotes("notes/x.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := &Notes{ID: "compute", Title: "Compute", Sections: []Section{
		{Name: "AWS Lambda", Line: 4, Facts: []Fact{{"Runs code without servers.", 5}, {"Scales out.", 7}}},
		{Name: "AWS Batch", Line: 11, Facts: []Fact{{"Runs batch jobs.", 12}}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseNotes:\ngot  %+v\nwant %+v", got, want)
	}
}

func TestParseNotesErrors(t *testing.T) {
	const sec = "### A\n- fact one here\n"
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name, src string
		line      int
		msg       string
	}{
		{"no title", sec, 1, "notes have no # title"},
		{"no sections", "# N\n", 1, "notes have no sections"},
		{"second title", "# N\n" + sec + "# M\n", 4, "second # title (first on line 1)"},
		{"title after sections", sec + "# M\n", 3, "# title after the first section"},
		{"level-2 heading", "# N\n## Group\n" + sec, 2, "level-2 heading in notes"},
		{"section without facts", "# N\n### Empty\n" + sec, 2, `section "Empty" has no facts`},
		{"duplicate section", "# N\n" + sec + "### a\n- x\n", 4, `duplicate section "a": the same as the section on line 2`},
		{"section too long", "# N\n### " + long(101) + "\n- x\n", 2, "section name too long: 101 characters, at most 100"},
		{"paragraph", "# N\n" + sec + "\nSome prose.\n", 5, "paragraph in notes: write each fact as a bullet"},
		{"unknown key", "# N\nauthor: me\n\n" + sec, 2, "unknown key author"},
		{"bad id", "# N\nid: No Way\n\n" + sec, 2, `bad id "No Way"`},
		{"list before section", "# N\n- stray\n\n" + sec, 2, "list before the first ### section"},
		{"nested list", "# N\n### A\n- fact\n  - nested\n", 4, "list inside a fact"},
		{"fact too long", "# N\n### A\n- " + long(501) + "\n", 3, "fact too long: 501 characters, at most 500"},
		{"empty fact", "# N\n### A\n- \n- b\n", 3, "empty fact"},
		{"code block", "# N\n" + sec + "\n```\nx\n```\n", 5, "code block in notes"},
		{"control character", "# N\n### A\n- a\x02b\n", 3, "fact holds a control character"},
		{"not UTF-8", "# N\n### A\n- \xff\n", 3, "notes is not valid UTF-8"},
		{"too large", "# N\n" + strings.Repeat("x", MaxSourceSize), 1, "notes too large"},
		{"too many sections", "# N\n" + manySections(MaxSections+1), 2 + 2*MaxSections, "too many sections: at most 100"},
		{"too many facts", "# N\n### A\n" + strings.Repeat("- f\n", MaxFacts+1), 3 + MaxFacts, "too many facts: at most 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseNotes("n.md", []byte(tt.src))
			if n != nil {
				t.Errorf("ParseNotes returned notes with its error")
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("ParseNotes error = %v, want an ErrorList", err)
			}
			for _, e := range list {
				if e.Line == tt.line && strings.Contains(e.Msg, tt.msg) {
					return
				}
			}
			t.Errorf("got errors:\n%v\nwant one at line %d containing %q", err, tt.line, tt.msg)
		})
	}
}

// manySections returns n distinct sections of one fact each, two lines apiece.
func manySections(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("### S" + strings.Repeat("x", i) + "\n- f\n")
	}
	return b.String()
}
