package game

import (
	"cmp"
	"slices"
	"time"
)

// Standing is a player's place in the ranking and what decides it.
type Standing struct {
	PlayerID    string
	Name        string
	Join        int // join order, from 1
	Score       int
	CorrectTime time.Duration // total time of correct answers
	Correct     int           // correct answers
	Streak      int           // streak as last recorded
	StreakQ     int           // question where Streak was last extended, -1 for none
	Rank        int           // from 1, set by Rank
}

// Compare orders standings best first: higher score, then less total time
// of correct answers, then earlier join. It is a total order, the same in
// every store.
func Compare(a, b *Standing) int {
	if c := cmp.Compare(b.Score, a.Score); c != 0 {
		return c
	}
	if c := cmp.Compare(a.CorrectTime.Milliseconds(), b.CorrectTime.Milliseconds()); c != 0 {
		return c
	}
	return cmp.Compare(a.Join, b.Join)
}

// Rank sorts standings best first and numbers them from 1.
func Rank(s []Standing) {
	slices.SortFunc(s, func(a, b Standing) int { return Compare(&a, &b) })
	for i := range s {
		s[i].Rank = i + 1
	}
}

// GapToNext is how many points a player at index i of ranked standings is
// behind the player ahead; 0 for the first.
func GapToNext(ranked []Standing, i int) int {
	if i <= 0 || i >= len(ranked) {
		return 0
	}
	return ranked[i-1].Score - ranked[i].Score
}
