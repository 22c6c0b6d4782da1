package room

import (
	"context"
	"iter"
	"slices"
	"time"
)

// Report is everything a room's game recorded, for its host.
type Report struct {
	Spec  *Spec
	State *State
	Data  *ReportData
}

// Report returns the room's report. Host only.
func (e *Engine) Report(ctx context.Context, code string, who Identity) (*Report, error) {
	if err := host(who); err != nil {
		return nil, err
	}
	spec, st, err := e.Info(ctx, code)
	if err != nil {
		return nil, err
	}
	data, err := e.store.Report(ctx, code)
	if err != nil {
		return nil, err
	}
	return &Report{Spec: spec, State: st, Data: data}, nil
}

// Missed lists, by player, the revealed scored questions they did not
// answer fully correctly.
func (r *Report) Missed() map[string][]Miss { return missed(r.Spec, r.Data) }

// QuestionStats sums up the answers to one question.
type QuestionStats struct {
	Counts      []int // answers per option
	Answered    int
	Correct     int
	AverageTime time.Duration
}

// Stats sums up the answers to revealed question q.
func (r *Report) Stats(q int) QuestionStats {
	return tally(len(r.Spec.Questions[q].Options), slices.Values(r.Data.Results[q]))
}

// tally sums up the answers to a question with options options.
func tally(options int, results iter.Seq[Result]) QuestionStats {
	s := QuestionStats{Counts: make([]int, options)}
	var total time.Duration
	for res := range results {
		s.Answered++
		total += res.Elapsed
		if res.Correct {
			s.Correct++
		}
		for _, c := range res.Answer.Choices {
			if c >= 0 && c < options {
				s.Counts[c]++
			}
		}
	}
	if s.Answered > 0 {
		s.AverageTime = total / time.Duration(s.Answered)
	}
	return s
}
