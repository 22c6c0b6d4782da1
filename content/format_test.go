package content

import (
	"reflect"
	"testing"
)

// asFormatted returns a copy of d with what Format does not write cleared
// (each question's Line and Passage), for comparing a deck with its
// reformatted self.
func asFormatted(d *Deck) *Deck {
	c := *d
	c.Questions = append([]Question(nil), d.Questions...)
	for i := range c.Questions {
		c.Questions[i].Line = 0
		c.Questions[i].Passage = ""
	}
	return &c
}

// checkRoundTrip fails t unless Parse(Format(d)) gives back d, lines aside.
func checkRoundTrip(t *testing.T, d *Deck) {
	t.Helper()
	out := Format(d)
	again, err := Parse(d.ID+".md", out)
	if err != nil {
		t.Fatalf("Parse(Format(d)) failed: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(asFormatted(again), asFormatted(d)) {
		t.Fatalf("Parse(Format(d)) differs:\ngot  %+v\nwant %+v\nformatted:\n%s", again, d, out)
	}
}

func TestFormatRoundTripBuiltin(t *testing.T) {
	decks, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range decks {
		checkRoundTrip(t, d)
	}
}

func TestFormat(t *testing.T) {
	d := &Deck{ID: "d", Title: "T", Notes: "n", Description: "About.", Questions: []Question{
		{Text: "Q1?", Kind: KindSingle, Section: "S", TimeLimit: 90e9, Points: 2000,
			Options: []Option{{"a", true}, {"b", false}}, Explanation: "One.\n\nTwo."},
		{Text: "Q2?", Kind: KindTyped, Points: 1000, Accepted: []string{"x", "y z"}},
	}}
	want := `# T
id: d
notes: n
description: About.

## Q1?
kind: single
section: S
time: 90s
points: 2000

- [x] a
- [ ] b

> One.
>
> Two.

## Q2?
kind: typed
points: 1000
answers: x | y z
`
	if got := string(Format(d)); got != want {
		t.Errorf("Format:\n%s\nwant\n%s", got, want)
	}
	checkRoundTrip(t, d)
}
