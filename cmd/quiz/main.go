// Command quiz is the reference client of Quizroom: it joins, hosts and
// watches live quizzes, and lists, generates and uploads decks. Install it
// with go install github.com/quizroom/quizroom/cmd/quiz@latest; package
// client/cli holds the program, and client/README.md documents it.
package main

import "github.com/quizroom/quizroom/client/cli"

func main() { cli.Main() }
