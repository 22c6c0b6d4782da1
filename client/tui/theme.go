package tui

import (
	"github.com/charmbracelet/lipgloss"
)

// Styles of the screens. Colour is never the only signal: every coloured
// thing also has a word, a shape or a number.
var (
	titleStyle  = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("212"))
	dimStyle    = lipgloss.NewStyle().Foreground(lipgloss.Color("245"))
	boldStyle   = lipgloss.NewStyle().Bold(true)
	goodStyle   = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("42"))
	badStyle    = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("203"))
	warnStyle   = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("214"))
	cursorStyle = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("51"))
	codeStyle   = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("226"))
)

// mark is how an option is told apart at a glance: a shape and a colour
// beside its key, the same on every screen, so that a player can match
// the projector's options to their own.
type mark struct {
	shape string
	color lipgloss.Color
}

// marks are the options' marks in order, A to F: the first four as in the
// quiz games people know (red triangle, blue diamond, yellow circle, green
// square).
var marks = [6]mark{
	{"▲", lipgloss.Color("196")}, // triangle
	{"◆", lipgloss.Color("33")},  // diamond
	{"●", lipgloss.Color("220")}, // circle
	{"■", lipgloss.Color("40")},  // square
	{"★", lipgloss.Color("171")}, // star
	{"♥", lipgloss.Color("44")},  // heart
}

// optionMark is option i's shape and key letter, in its colour: "▲ A".
func optionMark(i int) string {
	m := marks[i%len(marks)]
	return lipgloss.NewStyle().Bold(true).Foreground(m.color).Render(m.shape + " " + string(rune('A'+i)))
}

// countdownStyle colours the countdown by the share of time left f: green,
// then yellow under a half, red under a quarter.
func countdownStyle(f float64) lipgloss.Style {
	switch {
	case f > 0.5:
		return lipgloss.NewStyle().Foreground(lipgloss.Color("42"))
	case f > 0.25:
		return lipgloss.NewStyle().Foreground(lipgloss.Color("220"))
	}
	return lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("196"))
}
