package cli

import (
	"strings"
	"testing"
)

// unfairDeck validates but has a fairness problem on line 4: its section
// names the answer.
const unfairDeck = `# Unfair deck
id: unfair

## Which service runs code without managing servers?
section: AWS Lambda

- [x] AWS Lambda
- [ ] Amazon EC2
- [ ] AWS Batch
`

const someNotes = `# Notes
### AWS Lambda
- Lambda runs code without provisioning or managing servers.
- Lambda scales out automatically as more events arrive.
### AWS Batch
- Batch runs hundreds of thousands of computing jobs.
- Short.
`

func TestDeckLint(t *testing.T) {
	unfair, notes, bad := writeFile(t, "unfair.md", unfairDeck), writeFile(t, "notes.md", someNotes), writeFile(t, "bad.md", badDeck)
	tests := []struct {
		name    string
		files   []string
		wantErr bool
		want    []string // lines the output must hold, each a prefix
	}{
		{"warnings only", []string{unfair}, false, []string{
			unfair + `:4: warning: section "AWS Lambda" names the answer "AWS Lambda"`,
			unfair + `: ok: deck "unfair", 1 questions, 1 warning`,
		}},
		{"notes", []string{notes}, false, []string{
			notes + ": notes, not a deck (### sections, no ## questions): checking them as notes; make a deck of them with: quiz deck from-notes " + notes,
			notes + ":7: warning: fact not asked: fewer than 4 words",
			notes + `: ok: notes "notes", 2 sections, 4 facts, 3 asked by from-notes, 1 warning`,
		}},
		{"errors and warnings", []string{unfair, bad}, true, []string{
			unfair + ":4: warning: ",
			bad + ":4: no correct option",
		}},
		{"the built-in deck", []string{"../../content/decks/aws-compute.md"}, false, []string{
			`../../content/decks/aws-compute.md: ok: deck "aws-compute", `,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := runOnce(t, "127.0.0.1:1", append([]string{"deck", "lint"}, tt.files...)...)
			if (err != nil) != tt.wantErr {
				t.Errorf("err %v, want an error: %v", err, tt.wantErr)
			}
			lines := strings.Split(out, "\n")
			for _, w := range tt.want {
				found := false
				for _, l := range lines {
					found = found || strings.HasPrefix(l, w)
				}
				if !found {
					t.Errorf("output lacks a line starting %q:\n%s", w, out)
				}
			}
			if strings.Contains(tt.name, "built-in") && strings.Contains(out, "warning:") {
				t.Errorf("the built-in deck has warnings:\n%s", out)
			}
		})
	}
}
