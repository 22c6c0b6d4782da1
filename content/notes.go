package content

import (
	"strings"

	"github.com/yuin/goldmark/ast"
)

// Notes are study notes: a title and one section per concept, each section
// a list of facts. Generate turns them into a deck.
type Notes struct {
	ID       string    // slug (file name without .md, or an id: line)
	Title    string    // from the # heading
	Sections []Section // in source order
}

// Section is one concept of the notes: its ### heading and its bullets.
type Section struct {
	Name  string // the heading, as written: "Amazon Elastic Container Service (ECS)"
	Line  int    // line of the heading
	Facts []Fact
}

// Passage returns the facts of s as a passage to study: one "- fact" line
// each, in order.
func (s *Section) Passage() string {
	lines := make([]string, len(s.Facts))
	for i, f := range s.Facts {
		lines[i] = "- " + f.Text
	}
	return strings.Join(lines, "\n")
}

// Passage returns the passage of the section of n named section (as
// written), or "" if n has none of that name.
func (n *Notes) Passage(section string) string {
	for i := range n.Sections {
		if n.Sections[i].Name == section {
			return n.Sections[i].Passage()
		}
	}
	return ""
}

// Fact is one bullet of a section.
type Fact struct {
	Text string // as written, lines joined by a space
	Line int    // line of the bullet
}

// ParseNotes reads and validates the notes in src: a # title, optional id:
// line, then ### sections each holding a bullet list of facts. file names it
// in errors and, without an id: line, gives the notes their id. On any
// problem it returns nil and an ErrorList.
func ParseNotes(file string, src []byte) (*Notes, error) {
	s, doc := newSource(file, "notes", src)
	if doc == nil {
		return nil, s.err()
	}
	p := &notesParser{source: s, notes: &Notes{}, names: map[string]int{}}
	p.walk(doc)
	if err := s.err(); err != nil {
		return nil, err
	}
	return p.notes, nil
}

// notesParser builds Notes from the top-level blocks of a Markdown document.
type notesParser struct {
	*source
	notes     *Notes
	titleLine int            // line of the # title; 0 before it
	idLine    int            // line of the id: line; 0: none
	names     map[string]int // normalised section name → line, to find duplicates
	facts     int            // facts seen, in all sections
}

func (p *notesParser) walk(doc ast.Node) {
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		line := p.lineOf(n)
		switch n := n.(type) {
		case *ast.Heading:
			p.heading(n, line)
		case *ast.List:
			p.list(n, line)
		case *ast.Paragraph:
			p.paragraph(n, line)
		default:
			if !isComment(n) && n.Kind() != ast.KindThematicBreak {
				p.addf(line, "%s in notes: notes hold a # title, ### headings and bullet lists", describe(n))
			}
		}
	}
	p.finish()
}

func (p *notesParser) heading(h *ast.Heading, line int) {
	text := p.text(h.Lines(), 0)
	switch {
	case h.Level == 1 && p.titleLine > 0:
		p.addf(line, "second # title (first on line %d): notes have one title; use ### for sections", p.titleLine)
	case h.Level == 1 && len(p.notes.Sections) > 0:
		p.addf(line, "# title after the first section: the title comes first")
	case h.Level == 1:
		p.titleLine = line
		p.notes.Title = text
		p.checkText(line, "title", text, MaxTitleLen)
	case h.Level == 3:
		p.section(text, line)
	default:
		p.addf(line, "level-%d heading in notes: use # for the title and ### for each section", h.Level)
	}
}

func (p *notesParser) section(name string, line int) {
	p.closeSection()
	if len(p.notes.Sections) == MaxSections {
		p.addf(line, "too many sections: at most %d", MaxSections)
	}
	p.checkText(line, "section name", name, MaxSectionLen)
	if norm := NormalizeAnswer(name); norm != "" {
		if prev, ok := p.names[norm]; ok {
			p.addf(line, "duplicate section %q: the same as the section on line %d", clip(name), prev)
		}
		p.names[norm] = line
	}
	p.notes.Sections = append(p.notes.Sections, Section{Name: name, Line: line})
}

// closeSection checks that the last section has facts.
func (p *notesParser) closeSection() {
	if n := len(p.notes.Sections); n > 0 && len(p.notes.Sections[n-1].Facts) == 0 {
		s := p.notes.Sections[n-1]
		p.addf(s.Line, "section %q has no facts: add a bullet list below its heading", clip(s.Name))
	}
}

func (p *notesParser) paragraph(para *ast.Paragraph, line int) {
	if p.titleLine == 0 || len(p.notes.Sections) > 0 || p.idLine > 0 {
		p.addf(line, "paragraph in notes: write each fact as a bullet (- fact) under a ### heading")
		return
	}
	for _, kv := range p.keyValues(para, "id") {
		if kv.key != "id" || p.idLine > 0 {
			p.addf(kv.line, "unknown key %s: after the title of notes only id: is allowed, once", kv.key)
			continue
		}
		p.idLine = kv.line
		p.checkID(kv.line, kv.value)
		p.notes.ID = kv.value
	}
}

func (p *notesParser) list(list *ast.List, line int) {
	if len(p.notes.Sections) == 0 {
		p.addf(line, "list before the first ### section: every fact belongs to a section")
		return
	}
	sec := &p.notes.Sections[len(p.notes.Sections)-1]
	for item := list.FirstChild(); item != nil; item = item.NextSibling() {
		line := p.lineOf(item)
		p.facts++
		if p.facts == MaxFacts+1 {
			p.addf(line, "too many facts: at most %d", MaxFacts)
		}
		block := item.FirstChild()
		if block == nil {
			p.addf(line, "empty fact")
			continue
		}
		if block.NextSibling() != nil {
			p.addf(p.lineOf(block.NextSibling()), "%s inside a fact: a fact is one paragraph; write each fact as its own bullet", describe(block.NextSibling()))
		}
		if block.Kind() != ast.KindTextBlock && block.Kind() != ast.KindParagraph {
			p.addf(line, "%s as a fact: a fact is a line of text", describe(block))
			continue
		}
		text := p.text(block.Lines(), 0)
		p.checkText(line, "fact", text, MaxFactLen)
		sec.Facts = append(sec.Facts, Fact{Text: text, Line: line})
	}
}

func (p *notesParser) finish() {
	p.closeSection()
	if p.titleLine == 0 {
		p.addf(1, "notes have no # title: start them with a line such as # AWS compute")
	}
	if p.idLine == 0 {
		p.notes.ID = idFromFile(p.file)
		if !validID(p.notes.ID) {
			p.addf(max(p.titleLine, 1), "no valid id in the file name %q: add an id: line of 1 to %d characters a-z, 0-9 and -", clip(p.file), MaxIDLen)
		}
	}
	if len(p.notes.Sections) == 0 {
		p.addf(max(p.titleLine, 1), "notes have no sections: add a ### heading for each concept, with a bullet list of facts")
	}
}
