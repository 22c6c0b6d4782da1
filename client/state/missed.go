package state

import (
	"strings"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// RightAnswer is a missed question's answer in words: its correct options,
// or its accepted typed answers, joined by " / ".
func RightAnswer(m *quizv1.MissedQuestion) string {
	if m.GetKind() == quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER {
		return strings.Join(m.GetAcceptedAnswers(), " / ")
	}
	return strings.Join(chosen(m.GetOptions(), m.GetCorrectChoices()), " / ")
}

// GivenAnswer is what the player answered to a missed question, in words:
// the options they chose or the text they typed; "no answer" when none.
func GivenAnswer(m *quizv1.MissedQuestion) string {
	a := m.GetYourAnswer()
	switch {
	case a == nil:
		return "no answer"
	case a.GetText() != "":
		return a.GetText()
	}
	return strings.Join(chosen(m.GetOptions(), a.GetChoices()), " / ")
}

// chosen is the options at the given indexes, skipping any out of range.
func chosen(options []string, indexes []int32) []string {
	var out []string
	for _, i := range indexes {
		if i >= 0 && int(i) < len(options) {
			out = append(out, options[i])
		}
	}
	return out
}
