package content

import (
	"cmp"
	"embed"
	"errors"
	"io/fs"
	"slices"
)

// builtin holds the notes and decks that ship inside the binary.
//
//go:embed notes/*.md decks/*.md
var builtin embed.FS

// Builtin returns the embedded decks, sorted by ID, each question with the
// passage of the built-in notes its deck names (AddPassages).
func Builtin() ([]*Deck, error) {
	decks, err := parseAll("decks", Parse, func(d *Deck) string { return d.ID })
	if err != nil {
		return nil, err
	}
	notes, err := BuiltinNotes()
	if err != nil {
		return nil, err
	}
	for _, d := range decks {
		for _, n := range notes {
			if n.ID == d.Notes {
				d.AddPassages(n)
			}
		}
	}
	return decks, nil
}

// BuiltinNotes returns the embedded notes, sorted by ID.
func BuiltinNotes() ([]*Notes, error) {
	return parseAll("notes", ParseNotes, func(n *Notes) string { return n.ID })
}

// parseAll parses every .md file of dir in the embedded files.
func parseAll[T any](dir string, parse func(string, []byte) (*T, error), id func(*T) string) ([]*T, error) {
	files, err := fs.Glob(builtin, dir+"/*.md")
	if err != nil {
		return nil, err
	}
	var out []*T
	var errs []error
	for _, f := range files {
		src, err := builtin.ReadFile(f)
		if err != nil {
			return nil, err
		}
		v, err := parse(f, src)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, v)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *T) int { return cmp.Compare(id(a), id(b)) })
	return out, nil
}
