package content

import (
	"strconv"
	"strings"
	"time"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
)

// draft is a question being read: its fields so far and the lines they
// came from, validated as a whole by finish.
type draft struct {
	p           *deckParser
	q           Question
	keys        seenKeys // line of each key given
	kindSet     bool
	pointsSet   bool
	options     []lineOption
	listLine    int // line of the option list; 0: none yet
	answersLine int // line of answers:; 0: none
	quoteLine   int // line of the explanation; 0: none yet
}

// lineOption is an option and the line it is on.
type lineOption struct {
	Option
	line int
}

func newDraft(p *deckParser, line int, text string) *draft {
	return &draft{p: p, q: Question{Line: line, Text: text}, keys: seenKeys{}}
}

// block reads one block of the question's body.
func (d *draft) block(n ast.Node, line int) {
	switch n := n.(type) {
	case *ast.Paragraph:
		d.keyLines(n)
	case *ast.List:
		d.optionList(n, line)
	case *ast.Blockquote:
		d.explanation(n, line)
	default:
		d.p.addf(line, "%s in a question: a question holds key: value lines, one task list of options and one > explanation", describe(n))
	}
}

// paragraphBreak separates the paragraphs of an explanation.
const paragraphBreak = "\n\n"

const questionKeys = "kind, time, points, section or answers"

func (d *draft) keyLines(para *ast.Paragraph) {
	p := d.p
	for _, kv := range p.keyValues(para, questionKeys) {
		if !d.keys.first(p.source, kv) {
			continue
		}
		switch kv.key {
		case "kind":
			k, ok := parseKind(kv.value)
			if !ok {
				p.addf(kv.line, "unknown kind %q: use single, multiple, truefalse, typed or poll", clip(kv.value))
			}
			d.q.Kind, d.kindSet = k, true
		case "time":
			d.q.TimeLimit = d.timeLimit(kv)
		case "points":
			d.q.Points, d.pointsSet = d.points(kv), true
		case "section":
			p.checkText(kv.line, "section", kv.value, MaxSectionLen)
			d.q.Section = kv.value
		case "answers":
			d.answersLine = kv.line
			for a := range strings.SplitSeq(kv.value, "|") {
				d.q.Accepted = append(d.q.Accepted, strings.TrimSpace(a))
			}
		default:
			p.addf(kv.line, "unknown key %s: in a question use %s", kv.key, questionKeys)
		}
	}
}

func (d *draft) timeLimit(kv keyValue) time.Duration {
	t, err := time.ParseDuration(kv.value)
	switch {
	case err != nil:
		d.p.addf(kv.line, "bad time %q: use a duration such as 20s, from %s to %s", clip(kv.value), seconds(MinTimeLimit), seconds(MaxTimeLimit))
	case t%time.Second != 0:
		d.p.addf(kv.line, "bad time %q: use whole seconds", kv.value)
	case t < MinTimeLimit || t > MaxTimeLimit:
		d.p.addf(kv.line, "time %s out of range: use %s to %s", kv.value, seconds(MinTimeLimit), seconds(MaxTimeLimit))
	}
	return t
}

func (d *draft) points(kv keyValue) int {
	n, err := strconv.Atoi(kv.value)
	if err != nil || (n != 0 && n != DefaultPoints && n != DoublePoints) {
		d.p.addf(kv.line, "bad points %q: use 0, %d or %d", clip(kv.value), DefaultPoints, DoublePoints)
	}
	return n
}

func (d *draft) optionList(list *ast.List, line int) {
	if d.listLine > 0 {
		d.p.addf(line, "second option list (first on line %d): a question has one task list of options", d.listLine)
		return
	}
	d.listLine = line
	for item := list.FirstChild(); item != nil; item = item.NextSibling() {
		if o, ok := d.option(item); ok {
			d.options = append(d.options, o)
		}
	}
}

// option reads one item of the option list: - [x] text or - [ ] text.
func (d *draft) option(item ast.Node) (lineOption, bool) {
	p := d.p
	line := p.lineOf(item)
	block := item.FirstChild()
	var box *extast.TaskCheckBox
	if block != nil {
		box, _ = block.FirstChild().(*extast.TaskCheckBox)
	}
	if box == nil {
		p.addf(line, "option without a checkbox: write - [x] for a correct option, - [ ] for a wrong one")
		return lineOption{}, false
	}
	if block.NextSibling() != nil {
		p.addf(line, "option spans several blocks: an option is one line of text")
	}
	from := block.Lines().At(block.Lines().Len() - 1).Stop
	if next := box.NextSibling(); next != nil {
		from = inlineStart(next)
	}
	text := p.text(block.Lines(), from)
	p.checkText(line, "option", text, MaxOptionLen)
	return lineOption{Option: Option{Text: text, Correct: box.IsChecked}, line: line}, true
}

// seconds writes a whole number of seconds as the deck format does: 90s.
func seconds(d time.Duration) string {
	return strconv.FormatInt(int64(d/time.Second), 10) + "s"
}

// inlineStart returns the byte offset where inline node n starts.
func inlineStart(n ast.Node) int {
	if t, ok := n.(*ast.Text); ok {
		return t.Segment.Start
	}
	return n.Pos()
}

func (d *draft) explanation(bq *ast.Blockquote, line int) {
	p := d.p
	if d.quoteLine > 0 {
		p.addf(line, "second explanation (first on line %d): a question has one > explanation", d.quoteLine)
		return
	}
	d.quoteLine = line
	var paras []string
	for c := bq.FirstChild(); c != nil; c = c.NextSibling() {
		para, ok := c.(*ast.Paragraph)
		if !ok {
			p.addf(p.lineOf(c), "%s in an explanation: an explanation holds only paragraphs", describe(c))
			continue
		}
		text := p.text(para.Lines(), 0)
		p.checkPrintable(p.lineOf(para), "explanation", text)
		paras = append(paras, text)
	}
	d.q.Explanation = strings.Join(paras, paragraphBreak)
	p.checkLen(line, "explanation", d.q.Explanation, MaxExplanationLen)
}
