// Package plain is the quiz CLI's line mode, for scripts, tests and
// terminals without a screen: one stable line per event (or protojson, one
// event per line), answers and host commands read as lines. README.md in
// client/ documents the format.
package plain

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/quizroom/quizroom/client/state"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// Lines renders event ev, already applied to r, as lines without their
// newline. Every line starts with "seq=N " and a word naming what it
// shows.
func Lines(ev *quizv1.Event, r *state.Room) []string {
	var l lines
	l.prefix = "seq=" + strconv.FormatUint(ev.GetSeq(), 10) + " "
	switch p := ev.GetPayload().(type) {
	case *quizv1.Event_Snapshot:
		s := p.Snapshot
		l.add("snapshot room=%s phase=%s role=%s players=%d questions=%d deck=%s",
			s.GetRoom().GetCode(), state.PhaseName(s.GetPhase()), roleName(s.GetRole()), s.GetRoom().GetPlayerCount(),
			s.GetRoom().GetQuestionCount(), strconv.Quote(s.GetRoom().GetDeckTitle()))
		if h := s.GetHost(); h.GetAway() {
			l.host(h, ev)
		}
		phase := s.GetPhase()
		if phase == quizv1.Phase_PHASE_PAUSED {
			l.add("paused phase=%s remaining=%s", state.PhaseName(s.GetPausedPhase()), dur(s.GetPausedRemaining().AsDuration()))
			phase = s.GetPausedPhase()
		}
		switch phase {
		case quizv1.Phase_PHASE_QUESTION:
			l.question(s.GetQuestion())
			if s.GetAnswered() {
				l.add("answered %d/%d", s.GetQuestion().GetIndex()+1, s.GetQuestion().GetCount())
			}
		case quizv1.Phase_PHASE_REVEAL:
			l.reveal(s.GetReveal(), s.GetQuestion(), r.Personal)
		case quizv1.Phase_PHASE_LEADERBOARD:
			l.leaderboard(s.GetLeaderboard(), r)
		case quizv1.Phase_PHASE_FINISHED:
			l.finished(s.GetFinished(), r.Personal)
		}
	case *quizv1.Event_RosterChanged:
		rc := p.RosterChanged
		l.add("roster players=%d joined=%s left=%s%s", rc.GetPlayerCount(), names(rc.GetJoined()), names(rc.GetLeft()),
			omitted(rc.GetJoinedOmitted(), rc.GetLeftOmitted()))
	case *quizv1.Event_RoomLocked:
		if p.RoomLocked.GetLocked() {
			l.add("locked")
		} else {
			l.add("unlocked")
		}
	case *quizv1.Event_GameStarted:
		l.add("started questions=%d players=%d", p.GameStarted.GetQuestionCount(), p.GameStarted.GetPlayerCount())
	case *quizv1.Event_QuestionOpened:
		l.question(p.QuestionOpened)
	case *quizv1.Event_AnswerProgress:
		ap := p.AnswerProgress
		l.add("progress %s answered=%d/%d", position(ap.GetIndex(), r.Question.GetCount()), ap.GetAnswered(), ap.GetPlayers())
	case *quizv1.Event_QuestionRevealed:
		l.reveal(p.QuestionRevealed, r.Question, r.Personal)
	case *quizv1.Event_Leaderboard:
		l.leaderboard(p.Leaderboard, r)
	case *quizv1.Event_GamePaused:
		l.add("paused phase=%s remaining=%s", state.PhaseName(p.GamePaused.GetPausedPhase()), dur(p.GamePaused.GetRemaining().AsDuration()))
	case *quizv1.Event_GameResumed:
		l.add("resumed phase=%s", state.PhaseName(p.GameResumed.GetPhase()))
	case *quizv1.Event_GameFinished:
		l.finished(p.GameFinished, r.Personal)
	case *quizv1.Event_PlayerKicked:
		l.add("kicked name=%s players=%d", strconv.Quote(p.PlayerKicked.GetPlayer().GetName()), p.PlayerKicked.GetPlayerCount())
	case *quizv1.Event_RoomClosed:
		l.add("closed reason=%s", strconv.Quote(p.RoomClosed.GetReason()))
	case *quizv1.Event_HostPresence:
		l.host(p.HostPresence, ev)
	}
	return l.out
}

// host is the host's presence: "host away=true auto_in=60s
// auto_pacing=false" (auto_in, counted from the event's server time, only
// while the game waits for the limit), or "host away=false …" once back.
func (l *lines) host(h *quizv1.HostPresence, ev *quizv1.Event) {
	in := ""
	if at := h.GetAutoAt(); at != nil && ev.GetServerTime() != nil {
		in = " auto_in=" + dur(max(at.AsTime().Sub(ev.GetServerTime().AsTime()), 0))
	}
	l.add("host away=%t%s auto_pacing=%t", h.GetAway(), in, h.GetAutoPacing())
}

// lines collects lines that share a prefix.
type lines struct {
	prefix string
	out    []string
}

func (l *lines) add(format string, args ...any) {
	l.out = append(l.out, l.prefix+fmt.Sprintf(format, args...))
}

