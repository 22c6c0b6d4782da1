package game

import (
	"fmt"
	"testing"
	"time"
)

// Grades used by the scoring tests.
var (
	gradeRight = Grade{Correct: true, Num: 1, Den: 1}
	gradeWrong = Grade{Wrong: true, Den: 1}
	gradePoll  = Grade{Den: 1}
)

func TestScore(t *testing.T) {
	speed := Scoring{Policy: Speed}
	accuracy := Scoring{Policy: Accuracy}
	streaks := Scoring{Policy: Speed, StreakBonus: true}
	penalty := Scoring{Policy: Speed, StreakBonus: true, WrongPenalty: 250}
	const T = 20 * time.Second
	ms := time.Millisecond
	tests := []struct {
		name    string
		s       Scoring
		points  int
		limit   time.Duration
		elapsed time.Duration
		kind    Kind
		g       Grade
		streak  int
		want    Outcome
	}{
		// Speed: round(P × (1 − (t/T)/2)), full points under 0.5 s.
		{"speed/at 0 s", speed, 1000, T, 0, SingleChoice, gradeRight, 0, Outcome{Points: 1000, Streak: 1}},
		{"speed/at 499 ms full points", speed, 1000, T, 499 * ms, SingleChoice, gradeRight, 0, Outcome{Points: 1000, Streak: 1}},
		{"speed/just under 500 ms full points", speed, 1000, T, 500*ms - 1, SingleChoice, gradeRight, 0, Outcome{Points: 1000, Streak: 1}},
		// 1000 × (1 − 0.0125) = 987.5, rounded up.
		{"speed/at exactly 500 ms", speed, 1000, T, 500 * ms, SingleChoice, gradeRight, 0, Outcome{Points: 988, Streak: 1}},
		{"speed/at 10 s", speed, 1000, T, 10 * time.Second, SingleChoice, gradeRight, 0, Outcome{Points: 750, Streak: 1}},
		{"speed/at 15 s", speed, 1000, T, 15 * time.Second, SingleChoice, gradeRight, 0, Outcome{Points: 625, Streak: 1}},
		{"speed/at the limit", speed, 1000, T, T, SingleChoice, gradeRight, 0, Outcome{Points: 500, Streak: 1}},
		{"speed/2000 at 0 s", speed, 2000, T, 0, SingleChoice, gradeRight, 0, Outcome{Points: 2000, Streak: 1}},
		{"speed/2000 at 500 ms", speed, 2000, T, 500 * ms, SingleChoice, gradeRight, 0, Outcome{Points: 1975, Streak: 1}},
		{"speed/2000 at 10 s", speed, 2000, T, 10 * time.Second, SingleChoice, gradeRight, 0, Outcome{Points: 1500, Streak: 1}},
		{"speed/2000 at the limit", speed, 2000, T, T, SingleChoice, gradeRight, 0, Outcome{Points: 1000, Streak: 1}},
		{"speed/0 points at 0 s", speed, 0, T, 0, SingleChoice, gradeRight, 0, Outcome{Points: 0, Streak: 1}},
		{"speed/0 points at 10 s", speed, 0, T, 10 * time.Second, SingleChoice, gradeRight, 0, Outcome{Points: 0, Streak: 1}},
		{"speed/true-false at 10 s", speed, 1000, T, 10 * time.Second, TrueFalse, gradeRight, 0, Outcome{Points: 750, Streak: 1}},
		{"speed/typed at 10 s", speed, 1000, T, 10 * time.Second, TypedAnswer, gradeRight, 0, Outcome{Points: 750, Streak: 1}},
		{"speed/5 s limit at 2.5 s", speed, 1000, 5 * time.Second, 2500 * ms, SingleChoice, gradeRight, 0, Outcome{Points: 750, Streak: 1}},
		{"speed/240 s limit at 120 s", speed, 1000, 240 * time.Second, 120 * time.Second, SingleChoice, gradeRight, 0, Outcome{Points: 750, Streak: 1}},

		// The grace window is the caller's: elapsed arrives capped at T, worth P/2.
		{"grace/1000 capped at the limit", speed, 1000, T, T, SingleChoice, gradeRight, 0, Outcome{Points: 500, Streak: 1}},
		{"grace/2000 capped at a 240 s limit", speed, 2000, 240 * time.Second, 240 * time.Second, SingleChoice, gradeRight, 0, Outcome{Points: 1000, Streak: 1}},
		{"grace/1000 capped at a 5 s limit", speed, 1000, 5 * time.Second, 5 * time.Second, SingleChoice, gradeRight, 0, Outcome{Points: 500, Streak: 1}},

		// Accuracy: flat points whatever the time.
		{"accuracy/at 0 s", accuracy, 1000, T, 0, SingleChoice, gradeRight, 0, Outcome{Points: 1000, Streak: 1}},
		{"accuracy/at 500 ms", accuracy, 1000, T, 500 * ms, SingleChoice, gradeRight, 0, Outcome{Points: 1000, Streak: 1}},
		{"accuracy/at 10 s", accuracy, 1000, T, 10 * time.Second, SingleChoice, gradeRight, 0, Outcome{Points: 1000, Streak: 1}},
		{"accuracy/at the limit", accuracy, 1000, T, T, SingleChoice, gradeRight, 0, Outcome{Points: 1000, Streak: 1}},
		{"accuracy/2000 at the limit", accuracy, 2000, T, T, SingleChoice, gradeRight, 0, Outcome{Points: 2000, Streak: 1}},
		{"accuracy/0 points", accuracy, 0, T, T, SingleChoice, gradeRight, 0, Outcome{Points: 0, Streak: 1}},
		{"accuracy/partial multiple select", accuracy, 1000, T, T, MultipleSelect, Grade{Num: 2, Den: 3}, 0, Outcome{Points: 667}},

		// Multiple select: credit (right − wrong)/correct of the points.
		{"multiple/all right at 0 s", speed, 1000, T, 0, MultipleSelect, Grade{Correct: true, Num: 3, Den: 3}, 0, Outcome{Points: 1000, Streak: 1}},
		{"multiple/2 right 1 wrong of 3 at 0 s", speed, 1000, T, 0, MultipleSelect, Grade{Num: 1, Den: 3}, 0, Outcome{Points: 333}},
		{"multiple/2 of 3 at 0 s", speed, 1000, T, 0, MultipleSelect, Grade{Num: 2, Den: 3}, 0, Outcome{Points: 667}},
		{"multiple/2 of 3 at 10 s", speed, 1000, T, 10 * time.Second, MultipleSelect, Grade{Num: 2, Den: 3}, 0, Outcome{Points: 500}},
		{"multiple/1 of 2 at 10 s worth 2000", speed, 2000, T, 10 * time.Second, MultipleSelect, Grade{Num: 1, Den: 2}, 0, Outcome{Points: 750}},
		{"multiple/partial earns no penalty and resets the streak", penalty, 1000, T, 0, MultipleSelect, Grade{Num: 1, Den: 3}, 4, Outcome{Points: 333}},
		{"multiple/cancelled answer is wrong", penalty, 1000, T, 0, MultipleSelect, Grade{Wrong: true, Den: 3}, 4, Outcome{Points: -250}},
		{"multiple/all right extends the streak", streaks, 1000, T, 0, MultipleSelect, Grade{Correct: true, Num: 3, Den: 3}, 2, Outcome{Points: 1000, Bonus: 200, Streak: 3}},

		// Streak bonus: +100 per consecutive correct answer after the first, at most +500.
		{"streak/first correct answer", streaks, 1000, T, 0, SingleChoice, gradeRight, 0, Outcome{Points: 1000, Bonus: 0, Streak: 1}},
		{"streak/second", streaks, 1000, T, 0, SingleChoice, gradeRight, 1, Outcome{Points: 1000, Bonus: 100, Streak: 2}},
		{"streak/third", streaks, 1000, T, 0, SingleChoice, gradeRight, 2, Outcome{Points: 1000, Bonus: 200, Streak: 3}},
		{"streak/sixth reaches the cap", streaks, 1000, T, 0, SingleChoice, gradeRight, 5, Outcome{Points: 1000, Bonus: 500, Streak: 6}},
		{"streak/seventh stays at the cap", streaks, 1000, T, 0, SingleChoice, gradeRight, 6, Outcome{Points: 1000, Bonus: 500, Streak: 7}},
		{"streak/twentieth stays at the cap", streaks, 1000, T, 0, SingleChoice, gradeRight, 19, Outcome{Points: 1000, Bonus: 500, Streak: 20}},
		{"streak/bonus does not depend on time", streaks, 1000, T, T, SingleChoice, gradeRight, 3, Outcome{Points: 500, Bonus: 300, Streak: 4}},
		{"streak/bonus does not scale with points", streaks, 2000, T, 0, SingleChoice, gradeRight, 3, Outcome{Points: 2000, Bonus: 300, Streak: 4}},
		{"streak/bonus off still counts", speed, 1000, T, 0, SingleChoice, gradeRight, 5, Outcome{Points: 1000, Bonus: 0, Streak: 6}},
		{"streak/no bonus on 0 points", streaks, 0, T, 0, SingleChoice, gradeRight, 5, Outcome{Points: 0, Bonus: 0, Streak: 6}},
		{"streak/accuracy gets the bonus", Scoring{Policy: Accuracy, StreakBonus: true}, 1000, T, T, SingleChoice, gradeRight, 1, Outcome{Points: 1000, Bonus: 100, Streak: 2}},

		// Wrong answers reset the streak and cost the penalty, scaled by the points.
		{"wrong/no penalty", streaks, 1000, T, 0, SingleChoice, gradeWrong, 3, Outcome{}},
		{"wrong/penalty 250 on 1000", penalty, 1000, T, 0, SingleChoice, gradeWrong, 3, Outcome{Points: -250}},
		{"wrong/penalty 250 on 2000", penalty, 2000, T, 0, SingleChoice, gradeWrong, 3, Outcome{Points: -500}},
		{"wrong/penalty 250 on 0", penalty, 0, T, 0, SingleChoice, gradeWrong, 3, Outcome{}},
		{"wrong/penalty does not depend on time", penalty, 1000, T, T, SingleChoice, gradeWrong, 0, Outcome{Points: -250}},
		{"wrong/penalty 1000 on 1000", Scoring{Policy: Speed, WrongPenalty: 1000}, 1000, T, 0, TrueFalse, gradeWrong, 0, Outcome{Points: -1000}},
		{"wrong/penalty under accuracy", Scoring{Policy: Accuracy, WrongPenalty: 250}, 1000, T, 0, TypedAnswer, gradeWrong, 1, Outcome{Points: -250}},

		// Polls score nothing and leave the streak alone.
		{"poll/keeps the streak", penalty, 1000, T, 0, Poll, gradePoll, 4, Outcome{Streak: 4}},
		{"poll/no streak", penalty, 2000, T, T, Poll, gradePoll, 0, Outcome{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.s.Score(tt.points, tt.limit, tt.elapsed, tt.kind, tt.g, tt.streak)
			if got != tt.want {
				t.Errorf("%+v.Score(%d, %v, %v, %d, %+v, %d) = %+v, want %+v",
					tt.s, tt.points, tt.limit, tt.elapsed, tt.kind, tt.g, tt.streak, got, tt.want)
			}
			if got.Total() != tt.want.Points+tt.want.Bonus {
				t.Errorf("Total() = %d, want %d", got.Total(), tt.want.Points+tt.want.Bonus)
			}
		})
	}
}

