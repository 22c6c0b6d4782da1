package bots

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/quizroom/quizroom/content"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

func TestKeyFindsShuffledOptions(t *testing.T) {
	k := NewKey(&content.Deck{Questions: []content.Question{
		{Text: "Serverless?", Kind: content.KindSingle, Options: []content.Option{{Text: "Lambda", Correct: true}, {Text: "EC2"}, {Text: "ECS"}}},
		{Text: "Containers?", Kind: content.KindMultiple, Options: []content.Option{{Text: "ECS", Correct: true}, {Text: "EKS", Correct: true}, {Text: "S3"}}},
		{Text: "Tracing?", Kind: content.KindTyped, Accepted: []string{"X-Ray", "xray"}},
	}})
	tests := []struct {
		q        *quizv1.QuestionOpened
		ok       bool
		correct  []int32
		accepted string
	}{
		{&quizv1.QuestionOpened{Text: "Serverless?", Options: []string{"EC2", "ECS", "Lambda"}}, true, []int32{2}, ""},
		{&quizv1.QuestionOpened{Text: "Containers?", Options: []string{"S3", "EKS", "ECS"}}, true, []int32{1, 2}, ""},
		{&quizv1.QuestionOpened{Text: "Tracing?"}, true, nil, "X-Ray"},
		{&quizv1.QuestionOpened{Text: "Serverless?", Options: []string{"EC2", "Fargate", "Lambda"}}, false, nil, ""},
		{&quizv1.QuestionOpened{Text: "Unknown?", Options: []string{"a", "b"}}, false, nil, ""},
	}
	for _, tt := range tests {
		sol, ok := k.lookup(tt.q)
		if ok != tt.ok || !slices.Equal(sol.correct, tt.correct) || sol.accepted != tt.accepted {
			t.Errorf("lookup(%q %q) = %v, %t; want %v %q, %t", tt.q.GetText(), tt.q.GetOptions(), sol, ok, tt.correct, tt.accepted, tt.ok)
		}
	}
	if _, ok := (*Key)(nil).lookup(tests[0].q); ok {
		t.Error("a nil key knows an answer")
	}
}

func TestChooseFollowsAccuracy(t *testing.T) {
	deck := &content.Deck{Questions: []content.Question{
		{Text: "Q", Kind: content.KindSingle, Options: []content.Option{{Text: "a"}, {Text: "b", Correct: true}, {Text: "c"}, {Text: "d"}}},
	}}
	q := &quizv1.QuestionOpened{Text: "Q", Kind: quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, Options: []string{"a", "b", "c", "d"}}
	for _, acc := range []float64{0, 1} {
		b := &bot{run: &run{cfg: Config{Key: NewKey(deck), Accuracy: acc}}, rng: rand.New(rand.NewPCG(1, 2))}
		for range 50 {
			got := b.choose(q).GetChoices()
			if right := slices.Equal(got, []int32{1}); right != (acc == 1) || len(got) != 1 {
				t.Fatalf("accuracy %v: chose %v", acc, got)
			}
		}
	}
	// Without a key: any single valid option; multiple select: a
	// non-empty set of valid options.
	b := &bot{run: &run{}, rng: rand.New(rand.NewPCG(3, 4))}
	multi := &quizv1.QuestionOpened{Kind: quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT, Options: []string{"a", "b", "c"}}
	for range 50 {
		if got := b.choose(q).GetChoices(); len(got) != 1 || got[0] < 0 || got[0] > 3 {
			t.Fatalf("random single choice %v", got)
		}
		if got := b.choose(multi).GetChoices(); len(got) == 0 || len(got) > 3 {
			t.Fatalf("random multiple choice %v", got)
		}
	}
}

func TestSummarize(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	got := Summarize(ds)
	want := Summary{N: 100, P50: 50 * time.Millisecond, P90: 90 * time.Millisecond, P99: 99 * time.Millisecond, Max: 100 * time.Millisecond}
	if got != want {
		t.Errorf("summarize = %+v, want %+v", got, want)
	}
	if Summarize(nil) != (Summary{}) || (Summary{}).String() != "n=0" {
		t.Error("empty summary")
	}
}