func (l *lines) question(q *quizv1.QuestionOpened) {
	if q == nil {
		return
	}
	l.add("question %s %s %s options=%s points=%d time=%s", position(q.GetIndex(), q.GetCount()), state.KindName(q.GetKind()),
		strconv.Quote(q.GetText()), joinQuoted(q.GetOptions()), q.GetPoints(), dur(q.GetTimeLimit().AsDuration()))
}

func (l *lines) reveal(rv *quizv1.QuestionRevealed, q *quizv1.QuestionOpened, you *quizv1.Personal) {
	if rv == nil {
		return
	}
	pos := position(rv.GetIndex(), q.GetCount())
	var what string
	switch {
	case q.GetKind() == quizv1.QuestionKind_QUESTION_KIND_POLL:
		what = "poll"
	case q.GetKind() == quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER:
		what = "accepted=" + joinQuoted(rv.GetAcceptedAnswers())
	default:
		nums := make([]string, len(rv.GetCorrectChoices()))
		texts := make([]string, len(rv.GetCorrectChoices()))
		for i, c := range rv.GetCorrectChoices() {
			nums[i] = strconv.Itoa(int(c) + 1)
			if int(c) < len(q.GetOptions()) {
				texts[i] = q.GetOptions()[c]
			}
		}
		what = "correct=" + strings.Join(nums, ",") + " answer=" + joinQuoted(texts)
	}
	line := fmt.Sprintf("reveal %s %s answered=%d/%d right=%d", pos, what, rv.GetAnswered(), rv.GetPlayers(), rv.GetCorrectCount())
	if counts := rv.GetOptionCounts(); len(counts) > 0 {
		split := make([]string, len(counts))
		for i, c := range counts {
			split[i] = strconv.Itoa(int(c))
		}
		line += " split=" + strings.Join(split, ",")
	}
	if rv.GetExplanation() != "" {
		line += " explanation=" + strconv.Quote(rv.GetExplanation())
	}
	l.add("%s", line)
	if y := you.GetResult(); y != nil {
		l.add("result %s answered=%t correct=%t points=%d streak=%d score=%d rank=%d gap=%d elapsed=%s", pos,
			y.GetAnswered(), y.GetCorrect(), y.GetPoints(), y.GetStreak(), you.GetStanding().GetScore(),
			you.GetStanding().GetRank(), you.GetGapToNext(), dur(y.GetElapsed().AsDuration()))
	}
}

func (l *lines) leaderboard(lb *quizv1.Leaderboard, r *state.Room) {
	if lb == nil {
		return
	}
	l.add("leaderboard %s players=%d", position(lb.GetAfterQuestion(), r.Question.GetCount()), lb.GetPlayerCount())
	for _, s := range lb.GetTop() {
		l.standing("standing", s)
	}
	if y := r.Personal.GetStanding(); y != nil {
		l.standing("you", y)
	}
}

func (l *lines) finished(f *quizv1.GameFinished, you *quizv1.Personal) {
	if f == nil {
		return
	}
	l.add("finished questions=%d players=%d", f.GetQuestionsPlayed(), f.GetPlayerCount())
	for _, s := range f.GetPodium() {
		l.standing("podium", s)
	}
	for _, s := range f.GetStandings() {
		if s.GetRank() > int32(len(f.GetPodium())) {
			l.standing("standing", s)
		}
	}
	if y := you.GetStanding(); y != nil {
		l.standing("you", y)
	}
	for _, m := range you.GetMissed() {
		l.add("missed %s %s answer=%s yours=%s section=%s explanation=%s passage=%s", position(m.GetIndex(), f.GetQuestionsPlayed()),
			strconv.Quote(m.GetText()), strconv.Quote(state.RightAnswer(m)), strconv.Quote(state.GivenAnswer(m)),
			strconv.Quote(m.GetSection()), strconv.Quote(m.GetExplanation()), strconv.Quote(m.GetPassage()))
	}
}

func (l *lines) standing(word string, s *quizv1.Standing) {
	l.add("%s rank=%d score=%d correct=%d streak=%d name=%s", word, s.GetRank(), s.GetScore(), s.GetCorrectCount(),
		s.GetStreak(), strconv.Quote(s.GetPlayer().GetName()))
}

// position is "3/10" for index 2 of 10 questions ("3/?" when the count is
// not known).
func position(index, count int32) string {
	if count <= 0 {
		return fmt.Sprintf("%d/?", index+1)
	}
	return fmt.Sprintf("%d/%d", index+1, count)
}

func roleName(r quizv1.Role) string { return strings.ToLower(strings.TrimPrefix(r.String(), "ROLE_")) }

// joinQuoted joins texts with "|" and quotes the result.
func joinQuoted(texts []string) string { return strconv.Quote(strings.Join(texts, "|")) }

func names(ps []*quizv1.Player) string {
	ns := make([]string, len(ps))
	for i, p := range ps {
		ns[i] = p.GetName()
	}
	return joinQuoted(ns)
}

func omitted(joined, left int32) string {
	var s string
	if joined > 0 {
		s += fmt.Sprintf(" joined_omitted=%d", joined)
	}
	if left > 0 {
		s += fmt.Sprintf(" left_omitted=%d", left)
	}
	return s
}

// dur writes a duration rounded to the millisecond ("1.234s", "20s").
func dur(d time.Duration) string { return d.Round(time.Millisecond).String() }