// TestScoreRoundsExactHalvesUp checks answers whose exact score ends in .5:
// round(P × (1 − (t/T)/2)) rounds them up, whatever float64 makes of t/T.
func TestScoreRoundsExactHalvesUp(t *testing.T) {
	s := Scoring{Policy: Speed}
	ms := time.Millisecond
	tests := []struct {
		points  int
		limit   time.Duration
		elapsed time.Duration
		want    int
	}{
		{1000, 20 * time.Second, 500 * ms, 988},   // 987.5
		{1000, 20 * time.Second, 5140 * ms, 872},  // 1000 × (1 − 0.1285) = 871.5
		{1000, 20 * time.Second, 5220 * ms, 870},  // 869.5
		{1000, 5 * time.Second, 1285 * ms, 872},   // 871.5
		{2000, 20 * time.Second, 1390 * ms, 1931}, // 2000 × (1 − 0.03475) = 1930.5
		{2000, 20 * time.Second, 3890 * ms, 1806}, // 1805.5
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("P=%d T=%v t=%v", tt.points, tt.limit, tt.elapsed), func(t *testing.T) {
			got := s.Score(tt.points, tt.limit, tt.elapsed, SingleChoice, gradeRight, 0)
			if got.Points != tt.want {
				t.Errorf("Score(%d, %v, %v).Points = %d, want %d", tt.points, tt.limit, tt.elapsed, got.Points, tt.want)
			}
		})
	}
}

