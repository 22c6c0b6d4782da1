package room

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	mrand "math/rand/v2"
	"slices"

	"github.com/quizroom/quizroom/content"
	"github.com/quizroom/quizroom/server/game"
)

// Source is what a room's questions are drawn from: a deck by id, or notes
// to generate a deck from.
type Source struct {
	DeckID string
	Notes  []byte
}

// Create opens a room in the lobby and returns its spec and the host token.
// Bad settings or notes are ErrInvalid (the settings' *game.SettingError
// and the notes' content.ErrorList stay in the chain for errors.As).
func (e *Engine) Create(ctx context.Context, src Source, settings game.Settings) (*Spec, string, error) {
	settings = settings.WithDefaults(e.cfg.MaxPlayers)
	if err := settings.Validate(e.cfg.MaxPlayers); err != nil {
		return nil, "", Wrap(ErrInvalid, err)
	}
	if settings.Seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		settings.Seed = binary.LittleEndian.Uint64(b[:]) | 1
	}
	deck, err := e.source(ctx, src, settings.Seed)
	if err != nil {
		return nil, "", err
	}
	questions, err := arrange(deck, settings)
	if err != nil {
		return nil, "", err
	}
	token := NewToken()
	spec := &Spec{
		DeckID:        deck.ID,
		DeckTitle:     deck.Title,
		Questions:     questions,
		Settings:      settings,
		HostTokenHash: HashToken(token),
	}
	spec.Settings.QuestionCount = len(questions)
	if spec.Created, err = e.store.Now(ctx); err != nil {
		return nil, "", err
	}
	for range 5 {
		spec.Code = NewCode()
		err = e.store.CreateRoom(ctx, spec, e.cfg.MaxRooms)
		if !errors.Is(err, ErrExists) {
			break
		}
	}
	if err != nil {
		return nil, "", err
	}
	e.log.Info("room created", "room", spec.Code, "deck", spec.DeckID, "questions", len(spec.Questions))
	e.own(ctx, spec.Code)
	return spec, token, nil
}

// source finds or generates the deck a room plays.
func (e *Engine) source(ctx context.Context, src Source, seed uint64) (*content.Deck, error) {
	if src.DeckID != "" {
		return e.decks.deck(ctx, src.DeckID)
	}
	if len(src.Notes) == 0 {
		return nil, Errorf(ErrInvalid, "no deck and no notes: give a deck id or notes to generate a deck from")
	}
	if len(src.Notes) > content.MaxSourceSize {
		return nil, Errorf(ErrFull, "notes too large: %d bytes, at most %d", len(src.Notes), content.MaxSourceSize)
	}
	notes, err := content.ParseNotes("notes.md", src.Notes)
	if err != nil {
		return nil, Wrap(ErrInvalid, err)
	}
	deck, err := content.Generate(notes, content.GenerateOptions{Seed: seed})
	if err != nil {
		return nil, Wrap(ErrInvalid, err)
	}
	if len(deck.Questions) == 0 {
		return nil, Errorf(ErrInvalid, "no question could be made from these notes: they need ### sections with bullets of a few words each")
	}
	return deck, nil
}

