package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/quizroom/quizroom/client/state"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// View draws the screen: the header, the phase's blocks fitted to the
// terminal, and the footer (confirmations, notes, the keys that work now).
// No line is wider than the terminal.
func (m *Model) View() string {
	w := m.width
	top := []string{m.header()}
	if u := m.reconnecting; u != nil {
		top = append(top, wrap(warnStyle.Render(fmt.Sprintf("connection lost, reconnecting (attempt %d): %v", u.Attempt, u.Err)), w))
	}
	if n := m.room.HostNotice(m.cfg.Now()); n != "" && m.cfg.Mode != Host {
		top = append(top, wrap(warnStyle.Render(n), w))
	}
	foot := m.footer()
	head, tail := strings.Join(top, "\n"), strings.Join(foot, "\n")
	room := m.height - lineCount(head) - lineCount(tail) - 2
	body := fit(m.body(m.cfg.Now()), max(room, 3))
	return head + "\n\n" + body + "\n\n" + tail
}

// header is one line: the room, whose screen it is, how many play.
func (m *Model) header() string {
	r := m.room
	sep := dimStyle.Render(" · ")
	left := []string{titleStyle.Render("Quizroom"), "room " + boldStyle.Render(m.cfg.Code)}
	var right []string
	switch m.cfg.Mode {
	case Play:
		if r.You != nil {
			right = append(right, "you: "+boldStyle.Render(r.You.GetName()))
		}
	case Host:
		right = append(right, "host")
	case Watch:
		right = append(right, "spectator")
	}
	right = append(right, plural(r.PlayerCount, "player"))
	line := strings.Join(append(left, right...), sep)
	if t := r.Info.GetDeckTitle(); t != "" {
		room := m.width - ansi.StringWidth(line) - ansi.StringWidth(sep)
		if room >= 10 {
			line = strings.Join(append(append(left, clip(t, room)), right...), sep)
		}
	}
	return clip(line, m.width)
}

// footer is the confirmation asked, the last note, and the help line.
func (m *Model) footer() []string {
	w := m.width
	var out []string
	if c := m.confirm; c != nil {
		keys := "y yes · n no"
		if c.leave {
			keys = "y end it · n leave it running · esc stay"
			if m.room.Phase == quizv1.Phase_PHASE_LOBBY {
				keys = "y close it · n leave it open · esc stay"
			}
		}
		out = append(out, wrap(warnStyle.Render(c.prompt), w), wrap(boldStyle.Render(keys), w))
		return out
	}
	if m.note != "" {
		out = append(out, wrap(boldStyle.Render(m.note), w))
	}
	if m.ended && m.room.Phase != quizv1.Phase_PHASE_CLOSED {
		out = append(out, wrap(dimStyle.Render("the server ended the stream"), w))
	}
	return append(out, wrap(dimStyle.Render(m.help()), w))
}

// help lists the keys that do something now.
func (m *Model) help() string {
	r := m.room
	phase := r.Phase
	switch m.cfg.Mode {
	case Play:
		if phase != quizv1.Phase_PHASE_QUESTION {
			return "q quit"
		}
		q := r.Question
		now := m.cfg.Now()
		switch {
		case r.OpensIn(now) > 0:
			return "get ready · q quit"
		case m.answer != notAnswered || !r.Open(now):
			return "q quit"
		}
		n := len(q.GetOptions())
		keys := fmt.Sprintf("1-%d/A-%c", n, 'A'+n-1)
		switch q.GetKind() {
		case quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER:
			return "type your answer · enter submit · ctrl+c quit"
		case quizv1.QuestionKind_QUESTION_KIND_TRUE_FALSE:
			return "t or 1 true · f or 2 false · ↑↓ move, enter answer · q quit"
		case quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT:
			return keys + " or space toggle · ↑↓ move · enter submit · q quit"
		}
		return keys + " answer · ↑↓ move, enter answer · q quit"
	case Host:
		if m.kicking {
			return "↑↓ pick the player · enter kick · esc cancel"
		}
		var keys []string
		switch phase {
		case quizv1.Phase_PHASE_PAUSED:
			return "p resume · k kick · e end · q quit"
		case quizv1.Phase_PHASE_QUESTION, quizv1.Phase_PHASE_REVEAL, quizv1.Phase_PHASE_LEADERBOARD:
			keys = append(keys, "p pause")
		}
		switch phase {
		case quizv1.Phase_PHASE_LOBBY:
			lock := "l lock"
			if r.Locked {
				lock = "l unlock"
			}
			keys = append([]string{"s start", lock, "k kick", "e close the room"}, keys...)
		case quizv1.Phase_PHASE_QUESTION:
			keys = append([]string{"c close the question"}, keys...)
			keys = append(keys, "k kick", "e end")
		case quizv1.Phase_PHASE_REVEAL, quizv1.Phase_PHASE_LEADERBOARD:
			keys = append([]string{"n → " + m.nextStep()}, keys...)
			keys = append(keys, "k kick", "e end")
		}
		return strings.Join(append(keys, "q quit"), " · ")
	}
	return "q quit"
}

