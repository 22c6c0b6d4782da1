package content

import (
	"strings"
	"testing"
)

// lintOne lints a deck of the given questions (each a ## heading and body)
// and returns the messages of its warnings.
func lintOne(t *testing.T, questions ...string) []Warning {
	t.Helper()
	d, err := Parse("d.md", []byte("# Deck\n\n"+strings.Join(questions, "\n")))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return Lint(d)
}

func TestLint(t *testing.T) {
	tests := []struct {
		name      string
		questions []string
		line      int    // 0: no warning wanted
		msg       string // part of the warning wanted
	}{
		// An answer in the section.
		{"section names the answer",
			[]string{"## Which service runs code without servers?\nsection: AWS Lambda\n\n- [x] AWS Lambda\n- [ ] Amazon EC2\n- [ ] AWS Batch\n"},
			3, `section "AWS Lambda" names the answer "AWS Lambda"`},
		{"section holds a typed answer",
			[]string{"## Which open-source software runs the pods?\nkind: typed\nsection: Amazon Elastic Kubernetes Service (EKS)\nanswers: Kubernetes\n"},
			3, `names the answer "Kubernetes"`},
		{"answer naming the section's concept",
			[]string{"## How do you deploy an application quickly?\nsection: AWS Elastic Beanstalk\n\n- [x] Upload it to Elastic Beanstalk\n- [ ] Design a template for it\n- [ ] Push it to a Git repository\n"},
			3, `names the answer "Upload it to Elastic Beanstalk"`},
		{"every option naming the section's concept",
			[]string{"## Which were offerings?\nkind: multiple\nsection: AWS OpsWorks\n\n- [x] AWS OpsWorks Stacks\n- [x] AWS OpsWorks for Chef Automate\n- [ ] AWS OpsWorks for Kubernetes\n- [ ] AWS OpsWorks for Ansible\n"},
			0, ""},
		{"section of another concept",
			[]string{"## Which service traces requests?\nkind: typed\nsection: AWS Lambda\nanswers: X-Ray\n"},
			0, ""},
		{"true/false answers are no answers",
			[]string{"## True or false: Lambda is serverless.\nkind: truefalse\nsection: True facts\n\n- [x] True\n- [ ] False\n"},
			0, ""},

		// An option that gives the answer away.
		{"word of the question only in the correct option",
			[]string{"## How does API Gateway invoke a Lambda function?\n\n- [x] Through a Lambda integration\n- [ ] Through an event source mapping\n- [ ] By polling a queue\n"},
			3, `the question's word "lambda" appears in the correct option only`},
		{"word in a wrong option too",
			[]string{"## How does API Gateway invoke a Lambda function?\n\n- [x] Through a Lambda integration\n- [ ] Through a Lambda event source mapping\n- [ ] By polling a queue\n"},
			0, ""},
		{"plural counts as the word",
			[]string{"## How does Fargate keep workloads apart?\n\n- [x] Each workload runs in its own kernel\n- [ ] Workloads share one kernel\n- [ ] It scans your code\n"},
			0, ""},
		{"stop words never give away",
			[]string{"## Which of these is the registry?\n\n- [x] The one for images\n- [ ] A CDN\n- [ ] A queue\n"},
			0, ""},
		{"alias in brackets",
			[]string{"## Which service delivers content from the edge?\n\n- [x] Amazon CloudFront (CDN)\n- [ ] AWS OpsWorks Stacks\n- [ ] AWS Step Functions\n"},
			3, `option "Amazon CloudFront (CDN)" carries (CDN) in brackets`},
		{"brackets that are no alias",
			[]string{"## What does Lambda do with events?\n\n- [x] Runs one invocation per event (or per batch of records from a stream)\n- [ ] Runs them one after another on a server\n- [ ] Drops every event but the first one\n"},
			0, ""},

		// A correct option far longer than the others.
		{"correct option far longer",
			[]string{"## What does API Gateway give a backend?\n\n- [x] HTTPS endpoints that clients call to reach it\n- [ ] A registry\n- [ ] A Git repository\n"},
			3, `is 45 characters, the longest wrong one 16`},
		{"long but not 1.8 times",
			[]string{"## What does API Gateway give a backend?\n\n- [x] HTTPS endpoints that clients call\n- [ ] A registry for its Docker images\n- [ ] A Git repository\n"},
			0, ""},
		{"1.8 times but not 12 characters more",
			[]string{"## Which is the registry?\n\n- [x] Amazon ECR\n- [ ] ECS\n- [ ] EKS\n"},
			0, ""},

		// Multiple select with a single wrong option.
		{"multiple select with one wrong option",
			[]string{"## Where can ECS run tasks?\nkind: multiple\n\n- [x] On EC2 instances\n- [x] On Fargate\n- [ ] Inside CodeCommit\n"},
			3, "multiple-select question with 1 wrong option"},
		{"multiple select with no wrong option",
			[]string{"## Where can ECS run tasks?\nkind: multiple\n\n- [x] On EC2 instances\n- [x] On Fargate\n"},
			3, "multiple-select question with 0 wrong options"},
		{"multiple select with two wrong options",
			[]string{"## Where can ECS run tasks?\nkind: multiple\n\n- [x] On EC2 instances\n- [x] On Fargate\n- [ ] Inside CodeCommit\n- [ ] On CloudFront edge locations\n"},
			0, ""},

		// An explanation answering another question.
		{"explanation answers a later question",
			[]string{"## What is the maximum timeout of a function?\n\n- [x] 15 minutes\n- [ ] 1 hour\n- [ ] 24 hours\n\n> The maximum is 15 minutes; the default is 3 seconds.\n",
				"## What is the default timeout of a function?\nkind: typed\nanswers: 3 seconds | 3\n"},
			3, `explanation gives away "3 seconds", the answer of the question on line 11`},
		{"explanation answers an earlier question, a plural apart",
			[]string{"## What is the maximum timeout of a function?\n\n- [x] 15 minutes\n- [ ] 1 hour\n- [ ] 24 hours\n",
				"## Which job is too long for a function?\n\n- [x] A two-hour job\n- [ ] A one-second job\n- [ ] A ten-second job\n\n> It runs past the 15-minute maximum.\n"},
			9, `explanation gives away "15 minutes", the answer of the question on line 3`},
		{"explanation repeats its own answer",
			[]string{"## Which service is serverless?\n\n- [x] AWS Lambda\n- [ ] Amazon EC2\n- [ ] Amazon RDS\n\n> AWS Lambda is serverless.\n",
				"## Which service traces Lambda functions?\n\n- [x] AWS X-Ray\n- [ ] AWS Lambda\n- [ ] Amazon EC2\n\n> X-Ray traces requests.\n",
				"## Which service scales out with events?\nkind: typed\nanswers: AWS Lambda | Lambda\n"},
			0, ""},
		{"explanation names what its question already shows",
			[]string{"## Which service debugs functions with AWS X-Ray?\n\n- [x] AWS Lambda\n- [ ] Amazon EC2\n- [ ] AWS Batch\n\n> AWS X-Ray traces AWS Lambda functions.\n",
				"## Which service traces requests?\nkind: typed\nanswers: AWS X-Ray\n"},
			0, ""},
		{"explanation names its section's concept, which the reveal shows",
			[]string{"## True or false: CloudFront invokes other functions.\nkind: truefalse\nsection: AWS Lambda\n\n- [ ] True\n- [x] False\n\n> False: Lambda functions do.\n",
				"## What fills the blank? ____ scales out.\nkind: typed\nanswers: AWS Lambda | Lambda\n"},
			0, ""},
		{"true and false are no answers to give away",
			[]string{"## True or false: Lambda is serverless.\nkind: truefalse\n\n- [x] True\n- [ ] False\n\n> True: it is.\n",
				"## True or false: EC2 is serverless.\nkind: truefalse\n\n- [ ] True\n- [x] False\n\n> False: it is not.\n"},
			0, ""},

		// Duplicates.
		{"duplicate question",
			[]string{"## Which service is serverless?\n\n- [x] Lambda\n- [ ] EC2\n", "## which service is serverless\n\n- [x] Lambda\n- [ ] EC2\n"},
			8, "the same question as on line 3"},
		{"accepted answers the same but for spaces",
			[]string{"## Which service traces requests?\nkind: typed\nanswers: X-Ray | X Ray\n"},
			3, `accepted answer "X Ray" is the same as "X-Ray"`},
		{"accepted answers the same but for a plural",
			[]string{"## What are containers grouped into?\nkind: typed\nanswers: pods | pod\n"},
			3, `accepted answer "pod" is the same as "pods"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := lintOne(t, tt.questions...)
			if tt.line == 0 {
				if len(ws) > 0 {
					t.Errorf("got warnings %+v, want none", ws)
				}
				return
			}
			if len(ws) != 1 || ws[0].Line != tt.line || !strings.Contains(ws[0].Msg, tt.msg) {
				t.Errorf("got warnings %+v, want one at line %d containing %q", ws, tt.line, tt.msg)
			}
		})
	}
}

// TestBuiltinLintsClean holds the built-in decks to the fairness rules.
func TestBuiltinLintsClean(t *testing.T) {
	decks, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range decks {
		for _, w := range Lint(d) {
			t.Errorf("deck %s line %d: %s", d.ID, w.Line, w.Msg)
		}
	}
}

func TestLintNotes(t *testing.T) {
	src := `# Kubernetes
### ConfigMap
- Pods consume a ConfigMap as environment variables or files.
- A ConfigMap holds configuration data as key-value pairs.
### Secret
- Pods consume a Secret as environment variables or files.
- A Secret holds a small amount of sensitive data such as a password.
- Secret.
- A Secret is not encrypted by default, only base64-encoded.
- It does not hold large data.
### When to use a Job
- A Job runs pods until a number of them complete.
`
	n, err := ParseNotes("k8s.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Warning{
		{3, `fact not asked: it also fits "Secret" (line 6 says the same of it)`},
		{6, `fact not asked: it also fits "ConfigMap" (line 3 says the same of it)`},
		{8, "fact not asked: fewer than 4 words"},
		{9, "fact not asked: it only says what the concept is not"},
		{10, "fact not asked: it only says what the concept is not"},
		{11, `section "When to use a Job" reads as a topic`},
	}
	got := LintNotes(n)
	if len(got) != len(want) {
		t.Fatalf("LintNotes = %+v, want %d warnings", got, len(want))
	}
	for i, w := range want {
		if got[i].Line != w.Line || !strings.Contains(got[i].Msg, w.Msg) {
			t.Errorf("warning %d = %+v, want line %d containing %q", i, got[i], w.Line, w.Msg)
		}
	}
}

func TestLooksLikeNotes(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{"# N\n### A\n- fact\n", true},
		{"# D\n## Q?\n- [x] a\n- [ ] b\n", false},
		{"# D\n## Q?\n### A\n- fact\n", false},
		{"# Only a title\n", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := LooksLikeNotes([]byte(tt.src)); got != tt.want {
			t.Errorf("LooksLikeNotes(%q) = %v, want %v", tt.src, got, tt.want)
		}
	}
}
