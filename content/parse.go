package content

import (
	"github.com/yuin/goldmark/ast"
)

// Parse reads and validates the deck in src; file names it in errors and,
// without an id: line, gives the deck its id (the base name without
// extension). On any problem it returns a nil deck and an ErrorList.
func Parse(file string, src []byte) (*Deck, error) {
	s, doc := newSource(file, "deck", src)
	if doc == nil {
		return nil, s.err()
	}
	p := &deckParser{source: s, deck: &Deck{}, front: seenKeys{}}
	p.walk(doc)
	if err := s.err(); err != nil {
		return nil, err
	}
	return p.deck, nil
}

// deckParser builds a Deck from the top-level blocks of a Markdown document.
type deckParser struct {
	*source
	deck      *Deck
	titleLine int      // line of the # title; 0 before it
	front     seenKeys // id:, notes: and description: lines after the title
	cur       *draft   // the question being read
	count     int      // ## headings seen
}

func (p *deckParser) walk(doc ast.Node) {
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		line := p.lineOf(n)
		switch {
		case isComment(n):
		case n.Kind() == ast.KindThematicBreak: // a --- line may separate questions
		case n.Kind() == ast.KindHeading:
			p.heading(n.(*ast.Heading), line)
		case p.cur != nil:
			p.cur.block(n, line)
		case p.titleLine > 0:
			p.frontBlock(n, line)
		default:
			p.addf(line, "%s before the # title: a deck starts with its # title", describe(n))
		}
	}
	p.finishQuestion()
	p.finishDeck()
}

func (p *deckParser) heading(h *ast.Heading, line int) {
	switch h.Level {
	case 1:
		switch {
		case p.titleLine > 0:
			p.addf(line, "second # title (first on line %d): a deck has one title; use ## for questions", p.titleLine)
		case p.count > 0:
			p.addf(line, "# title after the first question: the title comes first")
		default:
			p.titleLine = line
			p.deck.Title = p.text(h.Lines(), 0)
		}
	case 2:
		p.finishQuestion()
		p.count++
		if p.count == MaxQuestions+1 {
			p.addf(line, "too many questions: at most %d", MaxQuestions)
		}
		p.cur = newDraft(p, line, p.text(h.Lines(), 0))
	default:
		p.addf(line, "level-%d heading: use # for the deck title and ## for each question", h.Level)
	}
}

// frontBlock reads a block between the title and the first question.
func (p *deckParser) frontBlock(n ast.Node, line int) {
	para, ok := n.(*ast.Paragraph)
	if !ok {
		p.addf(line, "%s before the first question: after the # title come only id:, notes: and description: lines", describe(n))
		return
	}
	for _, kv := range p.keyValues(para, "id, notes or description") {
		if !p.front.first(p.source, kv) {
			continue
		}
		switch kv.key {
		case "id":
			p.checkID(kv.line, kv.value)
			p.deck.ID = kv.value
		case "notes":
			p.checkID(kv.line, kv.value)
			p.deck.Notes = kv.value
		case "description":
			p.checkText(kv.line, "description", kv.value, MaxDescriptionLen)
			p.deck.Description = kv.value
		default:
			p.addf(kv.line, "unknown key %s: after the title use id, notes or description", kv.key)
		}
	}
}

func (p *deckParser) finishQuestion() {
	if p.cur == nil {
		return
	}
	q := p.cur.finish()
	if p.count <= MaxQuestions {
		p.deck.Questions = append(p.deck.Questions, q)
	}
	p.cur = nil
}

func (p *deckParser) finishDeck() {
	if p.titleLine == 0 {
		p.addf(1, "deck has no # title: start it with a line such as # AWS compute")
	} else {
		p.checkText(p.titleLine, "title", p.deck.Title, MaxTitleLen)
	}
	if _, ok := p.front["id"]; !ok {
		p.deck.ID = idFromFile(p.file)
		if !validID(p.deck.ID) {
			p.addf(max(p.titleLine, 1), "no valid id in the file name %q: add an id: line of 1 to %d characters a-z, 0-9 and -", clip(p.file), MaxIDLen)
		}
	}
	if p.count == 0 {
		p.addf(max(p.titleLine, 1), "deck has no questions: add a ## heading for each question")
	}
}
