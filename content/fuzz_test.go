package content

import (
	"reflect"
	"testing"
)

// FuzzParse checks that Parse survives any input, that every deck it
// accepts survives a trip through Format and has no question that leaks
// its answer, and that Lint survives it, deterministically, with every
// warning on a question's line.
func FuzzParse(f *testing.F) {
	for _, src := range []string{
		head + "- [x] a\n- [ ] b\n",
		head + "kind: typed\nanswers: a | b\n",
		head + "kind: poll\ntime: 20s\n\n- [ ] a\n- [ ] b\n\n> why\n>\n> more\n",
		head + "kind: truefalse\n\n- [ ] true\n- [x] FALSE\n",
		"# T\nid: x\n\n## Q #\n- [x] `a` *b*\n- [ ] c\\\n  d\n",
		"# T\n\n## Q\n- [x] a\nlazy\n- [ ] b\n> q\nlazy\n",
		"# T\r\n\r\n## Q\r\n- [x] a\r\n- [ ] b\r\n",
		"x\n===\n\nQ\n---\n- [x] a\n- [ ] b\n",
		"# T\n\n## Max?\n- [x] 15 minutes\n- [ ] 1 hour\n\n> Default 3 seconds.\n\n## Default?\nkind: typed\nsection: A (3 seconds)\nanswers: 3 seconds | 3s\n\n## Default?\nkind: multiple\n- [x] X-Ray (XR)\n- [ ] Y\n",
	} {
		f.Add([]byte(src))
	}
	if src, err := builtin.ReadFile("decks/aws-compute.md"); err == nil {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		d, err := Parse("fuzz.md", src)
		if err != nil {
			if d != nil {
				t.Fatal("Parse returned both a deck and an error")
			}
			if _, ok := err.(ErrorList); !ok {
				t.Fatalf("Parse error %T, want ErrorList", err)
			}
			return
		}
		out := Format(d)
		again, err := Parse("fuzz.md", out)
		if err != nil {
			t.Fatalf("Parse(Format(d)) failed: %v\nformatted:\n%s", err, out)
		}
		if !reflect.DeepEqual(asFormatted(again), asFormatted(d)) {
			t.Fatalf("Parse(Format(d)) differs:\ngot  %#v\nwant %#v\nformatted:\n%s", again, d, out)
		}
		lines := map[int]bool{}
		for _, q := range d.Questions {
			lines[q.Line] = true
			if leaks := Leaks(&q); len(leaks) > 0 {
				t.Fatalf("Parse accepted a question that leaks: %q", leaks)
			}
		}
		ws := Lint(d)
		for _, w := range ws {
			if !lines[w.Line] || w.Msg == "" {
				t.Fatalf("warning %+v is not on a question's line", w)
			}
		}
		if again := Lint(d); !reflect.DeepEqual(again, ws) {
			t.Fatalf("Lint gave %+v, then %+v", ws, again)
		}
	})
}

// FuzzParseNotes checks that ParseNotes survives any input, and that any
// notes it accepts give LintNotes and Generate no trouble: every warning is
// on a line of the notes, and the deck, if any, round-trips and has no
// question that leaks its answer.
func FuzzParseNotes(f *testing.F) {
	for _, src := range []string{
		"# N\n### AWS Lambda\n- Lambda runs code without any servers.\n### AWS Batch\n- It runs many jobs at once.\n",
		"# N\nid: n\n\n### A (B, C)\n- B is the short name of A here.\n- c c c c\n### D\n- D and A are different ones.\n",
		"# N\n### X\n- x\n  - nested\n",
		"# K\n### ConfigMap\n- Pods consume a ConfigMap as environment variables or files.\n### Secret\n- Pods consume a Secret as environment variables or files.\n- It does not hold large amounts of data.\n### When to use a Job\n- A Job runs pods until a given number of them complete.\n",
	} {
		f.Add([]byte(src), uint64(1))
	}
	if src, err := builtin.ReadFile("notes/aws-compute.md"); err == nil {
		f.Add(src, uint64(7))
	}
	f.Fuzz(func(t *testing.T, src []byte, seed uint64) {
		n, err := ParseNotes("fuzz.md", src)
		if err != nil {
			if n != nil {
				t.Fatal("ParseNotes returned both notes and an error")
			}
			return
		}
		lines := map[int]bool{}
		for _, s := range n.Sections {
			lines[s.Line] = true
			for _, f := range s.Facts {
				lines[f.Line] = true
			}
		}
		for _, w := range LintNotes(n) {
			if !lines[w.Line] {
				t.Fatalf("warning %+v is not on a section's or a fact's line", w)
			}
		}
		d, err := Generate(n, GenerateOptions{Seed: seed})
		if err != nil {
			return
		}
		for _, q := range d.Questions {
			if leaks := Leaks(&q); len(leaks) > 0 {
				t.Fatalf("generated question %q leaks: %q", q.Text, leaks)
			}
		}
		out := Format(d)
		again, err := Parse("fuzz.md", out)
		if err != nil {
			t.Fatalf("generated deck does not validate: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(asFormatted(again), asFormatted(d)) {
			t.Fatalf("generated deck differs after Parse(Format(d)):\n%s", out)
		}
	})
}
