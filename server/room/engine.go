// Package room is Quizroom's room engine: it creates rooms from decks, admits
// players, takes answers, drives phases and timers, and fans each room's
// events out to the streams watching it. It declares the Store it needs and
// the Encoder that turns events into bytes for the transport; the memory and
// Redis stores and the gRPC adapter implement them.
package room

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures an Engine. Zero fields get the documented defaults.
type Config struct {
	// Store keeps the rooms; required.
	Store Store
	// Encoder renders events for watchers; required.
	Encoder Encoder
	// Logger logs; default slog.Default().
	Logger *slog.Logger
	// Instance names this engine in room leases; default random.
	Instance string
	// MaxRooms caps the live rooms in the store; default 10,000.
	MaxRooms int
	// MaxPlayers caps players per room; default 10,000.
	MaxPlayers int
	// MaxDecks caps uploaded decks; default 1,000.
	MaxDecks int
	// DeckTTL is how long an uploaded deck is kept after its upload or the
	// last room created from it (a room keeps its own copy of the
	// questions); default 48 h.
	DeckTTL time.Duration
	// Grace accepts answers this long after a deadline; default 250 ms.
	Grace time.Duration
	// Tick is how often a room's owner publishes roster batches and answer
	// progress, and the longest it sleeps; default 500 ms.
	Tick time.Duration
	// ProgressRate bounds the answer-progress deliveries of a room a
	// second. Every watcher gets each progress event, so a room of more
	// than ProgressRate × Tick players gets one every players/ProgressRate
	// seconds instead of every Tick, and at least every MaxProgressGap.
	// Default 10,000: every Tick (500 ms) up to 5,000 players, every
	// second at 10,000.
	ProgressRate int
	// Recheck is how long a room's owner goes at most without reading the
	// room's state, should a notice of the store have been lost; default
	// 5 s.
	Recheck time.Duration
	// LeaseTTL is how long a room's timer lease lasts unrenewed; another
	// instance takes the room over within LeaseTTL plus Sweep after its
	// owner dies. Default 2 s.
	LeaseTTL time.Duration
	// Sweep is how often the engine looks for rooms without an owner;
	// default 500 ms.
	Sweep time.Duration
	// Retain keeps finished and closed rooms (and their reports) this long;
	// default 24 h.
	Retain time.Duration
	// Idle closes rooms nothing happened in for this long; default 6 h.
	Idle time.Duration
	// QueueSize is how many frames a watcher may fall behind before it is
	// cut off with ErrSlow; default 64. A room makes a few events a second,
	// so 64 is many seconds of a stalled client. A watcher's queue grows
	// only as far as it falls behind, so a bigger limit costs memory only
	// for slow watchers.
	QueueSize int
	// DisconnectGrace is how long a player whose client closed its stream
	// still counts as connected, so that a quick reconnect does not let the
	// others close the question on them; default 3 s.
	DisconnectGrace time.Duration
	// ReconnectGrace is how long a player whose stream the server cut (a
	// shutdown, the store out of reach, reading too slowly) still counts as
	// connected: long enough for a client's reconnect backoff across an
	// outage. Default 15 s.
	ReconnectGrace time.Duration
	// PresenceTTL is the lease under which the store counts this
	// instance's streams: renewed every quarter of it, and when an instance
	// dies its players stop counting this long after its last renewal
	// (unless they came back elsewhere). Default 10 s.
	PresenceTTL time.Duration
	// StopTimeout bounds the engine's shutdown once Run's context ends;
	// default 5 s.
	StopTimeout time.Duration
	// Volatile says that the store keeps rooms only as long as this
	// process runs (the memory store): a room a client knew that is not in
	// the store went with a restart (or expired), so Watch says it is not
	// found, not that its history was lost.
	Volatile bool
}

