// Command quiz is the reference client of Quizroom: it joins a room as a
// player, hosts a room, watches one for a projector, lists, lints, generates
// and uploads decks, and drives simulated players to load-test a server.
// With a terminal it shows a full-screen UI; otherwise, or with --plain, it
// writes one line per event (README.md beside this file has the format).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quiz:", err)
		os.Exit(1)
	}
}
