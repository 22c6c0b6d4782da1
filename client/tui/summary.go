package tui

import (
	"fmt"
	"strings"

	"github.com/quizroom/quizroom/client/state"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// Summary is what the UI leaves on the terminal when it ends: a line on
// how the game went; for the host, a line saying where the report is; for
// a player of a finished game, the questions they missed with what to
// study. Empty until it ends.
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
	at := r.Where()
	switch m.cfg.Mode {
	case Play:
		s := fmt.Sprintf("You left room %s %s", code, at)
		if st := r.Personal.GetStanding(); st != nil {
			s += fmt.Sprintf(", ranked %s with %s", state.Ordinal(st.GetRank()), plural(int(st.GetScore()), "point"))
		}
		if m.cfg.ComeBack != "" {
			s += "; run `" + m.cfg.ComeBack + "` to come back with your score"
		}
		return s + "."
	case Host:
		if !m.leftRunning || m.cfg.ComeBack == "" {
			if r.Phase == quizv1.Phase_PHASE_LOBBY {
				return fmt.Sprintf("You left room %s in the lobby.", code)
			}
			return fmt.Sprintf("You left room %s %s; the game goes on without its host.", code, at)
		}
		if r.Phase == quizv1.Phase_PHASE_LOBBY {
			return fmt.Sprintf("You left room %s open in the lobby; run `%s` to take it back; nothing starts without you.", code, m.cfg.ComeBack)
		}
		return fmt.Sprintf("You left room %s %s; run `%s` to take it back; %s.", code, at, m.cfg.ComeBack, state.GoesOn(r.Info))
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
		s += fmt.Sprintf("; you finished %s with %s", state.Ordinal(y.GetRank()), plural(int(y.GetScore()), "point"))
	}
	switch {
	case m.reportErr != nil:
		s += "\nthe report was not written: " + m.reportErr.Error()
	case m.reportPath != "":
		s += "\nreport: " + m.reportPath
	}
	return s + studyList(m.room.Personal.GetMissed(), m.width)
}

// studyList is the questions a player missed, each with its answer, theirs,
// why, and the notes it comes from, wrapped to width: kept on the terminal
// after the game.
func studyList(missed []*quizv1.MissedQuestion, width int) string {
	if len(missed) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n\nTo study next (%s you missed):", plural(len(missed), "question"))
	for _, q := range missed {
		b.WriteString("\n\n" + hang(fmt.Sprintf("%d. ", q.GetIndex()+1), q.GetText(), width))
		b.WriteString("\n" + hang("   answer: ", fmt.Sprintf("%s (yours: %s)", state.RightAnswer(q), state.GivenAnswer(q)), width))
		if e := q.GetExplanation(); e != "" {
			b.WriteString("\n" + hang("   why: ", strings.ReplaceAll(e, "\n", " "), width))
		}
		if sec := q.GetSection(); sec != "" {
			b.WriteString("\n" + hang("   notes, ", sec+":", width))
		}
		for line := range strings.SplitSeq(strings.TrimSpace(q.GetPassage()), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				b.WriteString("\n" + hang("     - ", strings.TrimPrefix(line, "- "), width))
			}
		}
	}
	return b.String()
}
