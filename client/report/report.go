// Package report exports a room's report (GetReport) for the host's
// records: as CSV, one row per player and question, for spreadsheets; or as
// the report's protojson, which holds everything.
package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/quizroom/quizroom/client/state"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// Header is the CSV's first row. Each further row is one player and one
// question played: the player's final standing, the question, and the
// player's answer (empty, with answered false, when they gave none).
var Header = []string{
	"rank", "player_id", "name", "score", "correct_count", "left", "kicked",
	"question", "question_text", "kind", "answered", "answer", "correct", "points", "streak_bonus", "elapsed_ms",
}

// WriteCSV writes rep as CSV: Header, then a row per player (in final
// ranking order) and question (in game order).
func WriteCSV(w io.Writer, rep *quizv1.Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return err
	}
	for _, p := range rep.GetPlayers() {
		byQuestion := map[int32]*quizv1.ReportAnswer{}
		for _, a := range p.GetAnswers() {
			byQuestion[a.GetQuestionIndex()] = a
		}
		st := p.GetStanding()
		for _, q := range rep.GetQuestions() {
			row := []string{
				itoa(st.GetRank()), st.GetPlayer().GetPlayerId(), Cell(st.GetPlayer().GetName()), itoa(st.GetScore()),
				itoa(st.GetCorrectCount()), strconv.FormatBool(p.GetLeft()), strconv.FormatBool(p.GetKicked()),
				itoa(q.GetIndex() + 1), Cell(q.GetText()), state.KindName(q.GetKind()),
			}
			if a, ok := byQuestion[q.GetIndex()]; ok {
				row = append(row, "true", Cell(AnswerText(q, a)), strconv.FormatBool(a.GetCorrect()), itoa(a.GetPoints()),
					itoa(a.GetStreakBonus()), strconv.FormatInt(a.GetElapsed().AsDuration().Milliseconds(), 10))
			} else {
				row = append(row, "false", "", "false", "0", "0", "")
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// Cell makes text that people typed (names, answers, questions of uploaded
// decks) safe in a spreadsheet: a cell that starts with =, +, -, @, a tab
// or a carriage return is a formula to Excel, LibreOffice and Google
// Sheets (CSV injection), so it gets a leading apostrophe, which they show
// as text and hide. Any client that exports CSV must do the same.
func Cell(text string) string {
	if text != "" && strings.ContainsRune("=+-@\t\r", rune(text[0])) {
		return "'" + text
	}
	return text
}

// WriteJSON writes rep as indented protojson. protojson varies its
// spacing on purpose; encoding/json's indentation makes the file the same
// for the same report.
func WriteJSON(w io.Writer, rep *quizv1.Report) error {
	b, err := protojson.Marshal(rep)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err = w.Write(buf.Bytes())
	return err
}

// AnswerText shows answer a to question q: the typed text, or the chosen
// options' texts joined by " | ".
func AnswerText(q *quizv1.ReportQuestion, a *quizv1.ReportAnswer) string {
	if len(a.GetChoices()) == 0 {
		return a.GetText()
	}
	texts := make([]string, len(a.GetChoices()))
	for i, c := range a.GetChoices() {
		if int(c) < len(q.GetOptions()) {
			texts[i] = q.GetOptions()[c]
		} else {
			texts[i] = fmt.Sprintf("option %d", c+1)
		}
	}
	return strings.Join(texts, " | ")
}

// Summary is a line about rep for the host: players, questions, the
// winner.
func Summary(rep *quizv1.Report) string {
	s := fmt.Sprintf("players=%d questions=%d", len(rep.GetPlayers()), len(rep.GetQuestions()))
	if ps := rep.GetPlayers(); len(ps) > 0 {
		st := ps[0].GetStanding()
		s += fmt.Sprintf(" winner=%s score=%d", strconv.Quote(st.GetPlayer().GetName()), st.GetScore())
	}
	if rep.GetRoom().GetHistoryLost() {
		s += " history_lost=true (the server lost the room's history: answers may be missing)"
	}
	if t := rep.GetGeneratedAt(); t != nil {
		s += " generated=" + t.AsTime().UTC().Format(time.RFC3339)
	}
	return s
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }
