package game

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Typed answers are graded on normalised text: the server passes the
// player's text and the deck's accepted answers through the same
// normalisation (content.NormalizeAnswer: Unicode NFKC, case folded,
// punctuation removed, spaces collapsed) before they reach this package.
// The comparison then ignores spaces and the plural ending of the last word.

// MinTypoWordLen is the shortest word of an accepted answer, in characters,
// in which Settings.AllowTypos forgives a typo.
const MinTypoWordLen = 6

// AnswerForms returns the keys a normalised answer matches under: the
// answer with every space removed and, when its last word ends in a plural
// ending, the key without it: "containers" → "containers", "container";
// "batches" → "batches", "batche", "batch"; "policies" → "policies",
// "policie", "policy". A last word left shorter than 3 characters keeps its
// ending, so "ecs" never becomes "ec". Two answers are the same when their
// forms share one (SameAnswer).
func AnswerForms(normalized string) []string {
	key := squeeze(normalized)
	fields := strings.Fields(normalized)
	if len(fields) == 0 {
		return []string{key}
	}
	last := fields[len(fields)-1]
	forms := []string{key}
	add := func(ending, replacement string) {
		if stem := strings.TrimSuffix(last, ending) + replacement; utf8.RuneCountInString(stem) >= 3 {
			forms = append(forms, strings.TrimSuffix(key, ending)+replacement)
		}
	}
	switch {
	case strings.HasSuffix(last, "ss"):
	case strings.HasSuffix(last, "ies"):
		add("s", "")
		add("ies", "y")
	case hasAnySuffix(last, "ses", "xes", "zes", "ches", "shes"):
		add("s", "")
		add("es", "")
	case strings.HasSuffix(last, "s"):
		add("s", "")
	}
	return forms
}

// hasAnySuffix reports whether s ends in one of suffixes.
func hasAnySuffix(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

// SameAnswer reports whether two normalised answers are the same answer:
// equal once their spaces are removed, or but for a plural ending
// ("quokka quux" and "quokkaquux"; "container" and "containers").
func SameAnswer(typed, accepted string) bool {
	for _, a := range AnswerForms(typed) {
		for _, b := range AnswerForms(accepted) {
			if a == b {
				return true
			}
		}
	}
	return false
}

// NearAnswer reports whether typed is the same answer as accepted with at
// most one typo: one
// character inserted, deleted, replaced, or two adjacent characters swapped
// (Damerau–Levenshtein distance 1), inside one word of accepted that has at
// least MinTypoWordLen characters and no digit. Spaces and the plural
// ending are ignored as in SameAnswer. Short words and numbers must be
// exact: "amazon ecr" is not "amazon ecs", "2023" is not "2024".
func NearAnswer(typed, accepted string) bool {
	if SameAnswer(typed, accepted) {
		return true
	}
	words := strings.Fields(accepted)
	if len(words) == 0 {
		return false
	}
	// The accepted answer, and the same with its last word singular.
	variants := [][]string{words}
	last := words[len(words)-1]
	for _, f := range AnswerForms(last)[1:] {
		variants = append(variants, append(words[:len(words)-1:len(words)-1], f))
	}
	for _, t := range AnswerForms(typed) {
		for _, ws := range variants {
			if oneTypo(t, ws) {
				return true
			}
		}
	}
	return false
}

// oneTypo reports whether key is words joined, with one word of at least
// MinTypoWordLen letters and no digit at most one edit away.
func oneTypo(key string, words []string) bool {
	for i, w := range words {
		if utf8.RuneCountInString(w) < MinTypoWordLen || strings.IndexFunc(w, unicode.IsDigit) >= 0 {
			continue
		}
		prefix, suffix := strings.Join(words[:i], ""), strings.Join(words[i+1:], "")
		if len(key) < len(prefix)+len(suffix) || !strings.HasPrefix(key, prefix) || !strings.HasSuffix(key, suffix) {
			continue
		}
		if withinOneEdit([]rune(key[len(prefix):len(key)-len(suffix)]), []rune(w)) {
			return true
		}
	}
	return false
}

// withinOneEdit reports whether a and b are equal or one insertion,
// deletion, substitution or adjacent transposition apart.
func withinOneEdit(a, b []rune) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		return true // equal, or b has one more rune at the end
	}
	if len(a) < len(b) {
		return string(a[i:]) == string(b[i+1:]) // b has one more rune at i
	}
	if string(a[i+1:]) == string(b[i+1:]) {
		return true // one substitution at i
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && string(a[i+2:]) == string(b[i+2:])
}

// squeeze returns s without its spaces.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
