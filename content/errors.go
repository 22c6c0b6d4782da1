package content

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a source file.
type Error struct {
	File string // the file name given to Parse or ParseNotes
	Line int    // 1-based line of the problem
	Msg  string // what is wrong and what is allowed
}

// Error returns "file:line: msg".
func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// ErrorList is every problem found in a source, in line order; returned by
// Parse and ParseNotes (as error). It holds at most MaxErrors problems and,
// when there were more, a last entry saying so.
type ErrorList []*Error

// Error returns the problems, one per line.
func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap returns the problems, so errors.As finds an *Error in the list.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// collector gathers the problems of one source, up to MaxErrors.
type collector struct {
	file     string
	errs     ErrorList
	overflow bool
}

// addf records a problem at line.
func (c *collector) addf(line int, format string, args ...any) {
	if len(c.errs) == MaxErrors {
		c.overflow = true
		return
	}
	c.errs = append(c.errs, &Error{File: c.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// err returns the problems sorted by line, or nil if there were none.
func (c *collector) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(c.errs, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	if c.overflow {
		last := c.errs[len(c.errs)-1].Line
		c.errs = append(c.errs, &Error{File: c.file, Line: last,
			Msg: fmt.Sprintf("too many errors: only the first %d are reported", MaxErrors)})
	}
	return c.errs
}