func TestApply(t *testing.T) {
	tests := []struct {
		name               string
		total, change      int
		wantTotal, applied int
	}{
		{"nothing", 0, 0, 0, 0},
		{"gain", 100, 750, 850, 750},
		{"gain from 0", 0, 1500, 1500, 1500},
		{"loss within the total", 300, -250, 50, -250},
		{"loss down to exactly 0", 250, -250, 0, -250},
		{"loss floored at 0", 100, -250, 0, -100},
		{"loss from 0", 0, -500, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, applied := Apply(tt.total, tt.change)
			if got != tt.wantTotal || applied != tt.applied {
				t.Errorf("Apply(%d, %d) = %d, %d; want %d, %d", tt.total, tt.change, got, applied, tt.wantTotal, tt.applied)
			}
		})
	}
}

func TestStreakBefore(t *testing.T) {
	tests := []struct {
		name                  string
		streak, streakQ, prev int
		want                  int
	}{
		{"extended at the previous scored question", 3, 4, 4, 3},
		{"missed or failed since", 3, 2, 4, 0},
		{"first question, no streak", 0, -1, -1, 0},
		{"first question ignores a stale streak", 3, -1, -1, 0},
		{"never extended", 0, -1, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StreakBefore(tt.streak, tt.streakQ, tt.prev); got != tt.want {
				t.Errorf("StreakBefore(%d, %d, %d) = %d, want %d", tt.streak, tt.streakQ, tt.prev, got, tt.want)
			}
		})
	}
}