// nextStep is where the host's n leads from a reveal or a leaderboard.
func (m *Model) nextStep() string {
	r := m.room
	q, n := r.Question.GetIndex(), r.Question.GetCount()
	if r.Phase == quizv1.Phase_PHASE_LEADERBOARD {
		return fmt.Sprintf("question %d", q+2)
	}
	if q >= n-1 {
		return "final results"
	}
	every := r.Info.GetSettings().GetLeaderboardEvery()
	if every == 0 {
		every = 1
	}
	if every > 0 && (q+1)%every == 0 {
		return "leaderboard"
	}
	return fmt.Sprintf("question %d", q+2)
}

// body is the phase's blocks.
func (m *Model) body(now time.Time) []block {
	r := m.room
	var out []block
	phase := r.Phase
	if phase == quizv1.Phase_PHASE_PAUSED {
		out = append(out, block{text: warnStyle.Render(fmt.Sprintf("PAUSED by the host · %s left", r.PausedRemaining.Round(time.Second))), prio: essential})
		phase = r.PausedPhase
	}
	switch phase {
	case quizv1.Phase_PHASE_UNSPECIFIED:
		out = append(out, block{text: dimStyle.Render("connecting to room " + m.cfg.Code + "…"), prio: essential})
	case quizv1.Phase_PHASE_LOBBY:
		out = append(out, m.lobby()...)
	case quizv1.Phase_PHASE_QUESTION:
		out = append(out, m.questionView(now)...)
	case quizv1.Phase_PHASE_REVEAL:
		out = append(out, m.reveal()...)
	case quizv1.Phase_PHASE_LEADERBOARD:
		out = append(out, m.leaderboard()...)
	case quizv1.Phase_PHASE_FINISHED:
		out = append(out, m.finished()...)
	case quizv1.Phase_PHASE_CLOSED:
		out = append(out, block{text: wrap(boldStyle.Render("The room is closed: "+r.ClosedReason), m.width), prio: essential})
	}
	if m.kicking {
		out = append(out, block{text: m.kickPicker(), prio: essential})
	}
	return out
}

func (m *Model) lobby() []block {
	r := m.room
	w := m.width
	var out []block
	if m.cfg.Mode == Play {
		out = append(out, block{text: wrap(boldStyle.Render(fmt.Sprintf("You're in, %s! Waiting for the host to start…", r.You.GetName())), w), prio: essential})
	} else {
		code := codeStyle.Render(BigText(m.cfg.Code))
		if w < lipgloss.Width(BigText(m.cfg.Code)) {
			code = codeStyle.Render(m.cfg.Code)
		}
		invite := m.cfg.Invite
		if invite == "" {
			invite = "quiz join " + m.cfg.Code + " --name NAME"
		}
		out = append(out,
			block{text: "Join with the code\n\n" + code, prio: essential},
			block{text: wrap(boldStyle.Render(invite), w), prio: essential},
		)
		if m.cfg.InviteHint != "" {
			out = append(out, block{text: wrap(warnStyle.Render(m.cfg.InviteHint), w), prio: useful})
		}
	}
	if r.Locked {
		out = append(out, block{text: wrap(warnStyle.Render("the lobby is locked: nobody else can join"), w), prio: essential})
	}
	return append(out, block{text: m.roster(), prio: essential})
}

// rosterLimit is how many players the lobby lists by name; beyond it, it
// lists the newest.
const rosterLimit = 50

