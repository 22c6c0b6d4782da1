package game

import (
	"errors"
	"strings"
	"testing"
)

// Questions shared by the Check and Grade tests.
var (
	singleQ = &Question{Kind: SingleChoice, Options: []string{"a", "b", "c", "d"}, Correct: []int{1}}
	multiQ  = &Question{Kind: MultipleSelect, Options: []string{"a", "b", "c", "d", "e"}, Correct: []int{0, 2, 3}}
	tfQ     = &Question{Kind: TrueFalse, Options: []string{"True", "False"}, Correct: []int{0}}
	typedQ  = &Question{Kind: TypedAnswer, AcceptedKeys: []string{"ec2", "elastic compute cloud"}}
	pollQ   = &Question{Kind: Poll, Options: []string{"a", "b", "c"}}
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		q    *Question
		a    Answer
		ok   bool
	}{
		{"single/one choice", singleQ, Answer{Choices: []int{2}}, true},
		{"single/first option", singleQ, Answer{Choices: []int{0}}, true},
		{"single/last option", singleQ, Answer{Choices: []int{3}}, true},
		{"single/no choice", singleQ, Answer{}, false},
		{"single/empty choices", singleQ, Answer{Choices: []int{}}, false},
		{"single/two choices", singleQ, Answer{Choices: []int{0, 1}}, false},
		{"single/negative", singleQ, Answer{Choices: []int{-1}}, false},
		{"single/index equals option count", singleQ, Answer{Choices: []int{4}}, false},
		{"single/text", singleQ, Answer{Text: "b"}, false},
		{"single/choice and text", singleQ, Answer{Choices: []int{1}, Text: "b"}, false},

		{"multiple/one choice", multiQ, Answer{Choices: []int{0}}, true},
		{"multiple/several choices", multiQ, Answer{Choices: []int{3, 0, 2}}, true},
		{"multiple/every option", multiQ, Answer{Choices: []int{0, 1, 2, 3, 4}}, true},
		{"multiple/no choice", multiQ, Answer{}, false},
		{"multiple/repeated choice", multiQ, Answer{Choices: []int{0, 2, 0}}, false},
		{"multiple/negative", multiQ, Answer{Choices: []int{0, -1}}, false},
		{"multiple/index equals option count", multiQ, Answer{Choices: []int{0, 5}}, false},
		{"multiple/text", multiQ, Answer{Text: "a"}, false},

		{"true-false/true", tfQ, Answer{Choices: []int{0}}, true},
		{"true-false/false", tfQ, Answer{Choices: []int{1}}, true},
		{"true-false/no choice", tfQ, Answer{}, false},
		{"true-false/both", tfQ, Answer{Choices: []int{0, 1}}, false},
		{"true-false/negative", tfQ, Answer{Choices: []int{-1}}, false},
		{"true-false/index equals option count", tfQ, Answer{Choices: []int{2}}, false},
		{"true-false/text", tfQ, Answer{Text: "true"}, false},

		{"poll/one choice", pollQ, Answer{Choices: []int{2}}, true},
		{"poll/no choice", pollQ, Answer{}, false},
		{"poll/two choices", pollQ, Answer{Choices: []int{0, 2}}, false},
		{"poll/negative", pollQ, Answer{Choices: []int{-1}}, false},
		{"poll/index equals option count", pollQ, Answer{Choices: []int{3}}, false},
		{"poll/text", pollQ, Answer{Text: "a"}, false},

		{"typed/text", typedQ, Answer{Text: "ec2"}, true},
		{"typed/wrong text is still well formed", typedQ, Answer{Text: "lambda"}, true},
		{"typed/one character", typedQ, Answer{Text: "x"}, true},
		{"typed/empty text", typedQ, Answer{}, false},
		{"typed/choices", typedQ, Answer{Choices: []int{0}}, false},
		{"typed/choices and text", typedQ, Answer{Choices: []int{0}, Text: "ec2"}, false},
		{"typed/60 ASCII characters", typedQ, Answer{Text: strings.Repeat("a", 60)}, true},
		{"typed/61 ASCII characters", typedQ, Answer{Text: strings.Repeat("a", 61)}, false},
		// 60 two-byte runes are 120 bytes: the limit counts characters.
		{"typed/60 two-byte runes", typedQ, Answer{Text: strings.Repeat("é", 60)}, true},
		{"typed/60 three-byte runes", typedQ, Answer{Text: strings.Repeat("日", 60)}, true},
		{"typed/60 four-byte runes", typedQ, Answer{Text: strings.Repeat("🙂", 60)}, true},
		{"typed/61 two-byte runes", typedQ, Answer{Text: strings.Repeat("é", 61)}, false},
		{"typed/61 three-byte runes", typedQ, Answer{Text: strings.Repeat("日", 61)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.q.Check(tt.a)
			switch {
			case tt.ok && err != nil:
				t.Errorf("Check(%+v) = %v, want nil", tt.a, err)
			case !tt.ok && err == nil:
				t.Errorf("Check(%+v) = nil, want an error matching ErrBadAnswer", tt.a)
			case !tt.ok && !errors.Is(err, ErrBadAnswer):
				t.Errorf("Check(%+v) = %v, want an error matching ErrBadAnswer", tt.a, err)
			}
		})
	}
}

