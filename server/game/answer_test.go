package game

import (
	"slices"
	"testing"
)

func TestAnswerForms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"container", []string{"container"}},
		{"containers", []string{"containers", "container"}},
		{"aws step functions", []string{"awsstepfunctions", "awsstepfunction"}},
		{"batches", []string{"batches", "batche", "batch"}},
		{"policies", []string{"policies", "policie", "policy"}},
		{"access", []string{"access"}},
		{"ecs", []string{"ecs"}}, // "ec" is too short to be a form
		{"amazon ecs", []string{"amazonecs"}},
		{"kubernetes", []string{"kubernetes", "kubernete"}},
		{"pods", []string{"pods", "pod"}},
		{"", []string{""}},
	}
	for _, tt := range tests {
		if got := AnswerForms(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("AnswerForms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSameAndNearAnswer(t *testing.T) {
	tests := []struct {
		name            string
		typed, accepted string // both normalised, as the server passes them
		same, nearToo   bool   // SameAnswer; NearAnswer (one typo forgiven)
	}{
		{"equal", "aws lambda", "aws lambda", true, true},
		{"spaces inside a word", "quokkaq uux", "quokkaquux", true, true},
		{"no spaces", "stepfunctions", "step functions", true, true},
		{"plural typed", "containers", "container", true, true},
		{"singular typed", "pod", "pods", true, true},
		{"es plural", "batches", "batch", true, true},
		{"ies plural", "policy", "policies", true, true},
		{"plural of the last word only", "amazon ecs", "amazon ec", false, false},
		{"acronym keeps its s", "ec", "ecs", false, false},
		{"another answer", "lambda", "fargate", false, false},
		{"prefix only", "elastic", "elastic beanstalk", false, false},
		{"substitution", "kubernetis", "kubernetes", false, true},
		{"deletion", "fargte", "fargate", false, true},
		{"insertion", "kubernettes", "kubernetes", false, true},
		{"transposition", "kuberentes", "kubernetes", false, true},
		{"typo in the second word", "aws fargte", "aws fargate", false, true},
		{"typo and plural", "containrs", "container", false, true},
		{"typo with spaces removed", "elasticbeanstallk", "elastic beanstalk", false, true},
		{"two typos", "kuberentse", "kubernetes", false, false},
		{"typos in two words", "elastik beanstallk", "elastic beanstalk", false, false},
		{"typo in a short word", "amazon ecr", "amazon ecs", false, false},
		{"short answer", "pdos", "pods", false, false},
		{"typo in a number", "123457", "123456", false, false},
		{"typo in a five-letter word", "lambd", "lambda", false, true},
		{"typo in a word of five", "batcj", "batch", false, false},
		{"empty", "", "lambda", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SameAnswer(tt.typed, tt.accepted); got != tt.same {
				t.Errorf("SameAnswer(%q, %q) = %v, want %v", tt.typed, tt.accepted, got, tt.same)
			}
			if got := SameAnswer(tt.accepted, tt.typed); got != tt.same {
				t.Errorf("SameAnswer(%q, %q) = %v, want %v (symmetric)", tt.accepted, tt.typed, got, tt.same)
			}
			if got := NearAnswer(tt.typed, tt.accepted); got != tt.nearToo {
				t.Errorf("NearAnswer(%q, %q) = %v, want %v", tt.typed, tt.accepted, got, tt.nearToo)
			}
		})
	}
}

func TestGradeTyped(t *testing.T) {
	strict := &Question{Kind: TypedAnswer, AcceptedKeys: []string{"aws xray", "xray"}}
	lenient := &Question{Kind: TypedAnswer, AcceptedKeys: []string{"kubernetes", "k8s"}, AllowTypo: true}
	tests := []struct {
		name  string
		q     *Question
		text  string
		right bool
	}{
		{"exact", strict, "xray", true},
		{"spaces", strict, "x ray", true},
		{"alias", strict, "aws x ray", true},
		{"plural", strict, "xrays", true},
		{"typo refused by default", strict, "awsxrya", false},
		{"typo allowed", lenient, "kubernets", true},
		{"typo in a short alias", lenient, "k9s", false},
		{"two typos", lenient, "kubrenets", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Answer{Text: tt.text}
			if err := tt.q.Check(a); err != nil {
				t.Fatal(err)
			}
			if got := tt.q.Grade(a).Correct; got != tt.right {
				t.Errorf("Grade(%q).Correct = %v, want %v", tt.text, got, tt.right)
			}
		})
	}
}
