package content

import (
	"regexp"
	"slices"
)

// keywordTable numbers the keywords of one Generate call's notes (stems of
// words but stop words), so that facts compare by merging sorted lists:
// comparing every fact with every other stays fast for the largest notes.
type keywordTable map[string]int32

// of returns the sorted numbers of the keywords of text.
func (t keywordTable) of(text string) []int32 {
	var ids []int32
	for _, w := range words(text) {
		if stopWords[w] || nameStopWords[w] {
			continue
		}
		s := stem(w)
		id, ok := t[s]
		if !ok {
			id = int32(len(t))
			t[s] = id
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// factKeys is what sameFact compares of a fact: its keywords once its
// concept's name is masked, and whether it denies.
type factKeys struct {
	keys    []int32
	negated bool
}

// sameFact reports whether fact a of one concept and fact b of another say
// the same thing: both affirm or both deny, and they share at least
// SameFactWords keywords, which make at least SameFactShare percent of the
// keywords of the one with fewer. The words of the other concept's name
// (aOther for a, bOther for b) do not count. "____ works with both Amazon
// ECS and Amazon EKS" and "____ is integrated with Amazon ECS and Amazon
// EKS" say the same; "To coordinate AWS services into serverless
// workflows, choose ____" and "____ gives no direct way to coordinate AWS
// services into serverless workflows" do not.
func sameFact(a, b factKeys, aOther, bOther []int32) bool {
	if a.negated != b.negated {
		return false
	}
	shared := 0
	for x, y := a.keys, b.keys; len(x) > 0 && len(y) > 0; {
		switch {
		case x[0] < y[0]:
			x = x[1:]
		case x[0] > y[0]:
			y = y[1:]
		default:
			if !holds(aOther, x[0]) && !holds(bOther, x[0]) {
				shared++
			}
			x, y = x[1:], y[1:]
		}
	}
	na, nb := len(a.keys)-common(a.keys, aOther), len(b.keys)-common(b.keys, bOther)
	return shared >= SameFactWords && shared*100 >= SameFactShare*min(na, nb)
}

// common counts the numbers that two sorted lists share.
func common(a, b []int32) int {
	n := 0
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] < b[0]:
			a = a[1:]
		case a[0] > b[0]:
			b = b[1:]
		default:
			n++
			a, b = a[1:], b[1:]
		}
	}
	return n
}

// holds reports whether the sorted list a holds x.
func holds(a []int32, x int32) bool {
	_, found := slices.BinarySearch(a, x)
	return found
}

// clauseBreak splits a fact into clauses.
var clauseBreak = regexp.MustCompile(`[,;:()]|\b(but|while|whereas|unlike|although)\b`)

// affirms reports whether text says what something is or does: it holds no
// negation, or a clause of at least MinFactWords words without one ("You
// can upload code to ____, but it provides no way to deploy" affirms; "It
// provides no way to deploy your applications, unlike Elastic Beanstalk"
// does not).
func affirms(text string) bool {
	if !negated(text) {
		return true
	}
	for _, clause := range clauseBreak.Split(text, -1) {
		if !negated(clause) && len(words(clause)) >= MinFactWords {
			return true
		}
	}
	return false
}

// negation matches the words that turn a fact into a denial.
var negation = regexp.MustCompile(`(?i)\b(not|no|never|cannot|nor|none|neither)\b|n't\b`)

// negated reports whether text denies rather than affirms.
func negated(text string) bool { return negation.MatchString(text) }