func TestPreviousScored(t *testing.T) {
	kinds := []Kind{SingleChoice, Poll, TrueFalse, Poll, Poll, TypedAnswer, MultipleSelect}
	tests := []struct {
		name  string
		kinds []Kind
		q     int
		want  int
	}{
		{"first question", kinds, 0, -1},
		{"after a scored question", kinds, 1, 0},
		{"skips a poll", kinds, 2, 0},
		{"right after a scored question", kinds, 3, 2},
		{"skips several polls", kinds, 5, 2},
		{"after typed", kinds, 6, 5},
		{"only polls before", []Kind{Poll, Poll, SingleChoice}, 2, -1},
		{"only question", []Kind{SingleChoice}, 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PreviousScored(ofKinds(tt.kinds...), tt.q); got != tt.want {
				t.Errorf("PreviousScored(%v, %d) = %d, want %d", tt.kinds, tt.q, got, tt.want)
			}
		})
	}
}

// TestStreakAcrossPolls plays a streak through a poll: the poll neither
// extends nor breaks it.
func TestStreakAcrossPolls(t *testing.T) {
	kinds := []Kind{SingleChoice, Poll, SingleChoice}
	s := Scoring{Policy: Speed, StreakBonus: true}
	o := s.Score(1000, 20*time.Second, 0, kinds[0], gradeRight, StreakBefore(0, -1, PreviousScored(ofKinds(kinds...), 0)))
	streak, streakQ := o.Streak, 0
	before := StreakBefore(streak, streakQ, PreviousScored(ofKinds(kinds...), 2))
	o = s.Score(1000, 20*time.Second, 0, kinds[2], gradeRight, before)
	if want := (Outcome{Points: 1000, Bonus: 100, Streak: 2}); o != want {
		t.Errorf("second correct answer after a poll: got %+v, want %+v", o, want)
	}
}

