package game

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestCompare(t *testing.T) {
	tests := []struct {
		name string
		a, b Standing
		want int // <0: a first, >0: b first
	}{
		{"higher score first", Standing{Score: 900, CorrectTime: 9 * time.Second, Join: 9}, Standing{Score: 800, Join: 1}, -1},
		{"lower score second", Standing{Score: 0, Join: 1}, Standing{Score: 1, CorrectTime: time.Hour, Join: 2}, 1},
		{"same score, less correct time first", Standing{Score: 500, CorrectTime: 3 * time.Second, Join: 5}, Standing{Score: 500, CorrectTime: 4 * time.Second, Join: 1}, -1},
		{"same score, more correct time second", Standing{Score: 500, CorrectTime: 4 * time.Second, Join: 1}, Standing{Score: 500, CorrectTime: 3 * time.Second, Join: 5}, 1},
		{"same score and time, earlier join first", Standing{Score: 500, CorrectTime: time.Second, Join: 2}, Standing{Score: 500, CorrectTime: time.Second, Join: 3}, -1},
		{"same score and time, later join second", Standing{Score: 500, CorrectTime: time.Second, Join: 3}, Standing{Score: 500, CorrectTime: time.Second, Join: 2}, 1},
		{"identical", Standing{Score: 500, CorrectTime: time.Second, Join: 3}, Standing{Score: 500, CorrectTime: time.Second, Join: 3}, 0},
		{"name and id do not count", Standing{PlayerID: "z", Name: "Zed", Score: 10, Join: 1}, Standing{PlayerID: "a", Name: "Ann", Score: 10, Join: 2}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sign(Compare(&tt.a, &tt.b)); got != tt.want {
				t.Errorf("Compare(%+v, %+v) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := sign(Compare(&tt.b, &tt.a)); got != -tt.want {
				t.Errorf("Compare(%+v, %+v) = %d, want %d", tt.b, tt.a, got, -tt.want)
			}
		})
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// rankFixture is a field with ties on score and on time; the PlayerIDs spell
// the order Rank must find.
func rankFixture() []Standing {
	return []Standing{
		{PlayerID: "p1", Join: 4, Score: 3000, CorrectTime: 12 * time.Second},
		{PlayerID: "p2", Join: 2, Score: 2500, CorrectTime: 8 * time.Second},
		{PlayerID: "p3", Join: 6, Score: 2500, CorrectTime: 9 * time.Second},
		{PlayerID: "p4", Join: 1, Score: 2500, CorrectTime: 10 * time.Second},
		{PlayerID: "p5", Join: 3, Score: 2500, CorrectTime: 10 * time.Second},
		{PlayerID: "p6", Join: 7, Score: 2500, CorrectTime: 10 * time.Second},
		{PlayerID: "p7", Join: 5, Score: 100, CorrectTime: time.Second},
		{PlayerID: "p8", Join: 8, Score: 0},
		{PlayerID: "p9", Join: 9, Score: 0},
	}
}

func TestRank(t *testing.T) {
	want := []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		s := rankFixture()
		if i == 1 {
			slices.Reverse(s)
		} else if i > 1 {
			r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
		}
		in := ids(s)
		Rank(s)
		if got := ids(s); !slices.Equal(got, want) {
			t.Errorf("Rank(%v): got order %v, want %v", in, got, want)
		}
		for j := range s {
			if s[j].Rank != j+1 {
				t.Errorf("Rank(%v): %s has Rank %d, want %d", in, s[j].PlayerID, s[j].Rank, j+1)
			}
		}
	}
}

func TestRankEdges(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		var s []Standing
		Rank(s)
		if len(s) != 0 {
			t.Errorf("Rank(nil): got %v, want empty", s)
		}
	})
	t.Run("one player", func(t *testing.T) {
		s := []Standing{{PlayerID: "p1", Join: 1, Rank: 7}}
		Rank(s)
		if s[0].Rank != 1 {
			t.Errorf("Rank: got Rank %d, want 1", s[0].Rank)
		}
	})
	t.Run("stale ranks are replaced", func(t *testing.T) {
		s := []Standing{{PlayerID: "a", Join: 1, Score: 10, Rank: 1}, {PlayerID: "b", Join: 2, Score: 20, Rank: 2}}
		Rank(s)
		if got := ids(s); !slices.Equal(got, []string{"b", "a"}) || s[0].Rank != 1 || s[1].Rank != 2 {
			t.Errorf("Rank: got %+v, want b ranked 1, a ranked 2", s)
		}
	})
}

func ids(s []Standing) []string {
	out := make([]string, len(s))
	for i := range s {
		out[i] = s[i].PlayerID
	}
	return out
}

func TestGapToNext(t *testing.T) {
	ranked := []Standing{{Score: 900}, {Score: 900}, {Score: 700}, {Score: 100}}
	tests := []struct {
		name string
		i    int
		want int
	}{
		{"first", 0, 0},
		{"tied with the one ahead", 1, 0},
		{"behind", 2, 200},
		{"last", 3, 600},
		{"past the end", 4, 0},
		{"negative", -1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := GapToNext(ranked, tt.i); got != tt.want {
				t.Errorf("GapToNext(%v, %d) = %d, want %d", ranked, tt.i, got, tt.want)
			}
		})
	}
	if got := GapToNext(nil, 0); got != 0 {
		t.Errorf("GapToNext(nil, 0) = %d, want 0", got)
	}
}