// roster is the lobby's players, sorted by name: all of them when they
// are few and fit in a few lines, else the count and the newest; in the
// kick picker, a window of them with the cursor.
func (m *Model) roster() string {
	r := m.room
	w := m.width
	if m.kicking {
		return "" // the picker replaces it
	}
	if r.PlayerCount == 0 {
		if m.cfg.Mode == Play {
			return ""
		}
		return dimStyle.Render("no players yet")
	}
	count := plural(r.PlayerCount, "player")
	all := names(r.Players)
	if r.PlayerCount < rosterLimit && len(all) == r.PlayerCount {
		slices.SortFunc(all, byName)
		if s := hang(count+": ", strings.Join(all, ", "), w); lineCount(s) <= 5 {
			return s
		}
	}
	// The newest that fit in three lines, sorted.
	for n := min(len(all), 60); n > 0; n-- {
		newest := slices.Clone(all[len(all)-n:])
		slices.SortFunc(newest, byName)
		if s := hang(count+" · newest: ", strings.Join(newest, ", "), w); lineCount(s) <= 3 {
			return s
		}
	}
	return count
}

// kickPicker is the roster one per line, a window around the cursor.
func (m *Model) kickPicker() string {
	roster := m.sortedPlayers()
	const window = 8
	from := min(max(m.kickCursor-window/2, 0), max(len(roster)-window, 0))
	to := min(from+window, len(roster))
	var b strings.Builder
	b.WriteString(boldStyle.Render("Kick which player?"))
	if from > 0 {
		fmt.Fprintf(&b, "\n  %s", dimStyle.Render(fmt.Sprintf("↑ %d more", from)))
	}
	for i := from; i < to; i++ {
		name := clip(roster[i].GetName(), m.width-2)
		if i == m.kickCursor {
			b.WriteString("\n" + cursorStyle.Render("▸ "+name))
		} else {
			b.WriteString("\n  " + name)
		}
	}
	if to < len(roster) {
		fmt.Fprintf(&b, "\n  %s", dimStyle.Render(fmt.Sprintf("↓ %d more", len(roster)-to)))
	}
	return b.String()
}

// sortedPlayers is the known roster sorted by name, as the kick picker
// lists it.
func (m *Model) sortedPlayers() []*quizv1.Player {
	ps := slices.Clone(m.room.Players)
	slices.SortStableFunc(ps, func(a, b *quizv1.Player) int { return byName(a.GetName(), b.GetName()) })
	return ps
}

func names(ps []*quizv1.Player) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.GetName()
	}
	return out
}

// byName orders names ignoring case.
func byName(a, b string) int {
	return cmp.Or(cmp.Compare(strings.ToLower(a), strings.ToLower(b)), cmp.Compare(a, b))
}

// questionTitle is the question's position, kind in words and points, and
// its text.
func (m *Model) questionTitle(q *quizv1.QuestionOpened) block {
	points := plural(int(q.GetPoints()), "point")
	if q.GetPoints() == 0 {
		points = "no points"
	}
	head := fmt.Sprintf("Question %d of %d · %s · %s", q.GetIndex()+1, q.GetCount(), kindLabel(q.GetKind()), points)
	return block{text: wrap(dimStyle.Render(head), m.width) + "\n" + wrap(boldStyle.Render(q.GetText()), min(m.width, 100)), prio: essential}
}

// kindLabel is a question kind in plain words.
func kindLabel(k quizv1.QuestionKind) string {
	switch k {
	case quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT:
		return "pick all that apply"
	case quizv1.QuestionKind_QUESTION_KIND_TRUE_FALSE:
		return "true or false"
	case quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER:
		return "type the answer"
	case quizv1.QuestionKind_QUESTION_KIND_POLL:
		return "poll, no right answer"
	}
	return "pick one answer"
}

