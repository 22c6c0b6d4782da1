package content

import (
	"strings"
	"testing"
)

func TestLeaks(t *testing.T) {
	opts := func(texts ...string) []Option {
		var out []Option
		for i, text := range texts {
			out = append(out, Option{Text: text, Correct: i == 0}) // the first is correct
		}
		return out
	}
	tests := []struct {
		name string
		q    Question
		leak string // part of the one leak wanted; "" for none
	}{
		{"typed answer in the text",
			Question{Kind: KindTyped, Text: "Which service, X-Ray, traces requests?", Accepted: []string{"AWS X-Ray", "X-Ray"}}, `the accepted answer "X-Ray"`},
		{"typed answer spaced otherwise",
			Question{Kind: KindTyped, Text: "Which x ray service traces requests?", Accepted: []string{"X-Ray"}}, `"X-Ray"`},
		{"typed answer in the plural",
			Question{Kind: KindTyped, Text: "What do pods group?", Accepted: []string{"pod"}}, `"pod"`},
		{"typed answer inside a longer word",
			Question{Kind: KindTyped, Text: "Which Xrayish service traces requests?", Accepted: []string{"X-Ray"}}, ""},
		{"typed answer absent",
			Question{Kind: KindTyped, Text: "Which service traces requests?", Accepted: []string{"X-Ray"}}, ""},
		{"correct option named alone",
			Question{Kind: KindSingle, Text: "Is AWS Lambda serverless?", Options: opts("AWS Lambda", "Amazon EC2")}, `names the correct option "AWS Lambda"`},
		{"correct option named, one wrong one too",
			Question{Kind: KindSingle, Text: "Is AWS Lambda or Amazon EC2 serverless?", Options: opts("AWS Lambda", "Amazon EC2", "AWS Batch")}, `"AWS Lambda"`},
		{"every option named",
			Question{Kind: KindSingle, Text: "Which is serverless, AWS Lambda, Amazon EC2 or AWS Batch?", Options: opts("AWS Lambda", "Amazon EC2", "AWS Batch")}, ""},
		{"only a wrong option named",
			Question{Kind: KindSingle, Text: "Which service, unlike Amazon EC2, is serverless?", Options: opts("AWS Lambda", "Amazon EC2")}, ""},
		{"true or false",
			Question{Kind: KindTrueFalse, Text: "True or false: Lambda is serverless.", Options: []Option{{"True", true}, {"False", false}}}, ""},
		{"true alone",
			Question{Kind: KindTrueFalse, Text: "Is it true that Lambda is serverless?", Options: []Option{{"True", true}, {"False", false}}}, `"True"`},
		{"multiple select naming one correct option",
			Question{Kind: KindMultiple, Text: "Besides Fargate, where can ECS run?", Options: []Option{{"Fargate", true}, {"EC2", true}, {"CodeCommit", false}}}, `"Fargate"`},
		{"a stop word option",
			Question{Kind: KindSingle, Text: "A function is which kind of thing?", Options: opts("A", "B")}, ""},
		{"poll",
			Question{Kind: KindPoll, Text: "Lambda or EC2?", Options: []Option{{"Lambda", false}, {"EC2", false}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Leaks(&tt.q)
			switch {
			case tt.leak == "" && len(got) > 0:
				t.Errorf("Leaks = %q, want none", got)
			case tt.leak != "" && (len(got) != 1 || !strings.Contains(got[0], tt.leak)):
				t.Errorf("Leaks = %q, want one containing %q", got, tt.leak)
			}
		})
	}
}
