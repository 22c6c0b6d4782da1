package content

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// head starts a valid deck; its question heading is on line 3.
const head = "# Deck\n\n## Q?\n"

func TestParseValid(t *testing.T) {
	src := `# AWS compute
id: aws
notes: aws-compute
description: A short deck.

## Which service runs code without servers?
kind: single
section: AWS Lambda
time: 20s
points: 2000

- [x] AWS Lambda
- [ ] Amazon EC2 with ` + "`code`" + ` and *emphasis*

> Lambda is serverless.
> Same paragraph.
>
> Second paragraph.

---

<!-- a comment is ignored -->

## Name the service
kind: typed
answers: AWS Lambda | Lambda

## Which do you use?
kind: poll

- [ ] Lambda
- [ ] EC2

## Lambda is serverless.
kind: truefalse

- [ ] false
- [X] TRUE

## Pick the serverless ones
kind: multiple

- [x] Lambda
- [x] Fargate
- [ ] EC2
`
	got, err := Parse("decks/x.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := &Deck{ID: "aws", Title: "AWS compute", Description: "A short deck.", Notes: "aws-compute", Questions: []Question{
		{Line: 6, Text: "Which service runs code without servers?", Kind: KindSingle, Section: "AWS Lambda",
			TimeLimit: 20 * time.Second, Points: 2000,
			Options:     []Option{{"AWS Lambda", true}, {"Amazon EC2 with `code` and *emphasis*", false}},
			Explanation: "Lambda is serverless. Same paragraph.\n\nSecond paragraph."},
		{Line: 24, Text: "Name the service", Kind: KindTyped, Points: 1000, Accepted: []string{"AWS Lambda", "Lambda"}},
		{Line: 28, Text: "Which do you use?", Kind: KindPoll, Points: 0, Options: []Option{{"Lambda", false}, {"EC2", false}}},
		{Line: 34, Text: "Lambda is serverless.", Kind: KindTrueFalse, Points: 1000, Options: []Option{{"True", true}, {"False", false}}},
		{Line: 40, Text: "Pick the serverless ones", Kind: KindMultiple, Points: 1000,
			Options: []Option{{"Lambda", true}, {"Fargate", true}, {"EC2", false}}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse:\ngot  %+v\nwant %+v", got, want)
	}
}

func TestParseIDFromFile(t *testing.T) {
	d, err := Parse("some/dir/my-deck.md", []byte(head+"- [x] a\n- [ ] b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != "my-deck" {
		t.Errorf("ID = %q, want my-deck", d.ID)
	}
}

func TestParseErrors(t *testing.T) {
	opts := "- [x] a\n- [ ] b\n"
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name string
		src  string
		line int
		msg  string
	}{
		{"no title", "## Q?\n" + opts, 1, "deck has no # title"},
		{"text before title", "hello\n# Deck\n\n## Q?\n" + opts, 1, "paragraph before the # title"},
		{"second title", head + opts + "# Again\n", 6, "second # title (first on line 1)"},
		{"title too long", "# " + long(101) + "\n\n## Q?\n" + opts, 1, "title too long: 101 characters, at most 100"},
		{"no questions", "# Deck\n", 1, "deck has no questions"},
		{"level-3 heading", head + opts + "### Sub\n", 6, "level-3 heading: use # for the deck title and ## for each question"},
		{"bad id", "# Deck\nid: Bad_ID\n\n## Q?\n" + opts, 2, `bad id "Bad_ID"`},
		{"bad id from file", "# Deck\n\n## Q?\n" + opts, 1, `no valid id in the file name "My Deck.md"`},
		{"unknown front key", "# Deck\nauthor: me\n\n## Q?\n" + opts, 2, "unknown key author: after the title use id, notes or description"},
		{"duplicate front key", "# Deck\nid: a\nid: b\n\n## Q?\n" + opts, 3, "duplicate key id: (first on line 2)"},
		{"description too long", "# Deck\ndescription: " + long(301) + "\n\n## Q?\n" + opts, 2, "description too long: 301 characters, at most 300"},
		{"list before questions", "# Deck\n\n- [x] a\n\n## Q?\n" + opts, 3, "list before the first question"},
		{"empty question", "# Deck\n\n##\n" + opts, 3, "empty question text"},
		{"question too long", "# Deck\n\n## " + long(281) + "\n" + opts, 3, "question text too long: 281 characters, at most 280"},
		{"unknown key", head + "colour: red\n\n" + opts, 4, "unknown key colour: in a question use kind, time, points, section or answers"},
		{"not a key line", head + "Some prose here.\n\n" + opts, 4, `expected a "key: value" line`},
		{"duplicate key", head + "kind: single\nkind: multiple\n\n" + opts, 5, "duplicate key kind: (first on line 4)"},
		{"unknown kind", head + "kind: essay\n\n" + opts, 4, `unknown kind "essay"`},
		{"bad time", head + "time: soon\n\n" + opts, 4, `bad time "soon": use a duration such as 20s, from 5s to 240s`},
		{"time without unit", head + "time: 20\n\n" + opts, 4, `bad time "20"`},
		{"time not whole seconds", head + "time: 7.5s\n\n" + opts, 4, `bad time "7.5s": use whole seconds`},
		{"time too short", head + "time: 4s\n\n" + opts, 4, "time 4s out of range: use 5s to 240s"},
		{"time too long", head + "time: 5m\n\n" + opts, 4, "time 5m out of range: use 5s to 240s"},
		{"bad points", head + "points: 1500\n\n" + opts, 4, `bad points "1500": use 0, 1000 or 2000`},
		{"points not a number", head + "points: many\n\n" + opts, 4, `bad points "many"`},
		{"section too long", head + "section: " + long(101) + "\n\n" + opts, 4, "section too long: 101 characters, at most 100"},
		{"no options", head + "kind: single\n", 3, "question without options"},
		{"no correct option", head + "- [ ] a\n- [ ] b\n", 3, "no correct option in a single-choice question"},
		{"two correct in single", head + "- [x] a\n- [x] b\n", 3, "2 correct options in a single-choice question: mark exactly one with [x], or use kind: multiple"},
		{"no correct in multiple", head + "kind: multiple\n\n- [ ] a\n- [ ] b\n", 3, "no correct option: mark at least one"},
		{"correct in poll", head + "kind: poll\n\n- [x] a\n- [ ] b\n", 3, "1 correct options in a poll"},
		{"points in poll", head + "kind: poll\npoints: 1000\n\n- [ ] a\n- [ ] b\n", 5, "a poll scores no points"},
		{"too few options", head + "- [x] a\n", 4, "too few options: 1, at least 2"},
		{"too many options", head + "- [x] a\n- [ ] b\n- [ ] c\n- [ ] d\n- [ ] e\n- [ ] f\n- [ ] g\n", 4, "too many options: 7, at most 6"},
		{"duplicate option", head + "- [x] Lambda\n- [ ] b\n- [ ] lambda!\n", 6, `duplicate option "lambda!": the same as the option on line 4`},
		{"option without checkbox", head + "- [x] a\n- b\n", 5, "option without a checkbox"},
		{"empty option", head + "- [x] a\n- [ ]\n", 5, "empty option"},
		{"option too long", head + "- [x] a\n- [ ] " + long(121) + "\n", 5, "option too long: 121 characters, at most 120"},
		{"option of several blocks", head + "- [x] a\n\n  more\n- [ ] b\n", 4, "option spans several blocks"},
		{"second option list", head + "- [x] a\n- [ ] b\n\n* [ ] c\n", 7, "second option list (first on line 4)"},
		{"true/false options", head + "kind: truefalse\n\n- [x] Yes\n- [ ] No\n", 6, "true/false options must be exactly True and False"},
		{"true/false both correct", head + "kind: truefalse\n\n- [x] True\n- [x] False\n", 3, "2 correct options in a true/false question"},
		{"typed without answers", head + "kind: typed\n", 3, "typed question without accepted answers"},
		{"typed with options", head + "kind: typed\nanswers: a\n\n" + opts, 7, "a typed question has no options"},
		{"answers on a choice", head + "answers: a\n\n" + opts, 4, "answers: is only for kind: typed"},
		{"empty accepted answer", head + "kind: typed\nanswers: a || b\n", 5, "empty accepted answer"},
		{"accepted answer normalises to empty", head + "kind: typed\nanswers: a | ?!\n", 5, `accepted answer "?!" is empty once normalised`},
		{"duplicate accepted answers", head + "kind: typed\nanswers: X-Ray | xray\n", 5, `duplicate accepted answer "xray": the same as "X-Ray" once normalised`},
		{"too many accepted answers", head + "kind: typed\nanswers: a|b|c|d|e|f|g|h|i|j|k\n", 5, "too many accepted answers: 11, at most 10"},
		{"accepted answer too long", head + "kind: typed\nanswers: " + long(61) + "\n", 5, "accepted answer too long: 61 characters, at most 60"},
		{"explanation too long", head + opts + "\n> " + long(1001) + "\n", 7, "explanation too long: 1001 characters, at most 1000"},
		{"empty explanation", head + opts + "\n>\n", 7, "empty explanation"},
		{"list in explanation", head + opts + "\n> - item\n", 7, "list in an explanation: an explanation holds only paragraphs"},
		{"second explanation", head + opts + "\n> one\n\n> two\n", 9, "second explanation (first on line 7)"},
		{"code block in question", head + opts + "\n```\ncode\n```\n", 7, "code block in a question"},
		{"control character", head + "- [x] a\x01\n- [ ] b\n", 4, "option holds a control character"},
		{"not UTF-8", head + "- [x] a\xff\n- [ ] b\n", 4, "deck is not valid UTF-8"},
		{"too large", "# Deck\n" + strings.Repeat("x", MaxSourceSize), 1, "deck too large"},
		{"text names the typed answer", "# Deck\n\n## Which service, X-Ray, traces requests?\nkind: typed\nanswers: X Ray\n", 3, `question text gives the answer away: it contains the accepted answer "X Ray"`},
		{"text names the correct option", "# Deck\n\n## Is Lambda serverless?\n- [x] Lambda\n- [ ] EC2\n", 3, `question text gives the answer away: it names the correct option "Lambda" but not every wrong one`},
		{"too many questions", "# Deck\n" + strings.Repeat("\n## Q?\n- [x] a\n- [ ] b\n", MaxQuestions+1), 2 + 4*MaxQuestions + 1, "too many questions: at most 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := "deck.md"
			if tt.name == "bad id from file" {
				file = "My Deck.md"
			}
			d, err := Parse(file, []byte(tt.src))
			if d != nil {
				t.Errorf("Parse returned a deck with its error")
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Parse error = %v, want an ErrorList", err)
			}
			for _, e := range list {
				if e.Line == tt.line && strings.Contains(e.Msg, tt.msg) {
					if e.File != file {
						t.Errorf("File = %q, want %q", e.File, file)
					}
					return
				}
			}
			t.Errorf("got errors:\n%v\nwant one at line %d containing %q", err, tt.line, tt.msg)
		})
	}
}