func (m *Model) questionView(now time.Time) []block {
	r := m.room
	q := r.Question
	if q == nil {
		return nil
	}
	w := m.width
	out := []block{m.questionTitle(q)}
	if wait := r.OpensIn(now); wait > 0 && r.Phase == quizv1.Phase_PHASE_QUESTION {
		ready := fmt.Sprintf("Get ready… the options open in %.1fs", wait.Seconds())
		return append(out, block{text: warnStyle.Render(ready), prio: essential})
	}
	out = append(out, block{text: m.countdown(now), prio: essential})
	var opts []string
	if m.typed() {
		switch {
		case m.cfg.Mode != Play:
			opts = append(opts, dimStyle.Render("players type their answer"))
		case m.answer == notAnswered && r.Open(now):
			opts = append(opts, m.input.View())
		default:
			opts = append(opts, hang("your answer: ", m.input.Value(), w))
		}
	} else {
		for i, opt := range q.GetOptions() {
			opts = append(opts, m.option(i, opt))
		}
	}
	out = append(out, block{text: strings.Join(opts, "\n"), prio: essential})
	if p := r.Progress; p != nil && (m.cfg.Mode != Play || m.answer != notAnswered || !r.Open(now)) {
		out = append(out, block{text: fmt.Sprintf("%s %d/%d answered", bar(frac(p.GetAnswered(), p.GetPlayers()), 20), p.GetAnswered(), p.GetPlayers()), prio: useful})
	}
	if m.cfg.Mode == Play {
		switch {
		case m.answer == accepted && m.elapsed > 0:
			out = append(out, block{text: wrap(goodStyle.Render(fmt.Sprintf("✓ answer locked in after %s — wait for the reveal", seconds(m.elapsed))), w), prio: essential})
		case m.answer == accepted:
			out = append(out, block{text: wrap(goodStyle.Render("✓ answer locked in — wait for the reveal"), w), prio: essential})
		case m.answer == notAnswered && r.Phase == quizv1.Phase_PHASE_QUESTION && r.Remaining(now) == 0:
			out = append(out, block{text: wrap(badStyle.Render("time's up — no answer this time"), w), prio: essential})
		}
	}
	return out
}

// countdown is the time left as a bar and seconds, green, then yellow,
// then red as it runs out.
func (m *Model) countdown(now time.Time) string {
	r := m.room
	left, f := r.Remaining(now), r.Fraction(now)
	if left <= 0 && r.Phase == quizv1.Phase_PHASE_QUESTION {
		return badStyle.Render("time's up")
	}
	width := max(min(m.width-10, 60), 10)
	full := int(f*float64(width) + 0.5)
	style := countdownStyle(f)
	return style.Render(strings.Repeat("█", full)) + dimStyle.Render(strings.Repeat("░", width-full)) +
		style.Render(fmt.Sprintf(" %5.1fs", left.Seconds()))
}

// option draws option i of the open question: its mark and key, its text
// wrapped; for the player the cursor, the toggles of a multiple select
// and the answer sent.
func (m *Model) option(i int, text string) string {
	w := m.width
	if m.cfg.Mode != Play {
		return hang("  "+optionMark(i)+"  ", text, w)
	}
	box := ""
	if m.room.Question.GetKind() == quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT {
		box = "[ ] "
		if m.selected[i] {
			box = "[x] "
		}
	}
	cursor, style := "  ", lipgloss.NewStyle()
	switch {
	case i == m.cursor && m.answer == notAnswered:
		cursor, style = cursorStyle.Render("▸ "), cursorStyle
	case slices.Contains(m.chosen, int32(i)):
		text += yours
		style = boldStyle
	}
	return hangStyled(cursor+box+optionMark(i)+"  ", text, w, style)
}

// yours marks the option a player chose; its spaces do not break, so that
// the mark wraps whole.
const yours = "  ←\u00a0your\u00a0answer"

// hangStyled is hang with text in style, line by line, so that no style
// spans a line break.
func hangStyled(prefix, text string, width int, style lipgloss.Style) string {
	lines := strings.Split(hang(prefix, text, width), "\n")
	indent := ansi.StringWidth(prefix)
	for i, l := range lines {
		if i == 0 {
			lines[i] = prefix + style.Render(strings.TrimPrefix(l, prefix))
		} else {
			lines[i] = l[:indent] + style.Render(l[indent:])
		}
	}
	return strings.Join(lines, "\n")
}

