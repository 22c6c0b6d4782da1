// Package cli is quiz, the reference command-line client of Quizroom: it
// joins a room as a player, hosts a room, watches one for a projector, lists,
// generates and uploads decks, and drives simulated players to load-test a
// server. With a terminal it shows a full-screen UI; otherwise, or with
// --plain, it writes one line per event (client/README.md has the format).
// Main is the whole program; cmd/quiz and client are its two entry points.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/quizroom/quizroom/client/conn"
)

// app is what every command shares: the streams, the environment and the
// global flags.
type app struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer

	conn  conn.Config
	plain bool // line output even on a terminal
	json  bool // protojson output
	errs  []error

	// localAddrs lists this machine's network addresses, where invite
	// looks for a server the flags name by a loopback address.
	localAddrs func() []string
}

// Exit statuses of Main.
const (
	// ExitError is the status after an error.
	ExitError = 1
	// ExitGone is the status when the room is gone: the server restarted
	// without it, or it ended or expired (conn.Gone).
	ExitGone = 3
)

// Main runs quiz with the process's arguments, environment and standard
// streams, and ends on SIGINT or SIGTERM: the first leaves the room
// cleanly (a host in line mode is asked whether to end the game), a second
// kills the program. It exits with status ExitError after an error,
// ExitGone when the room is gone.
func Main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second ctrl+c kills
	}()
	err := Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quiz:", err)
		if roomGone(err) {
			os.Exit(ExitGone)
		}
		os.Exit(ExitError)
	}
}

// Run runs the quiz command line args (without the program name). The
// environment comes from getenv; input from stdin, output to stdout and
// stderr. It returns the error to report, if any.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	a := &app{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, localAddrs: interfaceAddrs}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return root.ExecuteContext(ctx)
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "quiz",
		Short: "Play, host and watch live Quizroom quizzes",
		Long: `quiz is the reference client of a Quizroom server.

With a terminal it shows a full-screen UI; when stdout is not a terminal, or
with --plain, it writes one line per event, and --json writes each event as
one line of protojson. Every global flag has an environment variable.

The tokens of the rooms you join or host are kept in $QUIZ_STATE_DIR, by
default quizroom in your configuration directory (~/.config/quizroom on Linux), so that
quiz join CODE and quiz host --resume CODE come back to a room after ctrl-C, a
closed terminal or a crash.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return errors.Join(a.errs...)
		},
	}
	fs := root.PersistentFlags()
	fs.StringVar(&a.conn.Addr, "addr", a.envString("QUIZ_ADDR", conn.DefaultAddr), "server address host:port (env QUIZ_ADDR)")
	fs.BoolVar(&a.conn.TLS, "tls", a.envBool("QUIZ_TLS"), "dial with TLS, verifying the server with the system roots (env QUIZ_TLS)")
	fs.StringVar(&a.conn.CAFile, "tls-ca", a.envString("QUIZ_TLS_CA", ""), "PEM file of CAs to verify the server with; implies --tls (env QUIZ_TLS_CA)")
	fs.BoolVar(&a.conn.InsecureSkipVerify, "insecure-skip-verify", a.envBool("QUIZ_INSECURE_SKIP_VERIFY"), "TLS without verifying the server: test servers only (env QUIZ_INSECURE_SKIP_VERIFY)")
	fs.DurationVar(&a.conn.Timeout, "timeout", a.envDuration("QUIZ_TIMEOUT", conn.DefaultTimeout), "time limit of each call to the server (env QUIZ_TIMEOUT)")
	fs.BoolVar(&a.plain, "plain", false, "one line per event even on a terminal")
	fs.BoolVar(&a.json, "json", false, "machine-readable output: protojson, one event per line")

	root.AddCommand(a.joinCommand(), a.hostCommand(), a.watchCommand(), a.decksCommand(), a.deckCommand(), a.botsCommand())
	return root
}

// envString is the environment variable's value, or def when it is unset.
func (a *app) envString(name, def string) string {
	if v := a.getenv(name); v != "" {
		return v
	}
	return def
}

// envBool reads a boolean environment variable (1, true, yes, …); a bad
// value is reported when the command runs.
func (a *app) envBool(name string) bool {
	v := a.getenv(name)
	if v == "" {
		return false
	}
	switch v {
	case "yes", "on":
		return true
	case "no", "off":
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		a.errs = append(a.errs, fmt.Errorf("%s=%q: use true or false", name, v))
	}
	return b
}

// envDuration reads a duration environment variable.
func (a *app) envDuration(name string, def time.Duration) time.Duration {
	v := a.getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		a.errs = append(a.errs, fmt.Errorf("%s=%q: use a positive duration such as 10s", name, v))
		return def
	}
	return d
}

// dial connects to the server the flags name.
func (a *app) dial() (*conn.Client, error) { return conn.Dial(a.conn) }

// tui reports whether to show the full-screen UI: both ends are terminals
// and no line output was asked for.
func (a *app) tui() bool { return !a.plain && !a.json && isTerminal(a.stdin) && isTerminal(a.stdout) }

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// args checks that a command got exactly the n arguments named by its
// usage line, and says so for people when not.
func args(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, got []string) error {
		if len(got) == n {
			return nil
		}
		return fmt.Errorf("%d argument(s) given, want %d: usage: %s", len(got), n, cmd.UseLine())
	}
}