// Defaults of Config.
const (
	DefaultMaxRooms        = 10000
	DefaultMaxPlayers      = 10000
	DefaultMaxDecks        = 1000
	DefaultDeckTTL         = 48 * time.Hour
	DefaultGrace           = 250 * time.Millisecond
	DefaultTick            = 500 * time.Millisecond
	DefaultProgressRate    = 10000
	DefaultRecheck         = 5 * time.Second
	DefaultLeaseTTL        = 2 * time.Second
	DefaultSweep           = 500 * time.Millisecond
	DefaultRetain          = 24 * time.Hour
	DefaultIdle            = 6 * time.Hour
	DefaultQueueSize       = 64
	DefaultDisconnectGrace = 3 * time.Second
	DefaultReconnectGrace  = 15 * time.Second
	DefaultPresenceTTL     = 10 * time.Second
	DefaultStopTimeout     = 5 * time.Second
	// RosterLimit is how many joins (and departures) one roster event lists.
	RosterLimit = 100
	// MaxProgressGap is the longest a room's answer progress waits for its
	// next event however big the room (see Config.ProgressRate), unless
	// Tick is longer.
	MaxProgressGap = 2 * time.Second
)

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Instance == "" {
		c.Instance = randomHex(6)
	}
	setDefault(&c.MaxRooms, DefaultMaxRooms)
	setDefault(&c.MaxPlayers, DefaultMaxPlayers)
	setDefault(&c.MaxDecks, DefaultMaxDecks)
	setDefault(&c.DeckTTL, DefaultDeckTTL)
	setDefault(&c.Grace, DefaultGrace)
	setDefault(&c.Tick, DefaultTick)
	setDefault(&c.ProgressRate, DefaultProgressRate)
	setDefault(&c.Recheck, DefaultRecheck)
	setDefault(&c.LeaseTTL, DefaultLeaseTTL)
	setDefault(&c.Sweep, DefaultSweep)
	setDefault(&c.Retain, DefaultRetain)
	setDefault(&c.Idle, DefaultIdle)
	setDefault(&c.QueueSize, DefaultQueueSize)
	setDefault(&c.DisconnectGrace, DefaultDisconnectGrace)
	setDefault(&c.ReconnectGrace, DefaultReconnectGrace)
	setDefault(&c.PresenceTTL, DefaultPresenceTTL)
	setDefault(&c.StopTimeout, DefaultStopTimeout)
	return c
}

// checkInstance checks an instance name: the stores key presence by it.
func checkInstance(name string) error {
	if len(name) > 64 || strings.ContainsFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	}) {
		return fmt.Errorf("instance name %q: at most 64 letters, digits, '-', '_' and '.'", name)
	}
	return nil
}

// randomHex is n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func setDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Engine runs rooms on one server instance. Several engines may share a
// store; any of them serves any room.
type Engine struct {
	cfg   Config
	store Store
	log   *slog.Logger
	decks *catalog

	boards    boards    // recent scoreboard reads, shared
	snapshots snapshots // recent snapshots' shared parts

	mu      sync.Mutex           // guards specs, tokens, owners, hubs, moving, later, seen, marked and closing
	later   map[*int]*time.Timer // work put off by after, by a key of its own
	specs   map[string]*Spec
	tokens  map[tokenKey]Identity // room code and token hash → holder, for answers and Watch
	owners  map[string]*owner
	hubs    map[string]*hub
	moving  map[string][]chan struct{} // room code → its moves in flight that bring their event's board, each closed when done
	seen    map[string]uint64          // room code → the highest seq this instance saw
	marked  map[string]bool            // rooms this instance marked lost
	closing bool

	pmu     sync.Mutex // guards present
	present map[string]*localRoom

	lost atomic.Int64 // rooms whose lost history this instance found

	// presenceID names this process in the store's presence counts: the
	// instance name and a random part, so that a restarted instance of
	// the same name never takes over its predecessor's counts.
	presenceID string

	wg sync.WaitGroup // owner, hub and lease goroutines, and work put off by after while it runs
}

// New returns an Engine; call Run to drive room timers.
func New(cfg Config) (*Engine, error) {
	if cfg.Store == nil || cfg.Encoder == nil {
		return nil, errors.New("room: Config.Store and Config.Encoder are required")
	}
	cfg = cfg.withDefaults()
	if err := checkInstance(cfg.Instance); err != nil {
		return nil, err
	}
	decks, err := newCatalog(cfg.Store, cfg.Logger, cfg.MaxDecks, cfg.DeckTTL)
	if err != nil {
		return nil, err
	}
	return &Engine{
		cfg:        cfg,
		store:      cfg.Store,
		log:        cfg.Logger,
		decks:      decks,
		specs:      make(map[string]*Spec),
		tokens:     make(map[tokenKey]Identity),
		later:      make(map[*int]*time.Timer),
		boards:     boards{ttl: BoardTTL},
		snapshots:  snapshots{ttl: BoardTTL},
		owners:     make(map[string]*owner),
		hubs:       make(map[string]*hub),
		moving:     make(map[string][]chan struct{}),
		seen:       make(map[string]uint64),
		marked:     make(map[string]bool),
		present:    make(map[string]*localRoom),
		presenceID: cfg.Instance + "." + randomHex(4),
	}, nil
}

// Run drives the timers of rooms this instance owns, takes over rooms
// whose owner is gone and renews this instance's presence, until ctx ends.
// It then ends every watcher with ErrShutdown, hands its presence over and
// stops every owner and hub, within Config.StopTimeout.
func (e *Engine) Run(ctx context.Context) error {
	e.wg.Add(1)
	go e.keepLeases(ctx)
	presence := make(chan struct{})
	go func() {
		defer close(presence)
		e.keepPresence(ctx)
	}()
	t := time.NewTicker(e.cfg.Sweep)
	defer t.Stop()
	for {
		e.sweep(ctx)
		select {
		case <-ctx.Done():
			<-presence // its last renewal ends before the hand-over
			e.shutdown()
			return nil
		case <-t.C:
		}
	}
}