func (m *Model) reveal() []block {
	r := m.room
	q, rv := r.Question, r.Reveal
	w := m.width
	out := []block{m.questionTitle(q)}
	poll := q.GetKind() == quizv1.QuestionKind_QUESTION_KIND_POLL
	if q.GetKind() == quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER {
		s := hangStyled("accepted: ", strings.Join(rv.GetAcceptedAnswers(), " · "), w, goodStyle)
		if m.cfg.Mode == Play && m.input.Value() != "" {
			s += "\n" + hang("your answer: ", m.input.Value(), w)
		}
		out = append(out, block{text: s, prio: essential})
	} else {
		counts := rv.GetOptionCounts()
		barWidth := 10
		if w >= 110 {
			barWidth = 20
		}
		lines := make([]string, len(q.GetOptions()))
		compact := make([]string, len(q.GetOptions()))
		for i, opt := range q.GetOptions() {
			n := int32(0)
			if i < len(counts) {
				n = counts[i]
			}
			right, mine := slices.Contains(rv.GetCorrectChoices(), int32(i)), slices.Contains(m.chosen, int32(i))
			tick, style := "  ", lipgloss.NewStyle()
			switch {
			case right && !poll:
				tick, style = goodStyle.Render("✓ "), goodStyle
			case mine && !poll:
				tick = badStyle.Render("✗ ")
			}
			if mine {
				opt += yours
			}
			prefix := fmt.Sprintf("%s%s  %s %3d  ", tick, optionMark(i), bar(frac(n, rv.GetAnswered()), barWidth), n)
			lines[i] = hangStyled(prefix, opt, w, style)
			compact[i] = lines[i]
			if !right && !mine { // one line will do: it is neither the answer nor yours
				compact[i] = prefix + clip(opt, w-ansi.StringWidth(prefix))
			}
		}
		out = append(out, block{text: strings.Join(lines, "\n"), prio: essential, compact: strings.Join(compact, "\n")})
	}
	tally := fmt.Sprintf("%d of %d answered, %d right", rv.GetAnswered(), rv.GetPlayers(), rv.GetCorrectCount())
	if poll {
		tally = fmt.Sprintf("%d of %d voted", rv.GetAnswered(), rv.GetPlayers())
	}
	out = append(out, block{text: tally, prio: essential})
	if e := rv.GetExplanation(); e != "" {
		out = append(out, block{text: wrap(dimStyle.Render(e), min(w, 100)), prio: useful})
	}
	if sec := rv.GetSection(); sec != "" {
		out = append(out, block{text: wrap(dimStyle.Render("from the notes: "+sec), w), prio: optional})
	}
	if you := m.room.Personal; you.GetResult() != nil {
		out = append(out, block{text: wrap(result(you, q.GetKind()), w), prio: essential})
	}
	return out
}

// result is a player's own result: right or not, points, streak, place.
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
		if b := y.GetStreakBonus(); b > 0 {
			head += goodStyle.Render(fmt.Sprintf(" (%d of them for your streak)", b))
		}
	case y.GetPoints() > 0:
		head = warnStyle.Render(fmt.Sprintf("½ partly right: +%d points", y.GetPoints()))
	default:
		head = badStyle.Render(fmt.Sprintf("✗ wrong · %d points", y.GetPoints()))
	}
	s := fmt.Sprintf("%s\nstreak %d · score %d · rank %d", head, y.GetStreak(), st.GetScore(), st.GetRank())
	if st.GetRank() > 1 {
		s += fmt.Sprintf(" · %s behind the next player", plural(int(p.GetGapToNext()), "point"))
	}
	return s
}

func (m *Model) leaderboard() []block {
	lb := m.room.Leaderboard
	title := fmt.Sprintf("Leaderboard after question %d of %d", lb.GetAfterQuestion()+1, m.room.Question.GetCount())
	if m.room.Question.GetCount() == 0 {
		title = fmt.Sprintf("Leaderboard after question %d", lb.GetAfterQuestion()+1)
	}
	return []block{
		{text: wrap(titleStyle.Render(title), m.width), prio: essential},
		{text: m.standings(lb.GetTop(), m.room.Personal.GetStanding()), prio: essential},
	}
}

