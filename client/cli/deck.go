package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/quizroom/quizroom/client/conn"
	"github.com/quizroom/quizroom/content"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

func (a *app) decksCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "decks",
		Short: "List the decks the server can run",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.decks(cmd.Context())
		},
	}
}

func (a *app) decks(ctx context.Context) error {
	c, err := a.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	cctx, cancel := c.Call(ctx)
	defer cancel()
	resp, err := c.API.ListDecks(cctx, &quizv1.ListDecksRequest{})
	if err != nil {
		return conn.Explain(err, "listing decks", c.Addr())
	}
	if a.json {
		b, err := protojson.Marshal(resp)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(a.stdout, string(b))
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tQUESTIONS\tSOURCE\tTITLE")
	for _, d := range resp.GetDecks() {
		src := "built-in"
		if d.GetUploaded() {
			src = "uploaded"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", d.GetId(), d.GetQuestionCount(), src, d.GetTitle())
	}
	return tw.Flush()
}

func (a *app) deckCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deck",
		Short: "Check, generate and upload decks",
	}
	cmd.AddCommand(a.deckLintCommand(), a.deckFromNotesCommand(), a.deckUploadCommand())
	return cmd
}

func (a *app) deckLintCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "lint FILE...",
		Short: "Check deck and notes files locally; exit status 1 on errors",
		Long: `Parse and validate deck files as the server would, printing each error as
file:line: message, then check each deck's fairness and print what could let a
player answer without knowing (an answer in the section, an option that gives
itself away, an explanation that answers another question, ...) as
file:line: warning: message. Warnings never stop a deck from being uploaded or
played.

A file with ### sections and no ## questions is notes, not a deck: lint says
so, checks it as notes, and warns about each fact quiz deck from-notes would
not ask, and why. The exit status is 1 when any file has an error, 0 when there
are only warnings.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			bad := 0
			for _, file := range args {
				src, err := os.ReadFile(file)
				if err != nil {
					return err
				}
				if content.LooksLikeNotes(src) {
					bad += a.lintNotes(file, src)
				} else {
					bad += a.lintDeck(file, src)
				}
			}
			if bad > 0 {
				return fmt.Errorf("%d problem(s) found", bad)
			}
			return nil
		},
	}
}

// lintDeck prints the errors or the warnings of the deck in src and
// returns how many errors it has.
func (a *app) lintDeck(file string, src []byte) int {
	d, err := content.Parse(file, src)
	if err != nil {
		return a.printErrors(file, err)
	}
	warnings := content.Lint(d)
	a.printWarnings(file, warnings)
	fmt.Fprintf(a.stdout, "%s: ok: deck %q, %d questions, %d %s\n", file, d.ID, len(d.Questions), len(warnings), plural(len(warnings), "warning", "warnings"))
	return 0
}

// lintNotes prints the errors or the warnings of the notes in src and
// returns how many errors they have.
func (a *app) lintNotes(file string, src []byte) int {
	fmt.Fprintf(a.stdout, "%s: notes, not a deck (### sections, no ## questions): checking them as notes; make a deck of them with: quiz deck from-notes %s\n", file, file)
	n, err := content.ParseNotes(file, src)
	if err != nil {
		return a.printErrors(file, err)
	}
	warnings := content.LintNotes(n)
	a.printWarnings(file, warnings)
	asked := 0
	if d, err := content.Generate(n, content.GenerateOptions{Seed: 1}); err == nil {
		asked = len(d.Questions)
	}
	facts := 0
	for _, s := range n.Sections {
		facts += len(s.Facts)
	}
	fmt.Fprintf(a.stdout, "%s: ok: notes %q, %d sections, %d facts, %d asked by from-notes, %d %s\n", file, n.ID, len(n.Sections), facts, asked, len(warnings), plural(len(warnings), "warning", "warnings"))
	return 0
}

// printErrors prints the problems of a file that does not parse and
// returns how many there are.
func (a *app) printErrors(file string, err error) int {
	var list content.ErrorList
	if !errors.As(err, &list) {
		fmt.Fprintf(a.stdout, "%s: %v\n", file, err)
		return 1
	}
	for _, e := range list {
		fmt.Fprintln(a.stdout, e.Error())
	}
	return len(list)
}

// printWarnings prints warnings as file:line: warning: message.
func (a *app) printWarnings(file string, warnings []content.Warning) {
	for _, w := range warnings {
		fmt.Fprintf(a.stdout, "%s:%d: warning: %s\n", file, w.Line, w.Msg)
	}
}

// plural returns one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (a *app) deckFromNotesCommand() *cobra.Command {
	var opt content.GenerateOptions
	var kinds []string
	cmd := &cobra.Command{
		Use:   "from-notes NOTES.md",
		Short: "Generate a deck from study notes and print it",
		Long: `Make a deck from study notes (a ### heading per concept, a bullet per fact)
as the server does for quiz host --notes, and print it in the deck format, to
review, edit and upload. The same notes and seed always give the same deck.`,
		Args: args(1),
		RunE: func(_ *cobra.Command, args []string) error {
			src, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			notes, err := content.ParseNotes(args[0], src)
			if err != nil {
				return err
			}
			for _, k := range kinds {
				kind, err := parseKind(k)
				if err != nil {
					return err
				}
				opt.Kinds = append(opt.Kinds, kind)
			}
			d, err := content.Generate(notes, opt)
			if err != nil {
				return err
			}
			_, err = a.stdout.Write(content.Format(d))
			return err
		},
	}
	fs := cmd.Flags()
	fs.Uint64Var(&opt.Seed, "seed", 1, "seed: the same notes and seed give the same deck")
	fs.IntVar(&opt.Count, "count", 0, "questions wanted; 0: all that can be made")
	fs.DurationVar(&opt.TimeLimit, "time", 0, "time limit of each question; 0: the room's")
	fs.StringSliceVar(&kinds, "kinds", nil, "kinds to make: single, truefalse, typed (default all three)")
	return cmd
}

// parseKind reads a question kind as a deck names it.
func parseKind(s string) (content.Kind, error) {
	for _, k := range []content.Kind{content.KindSingle, content.KindMultiple, content.KindTrueFalse, content.KindTyped, content.KindPoll} {
		if strings.EqualFold(k.String(), s) {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown kind %q: use single, truefalse or typed", s)
}

func (a *app) deckUploadCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "upload FILE",
		Short: "Upload a deck to the server, for quiz host --deck",
		Long: `Upload a deck to the server, which validates it again. Its fairness
warnings (see quiz deck lint) are printed first as file:line: warning: message;
they do not stop the upload.`,
		Args: args(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			if d, err := content.Parse(args[0], src); err == nil {
				a.printWarnings(args[0], content.Lint(d))
			}
			c, err := a.dial()
			if err != nil {
				return err
			}
			defer c.Close()
			ctx, cancel := c.Call(cmd.Context())
			defer cancel()
			resp, err := c.API.UploadDeck(ctx, &quizv1.UploadDeckRequest{Source: string(src), FileName: uploadName(args[0])})
			if err != nil {
				err = conn.Explain(err, "uploading "+args[0], c.Addr())
				var e *conn.Error
				if errors.As(err, &e) && len(e.Violations) > 0 {
					for _, v := range e.Violations {
						fmt.Fprintln(a.stdout, v)
					}
					return fmt.Errorf("the server refused the deck: %d problem(s)", len(e.Violations))
				}
				return err
			}
			d := resp.GetDeck()
			fmt.Fprintf(a.stdout, "uploaded deck=%s questions=%d title=%q\n%s\nplay it with: quiz host --deck %s%s\n",
				d.GetId(), d.GetQuestionCount(), d.GetTitle(), uploadedID(args[0], src), d.GetId(), a.serverFlags())
			return nil
		},
	}
}

// uploadedID explains the id the server gave the deck uploaded from file:
// the deck's own id and a hash of the file, so that uploads never replace
// each other.
func uploadedID(file string, src []byte) string {
	own := "its id"
	if d, err := content.Parse(file, src); err == nil {
		own = fmt.Sprintf("its id (%s)", d.ID)
	}
	return "the server names an uploaded deck by " + own + " and a hash of the file, so that uploads never replace each other " +
		"(an edited file uploads as a new deck)"
}

// uploadName is how the server's messages name the file: as given, unless
// that is longer than the server takes.
func uploadName(path string) string {
	if len(path) <= 100 {
		return path
	}
	return filepath.Base(path)
}