// arrange turns a deck into the game's questions: cut and shuffled as the
// settings say, options shuffled too, typed answers normalised, every time
// limit filled in, each question with its notes passage.
func arrange(deck *content.Deck, s game.Settings) ([]game.Question, error) {
	rng := mrand.New(mrand.NewPCG(s.Seed, s.Seed>>1|1))
	if s.QuestionCount > len(deck.Questions) {
		return nil, Errorf(ErrInvalid, "question_count: %d asked for, the deck has %d", s.QuestionCount, len(deck.Questions))
	}
	order := pick(deck.Questions, s.QuestionCount, rng)
	if s.ShuffleQuestions {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	passage := passages(deck)
	out := make([]game.Question, 0, len(order))
	for _, i := range order {
		q := convert(&deck.Questions[i], s, rng)
		q.Passage = passage[i]
		out = append(out, q)
	}
	return out, nil
}

// pick returns the indexes of the questions a game of count questions
// plays, in deck order: all of them when count is 0 or the deck's size;
// else a sample spread over the deck's sections. The sample draws from the
// questions that ask something (polls aside) while there are count of
// them, and goes round the sections in rounds: each round visits the
// sections that have questions left, in random order, and takes one
// question at random from each, until count are taken. A question without
// a section is a section of its own. So a game of 5 on a deck of 16
// sections asks about 5 sections, and the same seed picks the same ones.
func pick(qs []content.Question, count int, rng *mrand.Rand) []int {
	var picked []int
	if count == 0 || count >= len(qs) {
		for i := range qs {
			picked = append(picked, i)
		}
		return picked
	}
	scored := 0
	for _, q := range qs {
		if q.Kind != content.KindPoll {
			scored++
		}
	}
	var groups [][]int // question indexes per section, in deck order
	index := map[string]int{}
	for i, q := range qs {
		if q.Kind == content.KindPoll && scored >= count {
			continue
		}
		g, ok := index[q.Section]
		if !ok || q.Section == "" {
			g = len(groups)
			index[q.Section] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	for _, g := range groups {
		rng.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
	}
	for len(picked) < count {
		rng.Shuffle(len(groups), func(i, j int) { groups[i], groups[j] = groups[j], groups[i] })
		for gi := range groups {
			if len(groups[gi]) > 0 && len(picked) < count {
				picked = append(picked, groups[gi][0])
				groups[gi] = groups[gi][1:]
			}
		}
	}
	slices.Sort(picked)
	return picked
}

// passages returns the notes passage of each question of deck: its own, or
// the passage of its section in the built-in notes the deck names (an
// uploaded deck drawn from built-in notes carries none of its own).
func passages(deck *content.Deck) []string {
	out := make([]string, len(deck.Questions))
	var missing bool
	for i, q := range deck.Questions {
		out[i] = q.Passage
		missing = missing || q.Passage == "" && q.Section != ""
	}
	if !missing || deck.Notes == "" {
		return out
	}
	notes, err := content.BuiltinNotes()
	if err != nil {
		return out // the built-in notes are checked at start: Builtin parses them
	}
	for _, n := range notes {
		if n.ID == deck.Notes {
			for i, q := range deck.Questions {
				if out[i] == "" {
					out[i] = n.Passage(q.Section)
				}
			}
		}
	}
	return out
}

// kinds maps the deck format's kinds to the game's.
var kinds = map[content.Kind]game.Kind{
	content.KindSingle:    game.SingleChoice,
	content.KindMultiple:  game.MultipleSelect,
	content.KindTrueFalse: game.TrueFalse,
	content.KindTyped:     game.TypedAnswer,
	content.KindPoll:      game.Poll,
}

// convert makes one game question of a deck question.
func convert(cq *content.Question, s game.Settings, rng *mrand.Rand) game.Question {
	q := game.Question{
		Kind:        kinds[cq.Kind],
		Text:        cq.Text,
		TimeLimit:   cq.TimeLimit,
		Points:      cq.Points,
		Explanation: cq.Explanation,
		Section:     cq.Section,
	}
	if q.TimeLimit == 0 {
		q.TimeLimit = s.TimeLimit
	}
	opts := make([]content.Option, len(cq.Options))
	copy(opts, cq.Options)
	if s.ShuffleOptions && q.Kind != game.TrueFalse {
		rng.Shuffle(len(opts), func(i, j int) { opts[i], opts[j] = opts[j], opts[i] })
	}
	for i, o := range opts {
		q.Options = append(q.Options, o.Text)
		if o.Correct {
			q.Correct = append(q.Correct, i)
		}
	}
	for _, a := range cq.Accepted {
		q.Accepted = append(q.Accepted, a)
		q.AcceptedKeys = append(q.AcceptedKeys, content.NormalizeAnswer(a))
	}
	q.AllowTypo = s.AllowTypos && q.Kind == game.TypedAnswer
	return q
}