func TestCheckTextTooLongSaysTheLimit(t *testing.T) {
	err := typedQ.Check(Answer{Text: strings.Repeat("日", 61)})
	if err == nil {
		t.Fatal("Check(61 runes) = nil, want an error")
	}
	for _, want := range []string{"61", "60"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Check(61 runes) = %q, want a message containing %q", err, want)
		}
	}
}

func TestGrade(t *testing.T) {
	right := Grade{Correct: true, Num: 1, Den: 1}
	wrong := Grade{Wrong: true, Den: 1}
	tests := []struct {
		name       string
		q          *Question
		a          Answer
		want       Grade
		wantCredit float64
	}{
		{"single/right", singleQ, Answer{Choices: []int{1}}, right, 1},
		{"single/wrong", singleQ, Answer{Choices: []int{0}}, wrong, 0},
		{"true-false/right", tfQ, Answer{Choices: []int{0}}, right, 1},
		{"true-false/wrong", tfQ, Answer{Choices: []int{1}}, wrong, 0},
		{"typed/first accepted", typedQ, Answer{Text: "ec2"}, right, 1},
		{"typed/another accepted", typedQ, Answer{Text: "elastic compute cloud"}, right, 1},
		{"typed/mismatch", typedQ, Answer{Text: "lambda"}, wrong, 0},
		{"typed/prefix of an accepted answer", typedQ, Answer{Text: "ec"}, wrong, 0},
		// Normalising is the caller's job: Grade compares exactly.
		{"typed/not normalised", typedQ, Answer{Text: "EC2"}, wrong, 0},
		{"poll/any choice", pollQ, Answer{Choices: []int{1}}, Grade{Den: 1}, 0},
		{"multiple/all right", multiQ, Answer{Choices: []int{0, 2, 3}}, Grade{Correct: true, Num: 3, Den: 3}, 1},
		{"multiple/all right in any order", multiQ, Answer{Choices: []int{3, 0, 2}}, Grade{Correct: true, Num: 3, Den: 3}, 1},
		{"multiple/two of three right", multiQ, Answer{Choices: []int{0, 3}}, Grade{Num: 2, Den: 3}, 2.0 / 3},
		{"multiple/one of three right", multiQ, Answer{Choices: []int{2}}, Grade{Num: 1, Den: 3}, 1.0 / 3},
		{"multiple/all right plus one wrong", multiQ, Answer{Choices: []int{0, 1, 2, 3}}, Grade{Num: 2, Den: 3}, 2.0 / 3},
		{"multiple/two right one wrong", multiQ, Answer{Choices: []int{0, 2, 4}}, Grade{Num: 1, Den: 3}, 1.0 / 3},
		{"multiple/right and wrong cancel", multiQ, Answer{Choices: []int{0, 1}}, Grade{Wrong: true, Num: 0, Den: 3}, 0},
		{"multiple/more wrong than right", multiQ, Answer{Choices: []int{0, 1, 4}}, Grade{Wrong: true, Num: 0, Den: 3}, 0},
		{"multiple/all wrong", multiQ, Answer{Choices: []int{1, 4}}, Grade{Wrong: true, Num: 0, Den: 3}, 0},
		{"multiple/one wrong", multiQ, Answer{Choices: []int{4}}, Grade{Wrong: true, Num: 0, Den: 3}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.q.Check(tt.a); err != nil {
				t.Fatalf("Check(%+v) = %v, want nil: Grade takes checked answers", tt.a, err)
			}
			got := tt.q.Grade(tt.a)
			if got != tt.want {
				t.Errorf("Grade(%+v) = %+v, want %+v", tt.a, got, tt.want)
			}
			if got.Correct && got.Wrong {
				t.Errorf("Grade(%+v) = %+v: both Correct and Wrong", tt.a, got)
			}
			if got.Den == 0 {
				t.Fatalf("Grade(%+v) = %+v: Den is 0", tt.a, got)
			}
			if c := got.Credit(); c != tt.wantCredit {
				t.Errorf("Grade(%+v).Credit() = %v, want %v", tt.a, c, tt.wantCredit)
			}
		})
	}
}
