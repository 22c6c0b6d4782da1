package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

var (
	titleStyle   = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("212"))
	dimStyle     = lipgloss.NewStyle().Foreground(lipgloss.Color("245"))
	boldStyle    = lipgloss.NewStyle().Bold(true)
	goodStyle    = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("42"))
	badStyle     = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("203"))
	warnStyle    = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("214"))
	cursorStyle  = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("51"))
	codeStyle    = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("226"))
	questionWrap = lipgloss.NewStyle().Bold(true)
)

// View draws the screen.
func (m *Model) View() string {
	var b strings.Builder
	now := m.cfg.Now()
	r := m.room
	b.WriteString(m.header())
	b.WriteString("\n")
	if m.reconnecting != nil {
		b.WriteString(warnStyle.Render(fmt.Sprintf("connection lost, reconnecting (attempt %d): %v", m.reconnecting.Attempt, m.reconnecting.Err)))
		b.WriteString("\n")
	}
	b.WriteString("\n")
	phase := r.Phase
	if phase == quizv1.Phase_PHASE_PAUSED {
		b.WriteString(warnStyle.Render(fmt.Sprintf("PAUSED by the host · %s left", r.PausedRemaining.Round(time.Second))))
		b.WriteString("\n\n")
		phase = r.PausedPhase
	}
	switch phase {
	case quizv1.Phase_PHASE_UNSPECIFIED:
		b.WriteString(dimStyle.Render("connecting to room " + m.cfg.Code + "…"))
	case quizv1.Phase_PHASE_LOBBY:
		b.WriteString(m.lobby())
	case quizv1.Phase_PHASE_QUESTION:
		b.WriteString(m.questionView(now))
	case quizv1.Phase_PHASE_REVEAL:
		b.WriteString(m.reveal())
	case quizv1.Phase_PHASE_LEADERBOARD:
		b.WriteString(m.leaderboard())
	case quizv1.Phase_PHASE_FINISHED:
		b.WriteString(m.finished())
	case quizv1.Phase_PHASE_CLOSED:
		b.WriteString(boldStyle.Render("The room is closed: " + r.ClosedReason))
	}
	b.WriteString("\n\n")
	if m.note != "" {
		b.WriteString(boldStyle.Render(m.note))
		b.WriteString("\n")
	}
	if m.ended && r.Phase != quizv1.Phase_PHASE_CLOSED {
		b.WriteString(dimStyle.Render("the server ended the stream"))
		b.WriteString("\n")
	}
	b.WriteString(dimStyle.Render(m.help()))
	return b.String()
}

func (m *Model) header() string {
	r := m.room
	parts := []string{titleStyle.Render("Quizroom"), "room " + boldStyle.Render(m.cfg.Code)}
	if t := r.Info.GetDeckTitle(); t != "" {
		parts = append(parts, t)
	}
	switch m.cfg.Mode {
	case Play:
		if r.You != nil {
			parts = append(parts, "you: "+boldStyle.Render(r.You.GetName()))
		}
	case Host:
		parts = append(parts, "host")
	case Watch:
		parts = append(parts, "spectator")
	}
	parts = append(parts, fmt.Sprintf("%d players", r.PlayerCount))
	return strings.Join(parts, dimStyle.Render(" · "))
}

func (m *Model) help() string {
	switch m.cfg.Mode {
	case Play:
		if m.room.Phase == quizv1.Phase_PHASE_QUESTION {
			switch m.room.Question.GetKind() {
			case quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER:
				return "type your answer · enter submit · ctrl+c quit"
			case quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT:
				return "1-6/A-F or space toggle · ↑↓ move · enter submit · q quit"
			}
			return "1-6/A-F answer · ↑↓ move, enter answer · q quit"
		}
		return "q quit"
	case Host:
		if m.kicking {
			return "↑↓ pick the player · enter kick · esc cancel"
		}
		return "s start · n next · c close question · p pause/resume · l lock/unlock · k kick · e end · q quit"
	}
	return "q quit"
}

