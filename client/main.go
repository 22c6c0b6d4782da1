// Command quiz is the reference client of Quizroom, run from a checkout with
// go run ./client; go install github.com/quizroom/quizroom/cmd/quiz@latest
// installs the same program as quiz. Package cli holds it.
package main

import "github.com/quizroom/quizroom/client/cli"

func main() { cli.Main() }
