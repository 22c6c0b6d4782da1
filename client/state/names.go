package state

import (
	"strconv"
	"strings"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// kindNames are the question kinds as the CLI names them: as in a deck.
var kindNames = map[quizv1.QuestionKind]string{
	quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE:   "single",
	quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT: "multiple",
	quizv1.QuestionKind_QUESTION_KIND_TRUE_FALSE:      "truefalse",
	quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER:    "typed",
	quizv1.QuestionKind_QUESTION_KIND_POLL:            "poll",
}

// KindName is a question kind as the CLI names it, as a deck does: single,
// multiple, truefalse, typed or poll.
func KindName(k quizv1.QuestionKind) string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return "unknown"
}

// PhaseName is a phase as the CLI names it: lobby, question, reveal,
// leaderboard, paused, finished or closed.
func PhaseName(p quizv1.Phase) string {
	return strings.ToLower(strings.TrimPrefix(p.String(), "PHASE_"))
}

// Ordinal is a rank for people: "1st", "2nd", "3rd", "11th".
func Ordinal(n int32) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(int(n)) + suffix
}
