package game

import "time"

// Policy says how a correct answer is scored.
type Policy int

// The points policies.
const (
	// Speed scores round(P × (1 − (t/T)/2)), full points under FullPointsWithin.
	Speed Policy = iota + 1
	// Accuracy scores a flat P; speed only breaks ties in the ranking.
	Accuracy
)

// Scoring constants shared by every store.
const (
	// FullPointsWithin is how fast an answer must be for full points under Speed.
	FullPointsWithin = 500 * time.Millisecond
	// StreakStep is the bonus per consecutive correct answer after the first.
	StreakStep = 100
	// StreakCap is the largest streak bonus.
	StreakCap = 500
	// StandardPoints is what a standard question is worth; penalties are
	// given for it and scale with a question's points.
	StandardPoints = 1000
)

// Scoring is a room's scoring settings.
type Scoring struct {
	Policy       Policy
	StreakBonus  bool
	WrongPenalty int // points lost for a wrong answer to a standard question
}

// Outcome is what one answer earns.
type Outcome struct {
	Points int // base points, or the penalty as a negative number
	Bonus  int // streak bonus
	Streak int // the player's streak after this answer
}

// Total is the change the answer makes to a score before the floor at 0.
func (o Outcome) Total() int { return o.Points + o.Bonus }

// Score scores an answer to a question worth points with time limit limit,
// answered elapsed after the options opened (capped at the limit by the
// caller), by a player whose streak before this question was streak. The
// arithmetic is exactly what the Redis store's script does: keep them equal.
func (s Scoring) Score(points int, limit, elapsed time.Duration, kind Kind, g Grade, streak int) Outcome {
	if kind == Poll {
		return Outcome{Streak: streak}
	}
	if !g.Correct {
		o := Outcome{}
		if g.Num > 0 {
			o.Points = creditPoints(s.Policy, points, limit, elapsed, g)
		} else if g.Wrong {
			o.Points = -s.WrongPenalty * points / StandardPoints
		}
		return o
	}
	o := Outcome{Points: creditPoints(s.Policy, points, limit, elapsed, g), Streak: streak + 1}
	if s.StreakBonus && points > 0 {
		o.Bonus = min(StreakStep*(o.Streak-1), StreakCap)
	}
	return o
}

// creditPoints is round(P × credit × (1 − (t/T)/2)) under Speed (full
// credit under FullPointsWithin) and round(P × credit) under Accuracy, with
// halves rounded up. It computes in integers, t and T in milliseconds, so
// the result is exact and the Redis script (which must do the same
// arithmetic) gets the same number.
func creditPoints(p Policy, points int, limit, elapsed time.Duration, g Grade) int {
	num, den := int64(points)*int64(g.Num), int64(g.Den)
	t, tl := elapsed.Milliseconds(), limit.Milliseconds()
	if p == Speed && t >= FullPointsWithin.Milliseconds() && tl > 0 {
		// P×credit×(2T−t)/(2T), rounded half up.
		num *= 2*tl - t
		den *= 2 * tl
	}
	return int((2*num + den) / (2 * den))
}

// Apply adds a change to a total that never drops below 0 and returns the new
// total and the change actually made.
func Apply(total, change int) (newTotal, applied int) {
	newTotal = max(total+change, 0)
	return newTotal, newTotal - total
}

// StreakBefore is a player's streak going into a question: their recorded
// streak if it was last extended at prev, the last scored question before
// this one, else 0 (they missed or failed a question since).
func StreakBefore(streak, streakQ, prev int) int {
	if streakQ == prev && prev >= 0 {
		return streak
	}
	return 0
}

// PreviousScored is the index of the last of questions before q that is not
// a poll, or -1. Polls neither extend nor break a streak.
func PreviousScored(questions []Question, q int) int {
	for i := q - 1; i >= 0; i-- {
		if questions[i].Kind != Poll {
			return i
		}
	}
	return -1
}
