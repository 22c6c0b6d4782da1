package room

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/quizroom/quizroom/content"
	"github.com/quizroom/quizroom/server/game"
)

// Info returns a room's spec and state.
func (e *Engine) Info(ctx context.Context, code string) (*Spec, *State, error) {
	spec, err := e.spec(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	st, err := e.store.State(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	return spec, st, nil
}

// Identify finds who holds token in a room: a spectator when token is empty.
// It asks the store, so a kicked or departed player is refused at once, and
// remembers the answer for IdentifyRemembered.
func (e *Engine) Identify(ctx context.Context, code, token string) (Identity, error) {
	if token == "" {
		return Identity{Role: Spectator}, nil
	}
	hash := HashToken(token)
	who, err := e.store.Identify(ctx, code, hash)
	if err == nil {
		e.rememberToken(code, hash, who)
	}
	return who, err
}

// IdentifyRemembered is Identify for answers and Watch: it uses what this
// instance learnt of each token (at the join, at an Identify), so that an
// answer costs the store one step, not two, and a stream one less. A token
// never changes hands, and both refuse a player who is no longer active
// in the step they take anyway (Store.Submit; Watch counts the stream
// with Connection.RequireActive), so the memory is safe to use there.
func (e *Engine) IdentifyRemembered(ctx context.Context, code, token string) (Identity, error) {
	e.mu.Lock()
	who, ok := e.tokens[tokenKey{code: code, hash: sha256.Sum256([]byte(token))}]
	e.mu.Unlock()
	if ok {
		return who, nil
	}
	return e.Identify(ctx, code, token)
}

// tokenKey names a token IdentifyRemembered knows: its room and its hash
// (HashToken's bytes, not their hex: a lookup hashes the token without
// allocating, and the key holds no string of its own).
type tokenKey struct {
	code string
	hash [sha256.Size]byte
}

// rememberToken records who holds a token, for IdentifyRemembered; hash
// is HashToken's.
func (e *Engine) rememberToken(code, hash string, who Identity) {
	key := tokenKey{code: code}
	if n, err := hex.Decode(key.hash[:], []byte(hash)); err != nil || n != sha256.Size {
		return // not HashToken's: nothing to remember it by
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.tokens) >= maxRememberedTokens {
		clear(e.tokens) // a cache: it refills from the store
	}
	e.tokens[key] = who
}

// maxRememberedTokens bounds IdentifyRemembered's memory.
const maxRememberedTokens = 1 << 20

// Join adds a player to a room and returns them, their token and the room.
func (e *Engine) Join(ctx context.Context, code, name string) (Player, string, *Spec, error) {
	name, key, err := ParseName(name)
	if err != nil {
		return Player{}, "", nil, err
	}
	spec, err := e.spec(ctx, code)
	if err != nil {
		return Player{}, "", nil, err
	}
	token := NewToken()
	hash := HashToken(token)
	p, err := e.store.Join(ctx, code, Join{Name: name, NameKey: key, TokenHash: hash})
	if err != nil {
		return Player{}, "", nil, err
	}
	e.rememberToken(code, hash, Identity{Role: PlayerRole, PlayerID: p.ID, Name: p.Name})
	return p, token, spec, nil
}

// Leave removes the calling player from the room.
func (e *Engine) Leave(ctx context.Context, code string, who Identity) error {
	if who.Role != PlayerRole {
		return Errorf(ErrDenied, "only a player can leave: use the player token")
	}
	return e.store.Leave(ctx, code, who.PlayerID)
}

// Submit records the calling player's answer to question q.
func (e *Engine) Submit(ctx context.Context, code string, who Identity, q int, a game.Answer) (Accepted, error) {
	if who.Role != PlayerRole {
		return Accepted{}, Errorf(ErrDenied, "only players answer: use the player token")
	}
	spec, err := e.spec(ctx, code)
	if err != nil {
		return Accepted{}, err
	}
	if q < 0 || q >= len(spec.Questions) {
		return Accepted{}, Errorf(ErrInvalid, "question_index %d does not exist: the game's questions are 0 to %d", q, len(spec.Questions)-1)
	}
	question := &spec.Questions[q]
	// A typed answer is kept as the player typed it (trimmed), for the
	// report, and graded by its normalised form.
	graded := a
	if question.Kind == game.TypedAnswer {
		a.Text = strings.TrimSpace(a.Text)
		graded.Text = content.NormalizeAnswer(a.Text)
		if a.Text != "" && graded.Text == "" {
			return Accepted{}, Errorf(ErrInvalid, "answer text has no letters or digits")
		}
	}
	if err := question.Check(a); err != nil {
		return Accepted{}, Wrap(ErrInvalid, err)
	}
	acc, err := e.store.Submit(ctx, code, Submission{
		PlayerID:   who.PlayerID,
		Q:          q,
		Answer:     a,
		Grade:      question.Grade(graded),
		Kind:       question.Kind,
		Points:     question.Points,
		Limit:      question.TimeLimit,
		PrevScored: spec.PreviousScored(q),
		Scoring:    spec.Settings.Scoring,
		Grace:      e.cfg.Grace,
	})
	if err != nil {
		return Accepted{}, err
	}
	if acc.AllAnswered {
		e.closeEarly(ctx, spec, acc.Version, q)
	}
	return acc, nil
}

// closeEarly closes question q because every connected player answered. A
// conflict means someone else moved the room on first, which is fine.
func (e *Engine) closeEarly(ctx context.Context, spec *Spec, version int64, q int) {
	st, err := e.move(ctx, spec, e.transition(spec, version, game.Step{To: game.PhaseReveal, Q: q}))
	if err != nil && !errors.Is(err, ErrConflict) {
		e.log.Warn("closing a question early", "room", spec.Code, "question", q, "err", err)
	}
	e.wake(spec.Code, st)
}

// host checks that who is the room's host.
func host(who Identity) error {
	if who.Role != Host {
		return Errorf(ErrDenied, "only the host can do this: use the host token")
	}
	return nil
}

// Kick removes a player from the room.
func (e *Engine) Kick(ctx context.Context, code string, who Identity, playerID string) (uint64, error) {
	if err := host(who); err != nil {
		return 0, err
	}
	return e.store.Kick(ctx, code, playerID)
}

// Lock locks or unlocks the lobby.
func (e *Engine) Lock(ctx context.Context, code string, who Identity, locked bool) (uint64, error) {
	if err := host(who); err != nil {
		return 0, err
	}
	return e.store.Lock(ctx, code, locked)
}

// Start ends the lobby and opens the first question.
func (e *Engine) Start(ctx context.Context, code string, who Identity) (*State, error) {
	return e.control(ctx, code, who, func(spec *Spec, st *State) ([]game.Step, error) {
		if st.Phase != game.PhaseLobby {
			return nil, Errorf(ErrPhase, "the game has already started")
		}
		return []game.Step{{To: game.PhaseQuestion, Q: 0}}, nil
	})
}

// Next moves the game on one step (see game.Settings.Next).
func (e *Engine) Next(ctx context.Context, code string, who Identity) (*State, error) {
	return e.control(ctx, code, who, func(spec *Spec, st *State) ([]game.Step, error) {
		if st.Phase == game.PhaseLobby {
			return nil, Errorf(ErrPhase, "the game has not started: start it first")
		}
		step, err := spec.Settings.Next(st.Phase, st.Q, len(spec.Questions))
		if err != nil {
			return nil, Wrap(ErrPhase, err)
		}
		return []game.Step{step}, nil
	})
}

// Close closes the open question now.
func (e *Engine) Close(ctx context.Context, code string, who Identity) (*State, error) {
	return e.control(ctx, code, who, func(spec *Spec, st *State) ([]game.Step, error) {
		if st.Phase != game.PhaseQuestion {
			return nil, Errorf(ErrPhase, "no question is open")
		}
		return []game.Step{{To: game.PhaseReveal, Q: st.Q}}, nil
	})
}

// Pause freezes the game and its timer.
func (e *Engine) Pause(ctx context.Context, code string, who Identity) (*State, error) {
	return e.control(ctx, code, who, func(spec *Spec, st *State) ([]game.Step, error) {
		switch st.Phase {
		case game.PhaseQuestion, game.PhaseReveal, game.PhaseLeaderboard:
			return []game.Step{{To: game.PhasePaused, Q: st.Q}}, nil
		case game.PhasePaused:
			return nil, Errorf(ErrPhase, "the game is already paused")
		case game.PhaseLobby:
			return nil, Errorf(ErrPhase, "the game has not started")
		}
		return nil, Errorf(ErrPhase, "the game is over")
	})
}

// Resume continues a paused game with the time that was left.
func (e *Engine) Resume(ctx context.Context, code string, who Identity) (*State, error) {
	return e.control(ctx, code, who, func(spec *Spec, st *State) ([]game.Step, error) {
		if st.Phase != game.PhasePaused {
			return nil, Errorf(ErrPhase, "the game is not paused")
		}
		return []game.Step{{To: st.PausedPhase, Q: st.Q}}, nil
	})
}

// End finishes the game now; in the lobby it closes the room. An open
// question is closed and scored first.
func (e *Engine) End(ctx context.Context, code string, who Identity) (*State, error) {
	return e.control(ctx, code, who, func(spec *Spec, st *State) ([]game.Step, error) {
		switch st.ShownPhase() {
		case game.PhaseLobby:
			return []game.Step{{To: game.PhaseClosed}}, nil
		case game.PhaseQuestion:
			return []game.Step{{To: game.PhaseReveal, Q: st.Q}, {To: game.PhaseFinished, Q: st.Q}}, nil
		case game.PhaseFinished, game.PhaseClosed:
			return nil, Errorf(ErrPhase, "the game is already over")
		}
		return []game.Step{{To: game.PhaseFinished, Q: st.Q}}, nil
	})
}

// control runs a host control: it reads the room, lets decide pick the
// steps, and applies them fenced by the room's version, trying again when the
// room moved on in between (a timer fired, another instance acted).
func (e *Engine) control(ctx context.Context, code string, who Identity, decide func(*Spec, *State) ([]game.Step, error)) (*State, error) {
	if err := host(who); err != nil {
		return nil, err
	}
	spec, err := e.spec(ctx, code)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		st, err := e.store.State(ctx, code)
		if err != nil {
			return nil, err
		}
		steps, err := decide(spec, st)
		if err != nil {
			return nil, err
		}
		st, err = e.apply(ctx, spec, st, steps, st.Phase == game.PhasePaused)
		if errors.Is(err, ErrConflict) && attempt < 3 {
			continue
		}
		// The owner looks at the room as the move left it (nil: it moved
		// partly, or not, and is read).
		e.wake(code, st)
		return st, err
	}
}

// apply advances the room through steps, each fenced by the version the
// previous one produced. resume marks the first step as the end of a pause.
func (e *Engine) apply(ctx context.Context, spec *Spec, st *State, steps []game.Step, resume bool) (*State, error) {
	for i, step := range steps {
		t := e.transition(spec, st.Version, step)
		t.Resume = i == 0 && resume && step.To == st.PausedPhase
		next, err := e.move(ctx, spec, t)
		if err != nil {
			return nil, err
		}
		e.logMove(ctx, spec, t, next)
		st = next
	}
	return st, nil
}

// transition is the store's view of a step.
func (e *Engine) transition(spec *Spec, version int64, step game.Step) Transition {
	t := Transition{Version: version, To: step.To, Q: step.Q, Retain: e.cfg.Retain}
	switch step.To {
	case game.PhaseQuestion:
		t.Read = spec.Settings.ReadTime
		t.Limit = spec.Questions[step.Q].TimeLimit
	case game.PhaseReveal, game.PhaseLeaderboard:
		t.Hold = spec.Settings.Hold(step.To)
		t.AutoHold = spec.Settings.AutoHold(step.To)
		if step.To == game.PhaseReveal {
			t.Options = len(spec.Questions[step.Q].Options)
		}
	case game.PhaseClosed:
		t.Reason = "the host closed the room"
	}
	return t
}
