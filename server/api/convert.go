package api

import (
	"sync"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

var phases = map[game.Phase]quizv1.Phase{
	game.PhaseLobby:       quizv1.Phase_PHASE_LOBBY,
	game.PhaseQuestion:    quizv1.Phase_PHASE_QUESTION,
	game.PhaseReveal:      quizv1.Phase_PHASE_REVEAL,
	game.PhaseLeaderboard: quizv1.Phase_PHASE_LEADERBOARD,
	game.PhasePaused:      quizv1.Phase_PHASE_PAUSED,
	game.PhaseFinished:    quizv1.Phase_PHASE_FINISHED,
	game.PhaseClosed:      quizv1.Phase_PHASE_CLOSED,
}

var kinds = map[game.Kind]quizv1.QuestionKind{
	game.SingleChoice:   quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE,
	game.MultipleSelect: quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT,
	game.TrueFalse:      quizv1.QuestionKind_QUESTION_KIND_TRUE_FALSE,
	game.TypedAnswer:    quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER,
	game.Poll:           quizv1.QuestionKind_QUESTION_KIND_POLL,
}

var roles = map[room.Role]quizv1.Role{
	room.Spectator:  quizv1.Role_ROLE_SPECTATOR,
	room.PlayerRole: quizv1.Role_ROLE_PLAYER,
	room.Host:       quizv1.Role_ROLE_HOST,
}

// settingsIn reads requested settings; unset fields stay zero for defaults,
// but for the streak bonus and the read time, whose zero values are valid
// settings: unset, they are on and game.DefaultReadTime.
func settingsIn(p *quizv1.RoomSettings) game.Settings {
	s := game.Settings{Scoring: game.Scoring{StreakBonus: true}, ReadTime: game.DefaultReadTime}
	if p == nil {
		return s
	}
	s.QuestionCount = int(p.GetQuestionCount())
	s.ShuffleQuestions = p.GetShuffleQuestions()
	s.ShuffleOptions = p.GetShuffleOptions()
	s.Seed = p.GetSeed()
	switch p.GetPacing() {
	case quizv1.PacingMode_PACING_MODE_HOST:
		s.Pacing = game.HostPaced
	case quizv1.PacingMode_PACING_MODE_AUTO:
		s.Pacing = game.AutoPaced
	case quizv1.PacingMode_PACING_MODE_UNSPECIFIED:
	default:
		s.Pacing = game.Pacing(p.GetPacing()) // Validate names it
	}
	s.TimeLimit = durationIn(p.GetTimeLimit())
	s.ReadTime = game.DefaultReadTime
	if p.GetReadTime() != nil {
		s.ReadTime = durationIn(p.GetReadTime()) // 0 s: no read time
	}
	switch p.GetPointsPolicy() {
	case quizv1.PointsPolicy_POINTS_POLICY_SPEED:
		s.Scoring.Policy = game.Speed
	case quizv1.PointsPolicy_POINTS_POLICY_ACCURACY:
		s.Scoring.Policy = game.Accuracy
	case quizv1.PointsPolicy_POINTS_POLICY_UNSPECIFIED:
	default:
		s.Scoring.Policy = game.Policy(p.GetPointsPolicy())
	}
	if p.StreakBonus != nil {
		s.Scoring.StreakBonus = p.GetStreakBonus()
	}
	s.AllowTypos = p.GetAllowTypos()
	s.Scoring.WrongPenalty = int(p.GetWrongAnswerPenalty())
	s.LeaderboardEvery = int(p.GetLeaderboardEvery())
	s.MaxPlayers = int(p.GetMaxPlayers())
	s.RevealTime = durationIn(p.GetRevealTime())
	s.LeaderboardTime = durationIn(p.GetLeaderboardTime())
	s.LeaderboardSize = int(p.GetLeaderboardSize())
	s.HostAwayLimit = durationIn(p.GetHostAwayLimit())
	return s
}

// durationIn reads a duration, clamping absurd values so that validation
// reports them instead of overflowing.
func durationIn(d *durationpb.Duration) time.Duration {
	if d == nil {
		return 0
	}
	const limit = 1e6 // seconds: far beyond any bound, far from overflow
	switch secs := d.GetSeconds(); {
	case secs > limit:
		return limit * time.Second
	case secs < -limit:
		return -limit * time.Second
	}
	return d.AsDuration()
}

// settingsOut is a room's settings with every default filled in.
func settingsOut(s game.Settings) *quizv1.RoomSettings {
	pacing := quizv1.PacingMode_PACING_MODE_HOST
	if s.Pacing == game.AutoPaced {
		pacing = quizv1.PacingMode_PACING_MODE_AUTO
	}
	policy := quizv1.PointsPolicy_POINTS_POLICY_SPEED
	if s.Scoring.Policy == game.Accuracy {
		policy = quizv1.PointsPolicy_POINTS_POLICY_ACCURACY
	}
	streak := s.Scoring.StreakBonus
	return &quizv1.RoomSettings{
		QuestionCount:      int32(s.QuestionCount),
		ShuffleQuestions:   s.ShuffleQuestions,
		ShuffleOptions:     s.ShuffleOptions,
		Seed:               s.Seed,
		Pacing:             pacing,
		TimeLimit:          durationpb.New(s.TimeLimit),
		ReadTime:           durationpb.New(s.ReadTime),
		PointsPolicy:       policy,
		StreakBonus:        &streak,
		WrongAnswerPenalty: int32(s.Scoring.WrongPenalty),
		LeaderboardEvery:   int32(s.LeaderboardEvery),
		MaxPlayers:         int32(s.MaxPlayers),
		RevealTime:         durationpb.New(s.RevealTime),
		LeaderboardTime:    durationpb.New(s.LeaderboardTime),
		LeaderboardSize:    int32(s.LeaderboardSize),
		AllowTypos:         s.AllowTypos,
		HostAwayLimit:      durationpb.New(s.HostAwayLimit),
	}
}

// roomInfo describes a room; st may be nil right after creation. Only the
// host sees the seed: with it and the notes, anyone could rebuild a
// generated deck, answers included.
func roomInfo(spec *room.Spec, st *room.State, host bool) *quizv1.RoomInfo {
	info := &quizv1.RoomInfo{
		Code:          spec.Code,
		DeckId:        spec.DeckID,
		DeckTitle:     spec.DeckTitle,
		QuestionCount: int32(len(spec.Questions)),
		Settings:      settingsOut(spec.Settings),
		Phase:         quizv1.Phase_PHASE_LOBBY,
	}
	if !host {
		info.Settings.Seed = 0
	}
	if st != nil {
		info.Phase = phases[st.Phase]
		info.PlayerCount = int32(st.Players)
		info.Locked = st.Locked
		info.Epoch = st.Epoch
		info.HistoryLost = st.Lost
	}
	return info
}

func playerOut(p room.Player) *quizv1.Player {
	return &quizv1.Player{PlayerId: p.ID, Name: p.Name}
}

func playersOut(ps []room.Player) []*quizv1.Player {
	out := make([]*quizv1.Player, len(ps))
	for i, p := range ps {
		out[i] = playerOut(p)
	}
	return out
}

func standingOut(s *game.Standing) *quizv1.Standing {
	return standingInto(new(quizv1.Standing), new(quizv1.Player), new(durationpb.Duration), s)
}

// standingInto renders s into dst, with its player and correct time in
// player and correctTime, and returns dst.
func standingInto(dst *quizv1.Standing, player *quizv1.Player, correctTime *durationpb.Duration, s *game.Standing) *quizv1.Standing {
	dst.Reset()
	player.Reset()
	player.PlayerId, player.Name = s.PlayerID, s.Name
	dst.Rank, dst.Player, dst.Score, dst.CorrectCount = int32(s.Rank), player, int32(s.Score), int32(s.Correct)
	dst.CorrectTime, dst.Streak = durationInto(correctTime, s.CorrectTime), int32(s.Streak)
	return dst
}

// durationInto sets dst to d, as durationpb.New would make it, and
// returns dst.
func durationInto(dst *durationpb.Duration, d time.Duration) *durationpb.Duration {
	dst.Reset()
	dst.Seconds, dst.Nanos = int64(d/time.Second), int32(d%time.Second)
	return dst
}

// top is the first n standings.
func top(s []game.Standing, n int) []*quizv1.Standing {
	out := make([]*quizv1.Standing, 0, min(n, len(s)))
	for i := range s[:min(n, len(s))] {
		out = append(out, standingOut(&s[i]))
	}
	return out
}

func ints32(v []int) []int32 {
	out := make([]int32, len(v))
	for i, x := range v {
		out[i] = int32(x)
	}
	return out
}

func intsIn(v []int32) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

func timeOut(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// questionOut shows question q: nothing in it gives the answer away. The
// question's section waits for the reveal: for a question drawn from notes
// it is often the answer itself.
func questionOut(spec *room.Spec, q int, opensAt, deadline time.Time) *quizv1.QuestionOpened {
	question := &spec.Questions[q]
	return &quizv1.QuestionOpened{
		Index:     int32(q),
		Count:     int32(len(spec.Questions)),
		Kind:      kinds[question.Kind],
		Text:      question.Text,
		Options:   question.Options,
		OpensAt:   timeOut(opensAt),
		Deadline:  timeOut(deadline),
		TimeLimit: durationpb.New(question.TimeLimit),
		Points:    int32(question.Points),
	}
}

// revealOut is the shared part of a reveal.
func revealOut(spec *room.Spec, e *room.Event) *quizv1.QuestionRevealed {
	question := &spec.Questions[e.Q]
	return &quizv1.QuestionRevealed{
		Index:           int32(e.Q),
		CorrectChoices:  ints32(question.Correct),
		AcceptedAnswers: question.Accepted,
		Explanation:     question.Explanation,
		OptionCounts:    ints32(e.Counts),
		Answered:        int32(e.Answered),
		CorrectCount:    int32(e.Correct),
		Players:         int32(e.Players),
		Section:         question.Section,
		Passage:         question.Passage,
	}
}

// personalOut is a player's own part of an event or snapshot; result says
// whether it carries their result for the revealed question. It is nil
// when there is nothing of the player's own to say.
func personalOut(spec *room.Spec, v *room.View, result bool) *quizv1.Personal {
	if v == nil {
		return nil // without the messages, which render would not fill
	}
	return new(personalMessages).render(spec, v, result)
}

// personalMessages hold one player's own part of an event. The hub renders
// every player's part in turn into the same messages (personals), so that a
// reveal to ten thousand players allocates no message per player.
type personalMessages struct {
	response    quizv1.WatchResponse
	personal    quizv1.Personal
	result      quizv1.PlayerResult
	elapsed     durationpb.Duration
	standing    quizv1.Standing
	player      quizv1.Player
	correctTime durationpb.Duration
}

// personals are personalMessages to reuse.
var personals = sync.Pool{New: func() any { return new(personalMessages) }}

// render renders personalOut into m's messages: they are valid until
// m's next use.
func (m *personalMessages) render(spec *room.Spec, v *room.View, result bool) *quizv1.Personal {
	if v == nil {
		return nil
	}
	p := &m.personal
	p.Reset()
	p.GapToNext = int32(v.Gap)
	for _, miss := range v.Missed {
		p.Missed = append(p.Missed, missedOut(spec, miss))
	}
	if result {
		p.Result = m.resultOf(v)
	}
	if v.Standing != nil {
		p.Standing = standingInto(&m.standing, &m.player, &m.correctTime, v.Standing)
		p.Standing.Streak = int32(v.Streak)
	}
	if p.Result == nil && p.Standing == nil && p.Missed == nil {
		return nil
	}
	return p
}

// missedOut is a missed question with what to study.
func missedOut(spec *room.Spec, m room.Miss) *quizv1.MissedQuestion {
	q := &spec.Questions[m.Q]
	out := &quizv1.MissedQuestion{
		Index: int32(m.Q), Text: q.Text, Kind: kinds[q.Kind], Options: q.Options,
		CorrectChoices: ints32(q.Correct), AcceptedAnswers: q.Accepted,
		Explanation: q.Explanation, Section: q.Section, Passage: q.Passage,
	}
	if m.Answer != nil {
		out.YourAnswer = &quizv1.Answer{Choices: ints32(m.Answer.Choices), Text: m.Answer.Text}
	}
	return out
}

// resultOf renders a player's own result in a reveal into m.result.
func (m *personalMessages) resultOf(v *room.View) *quizv1.PlayerResult {
	r := &m.result
	r.Reset()
	r.Streak = int32(v.Streak)
	if v.Result != nil {
		r.Answered = true
		r.Correct = v.Result.Correct
		r.Points = int32(v.Result.Points)
		r.StreakBonus = int32(v.Result.Bonus)
		r.Elapsed = durationInto(&m.elapsed, v.Result.Elapsed)
	}
	return r
}

// leaderboardOut is the shared part of a leaderboard.
func leaderboardOut(spec *room.Spec, q int, sb *room.Scoreboard) *quizv1.Leaderboard {
	return &quizv1.Leaderboard{
		AfterQuestion: int32(q),
		Top:           top(sb.Standings, spec.Settings.LeaderboardSize),
		PlayerCount:   int32(len(sb.Standings)),
	}
}

// finishedOut is the shared part of the final results.
func finishedOut(spec *room.Spec, played int, sb *room.Scoreboard) *quizv1.GameFinished {
	return &quizv1.GameFinished{
		Podium:          top(sb.Standings, 3),
		Standings:       top(sb.Standings, spec.Settings.LeaderboardSize),
		PlayerCount:     int32(len(sb.Standings)),
		QuestionsPlayed: int32(played),
	}
}
