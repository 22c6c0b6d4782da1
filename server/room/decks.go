package room

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/quizroom/quizroom/content"
)

// DeckInfo describes a deck a room can be created from.
type DeckInfo struct {
	Deck     *content.Deck
	Uploaded bool
}

// catalog is the decks this instance can run: the built-in ones, and the
// uploaded ones it has read from the store (parsed once, then cached).
type catalog struct {
	store    Store
	log      *slog.Logger
	maxDecks int
	ttl      time.Duration
	builtin  map[string]*content.Deck

	mu       sync.Mutex // guards uploaded and broken
	uploaded map[string]*content.Deck
	broken   map[string]bool // stored decks that no longer parse
}

func newCatalog(store Store, log *slog.Logger, maxDecks int, ttl time.Duration) (*catalog, error) {
	decks, err := content.Builtin()
	if err != nil {
		return nil, fmt.Errorf("built-in decks: %w", err)
	}
	c := &catalog{store: store, log: log, maxDecks: maxDecks, ttl: ttl, builtin: map[string]*content.Deck{},
		uploaded: map[string]*content.Deck{}, broken: map[string]bool{}}
	for _, d := range decks {
		c.builtin[d.ID] = d
	}
	return c, nil
}

// Decks lists every deck: built-in ones first, each group sorted by id.
func (e *Engine) Decks(ctx context.Context) ([]DeckInfo, error) {
	if err := e.decks.refresh(ctx); err != nil {
		return nil, err
	}
	var out []DeckInfo
	for _, d := range e.decks.builtin {
		out = append(out, DeckInfo{Deck: d})
	}
	e.decks.mu.Lock()
	for _, d := range e.decks.uploaded {
		out = append(out, DeckInfo{Deck: d, Uploaded: true})
	}
	e.decks.mu.Unlock()
	slices.SortFunc(out, func(a, b DeckInfo) int {
		if a.Uploaded != b.Uploaded {
			if a.Uploaded {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.Deck.ID, b.Deck.ID)
	})
	return out, nil
}

// UploadDeck validates a deck's source and stores it for Config.DeckTTL.
// Its id is the deck's own id and a hash of the source, so the same source
// gives the same deck (uploading it again renews it) and different sources
// never replace each other. A deck that does not validate returns the
// content.ErrorList.
func (e *Engine) UploadDeck(ctx context.Context, file string, src []byte) (*content.Deck, error) {
	if file == "" {
		file = "deck.md"
	}
	if len(src) > content.MaxSourceSize {
		return nil, Errorf(ErrFull, "deck too large: %d bytes, at most %d", len(src), content.MaxSourceSize)
	}
	d, err := content.Parse(file, src)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(src)
	d.ID = d.ID + "-" + hex.EncodeToString(sum[:4])
	if err := e.store.SaveDeck(ctx, d.ID, src, e.decks.maxDecks, e.decks.ttl); err != nil {
		return nil, err
	}
	e.decks.mu.Lock()
	e.decks.uploaded[d.ID] = d
	e.decks.mu.Unlock()
	return d, nil
}

// deck finds a deck by id for a new room, reading uploads from the store
// when this instance has not seen them; an uploaded deck is kept another
// ttl from now.
func (c *catalog) deck(ctx context.Context, id string) (*content.Deck, error) {
	if d, ok := c.builtin[id]; ok {
		return d, nil
	}
	c.mu.Lock()
	d, ok := c.uploaded[id]
	c.mu.Unlock()
	if ok {
		err := c.store.KeepDeck(ctx, id, c.ttl)
		if err == nil {
			return d, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		c.mu.Lock()
		delete(c.uploaded, id) // it expired
		c.mu.Unlock()
	}
	if err := c.refresh(ctx); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d, ok := c.uploaded[id]; ok {
		return d, nil
	}
	return nil, Errorf(ErrNotFound, "no deck %q: ListDecks shows the decks there are", id)
}

// refresh parses uploaded decks this instance has not seen yet, and
// forgets those that expired. A stored deck that no longer parses (the rules
// grew stricter since its upload) is left out and logged once, so one old
// deck cannot hide all the others.
func (c *catalog) refresh(ctx context.Context) error {
	ids, err := c.store.DeckIDs(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	maps.DeleteFunc(c.uploaded, func(id string, _ *content.Deck) bool { return !slices.Contains(ids, id) })
	maps.DeleteFunc(c.broken, func(id string, _ bool) bool { return !slices.Contains(ids, id) })
	c.mu.Unlock()
	for _, id := range ids {
		c.mu.Lock()
		_, ok := c.uploaded[id]
		broken := c.broken[id]
		c.mu.Unlock()
		if ok || broken {
			continue
		}
		src, err := c.store.Deck(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue // it expired since it was listed
		}
		if err != nil {
			return err
		}
		d, err := content.Parse(id+".md", src)
		if err != nil {
			c.mu.Lock()
			if !c.broken[id] {
				c.log.Warn("an uploaded deck no longer passes the deck rules: it is left out", "deck", id, "err", err)
			}
			c.broken[id] = true
			c.mu.Unlock()
			continue
		}
		d.ID = id
		c.mu.Lock()
		c.uploaded[id] = d
		c.mu.Unlock()
	}
	return nil
}