// FuzzScore checks Score's invariants over points, limits, times, grades
// and streaks.
func FuzzScore(f *testing.F) {
	f.Add(uint8(1), uint32(15000), uint32(0), uint8(0), uint8(0), uint8(0), uint8(0), uint16(250), false)
	f.Add(uint8(2), uint32(0), uint32(500), uint8(1), uint8(0), uint8(0), uint8(3), uint16(1000), false)
	f.Add(uint8(0), uint32(235000), uint32(999999), uint8(2), uint8(0), uint8(0), uint8(9), uint16(0), true)
	f.Add(uint8(1), uint32(5000), uint32(7000), uint8(3), uint8(0b001101), uint8(0b000111), uint8(2), uint16(100), false)
	f.Add(uint8(2), uint32(1), uint32(12345), uint8(3), uint8(0b110000), uint8(0b000011), uint8(6), uint16(999), true)
	f.Fuzz(func(t *testing.T, pointsSel uint8, limitMs, elapsedMs uint32, gradeSel, correctMask, choiceMask, streak uint8, penalty uint16, accuracy bool) {
		points := []int{0, 1000, 2000}[pointsSel%3]
		limit := MinTimeLimit + time.Duration(limitMs%uint32((MaxTimeLimit-MinTimeLimit)/time.Millisecond+1))*time.Millisecond
		elapsed := time.Duration(elapsedMs%uint32(limit/time.Millisecond+1)) * time.Millisecond
		s := Scoring{Policy: Speed, StreakBonus: true, WrongPenalty: int(penalty) % (MaxWrongPenalty + 1)}
		if accuracy {
			s.Policy = Accuracy
		}
		kind, g := fuzzGrade(gradeSel, correctMask, choiceMask)

		o := s.Score(points, limit, elapsed, kind, g, int(streak))
		if o.Points > points {
			t.Errorf("Points = %d, want at most P = %d", o.Points, points)
		}
		if g.Wrong {
			if want := -s.WrongPenalty * points / StandardPoints; o.Points != want {
				t.Errorf("wrong answer: Points = %d, want %d", o.Points, want)
			}
		} else if o.Points < 0 {
			t.Errorf("%+v: Points = %d, want at least 0", g, o.Points)
		}
		if o.Bonus < 0 || o.Bonus > StreakCap {
			t.Errorf("Bonus = %d, want 0 to %d", o.Bonus, StreakCap)
		}
		if !g.Correct && o.Bonus != 0 {
			t.Errorf("%+v: Bonus = %d, want 0 for an answer that is not fully correct", g, o.Bonus)
		}
		switch {
		case kind == Poll:
			if o != (Outcome{Streak: int(streak)}) {
				t.Errorf("poll: got %+v, want %+v", o, Outcome{Streak: int(streak)})
			}
		case g.Correct:
			if o.Streak != int(streak)+1 {
				t.Errorf("correct: Streak = %d, want %d", o.Streak, int(streak)+1)
			}
		default:
			if o.Streak != 0 {
				t.Errorf("%+v: Streak = %d, want 0", g, o.Streak)
			}
		}
		if g.Correct && elapsed < FullPointsWithin && o.Points != points {
			t.Errorf("correct at %v: Points = %d, want full %d", elapsed, o.Points, points)
		}
		if g.Correct && s.Policy == Speed && o.Points < (points+1)/2 {
			t.Errorf("correct at %v of %v: Points = %d, want at least half of %d", elapsed, limit, o.Points, points)
		}

		// Later is never worth more under Speed; time does not count under Accuracy.
		if elapsed+time.Millisecond <= limit {
			later := s.Score(points, limit, elapsed+time.Millisecond, kind, g, int(streak))
			if later.Points > o.Points {
				t.Errorf("%v: Points = %d at %v but %d at %v, want non-increasing", s.Policy, o.Points, elapsed, later.Points, elapsed+time.Millisecond)
			}
		}
		if s.Policy == Accuracy {
			first := s.Score(points, limit, 0, kind, g, int(streak))
			if first != o {
				t.Errorf("accuracy: got %+v at %v, %+v at 0, want the same", o, elapsed, first)
			}
		}
	})
}

// fuzzGrade makes a checked answer's grade: single choice right or wrong, a
// poll, or a multiple-select answer from option masks over six options.
func fuzzGrade(sel, correctMask, choiceMask uint8) (Kind, Grade) {
	switch sel % 4 {
	case 0:
		return SingleChoice, singleQ.Grade(Answer{Choices: []int{1}})
	case 1:
		return SingleChoice, singleQ.Grade(Answer{Choices: []int{0}})
	case 2:
		return Poll, pollQ.Grade(Answer{Choices: []int{0}})
	}
	q := &Question{Kind: MultipleSelect, Options: make([]string, 6)}
	var a Answer
	for i := range 6 {
		if correctMask&(1<<i) != 0 {
			q.Correct = append(q.Correct, i)
		}
		if choiceMask&(1<<i) != 0 {
			a.Choices = append(a.Choices, i)
		}
	}
	if len(q.Correct) == 0 {
		q.Correct = []int{0}
	}
	if len(a.Choices) == 0 {
		a.Choices = []int{5}
	}
	return MultipleSelect, q.Grade(a)
}

// ofKinds makes questions of the given kinds, all that PreviousScored reads.
func ofKinds(kinds ...Kind) []Question {
	qs := make([]Question, len(kinds))
	for i, k := range kinds {
		qs[i].Kind = k
	}
	return qs
}
