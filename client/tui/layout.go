package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// wrap breaks s (which may hold styles and newlines) into lines of at most
// width cells, at spaces where it can.
func wrap(s string, width int) string {
	width = max(width, 10)
	lines := strings.Split(ansi.Wrap(s, width, ""), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// hang wraps text into width cells after a prefix, indenting the lines
// after the first to line up under the text: a list item whose text wraps.
func hang(prefix, text string, width int) string {
	indent := ansi.StringWidth(prefix)
	lines := strings.Split(wrap(text, max(width-indent, 10)), "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = prefix + lines[i]
		} else {
			lines[i] = strings.Repeat(" ", indent) + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// clip cuts s to width cells, ending it with "…" when cut.
func clip(s string, width int) string { return ansi.Truncate(s, max(width, 1), "…") }

// Priorities of blocks: when the screen is too short, the least important
// blocks go first.
const (
	optional  = iota // the notes section, extra detail
	useful           // explanations, progress, hints
	essential        // what the phase is about: the question, options, results
)

// block is a part of the screen; compact, when set, is a shorter text
// for a screen too short for text.
type block struct {
	text    string
	prio    int
	compact string
}

// fit lays blocks out in at most height lines: separated by blank lines
// when they fit, else packed; then compact; then without the least
// important blocks; at last cut.
func fit(blocks []block, height int) string {
	var kept []block
	for _, b := range blocks {
		if b.text != "" {
			kept = append(kept, b)
		}
	}
	join := func(bs []block, sep string) string {
		texts := make([]string, len(bs))
		for i, b := range bs {
			texts[i] = b.text
		}
		return strings.Join(texts, sep)
	}
	if s := join(kept, "\n\n"); lineCount(s) <= height {
		return s
	}
	if s := join(kept, "\n"); lineCount(s) <= height {
		return s
	}
	for i, b := range kept {
		if b.compact != "" {
			kept[i].text = b.compact
		}
	}
	for prio := optional; prio < essential; prio++ {
		if s := join(kept, "\n"); lineCount(s) <= height {
			return s
		}
		var next []block
		for _, b := range kept {
			if b.prio > prio {
				next = append(next, b)
			}
		}
		kept = next
	}
	s := join(kept, "\n")
	if lines := strings.Split(s, "\n"); len(lines) > height {
		lines = lines[:max(height-1, 0)]
		return strings.Join(append(lines, "…"), "\n")
	}
	return s
}

// lineCount is how many lines s takes.
func lineCount(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, "\n") + 1
}