func TestParseCollectsAllErrors(t *testing.T) {
	src := head + "kind: essay\ntime: 1s\n\n- [x] a\n- [x] a\n"
	_, err := Parse("d.md", []byte(src))
	list, ok := err.(ErrorList)
	if !ok || len(list) != 3 {
		t.Fatalf("got %v, want 3 errors", err)
	}
	want := "d.md:4: unknown kind \"essay\": use single, multiple, truefalse, typed or poll\n" +
		"d.md:5: time 1s out of range: use 5s to 240s\n" +
		"d.md:8: duplicate option \"a\": the same as the option on line 7"
	if err.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", err, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.Line != 4 {
		t.Errorf("errors.As found %v, want the line-4 error", e)
	}
}

func TestParseCapsErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString(head + "- [x] a\n- [ ] b\n")
	for i := range MaxErrors + 10 {
		fmt.Fprintf(&b, "\n## Q%d\n", i)
	}
	_, err := Parse("d.md", []byte(b.String()))
	list, ok := err.(ErrorList)
	if !ok || len(list) != MaxErrors+1 {
		t.Fatalf("got %d errors, want %d and a note", len(list), MaxErrors)
	}
	if last := list[MaxErrors]; !strings.Contains(last.Msg, "too many errors") {
		t.Errorf("last error = %q, want a note about too many errors", last.Msg)
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{KindSingle: "single", KindMultiple: "multiple",
		KindTrueFalse: "truefalse", KindTyped: "typed", KindPoll: "poll", 0: "Kind(0)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}
