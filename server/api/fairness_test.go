package api_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/servertest"
)

// spy is a tap on one view of a room, named for the test's messages.
type spy struct {
	*servertest.Tap
	name string
}

func newSpy(t *testing.T, srv *servertest.Server, name, code, token string, after uint64) *spy {
	t.Helper()
	return &spy{Tap: srv.Tap(t, code, token, after), name: name}
}

// showsQuestion reports whether a frame shows question q open, in its own
// event or in a snapshot.
func showsQuestion(resp *quizv1.WatchResponse, q int32) bool {
	ev := resp.GetEvent()
	if o := ev.GetQuestionOpened(); o != nil {
		return o.GetIndex() == q
	}
	snap := ev.GetSnapshot()
	return snap != nil && snap.GetQuestion().GetIndex() == q && snap.GetQuestion() != nil &&
		(snap.GetPhase() == quizv1.Phase_PHASE_QUESTION || snap.GetPausedPhase() == quizv1.Phase_PHASE_QUESTION)
}

// revealsQuestion reports whether a frame reveals question q.
func revealsQuestion(resp *quizv1.WatchResponse, q int32) bool {
	if rv := resp.GetEvent().GetQuestionRevealed(); rv != nil {
		return rv.GetIndex() == q
	}
	snap := resp.GetEvent().GetSnapshot()
	return snap.GetReveal() != nil && snap.GetReveal().GetIndex() == q
}

// revealed reports whether the spy has received q's reveal.
func (s *spy) revealed(q int32) bool {
	for _, f := range s.Frames() {
		if revealsQuestion(f.Resp, q) {
			return true
		}
	}
	return false
}

// window is the frames a spy received while question q was open: from the
// first that shows it to the one that reveals it.
func (s *spy) window(q int32) []servertest.Frame {
	var out []servertest.Frame
	open := false
	for _, f := range s.Frames() {
		switch {
		case revealsQuestion(f.Resp, q):
			return out
		case showsQuestion(f.Resp, q):
			open = true
		}
		if open {
			out = append(out, f)
		}
	}
	return out
}

// wireStrings walks protobuf wire bytes without a schema and returns every
// text they carry: each length-delimited field that reads as text, and the
// texts inside those that read as a message. It sees every field, known or
// not, so a test that searches its result searches the bytes themselves.
func wireStrings(b []byte) []string {
	var out []string
	for len(b) > 0 {
		_, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return append(out, string(b))
		}
		b = b[n:]
		if typ != protowire.BytesType {
			if n = protowire.ConsumeFieldValue(0, typ, b); n < 0 {
				return append(out, string(b))
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return append(out, string(b))
		}
		b = b[n:]
		if printable(v) {
			out = append(out, string(v))
		} else {
			out = append(out, wireStrings(v)...)
		}
	}
	return out
}

// printable reports whether b is UTF-8 text without control characters but
// line breaks and tabs: a protobuf message's tags and lengths almost always
// break that.
func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if !unicode.IsPrint(r) && r != '\n' && r != '\t' {
			return false
		}
	}
	return true
}

// count is how many times word occurs in text as a whole word, ignoring
// case.
func count(text, word string) int {
	text, word = strings.ToLower(text), strings.ToLower(word)
	n := 0
	for i := 0; word != ""; {
		j := strings.Index(text[i:], word)
		if j < 0 {
			break
		}
		start, end := i+j, i+j+len(word)
		before, _ := utf8.DecodeLastRuneInString(text[:start])
		after, _ := utf8.DecodeRuneInString(text[end:])
		if !isWordRune(before) && !isWordRune(after) {
			n++
		}
		i = start + 1
	}
	return n
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// leak says how a frame shown while q was open gives q's answer away, or
// "" when it does not. It reads every text in the raw bytes: the
// explanation and every accepted typed answer must be absent; a correct
// option may appear beyond the frame's option list no more often than some
// wrong option does (a text such as "True or false: …" names every option
// alike).
func leak(raw []byte, rq *quizv1.ReportQuestion, shown *quizv1.QuestionOpened) string {
	texts := wireStrings(raw)
	has := func(s string) int {
		n := 0
		for _, t := range texts {
			n += count(t, s)
		}
		return n
	}
	if e := rq.GetExplanation(); e != "" && has(e) > 0 {
		return "the explanation"
	}
	for _, a := range rq.GetAcceptedAnswers() {
		if has(a) > 0 {
			return fmt.Sprintf("the accepted answer %q", a)
		}
	}
	// extra counts an option's text beyond its own place in the options.
	extra := func(o string) int {
		n := has(o)
		for _, shownOpt := range shown.GetOptions() {
			n -= count(shownOpt, o)
		}
		return n
	}
	var wrongMax int
	for i, o := range rq.GetOptions() {
		if !containsIndex(rq.GetCorrectChoices(), i) {
			wrongMax = max(wrongMax, extra(o))
		}
	}
	for _, c := range rq.GetCorrectChoices() {
		if o := rq.GetOptions()[c]; extra(o) > wrongMax {
			return fmt.Sprintf("the correct option %q (%d more times than a wrong one)", o, extra(o)-wrongMax)
		}
	}
	return ""
}

func containsIndex(list []int32, i int) bool {
	for _, x := range list {
		if int(x) == i {
			return true
		}
	}
	return false
}

// playFair plays a whole room (player names hold no digits and no word of
// the decks, so that they cannot look like an answer) host-paced with spies on every view (a player
// from the start, a spectator, the host, and per question a late joiner's
// snapshot, a spectator's snapshot and a player's resume with after_seq) and
// checks that no byte any of them received while a question was open gives
// its answer away.
func playFair(t *testing.T, e *env, code, host string) {
	t.Helper()
	info := e.roomInfo(t, code)
	n := int32(info.GetQuestionCount())
	join := func(name string) player { return e.join(t, code, name) }
	answerer, resumer := join("Ann"), join("Bob")
	join("Cid") // never answers, so each question stays open until the host closes it
	spies := []*spy{
		newSpy(t, e.srv, "player", code, answerer.token, 0),
		newSpy(t, e.srv, "spectator", code, "", 0),
		newSpy(t, e.srv, "host", code, host, 0),
		newSpy(t, e.srv, "Cid's player", code, e.join(t, code, "Dee").token, 0),
	}
	main, live := spies[0], len(spies)
	hostCall := func(call func(context.Context, quizv1.QuizServiceClient, string) error) {
		t.Helper()
		if err := call(as(ctx(t), host), e.client, code); err != nil {
			t.Fatalf("host call: %v", err)
		}
	}
	hostCall(start)
	var opened []uint64
	for q := range n {
		var seq uint64
		main.Wait(t, fmt.Sprintf("question %d", q), func(r *quizv1.WatchResponse) bool {
			if showsQuestion(r, q) {
				seq = r.GetEvent().GetSeq()
				return true
			}
			return false
		})
		opened = append(opened, seq)
		late := newSpy(t, e.srv, fmt.Sprintf("late joiner %d", q), code, join(fmt.Sprintf("Late %c%c", 'a'+q/26, 'a'+q%26)).token, 0)
		watcher := newSpy(t, e.srv, fmt.Sprintf("spectator snapshot %d", q), code, "", 0)
		resumed := newSpy(t, e.srv, fmt.Sprintf("resume %d", q), code, resumer.token, seq-1)
		for _, s := range []*spy{late, watcher, resumed} {
			s.Wait(t, fmt.Sprintf("question %d", q), func(r *quizv1.WatchResponse) bool { return showsQuestion(r, q) })
		}
		spies = append(spies, late, watcher, resumed)
		current := append(spies[:live:live], late, watcher, resumed)
		if _, err := e.answer(t, code, answerer, int(q), &quizv1.Answer{Choices: []int32{0}}); err != nil {
			if _, err := e.answer(t, code, answerer, int(q), &quizv1.Answer{Text: "a guess"}); err != nil {
				t.Fatalf("answering question %d: %v", q, err)
			}
		}
		main.Wait(t, fmt.Sprintf("answer progress of question %d", q), func(r *quizv1.WatchResponse) bool {
			return r.GetEvent().GetAnswerProgress().GetIndex() == q && r.GetEvent().GetAnswerProgress().GetAnswered() > 0
		})
		for _, s := range current {
			if s.revealed(q) {
				t.Errorf("%s: question %d was revealed before the host closed it", s.name, q)
			}
		}
		hostCall(closeQ)
		for _, s := range current {
			s.Wait(t, fmt.Sprintf("the reveal of question %d", q), func(r *quizv1.WatchResponse) bool { return revealsQuestion(r, q) })
		}
		late.Stop()
		watcher.Stop()
		resumed.Stop()
		if q < n-1 {
			for {
				resp, err := e.client.NextQuestion(as(ctx(t), host), &quizv1.NextQuestionRequest{RoomCode: code})
				if err != nil {
					t.Fatalf("NextQuestion: %v", err)
				}
				if resp.GetPhase() == quizv1.Phase_PHASE_QUESTION {
					break
				}
			}
		}
	}
	rep := e.report(t, testRoom{code: code, host: host})
	if len(rep.GetQuestions()) != int(n) {
		t.Fatalf("the report has %d questions, the game %d", len(rep.GetQuestions()), n)
	}
	checked := 0
	for _, s := range spies {
		for q := range n {
			rq := rep.GetQuestions()[q]
			var shown *quizv1.QuestionOpened
			for _, f := range s.window(q) {
				if o := f.Resp.GetEvent().GetQuestionOpened(); o != nil {
					shown = o
				}
				if snap := f.Resp.GetEvent().GetSnapshot(); snap.GetQuestion() != nil {
					shown = snap.GetQuestion()
				}
				if what := leak(f.Raw, rq, shown); what != "" {
					t.Errorf("%s, question %d (%q): a frame (seq %d) gives away %s before the reveal",
						s.name, q, rq.GetText(), f.Resp.GetEvent().GetSeq(), what)
				}
				checked++
			}
		}
	}
	if checked < 4*int(n) {
		t.Fatalf("only %d frames were checked for %d questions: the spies saw too little", checked, n)
	}
}

// TestNoAnswerBeforeRevealBuiltinDeck plays every question of the built-in
// deck, whose questions have notes sections.
func TestNoAnswerBeforeRevealBuiltinDeck(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	resp, err := e.client.CreateRoom(ctx(t), &quizv1.CreateRoomRequest{
		Source: &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"}, Settings: fast(),
	})
	if err != nil {
		t.Fatal(err)
	}
	playFair(t, e, resp.GetRoom().GetCode(), resp.GetHostToken())
}

// TestNoAnswerBeforeRevealGeneratedDeck plays a deck the server generates
// from the built-in notes: every question's section is its answer.
func TestNoAnswerBeforeRevealGeneratedDeck(t *testing.T) {
	notes, err := os.ReadFile("../../content/notes/aws-compute.md")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, servertest.Options{})
	settings := fast()
	settings.Seed = 7
	settings.QuestionCount = 30
	settings.ShuffleQuestions = true
	resp, err := e.client.CreateRoom(ctx(t), &quizv1.CreateRoomRequest{
		Source: &quizv1.CreateRoomRequest_Notes{Notes: string(notes)}, Settings: settings,
	})
	if err != nil {
		t.Fatal(err)
	}
	playFair(t, e, resp.GetRoom().GetCode(), resp.GetHostToken())
}

// TestNoAnswerBeforeRevealTestDeck plays the test deck, whose typed answers
// and explanations are words found nowhere else.
func TestNoAnswerBeforeRevealTestDeck(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	r := e.create(t, fast())
	playFair(t, e, r.code, r.host)
}
