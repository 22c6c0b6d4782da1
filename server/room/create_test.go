package room

import (
	mrand "math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/quizroom/quizroom/content"
	"github.com/quizroom/quizroom/server/game"
)

// builtinDeck returns the built-in AWS compute deck.
func builtinDeck(t *testing.T) *content.Deck {
	t.Helper()
	decks, err := content.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range decks {
		if d.ID == "aws-compute" {
			return d
		}
	}
	t.Fatal("no built-in deck aws-compute")
	return nil
}

// TestArrangeSpreadsOverSections checks that a short game samples the
// deck across its sections, in deck order, the same way for the same seed.
func TestArrangeSpreadsOverSections(t *testing.T) {
	deck := builtinDeck(t)
	position := map[string]int{} // question text → index in the deck
	for i, q := range deck.Questions {
		position[q.Text] = i
	}
	for seed := uint64(1); seed <= 50; seed++ {
		s := game.Settings{QuestionCount: 5, Seed: seed}.WithDefaults(100)
		qs, err := arrange(deck, s)
		if err != nil {
			t.Fatal(err)
		}
		sections := map[string]bool{}
		var at []int
		for _, q := range qs {
			sections[q.Section] = true
			at = append(at, position[q.Text])
			if q.Kind == game.Poll {
				t.Errorf("seed %d: a 5-question game plays the poll %q", seed, q.Text)
			}
		}
		if len(qs) != 5 || len(sections) < 4 {
			t.Errorf("seed %d: %d questions from %d sections, want 5 from at least 4", seed, len(qs), len(sections))
		}
		if !slices.IsSorted(at) {
			t.Errorf("seed %d: questions at %v of the deck, want deck order", seed, at)
		}
		again, _ := arrange(deck, s)
		if !reflect.DeepEqual(again, qs) {
			t.Errorf("seed %d: two games differ", seed)
		}
	}
	one, _ := arrange(deck, game.Settings{QuestionCount: 5, Seed: 1}.WithDefaults(100))
	two, _ := arrange(deck, game.Settings{QuestionCount: 5, Seed: 2}.WithDefaults(100))
	if reflect.DeepEqual(one, two) {
		t.Error("seeds 1 and 2 play the same game")
	}
}

func TestPick(t *testing.T) {
	deck := func(sections ...string) []content.Question {
		var qs []content.Question
		for _, s := range sections {
			kind := content.KindSingle
			if s == "poll" {
				kind = content.KindPoll
			}
			qs = append(qs, content.Question{Section: s, Kind: kind})
		}
		return qs
	}
	tests := []struct {
		name   string
		qs     []content.Question
		count  int
		counts map[string]int // questions picked per section, by the section's name ("" holds sectionless ones)
	}{
		{"all", deck("a", "a", "b"), 0, map[string]int{"a": 2, "b": 1}},
		{"as many as the deck", deck("a", "a", "b"), 3, map[string]int{"a": 2, "b": 1}},
		{"one per section first", deck("a", "a", "a", "b", "c", "c"), 3, map[string]int{"a": 1, "b": 1, "c": 1}},
		{"round robin", deck("a", "a", "a", "a", "b", "c"), 5, map[string]int{"a": 3, "b": 1, "c": 1}},
		{"no sections: each its own", deck("", "", "", "a", "a"), 4, map[string]int{"": 3, "a": 1}},
		{"polls aside", deck("poll", "a", "b", "c"), 3, map[string]int{"a": 1, "b": 1, "c": 1}},
		{"polls when too few others", deck("poll", "a", "poll"), 2, map[string]int{"poll": 1, "a": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for seed := range uint64(20) {
				got := pick(tt.qs, tt.count, mrand.New(mrand.NewPCG(seed, 1)))
				counts := map[string]int{}
				for _, i := range got {
					counts[tt.qs[i].Section]++
				}
				if !reflect.DeepEqual(counts, tt.counts) || !slices.IsSorted(got) {
					t.Fatalf("seed %d: picked %v (per section %v), want %v in deck order", seed, got, counts, tt.counts)
				}
			}
		})
	}
}

func TestArrangeShuffles(t *testing.T) {
	deck := builtinDeck(t)
	s := game.Settings{QuestionCount: 10, Seed: 3, ShuffleQuestions: true}.WithDefaults(100)
	shuffled, _ := arrange(deck, s)
	s.ShuffleQuestions = false
	ordered, _ := arrange(deck, s)
	texts := func(qs []game.Question) []string {
		var out []string
		for _, q := range qs {
			out = append(out, q.Text)
		}
		return out
	}
	a, b := texts(shuffled), texts(ordered)
	if slices.Equal(a, b) {
		t.Error("shuffle_questions played the deck order")
	}
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Errorf("shuffle_questions picked other questions:\n%q\nwant\n%q", a, b)
	}
}

func TestArrangePassages(t *testing.T) {
	qs, err := arrange(builtinDeck(t), game.Settings{}.WithDefaults(100))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if !strings.HasPrefix(q.Passage, "- ") {
			t.Errorf("%q: passage %q, want its section's facts", q.Text, q.Passage)
		}
	}
	// An uploaded deck names the built-in notes it is drawn from.
	src := "# Mine\nnotes: aws-compute\n\n## Which service runs code without servers?\nsection: AWS Lambda\n\n- [x] Lambda\n- [ ] EC2\n\n## Which one?\nsection: Not in the notes\n\n- [x] Lambda\n- [ ] EC2\n"
	d, err := content.Parse("mine.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	qs, err = arrange(d, game.Settings{}.WithDefaults(100))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(qs[0].Passage, "- Lambda scales out automatically") || qs[1].Passage != "" {
		t.Errorf("passages %q and %q, want the notes on AWS Lambda and none", qs[0].Passage, qs[1].Passage)
	}
}

// TestTypedGrading follows a typed answer from the deck and the player to
// the grade, as the server does: normalised by content, graded by game.
func TestTypedGrading(t *testing.T) {
	src := "# T\n\n## Which service traces requests?\nkind: typed\nanswers: AWS X-Ray | X-Ray\n\n## Which software does EKS run?\nkind: typed\nanswers: Kubernetes | K8s\n"
	d, err := content.Parse("t.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		q     int
		typed string
		typos bool
		right bool
	}{
		{"exact", 0, "X-Ray", false, true},
		{"spaces", 0, "x ray", false, true},
		{"spaces inside", 0, "AWS XR ay", false, true},
		{"hyphen elsewhere", 0, "aws-x-ray", false, true},
		{"plural", 0, "X-Rays", false, true},
		{"alias", 1, "k8s", false, true},
		{"another answer", 0, "CloudTrail", false, false},
		{"typo refused by default", 1, "Kubernets", false, false},
		{"typo allowed", 1, "Kubernets", true, true},
		{"transposed letters allowed", 1, "Kuberentes", true, true},
		{"two typos", 1, "Kubrenets", true, false},
		{"typo in a short answer", 0, "X-Ryy", true, false},
		{"typo in a short alias", 1, "k9s", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := game.Settings{AllowTypos: tt.typos}.WithDefaults(100)
			q := convert(&d.Questions[tt.q], s, mrand.New(mrand.NewPCG(1, 1)))
			a := game.Answer{Text: content.NormalizeAnswer(tt.typed)}
			if err := q.Check(a); err != nil {
				t.Fatal(err)
			}
			if got := q.Grade(a).Correct; got != tt.right {
				t.Errorf("%q against %q (typos %v): correct %v, want %v", tt.typed, q.Accepted, tt.typos, got, tt.right)
			}
		})
	}
}
