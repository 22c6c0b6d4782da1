// Package content holds Quizroom's study notes and decks and the code that
// reads them: it parses and validates decks written in Markdown (refusing
// questions whose text gives the answer away), checks their fairness
// (Lint), parses notes, generates decks from notes, renders decks back to
// Markdown, and embeds the built-in notes and decks so the server needs no
// files beside its binary.
//
// The formats and their limits are documented in README.md beside this file.
package content
