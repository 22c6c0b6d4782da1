// Command quizd is the Quizroom server: live multiplayer quiz rooms over
// gRPC, and in a browser. Install it with
// go install github.com/quizroom/quizroom/cmd/quizd@latest; package
// server/quizd holds the program, and README.md documents it.
package main

import "github.com/quizroom/quizroom/server/quizd"

func main() { quizd.Main() }
