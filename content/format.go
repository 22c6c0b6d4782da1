package content

import (
	"bytes"
	"fmt"
	"strings"
)

// Format renders d in the deck format, so that Parse(Format(d)) gives back d
// (but for the Line of each question) for any deck Parse returned. It writes
// every key explicitly, so a generated deck reads well in review.
func Format(d *Deck) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n", d.Title)
	if d.ID != "" {
		fmt.Fprintf(&b, "id: %s\n", d.ID)
	}
	if d.Notes != "" {
		fmt.Fprintf(&b, "notes: %s\n", d.Notes)
	}
	if d.Description != "" {
		fmt.Fprintf(&b, "description: %s\n", d.Description)
	}
	for i := range d.Questions {
		formatQuestion(&b, &d.Questions[i])
	}
	return b.Bytes()
}

func formatQuestion(b *bytes.Buffer, q *Question) {
	fmt.Fprintf(b, "\n## %s\n", q.Text)
	fmt.Fprintf(b, "kind: %s\n", q.Kind)
	if q.Section != "" {
		fmt.Fprintf(b, "section: %s\n", q.Section)
	}
	if q.TimeLimit != 0 {
		fmt.Fprintf(b, "time: %s\n", seconds(q.TimeLimit))
	}
	fmt.Fprintf(b, "points: %d\n", q.Points)
	if q.Kind == KindTyped {
		fmt.Fprintf(b, "answers: %s\n", strings.Join(q.Accepted, " | "))
	}
	if len(q.Options) > 0 {
		b.WriteByte('\n')
	}
	for _, o := range q.Options {
		box := " "
		if o.Correct {
			box = "x"
		}
		fmt.Fprintf(b, "- [%s] %s\n", box, o.Text)
	}
	if q.Explanation != "" {
		b.WriteByte('\n')
		for i, para := range strings.Split(q.Explanation, paragraphBreak) {
			if i > 0 {
				b.WriteString(">\n")
			}
			fmt.Fprintf(b, "> %s\n", para)
		}
	}
}