func (m *Model) finished() []block {
	f := m.room.Finished
	w := m.width
	out := []block{{text: wrap(titleStyle.Render("Game over!")+" "+dimStyle.Render(fmt.Sprintf("%s · %s",
		plural(int(f.GetQuestionsPlayed()), "question"), plural(int(f.GetPlayerCount()), "player"))), w), prio: essential}}
	medals := []string{"🥇", "🥈", "🥉"}
	var podium []string
	for i, s := range f.GetPodium() {
		line := fmt.Sprintf("%s %s  %s", medals[min(i, 2)], boldStyle.Render(clip(s.GetPlayer().GetName(), w-20)), plural(int(s.GetScore()), "point"))
		podium = append(podium, line)
	}
	out = append(out, block{text: strings.Join(podium, "\n"), prio: essential})
	var rest []*quizv1.Standing
	for _, s := range f.GetStandings() {
		if int(s.GetRank()) > len(f.GetPodium()) {
			rest = append(rest, s)
		}
	}
	if len(rest) > 0 {
		out = append(out, block{text: m.standings(rest, nil), prio: useful})
	}
	if y := m.room.Personal.GetStanding(); y != nil {
		out = append(out, block{text: wrap(boldStyle.Render(fmt.Sprintf("You finished %s of %d with %s (%d correct).",
			state.Ordinal(y.GetRank()), f.GetPlayerCount(), plural(int(y.GetScore()), "point"), y.GetCorrectCount())), w), prio: essential})
	}
	if missed := m.room.Personal.GetMissed(); len(missed) > 0 {
		out = append(out, m.toStudy(missed))
	}
	switch {
	case m.reportErr != nil:
		out = append(out, block{text: wrap(badStyle.Render("the report was not written: "+m.reportErr.Error()), w), prio: essential})
	case m.reportPath != "":
		out = append(out, block{text: "report written to\n" + wrap(boldStyle.Render(m.reportPath), w), prio: essential})
	case m.writing():
		out = append(out, block{text: dimStyle.Render("writing the report…"), prio: essential})
	}
	return out
}

// toStudy lists the questions the player missed with their answers: what
// to study next. On a short screen it says how many there are; the list,
// with explanations and notes, is left on the terminal at the end.
func (m *Model) toStudy(missed []*quizv1.MissedQuestion) block {
	lines := []string{boldStyle.Render(fmt.Sprintf("To study next: %s you missed", plural(len(missed), "question")))}
	for _, q := range missed {
		lines = append(lines, hang(fmt.Sprintf("%2d. ", q.GetIndex()+1), q.GetText()+" "+goodStyle.Render("→ "+state.RightAnswer(q)), m.width))
	}
	return block{
		text:    strings.Join(lines, "\n"),
		compact: wrap(fmt.Sprintf("To study next: %s you missed, listed with their notes when you quit.", plural(len(missed), "question")), m.width),
		prio:    useful,
	}
}

// standings is a table of standings: rank, places moved since the last
// leaderboard, name, score, correct answers and streak; and, when not
// among them, the player's own line.
func (m *Model) standings(top []*quizv1.Standing, you *quizv1.Standing) string {
	var lines []string
	listed := false
	for _, s := range top {
		mine := you != nil && s.GetPlayer().GetPlayerId() == you.GetPlayer().GetPlayerId()
		listed = listed || mine
		lines = append(lines, m.standing(s, mine))
	}
	if you != nil && !listed {
		lines = append(lines, "  …", m.standing(you, true))
	}
	return strings.Join(lines, "\n")
}

// standing is one line of a standings table, at most the screen's width;
// the player's own ends with "← you".
func (m *Model) standing(s *quizv1.Standing, mine bool) string {
	// rank 4, move 3, score 7, correct 11, streak 10, you 7, gaps.
	nameWidth := min(max(m.width-50, 8), 24)
	line := fmt.Sprintf("%3d. %s %-*s %6d  %-10s  %-9s", s.GetRank(), m.move(s), nameWidth,
		clip(s.GetPlayer().GetName(), nameWidth), s.GetScore(), fmt.Sprintf("%d correct", s.GetCorrectCount()), streak(s.GetStreak()))
	line = strings.TrimRight(line, " ")
	if mine {
		line += "  ←\u00a0you"
	}
	line = clip(line, m.width)
	if mine {
		return cursorStyle.Render(line)
	}
	return line
}

// streak is a streak worth showing: two correct answers in a row or more.
func streak(n int32) string {
	if n < 2 {
		return ""
	}
	return fmt.Sprintf("streak %d", n)
}

// move is how many places a player moved since the last leaderboard,
// three cells wide: ▲2, ▼1, = or blank when not known.
func (m *Model) move(s *quizv1.Standing) string {
	change, known, up := m.room.RankChange(s.GetPlayer().GetPlayerId(), s.GetRank())
	switch {
	case known && change > 0:
		return goodStyle.Render(fmt.Sprintf("▲%-2d", min(change, 99)))
	case known && change < 0:
		return badStyle.Render(fmt.Sprintf("▼%-2d", min(-change, 99)))
	case known:
		return dimStyle.Render("=  ")
	case up:
		return goodStyle.Render("▲  ")
	}
	return "   "
}

// plural is "1 player", "2 players".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// seconds is a duration as "1.2s".
func seconds(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

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