func (m *Model) lobby() string {
	r := m.room
	var b strings.Builder
	if m.cfg.Mode == Play {
		b.WriteString(boldStyle.Render("You're in! Waiting for the host to start…"))
		b.WriteString("\n\n")
	} else {
		b.WriteString("Join with the code\n\n")
		b.WriteString(codeStyle.Render(BigText(m.cfg.Code)))
		b.WriteString("\n\n")
		b.WriteString(dimStyle.Render("quiz join " + m.cfg.Code + " --name NAME"))
		b.WriteString("\n\n")
	}
	if r.Locked {
		b.WriteString(warnStyle.Render("the lobby is locked: no new players"))
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%d players", r.PlayerCount)
	if len(r.Players) > 0 {
		b.WriteString(": ")
		b.WriteString(m.roster())
	}
	return b.String()
}

// roster lists the players known, the most recent last; in the kick picker
// one per line with the cursor.
func (m *Model) roster() string {
	ps := m.room.Players
	if m.kicking {
		var b strings.Builder
		b.WriteString("\n")
		for i, p := range ps {
			if i == m.kickCursor {
				b.WriteString(cursorStyle.Render("▸ " + p.GetName()))
			} else {
				b.WriteString("  " + p.GetName())
			}
			b.WriteString("\n")
		}
		return b.String()
	}
	const shown = 60
	names := make([]string, 0, min(len(ps), shown))
	for _, p := range ps[max(len(ps)-shown, 0):] {
		names = append(names, p.GetName())
	}
	s := strings.Join(names, ", ")
	if len(ps) > shown {
		s = fmt.Sprintf("… %d more, ", len(ps)-shown) + s
	}
	return s
}

func (m *Model) questionTitle(q *quizv1.QuestionOpened) string {
	s := fmt.Sprintf("Question %d/%d · %s · %d points", q.GetIndex()+1, q.GetCount(), kindLabel(q.GetKind()), q.GetPoints())
	return dimStyle.Render(s) + "\n" + questionWrap.Width(min(m.width, 100)).Render(q.GetText())
}

func kindLabel(k quizv1.QuestionKind) string {
	switch k {
	case quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT:
		return "select all that apply"
	case quizv1.QuestionKind_QUESTION_KIND_TRUE_FALSE:
		return "true or false"
	case quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER:
		return "type the answer"
	case quizv1.QuestionKind_QUESTION_KIND_POLL:
		return "poll"
	}
	return "one answer"
}

func (m *Model) questionView(now time.Time) string {
	r := m.room
	q := r.Question
	if q == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(m.questionTitle(q))
	b.WriteString("\n\n")
	if wait := r.OpensIn(now); wait > 0 && r.Phase == quizv1.Phase_PHASE_QUESTION {
		b.WriteString(warnStyle.Render(fmt.Sprintf("read the question… options open in %s", wait.Round(100*time.Millisecond))))
		return b.String()
	}
	left := r.Remaining(now)
	m.bar.Width = max(min(m.width-12, 60), 10)
	b.WriteString(m.bar.ViewAs(r.Fraction(now)))
	fmt.Fprintf(&b, " %5.1fs\n\n", left.Seconds())
	if m.typed() {
		if m.cfg.Mode == Play {
			if m.answer == notAnswered && r.Open(now) {
				b.WriteString(m.input.View())
			} else {
				b.WriteString(dimStyle.Render("your answer: " + m.input.Value()))
			}
		}
	} else {
		for i, opt := range q.GetOptions() {
			b.WriteString(m.option(i, opt))
			b.WriteString("\n")
		}
	}
	if m.cfg.Mode != Play || m.answer != notAnswered || !r.Open(now) {
		b.WriteString("\n")
		if p := r.Progress; p != nil {
			b.WriteString(fmt.Sprintf("answered %s %d/%d", bar(frac(p.GetAnswered(), p.GetPlayers()), 30), p.GetAnswered(), p.GetPlayers()))
		}
	}
	if m.cfg.Mode == Play && m.answer == accepted {
		b.WriteString("\n" + goodStyle.Render("✓ answer locked in — wait for the reveal"))
	}
	return b.String()
}

// option draws option i as the player sees it: its key, the cursor and, for
// multiple select, whether it is toggled on.
func (m *Model) option(i int, text string) string {
	label := fmt.Sprintf("%c) %s", 'A'+i, text)
	if m.cfg.Mode != Play {
		return "  " + label
	}
	mark := "  "
	if m.room.Question.GetKind() == quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT {
		mark = "[ ] "
		if m.selected[i] {
			mark = "[x] "
		}
	}
	switch {
	case i == m.cursor && m.answer == notAnswered:
		return cursorStyle.Render("▸ " + mark + label)
	case slices.Contains(m.chosen, int32(i)):
		return boldStyle.Render("● " + mark + label + "  ← your answer")
	}
	return "  " + mark + label
}

func (m *Model) reveal() string {
	r := m.room
	q, rv := r.Question, r.Reveal
	var b strings.Builder
	b.WriteString(m.questionTitle(q))
	b.WriteString("\n\n")
	if q.GetKind() == quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER {
		b.WriteString("accepted: " + goodStyle.Render(strings.Join(rv.GetAcceptedAnswers(), " · ")))
		b.WriteString("\n")
	} else {
		counts := rv.GetOptionCounts()
		for i, opt := range q.GetOptions() {
			n := int32(0)
			if i < len(counts) {
				n = counts[i]
			}
			label := fmt.Sprintf("%c) %s", 'A'+i, opt)
			if slices.Contains(m.chosen, int32(i)) {
				label += "  ← your answer"
			}
			if slices.Contains(rv.GetCorrectChoices(), int32(i)) {
				label = goodStyle.Render("✓ " + label)
			} else {
				label = "  " + label
			}
			fmt.Fprintf(&b, "%s\n    %s %d\n", label, bar(frac(n, rv.GetAnswered()), 30), n)
		}
	}
	fmt.Fprintf(&b, "\n%d of %d answered, %d right\n", rv.GetAnswered(), rv.GetPlayers(), rv.GetCorrectCount())
	if e := rv.GetExplanation(); e != "" {
		b.WriteString(dimStyle.Width(min(m.width, 100)).Render(e))
		b.WriteString("\n")
	}
	if sec := rv.GetSection(); sec != "" {
		b.WriteString(dimStyle.Render("from the notes: " + sec))
		b.WriteString("\n")
	}
	if you := m.room.Personal; you.GetResult() != nil {
		b.WriteString("\n")
		b.WriteString(result(you, q.GetKind()))
	}
	return b.String()
}

// result is a player's own result line.
func result(p *quizv1.Personal, kind quizv1.QuestionKind) string {
	y, st := p.GetResult(), p.GetStanding()
	var head string
	switch {
	case !y.GetAnswered():
		head = badStyle.Render("✗ no answer in time")
	case kind == quizv1.QuestionKind_QUESTION_KIND_POLL:
		head = goodStyle.Render("✓ thanks for voting")
	case y.GetCorrect():
		head = goodStyle.Render(fmt.Sprintf("✓ correct! +%d points", y.GetPoints()))
	case y.GetPoints() > 0:
		head = warnStyle.Render(fmt.Sprintf("½ partly right: +%d points", y.GetPoints()))
	default:
		head = badStyle.Render(fmt.Sprintf("✗ wrong · %d points", y.GetPoints()))
	}
	s := fmt.Sprintf("%s\nstreak %d · score %d · rank %d", head, y.GetStreak(), st.GetScore(), st.GetRank())
	if st.GetRank() > 1 {
		s += fmt.Sprintf(" · %d points behind the next player", p.GetGapToNext())
	}
	return s
}

func (m *Model) leaderboard() string {
	lb := m.room.Leaderboard
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", titleStyle.Render(fmt.Sprintf("Leaderboard after question %d", lb.GetAfterQuestion()+1)))
	b.WriteString(standings(lb.GetTop(), m.room.Personal.GetStanding()))
	return b.String()
}

func (m *Model) finished() string {
	f := m.room.Finished
	var b strings.Builder
	b.WriteString(titleStyle.Render("Game over!"))
	fmt.Fprintf(&b, " %s\n\n", dimStyle.Render(fmt.Sprintf("%d questions · %d players", f.GetQuestionsPlayed(), f.GetPlayerCount())))
	medals := []string{"🥇", "🥈", "🥉"}
	for i, s := range f.GetPodium() {
		fmt.Fprintf(&b, "%s %s  %d points\n", medals[min(i, 2)], boldStyle.Render(s.GetPlayer().GetName()), s.GetScore())
	}
	var rest []*quizv1.Standing
	for _, s := range f.GetStandings() {
		if int(s.GetRank()) > len(f.GetPodium()) {
			rest = append(rest, s)
		}
	}
	if len(rest) > 0 {
		b.WriteString("\n")
		b.WriteString(standings(rest, nil))
	}
	if y := m.room.Personal.GetStanding(); y != nil {
		fmt.Fprintf(&b, "\nYou finished %s with %d points (%d correct).", ordinal(y.GetRank()), y.GetScore(), y.GetCorrectCount())
	}
	if m.reportLine != "" {
		b.WriteString("\n" + boldStyle.Render(m.reportLine))
	}
	return b.String()
}

// standings is a table of standings and, when not among them, the
// player's own.
func standings(top []*quizv1.Standing, you *quizv1.Standing) string {
	var b strings.Builder
	listed := false
	for _, s := range top {
		line := fmt.Sprintf("%3d. %-24s %6d  %d correct", s.GetRank(), s.GetPlayer().GetName(), s.GetScore(), s.GetCorrectCount())
		if you != nil && s.GetPlayer().GetPlayerId() == you.GetPlayer().GetPlayerId() {
			line, listed = cursorStyle.Render(line), true
		}
		b.WriteString(line + "\n")
	}
	if you != nil && !listed {
		fmt.Fprintf(&b, " …\n%s\n", cursorStyle.Render(fmt.Sprintf("%3d. %-24s %6d  %d correct", you.GetRank(), you.GetPlayer().GetName(), you.GetScore(), you.GetCorrectCount())))
	}
	return b.String()
}

func ordinal(n int32) string {
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
	return fmt.Sprintf("%d%s", n, suffix)
}

func frac(n, of int32) float64 {
	if of <= 0 {
		return 0
	}
	return min(float64(n)/float64(of), 1)
}

// bar draws a horizontal bar of width cells, f of them full.
func bar(f float64, width int) string {
	full := int(f*float64(width) + 0.5)
	return strings.Repeat("█", full) + dimStyle.Render(strings.Repeat("░", width-full))
}
