package content

import (
	"flag"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// awsNotes returns the embedded AWS compute notes.
func awsNotes(t *testing.T) *Notes {
	t.Helper()
	src, err := builtin.ReadFile("notes/aws-compute.md")
	if err != nil {
		t.Fatal(err)
	}
	n, err := ParseNotes("notes/aws-compute.md", src)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustGenerate(t *testing.T, n *Notes, opt GenerateOptions) *Deck {
	t.Helper()
	d, err := Generate(n, opt)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestGenerateGolden(t *testing.T) {
	const golden = "testdata/aws-compute.generated.md"
	got := Format(mustGenerate(t, awsNotes(t), GenerateOptions{Seed: 1}))
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("generated deck differs from %s (run go test -update to accept):\n%s", golden, got)
	}
}

func TestGenerateDeterministic(t *testing.T) {
	n := awsNotes(t)
	a := mustGenerate(t, n, GenerateOptions{Seed: 42})
	b := mustGenerate(t, n, GenerateOptions{Seed: 42})
	if !reflect.DeepEqual(a, b) {
		t.Error("two decks generated with seed 42 differ")
	}
	c := mustGenerate(t, n, GenerateOptions{Seed: 43})
	if reflect.DeepEqual(a.Questions, c.Questions) {
		t.Error("decks generated with seeds 42 and 43 are the same")
	}
}

// TestGenerateRules checks every generated question, for many seeds,
// against rules written independently of the generator's code.
func TestGenerateRules(t *testing.T) {
	n := awsNotes(t)
	facts := map[string]string{} // fact → section
	passages := map[string]string{}
	for _, s := range n.Sections {
		for _, f := range s.Facts {
			facts[f.Text] = s.Name
			passages[s.Name] += "- " + f.Text + "\n"
		}
	}
	for seed := range uint64(30) {
		d := mustGenerate(t, n, GenerateOptions{Seed: seed})
		checkRoundTrip(t, d)
		for _, q := range d.Questions {
			names := strings.Contains(strings.ToLower(q.Text), names[q.Section])
			if q.Kind == KindTrueFalse {
				if q.Options[0].Correct != names {
					t.Errorf("seed %d: %q: True is %v, but the text names %q: %v", seed, q.Text, q.Options[0].Correct, q.Section, names)
				}
			} else if names {
				t.Errorf("seed %d: %q gives away %q", seed, q.Text, q.Section)
			}
			if masked := quoted(q.Text); masked != "" && len(strings.Fields(strings.ReplaceAll(masked, blank, ""))) < MinFactWords {
				t.Errorf("seed %d: %q asks a fact of fewer than %d words", seed, q.Text, MinFactWords)
			}
			if strings.Contains(q.Text, "the notes say") {
				t.Errorf("seed %d: %q: wording", seed, q.Text)
			}
			if facts[quoted(q.Explanation)] != q.Section {
				t.Errorf("seed %d: explanation %q does not quote a fact of %q", seed, q.Explanation, q.Section)
			}
			if q.Passage+"\n" != passages[q.Section] {
				t.Errorf("seed %d: %q: passage %q, want the facts of %q", seed, q.Text, q.Passage, q.Section)
			}
			if leaks := Leaks(&q); len(leaks) > 0 {
				t.Errorf("seed %d: %q leaks: %q", seed, q.Text, leaks)
			}
			for _, w := range bracketRule(&q) {
				t.Errorf("seed %d: %q: %s", seed, q.Text, w)
			}
			checkGenerated(t, q)
		}
	}
}

// names are, per concept section of the AWS notes, a lower-case word that
// names it and no other section. Topic sections are never asked.
var names = map[string]string{
	"AWS Lambda":                              "lambda",
	"Amazon Elastic Container Service (ECS)":  "container service",
	"Amazon API Gateway":                      "api gateway",
	"AWS Fargate":                             "fargate",
	"Amazon Elastic Container Registry (ECR)": "container registry",
	"Amazon Elastic Kubernetes Service (EKS)": "kubernetes service",
	"AWS OpsWorks":                            "opsworks",
	"AWS Elastic Beanstalk":                   "beanstalk",
	"Amazon CloudFront":                       "cloudfront",
	"AWS CloudFormation":                      "cloudformation",
	"AWS CodeCommit":                          "codecommit",
	"Amazon Simple Workflow Service (SWF)":    "workflow service",
	"AWS Step Functions":                      "step functions",
	"AWS Batch":                               "batch",
}

// quoted returns the text between the last “ and ” of s.
func quoted(s string) string {
	i, j := strings.LastIndex(s, "“"), strings.LastIndex(s, "”")
	if i < 0 || j < i {
		return ""
	}
	return s[i+len("“") : j]
}

// checkGenerated checks the options and answers of a generated question.
func checkGenerated(t *testing.T, q Question) {
	t.Helper()
	seen := map[string]bool{}
	correct := 0
	for _, o := range q.Options {
		norm := NormalizeAnswer(o.Text)
		if seen[norm] {
			t.Errorf("%q offers %q twice", q.Text, o.Text)
		}
		seen[norm] = true
		if strings.HasPrefix(o.Text, "When ") || strings.Contains(o.Text, "triggered") {
			t.Errorf("%q offers the topic %q", q.Text, o.Text)
		}
		if o.Correct {
			correct++
			if q.Kind == KindSingle && !strings.Contains(q.Section, o.Text) {
				t.Errorf("%q: correct option %q, want the name of %q", q.Text, o.Text, q.Section)
			}
		}
	}
	switch q.Kind {
	case KindSingle:
		if correct != 1 || len(q.Options) < MinOptions || len(q.Options) > MaxDistractors+1 {
			t.Errorf("%q: %d options, %d correct", q.Text, len(q.Options), correct)
		}
	case KindTrueFalse:
		if correct != 1 {
			t.Errorf("%q: %d correct", q.Text, correct)
		}
	case KindTyped:
		if !slices.ContainsFunc(q.Accepted, func(a string) bool { return strings.Contains(q.Section, a) }) {
			t.Errorf("%q: accepted %q, none of them the name %q", q.Text, q.Accepted, q.Section)
		}
	default:
		t.Errorf("%q: generated kind %v", q.Text, q.Kind)
	}
}

func TestGenerateSkips(t *testing.T) {
	src := `# Small
### AWS Lambda
- Lambda is serverless.
- Lambdas scale out whenever more events arrive.
- A Lambda function can invoke other functions.
### AWS Batch
- Batch runs many computing jobs efficiently on AWS.
`
	n, err := ParseNotes("small.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(20) {
		d := mustGenerate(t, n, GenerateOptions{Seed: seed, Kinds: []Kind{KindSingle}})
		var asked []string
		for _, q := range d.Questions {
			asked = append(asked, quoted(q.Explanation))
			if len(q.Options) != 2 {
				t.Errorf("two sections gave %d options, want 2", len(q.Options))
			}
		}
		slices.Sort(asked)
		want := []string{"A Lambda function can invoke other functions.", "Batch runs many computing jobs efficiently on AWS."}
		if !slices.Equal(asked, want) {
			t.Fatalf("seed %d asked %q, want only %q (too short and leaking facts skipped)", seed, asked, want)
		}
	}
	if _, err := Generate(&Notes{ID: "x", Sections: n.Sections[:1]}, GenerateOptions{Kinds: []Kind{KindSingle}}); err == nil {
		t.Error("Generate made single-choice questions from one section, want an error")
	}
}

func TestGenerateOptions(t *testing.T) {
	n := awsNotes(t)
	d := mustGenerate(t, n, GenerateOptions{Seed: 7, Count: 5, TimeLimit: 30 * time.Second, Kinds: []Kind{KindTrueFalse}})
	if len(d.Questions) != 5 {
		t.Fatalf("Count 5 gave %d questions", len(d.Questions))
	}
	for _, q := range d.Questions {
		if q.Kind != KindTrueFalse || q.TimeLimit != 30*time.Second || q.Points != DefaultPoints {
			t.Errorf("question %q: kind %v, time %v, points %d", q.Text, q.Kind, q.TimeLimit, q.Points)
		}
	}
	for _, opt := range []GenerateOptions{
		{Count: -1},
		{TimeLimit: time.Second},
		{TimeLimit: 7500 * time.Millisecond},
		{Kinds: []Kind{KindPoll}},
	} {
		if _, err := Generate(n, opt); err == nil {
			t.Errorf("Generate(%+v) succeeded, want an error", opt)
		}
	}
}

// TestGenerateOneRightAnswer checks that a fact true of two concepts, a
// topic heading and a bare denial make no question, and that topics are
// never offered.
func TestGenerateOneRightAnswer(t *testing.T) {
	src := `# Kubernetes
### ConfigMap
- Pods consume a ConfigMap as environment variables or files.
- A ConfigMap holds configuration data as key-value pairs.
### Secret
- Pods consume a Secret as environment variables or files.
- A Secret holds a small amount of sensitive data such as a password.
- It does not hold large amounts of data.
### Service
- A Service exposes a set of pods under one stable network address.
### When to use a Job
- A Job runs pods until a given number of them complete successfully.
`
	n, err := ParseNotes("k8s.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"A ConfigMap holds configuration data as key-value pairs.",
		"A Secret holds a small amount of sensitive data such as a password.",
		"A Service exposes a set of pods under one stable network address.",
	}
	for seed := range uint64(20) {
		d := mustGenerate(t, n, GenerateOptions{Seed: seed})
		var asked []string
		for _, q := range d.Questions {
			asked = append(asked, quoted(q.Explanation))
			for _, o := range q.Options {
				if strings.Contains(o.Text, "Job") {
					t.Errorf("seed %d: %q offers the topic %q", seed, q.Text, o.Text)
				}
			}
		}
		slices.Sort(asked)
		if !slices.Equal(asked, want) {
			t.Fatalf("seed %d asked %q, want only %q", seed, asked, want)
		}
	}
}

func TestIsTopic(t *testing.T) {
	tests := []struct {
		heading string
		want    bool
	}{
		{"AWS Lambda", false},
		{"Amazon Elastic Container Service (ECS)", false},
		{"AWS Identity and Access Management", false},
		{"Pods", false},
		{"lambda", false},
		{"config maps", false},
		{"kube-proxy", false},
		{"Amazon EC2 Auto Scaling", false},
		{"When to choose Amazon EC2", true},
		{"Lambda triggered by events", true},
		{"Choosing a database", true},
		{"How Fargate isolates workloads", true},
		{"Lambda: limits", true},
		{"Amazon S3 storage classes", true},
	}
	for _, tt := range tests {
		if got := isTopic(tt.heading); got != tt.want {
			t.Errorf("isTopic(%q) = %v, want %v", tt.heading, got, tt.want)
		}
	}
}

func TestSameFact(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"____ works with both Amazon ECS and Amazon EKS.", "It is integrated with Amazon ECS and Amazon EKS.", true},
		{"Pods consume a ____ as environment variables or files.", "Pods consume a ____ as environment variables or files.", true},
		{"____ removes the need to provision and manage servers.", "____ is serverless: you run code without provisioning or managing servers.", true},
		{"To coordinate multiple AWS services into serverless workflows, choose ____.", "____ gives no direct way to coordinate multiple AWS services into serverless workflows.", false},
		{"____ is a fast content delivery network.", "____ hosts secure Git-based repositories.", false},
		{"____ lets you use the same toolset on premises and in the AWS Cloud.", "____ lets you use Chef and Puppet to automate how servers are configured across Amazon EC2 instances or on-premises compute environments.", false},
	}
	for _, tt := range tests {
		table := keywordTable{}
		a := factKeys{keys: table.of(tt.a), negated: negated(tt.a)}
		b := factKeys{keys: table.of(tt.b), negated: negated(tt.b)}
		if got := sameFact(a, b, nil, nil); got != tt.want {
			t.Errorf("sameFact(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestGenerateTypedAnswers checks that a generated typed question accepts
// what a person would type for the name.
func TestGenerateTypedAnswers(t *testing.T) {
	c := newConcept("Amazon Elastic Container Service (ECS)")
	accepted := typedAnswers(&c)
	for _, typed := range []string{"ECS", "ecs", "Amazon ECS", "Elastic Container Service", "elastic-container service",
		"ElasticContainerService", "Amazon Elastic Container Services", "amazon elastic container service"} {
		if !slices.ContainsFunc(accepted, func(a string) bool { return game.SameAnswer(NormalizeAnswer(typed), NormalizeAnswer(a)) }) {
			t.Errorf("%q is not accepted by %q", typed, accepted)
		}
	}
	for _, typed := range []string{"EKS", "Amazon", "Container", "Elastic Container Registry"} {
		if slices.ContainsFunc(accepted, func(a string) bool { return game.SameAnswer(NormalizeAnswer(typed), NormalizeAnswer(a)) }) {
			t.Errorf("%q is accepted by %q", typed, accepted)
		}
	}
	if long := newConcept("Amazon Simple Queue Service for Very Long Names"); typedAnswers(&long) != nil {
		t.Errorf("a name of more than %d words gave typed answers %q", MaxTypedWords, typedAnswers(&long))
	}
}

func TestFillBlanks(t *testing.T) {
	tests := []struct{ masked, name, want string }{
		{"____ scales out.", "Fargate", "Fargate scales out."},
		{"A ____ function can invoke other ____ functions.", "Elastic Container Service", "An Elastic Container Service function can invoke other Elastic Container Service functions."},
		{"Start an ____ task.", "Batch", "Start a Batch task."},
		{"Start a ____ task.", "ECS", "Start an ECS task."},
		{"Plan a ____ task.", "Batch", "Plan a Batch task."},
	}
	for _, tt := range tests {
		if got := fillBlanks(tt.masked, tt.name); got != tt.want {
			t.Errorf("fillBlanks(%q, %q) = %q, want %q", tt.masked, tt.name, got, tt.want)
		}
	}
}
