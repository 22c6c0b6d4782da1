package tui

import (
	"fmt"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// Summary is what the UI leaves on the terminal when it ends: a line on
// how the game went and, for the host, a line saying where the report is.
// Empty until it ends.
func (m *Model) Summary() string { return m.summary }

// summarize makes the summary line from what the UI knows now.
func (m *Model) summarize() string {
	r := m.room
	code := m.cfg.Code
	switch {
	case r.Phase == quizv1.Phase_PHASE_UNSPECIFIED:
		return ""
	case r.Phase == quizv1.Phase_PHASE_CLOSED:
		return fmt.Sprintf("room %s is closed: %s", code, r.ClosedReason)
	case r.Finished != nil:
		return m.finishedSummary()
	}
	at := "in the lobby"
	if q := r.Question; q != nil && r.Phase != quizv1.Phase_PHASE_LOBBY {
		at = fmt.Sprintf("after question %d of %d", q.GetIndex()+1, q.GetCount())
		if r.Phase == quizv1.Phase_PHASE_QUESTION {
			at = fmt.Sprintf("at question %d of %d", q.GetIndex()+1, q.GetCount())
		}
	}
	switch m.cfg.Mode {
	case Play:
		s := fmt.Sprintf("you left room %s %s", code, at)
		if st := r.Personal.GetStanding(); st != nil {
			s += fmt.Sprintf(", ranked %s with %s", ordinal(st.GetRank()), plural(int(st.GetScore()), "point"))
		}
		return s
	case Host:
		if r.Phase == quizv1.Phase_PHASE_LOBBY {
			return fmt.Sprintf("you left room %s in the lobby", code)
		}
		return fmt.Sprintf("you left room %s %s; the game goes on without its host", code, at)
	}
	return fmt.Sprintf("stopped watching room %s %s", code, at)
}

// finishedSummary sums up a finished game: the winner, the player's own
// place, the report.
func (m *Model) finishedSummary() string {
	f := m.room.Finished
	s := fmt.Sprintf("room %s: game over after %s, %s", m.cfg.Code, plural(int(f.GetQuestionsPlayed()), "question"),
		plural(int(f.GetPlayerCount()), "player"))
	y := m.room.Personal.GetStanding()
	if p := f.GetPodium(); len(p) > 0 && (y == nil || y.GetRank() != 1) {
		s += fmt.Sprintf("; %s won with %s", p[0].GetPlayer().GetName(), plural(int(p[0].GetScore()), "point"))
	}
	switch {
	case y.GetRank() == 1:
		s += fmt.Sprintf("; you won with %s", plural(int(y.GetScore()), "point"))
	case y != nil:
		s += fmt.Sprintf("; you finished %s with %s", ordinal(y.GetRank()), plural(int(y.GetScore()), "point"))
	}
	switch {
	case m.reportErr != nil:
		s += "\nthe report was not written: " + m.reportErr.Error()
	case m.reportPath != "":
		s += "\nreport: " + m.reportPath
	}
	return s
}