// keepPresence renews this instance's presence every quarter of
// PresenceTTL, and sends the counts the store may disagree with every
// Sweep, until ctx ends. It runs apart from the sweep, whose calls wait
// their turn with every other: behind the queue of a hundred thousand
// players' calls on one instance a sweep took longer than the TTL, and
// renewed after it, the lease lapsed, and every room's counts were sent
// again.
func (e *Engine) keepPresence(ctx context.Context) {
	t := time.NewTicker(e.cfg.Sweep)
	defer t.Stop()
	var renewed time.Time
	for {
		all := time.Since(renewed) >= e.cfg.PresenceTTL/4
		if all || e.dirty() {
			e.renew(ctx, all)
			if all {
				renewed = time.Now()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// keepLeases renews the leases of the rooms this instance owns, all at
// once, every third of LeaseTTL until ctx ends. Each room's owner renews
// its own lease as often, but its calls wait their turn with every other
// call to the store: behind a burst (ten thousand games starting at once)
// they waited longer than the TTL, the leases lapsed, and every room
// asked for its lease again, one more call each in the same queue.
func (e *Engine) keepLeases(ctx context.Context) {
	defer e.wg.Done()
	t := time.NewTicker(e.cfg.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		e.mu.Lock()
		owns := len(e.owners) > 0
		e.mu.Unlock()
		if !owns {
			continue
		}
		kctx, cancel := context.WithTimeout(ctx, e.cfg.LeaseTTL)
		if err := e.store.KeepLeases(kctx, e.cfg.Instance, e.cfg.LeaseTTL); err != nil && ctx.Err() == nil {
			e.log.Warn("keeping room leases", "err", err)
		}
		cancel()
	}
}

// sweep starts an owner for every room that has none here and whose lease
// is free, of those the store says may need one.
func (e *Engine) sweep(ctx context.Context) {
	codes, err := e.store.Orphans(ctx)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Warn("listing rooms", "err", err)
		}
		return
	}
	for _, code := range codes {
		e.own(ctx, code)
	}
}

// shutdown ends watchers (a cut, not a departure), drops the departures
// still in their grace, hands this instance's presence over, stops owners
// and hubs, and waits for their goroutines: all within StopTimeout.
func (e *Engine) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), e.cfg.StopTimeout)
	defer cancel()
	e.mu.Lock()
	e.closing = true
	owners := slices.Collect(maps.Values(e.owners))
	hubs := slices.Collect(maps.Values(e.hubs))
	later := e.later
	e.later = nil
	e.mu.Unlock()
	for _, timer := range later {
		timer.Stop() // handOff records what they would have done
	}
	for _, h := range hubs {
		h.stop(Errorf(ErrShutdown, "the server is shutting down: reconnect with after_seq"))
	}
	e.handOff(ctx)
	for _, o := range owners {
		o.stop()
	}
	done := make(chan struct{})
	go func() { e.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		e.log.Warn("shutdown: gave up waiting for rooms to stop", "after", e.cfg.StopTimeout)
	}
}

// spec returns a room's spec, cached: it never changes.
func (e *Engine) spec(ctx context.Context, code string) (*Spec, error) {
	e.mu.Lock()
	s, ok := e.specs[code]
	e.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := e.store.Spec(ctx, code)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	if len(e.specs) >= 2*e.cfg.MaxRooms {
		clear(e.specs) // a cache, not a record: rooms that are gone leave it this way
	}
	e.specs[code] = s
	e.mu.Unlock()
	return s, nil
}

// forget drops what this instance caches of a room that is gone.
func (e *Engine) forget(code string) {
	e.mu.Lock()
	delete(e.specs, code)
	e.mu.Unlock()
}

// Stats is what an engine is doing right now, for metrics.
type Stats struct {
	Owned    int   // rooms whose timers run here
	Rooms    int   // rooms with watchers here
	Watchers int   // open subscriptions here
	Lost     int64 // rooms whose history this instance found lost, since it started
}

// Stats reports what the engine is doing right now.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	hubs := slices.Collect(maps.Values(e.hubs))
	s := Stats{Owned: len(e.owners), Rooms: len(hubs), Lost: e.lost.Load()}
	e.mu.Unlock()
	for _, h := range hubs {
		h.mu.Lock()
		s.Watchers += len(h.subs)
		h.mu.Unlock()
	}
	return s
}

// after runs fn after d unless the engine shuts down first; the shutdown
// waits for an fn that has started.
func (e *Engine) after(d time.Duration, fn func()) {
	key := new(int)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closing {
		return
	}
	e.later[key] = time.AfterFunc(d, func() {
		e.mu.Lock()
		_, ok := e.later[key]
		delete(e.later, key)
		if ok {
			e.wg.Add(1)
		}
		e.mu.Unlock()
		if ok {
			defer e.wg.Done()
			fn()
		}
	})
}
