package plain

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/quizroom/quizroom/client/state"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// MaxTextAnswer is the longest typed answer the server takes, in
// characters.
const MaxTextAnswer = 60

// ParseAnswer reads a typed line as an answer to q. For a typed-answer
// question the line is the text. Otherwise it names options by number
// from 1 or by letter from A, separated by commas or spaces ("2", "b",
// "1,3"); a true/false question also takes "true", "false", "t" and "f".
// Single choice, true/false and polls take exactly one option.
func ParseAnswer(line string, q *quizv1.QuestionOpened) (*quizv1.Answer, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return nil, fmt.Errorf("empty answer")
	}
	if q.GetKind() == quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER {
		if n := utf8.RuneCountInString(line); n > MaxTextAnswer {
			return nil, fmt.Errorf("answer too long: %d characters, at most %d", n, MaxTextAnswer)
		}
		return &quizv1.Answer{Text: line}, nil
	}
	n := len(q.GetOptions())
	var choices []int32
	for _, tok := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		c, err := choice(tok, n, q.GetKind())
		if err != nil {
			return nil, err
		}
		if !slices.Contains(choices, c) {
			choices = append(choices, c)
		}
	}
	if q.GetKind() != quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT && len(choices) != 1 {
		return nil, fmt.Errorf("pick exactly one option: this is a %s question", state.KindName(q.GetKind()))
	}
	return &quizv1.Answer{Choices: choices}, nil
}

// choice reads one option token: a number from 1, a letter from A, or a
// true/false word.
func choice(tok string, n int, kind quizv1.QuestionKind) (int32, error) {
	if kind == quizv1.QuestionKind_QUESTION_KIND_TRUE_FALSE {
		switch strings.ToLower(tok) {
		case "true", "t":
			return 0, nil
		case "false", "f":
			return 1, nil
		}
	}
	if len(tok) == 1 {
		b := tok[0]
		switch {
		case b >= '1' && b <= '9' && int(b-'1') < n:
			return int32(b - '1'), nil
		case b >= 'a' && b <= 'z' && int(b-'a') < n:
			return int32(b - 'a'), nil
		case b >= 'A' && b <= 'Z' && int(b-'A') < n:
			return int32(b - 'A'), nil
		}
	}
	return 0, fmt.Errorf("no option %q: use 1 to %d or A to %c", tok, n, 'A'+rune(n)-1)
}
