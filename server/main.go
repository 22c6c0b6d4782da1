// Command quizd is the Quizroom server, run from a checkout with
// go run ./server; go install github.com/quizroom/quizroom/cmd/quizd@latest
// installs the same program as quizd. Package server/quizd holds it.
package main

import "github.com/quizroom/quizroom/server/quizd"

func main() { quizd.Main() }
