package content

import "time"

// Limits of a deck. Parse rejects a deck that breaks any of them; lengths are
// counted in characters (Unicode code points), not bytes.
const (
	MaxSourceSize     = 1 << 20 // bytes of a deck or notes source
	MaxTitleLen       = 100     // characters of a deck or notes title
	MaxIDLen          = 40      // characters of a deck or notes id
	MaxDescriptionLen = 300     // characters of a deck description
	MaxQuestions      = 500     // questions in a deck
	MinOptions        = 2       // options of a choice or poll question
	MaxOptions        = 6       // options of a choice or poll question
	MaxQuestionLen    = 280     // characters of a question's text
	MaxOptionLen      = 120     // characters of an option
	MaxExplanationLen = 1000    // characters of an explanation
	MaxSectionLen     = 100     // characters of a notes section name
	MaxAccepted       = 10      // accepted answers of a typed question
	MaxAcceptedLen    = 60      // characters of an accepted answer

	MinTimeLimit = 5 * time.Second   // shortest per-question time limit
	MaxTimeLimit = 240 * time.Second // longest per-question time limit

	DefaultPoints = 1000 // points of a question without a points: line (polls: 0)
	DoublePoints  = 2000 // the only other non-zero points value

	MaxErrors = 50 // errors reported for one source; more end the list with a note
)

// Limits of notes, besides MaxSourceSize, MaxTitleLen, MaxIDLen and MaxSectionLen.
const (
	MaxSections = 100  // ### sections in notes
	MaxFacts    = 1000 // facts (bullets) in notes, all sections together
	MaxFactLen  = 500  // characters of a fact
)
