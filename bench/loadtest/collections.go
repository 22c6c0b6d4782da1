package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/quizroom/quizroom/bench/internal/proc"
	"github.com/quizroom/quizroom/client/bots"
)

// collectionNote is, for a one-room game whose servers ran with
// GODEBUG=gctrace=1 (-gctrace), how long each question and each reveal
// took to reach its last player (from the event's server time) and which
// of the servers' garbage collections ran meanwhile: whether a slow event
// met a collection, read off the game itself.
func collectionNote(name string, servers []*proc.Child, obs *observer, res []*bots.Result) string {
	var gcs []proc.Collection
	for _, s := range servers {
		gcs = append(gcs, s.Collections()...)
	}
	var sb strings.Builder
	// The bots' own collections are not read here: run the load test with
	// GODEBUG=gctrace=1 too, and its trace's times count from started.
	fmt.Fprintf(&sb, "- %s: %d collections in the servers' lives (the load test started at %s)\n\n", name, len(gcs), clock(started))
	sb.WriteString("| question | question sent at | sent → last player | collections meanwhile (their time in it) | reveal sent at | sent → last player | collections meanwhile (their time in it) |\n")
	sb.WriteString("| --: | --- | --: | --- | --- | --: | --- |\n")
	opened, revealed := lastArrivals(res, "question_opened"), lastArrivals(res, "question_revealed")
	obs.mu.Lock()
	defer obs.mu.Unlock()
	qs := make([]int32, 0, len(obs.opened))
	for q := range obs.opened {
		qs = append(qs, q)
	}
	slices.Sort(qs)
	cell := func(sent, last map[int32]time.Time, q int32) (when, took, met string) {
		at, ok := sent[q]
		end, done := last[q]
		if !ok || !done {
			return "—", "—", "—"
		}
		n, d := proc.Overlapping(gcs, at, end)
		met = "none"
		if n > 0 {
			met = fmt.Sprintf("%d (%d ms)", n, d.Milliseconds())
		}
		return clock(at), fmt.Sprintf("%d ms", end.Sub(at).Milliseconds()), met
	}
	for _, q := range qs {
		qAt, qTook, qMet := cell(obs.opened, opened, q)
		rAt, rTook, rMet := cell(obs.revealed, revealed, q)
		fmt.Fprintf(&sb, "| %d | %s | %s | %s | %s | %s | %s |\n", q, qAt, qTook, qMet, rAt, rTook, rMet)
	}
	return sb.String()
}

// started is about when this process started: its own gctrace lines count
// from it.
var started = time.Now()

// clock is t as a time of day in UTC, to the millisecond.
func clock(t time.Time) string { return t.UTC().Format("15:04:05.000") }
