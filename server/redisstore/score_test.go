package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/room"
)

// roomPlayerID is what the scripts' ids must match.
var roomPlayerID = room.PlayerID

// scoreTable is a script for tests only: the scripts' score function, run
// on rows of 12 arguments, returning points, bonus and streak of each.
var scoreTable = redis.NewScript(header("PUBLISH") + mustRead("prelude") + `
local out = {}
for i = 0, #ARGV / 12 - 1 do
  local function a(k) return tonumber(ARGV[i * 12 + k]) end
  local p, b, s = score(a(1), a(2) == 1, a(3), a(4), a(5), a(6), a(7), a(8) == 1, a(9) == 1, a(10), a(11), a(12))
  out[#out + 1] = p
  out[#out + 1] = b
  out[#out + 1] = s
end
return out
`)

// TestScoreParity checks that the scripts' integer arithmetic gives what
// game.Scoring.Score gives, exactly, on every combination of settings,
// question value, limit, elapsed time (halves included), grade and streak.
func TestScoreParity(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: redistest.Start(t).Addr})
	defer c.Close()
	milli := time.Millisecond
	grades := []game.Grade{
		{Correct: true, Num: 1, Den: 1}, {Wrong: true, Den: 1}, {Num: 1, Den: 2}, {Num: 2, Den: 3},
		{Num: 1, Den: 3}, {Num: 3, Den: 4}, {Wrong: true, Den: 3}, {Den: 1},
	}
	type row struct {
		s       game.Scoring
		points  int
		limit   time.Duration
		elapsed time.Duration
		kind    game.Kind
		g       game.Grade
		streak  int
	}
	var rows []row
	for _, policy := range []game.Policy{game.Speed, game.Accuracy} {
		for _, bonus := range []bool{false, true} {
			for _, penalty := range []int{0, 1, 250, 333, 1000} {
				for _, points := range []int{0, 1000, 2000, 1500} {
					for _, limit := range []time.Duration{5 * time.Second, 20 * time.Second, 240 * time.Second, 7 * time.Second} {
						for _, elapsed := range []time.Duration{0, 499 * milli, 500 * milli, 501 * milli, 2500 * milli, 3333 * milli, 10 * time.Second, 15 * time.Second, limit} {
							for _, g := range grades {
								for _, streak := range []int{0, 1, 4, 5, 6} {
									kind := game.SingleChoice
									if g.Den > 1 {
										kind = game.MultipleSelect
									}
									if g == (game.Grade{Den: 1}) {
										kind = game.Poll
									}
									rows = append(rows, row{game.Scoring{Policy: policy, StreakBonus: bonus, WrongPenalty: penalty}, points, limit, min(elapsed, limit), kind, g, streak})
								}
							}
						}
					}
				}
			}
		}
	}
	ctx := t.Context()
	const batch = 2000
	for from := 0; from < len(rows); from += batch {
		part := rows[from:min(from+batch, len(rows))]
		var args []any
		for _, r := range part {
			args = append(args, int(r.s.Policy), flag(r.s.StreakBonus), r.s.WrongPenalty, r.points, ms(r.limit), ms(r.elapsed),
				int(r.kind), flag(r.g.Correct), flag(r.g.Wrong), r.g.Num, r.g.Den, r.streak)
		}
		got, err := scoreTable.Run(ctx, c, nil, args...).Int64Slice()
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range part {
			want := r.s.Score(r.points, r.limit, r.elapsed, r.kind, r.g, r.streak)
			if p, b, s := int(got[3*i]), int(got[3*i+1]), int(got[3*i+2]); p != want.Points || b != want.Bonus || s != want.Streak {
				t.Errorf("%+v: script gives points %d, bonus %d, streak %d; game.Scoring.Score gives %+v", r, p, b, s, want)
			}
		}
	}
	t.Logf("%d combinations agree", len(rows))
}

// TestPlayerIDFormat checks that the scripts name players as room.PlayerID
// does.
func TestPlayerIDFormat(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: redistest.Start(t).Addr})
	defer c.Close()
	for _, n := range []int{1, 42, 999999} {
		got, err := c.Eval(context.Background(), "return string.format(ARGV[1], tonumber(ARGV[2]))", nil, playerIDFormat, n).Text()
		if want := roomPlayerID(n); err != nil || got != want {
			t.Errorf("player %d: script names %q (%v), room.PlayerID %q", n, got, err, want)
		}
	}
}
