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
	fmt.Fprintf(&sb, "- %s: %d collections in the servers' lives\n\n", name, len(gcs))
	sb.WriteString("| question | question: sent → last player | collections meanwhile (their time in it) | reveal: sent → last player | collections meanwhile (their time in it) |\n")
	sb.WriteString("| --: | --: | --- | --: | --- |\n")
	opened, revealed := lastArrivals(res, "question_opened"), lastArrivals(res, "question_revealed")
	obs.mu.Lock()
	defer obs.mu.Unlock()
	qs := make([]int32, 0, len(obs.opened))
	for q := range obs.opened {
		qs = append(qs, q)
	}
	slices.Sort(qs)
	cell := func(sent, last map[int32]time.Time, q int32) (took, met string) {
		at, ok := sent[q]
		end, done := last[q]
		if !ok || !done {
			return "—", "—"
		}
		n, d := proc.Overlapping(gcs, at, end)
		met = "none"
		if n > 0 {
			met = fmt.Sprintf("%d (%d ms)", n, d.Milliseconds())
		}
		return fmt.Sprintf("%d ms", end.Sub(at).Milliseconds()), met
	}
	for _, q := range qs {
		qTook, qMet := cell(obs.opened, opened, q)
		rTook, rMet := cell(obs.revealed, revealed, q)
		fmt.Fprintf(&sb, "| %d | %s | %s | %s | %s |\n", q, qTook, qMet, rTook, rMet)
	}
	return sb.String()
}
