package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/quizroom/quizroom/client/conn"
	"github.com/quizroom/quizroom/client/control"
	"github.com/quizroom/quizroom/client/creds"
	"github.com/quizroom/quizroom/client/plain"
	"github.com/quizroom/quizroom/client/report"
	"github.com/quizroom/quizroom/client/state"
	"github.com/quizroom/quizroom/client/tui"
	"github.com/quizroom/quizroom/content"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// roomFlags are the flags that create a room: its source and settings.
type roomFlags struct {
	deck, notes                       string
	questions, leaderboardEvery       int
	leaderboardSize, maxPlayers       int
	penalty                           int
	seed                              uint64
	mode, scoring                     string
	timeLimit, readTime               time.Duration
	revealTime, leaderboardTime       time.Duration
	hostAwayLimit                     time.Duration
	shuffle, shuffleOptions, noStreak bool

	fs *pflag.FlagSet // the flags, to tell a --read-time 0 from none
}

// register adds the flags to fs; defaultMode is the pacing by default.
func (f *roomFlags) register(fs *pflag.FlagSet, defaultMode string) {
	f.fs = fs
	fs.StringVar(&f.deck, "deck", "", "deck id to play, from quiz decks (default aws-compute)")
	fs.StringVar(&f.notes, "notes", "", "play on your own study notes: a Markdown file the server makes a deck from")
	fs.IntVar(&f.questions, "questions", 0, "play only the first N questions (after --shuffle); 0: all")
	fs.DurationVar(&f.timeLimit, "time", 0, "time to answer a question whose deck gives none, 5s to 240s (server default 20s)")
	fs.DurationVar(&f.readTime, "read-time", 0, "show each question this long before its options open, up to 30s; 0 for none (server default 3s)")
	fs.StringVar(&f.mode, "mode", defaultMode, "pacing: host (you advance) or auto (timers do)")
	fs.BoolVar(&f.shuffle, "shuffle", false, "play the questions in a random order")
	fs.BoolVar(&f.shuffleOptions, "shuffle-options", false, "show each question's options in a random order")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the shuffles and of the deck made from --notes; 0: random")
	fs.IntVar(&f.leaderboardEvery, "leaderboard-every", 0, "show the leaderboard after every Nth question; -1: only at the end (server default 1)")
	fs.IntVar(&f.leaderboardSize, "leaderboard-size", 0, "players listed in leaderboards, 1 to 100 (server default 10)")
	fs.IntVar(&f.penalty, "penalty", 0, "points a wrong answer costs, 0 to 1000")
	fs.BoolVar(&f.noStreak, "no-streak", false, "no streak bonus")
	fs.StringVar(&f.scoring, "scoring", "speed", "speed (faster answers score more) or accuracy (flat points)")
	fs.IntVar(&f.maxPlayers, "max-players", 0, "most players in the room; 0: the server's limit")
	fs.DurationVar(&f.revealTime, "reveal-time", 0, "auto pacing: how long a reveal shows, 1s to 60s (server default 5s)")
	fs.DurationVar(&f.leaderboardTime, "leaderboard-time", 0, "auto pacing: how long a leaderboard shows, 1s to 60s (server default 5s)")
	fs.DurationVar(&f.hostAwayLimit, "host-away-limit", 0, "host pacing: how long the game waits for a host who went away before it goes on by itself, 10s to 30m (server default 60s)")
}

// request makes the CreateRoom request the flags describe.
func (f *roomFlags) request() (*quizv1.CreateRoomRequest, error) {
	s := &quizv1.RoomSettings{
		QuestionCount: int32(f.questions), ShuffleQuestions: f.shuffle, ShuffleOptions: f.shuffleOptions,
		Seed: f.seed, WrongAnswerPenalty: int32(f.penalty), LeaderboardEvery: int32(f.leaderboardEvery),
		MaxPlayers: int32(f.maxPlayers), LeaderboardSize: int32(f.leaderboardSize),
		TimeLimit: optDuration(f.timeLimit), ReadTime: optDuration(f.readTime),
		RevealTime: optDuration(f.revealTime), LeaderboardTime: optDuration(f.leaderboardTime),
		HostAwayLimit: optDuration(f.hostAwayLimit),
	}
	switch strings.ToLower(f.mode) {
	case "host":
		s.Pacing = quizv1.PacingMode_PACING_MODE_HOST
	case "auto":
		s.Pacing = quizv1.PacingMode_PACING_MODE_AUTO
	default:
		return nil, fmt.Errorf("--mode %q: use host or auto", f.mode)
	}
	switch strings.ToLower(f.scoring) {
	case "speed":
		s.PointsPolicy = quizv1.PointsPolicy_POINTS_POLICY_SPEED
	case "accuracy":
		s.PointsPolicy = quizv1.PointsPolicy_POINTS_POLICY_ACCURACY
	default:
		return nil, fmt.Errorf("--scoring %q: use speed or accuracy", f.scoring)
	}
	if f.fs != nil && f.fs.Changed("read-time") {
		s.ReadTime = durationpb.New(f.readTime) // 0 too: no read time
	}
	if f.noStreak {
		off := false
		s.StreakBonus = &off
	}
	req := &quizv1.CreateRoomRequest{Settings: s}
	switch {
	case f.deck != "" && f.notes != "":
		return nil, errors.New("--deck and --notes do not go together: pick one")
	case f.notes != "":
		src, err := readNotes(f.notes)
		if err != nil {
			return nil, err
		}
		req.Source = &quizv1.CreateRoomRequest_Notes{Notes: string(src)}
	case f.deck != "":
		req.Source = &quizv1.CreateRoomRequest_DeckId{DeckId: f.deck}
	default:
		req.Source = &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"}
	}
	return req, nil
}

// readNotes reads a notes file and checks it as the server will, so that
// problems name the file and its lines: the server is sent only the text.
func readNotes(file string) ([]byte, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	notes, err := content.ParseNotes(file, src)
	if err != nil {
		return nil, fmt.Errorf("--notes: no deck can be made of %s; fix these and try again:\n%w", file, err)
	}
	if _, err := content.Generate(notes, content.GenerateOptions{Seed: 1}); err != nil {
		return nil, fmt.Errorf("--notes %s: %w; quiz deck from-notes %s shows what can be made", file, err, file)
	}
	return src, nil
}

func optDuration(d time.Duration) *durationpb.Duration {
	if d == 0 {
		return nil
	}
	return durationpb.New(d)
}

// createRoom creates the room the flags describe, explaining a refusal
// with its field violations, and an unknown deck with the decks there are;
// flags are the global flags its hints need (app.serverFlags).
func createRoom(ctx context.Context, c *conn.Client, f *roomFlags, flags string) (*quizv1.CreateRoomResponse, error) {
	req, err := f.request()
	if err != nil {
		return nil, err
	}
	cctx, cancel := c.Call(ctx)
	defer cancel()
	resp, err := c.API.CreateRoom(cctx, req)
	err = withViolations(conn.Explain(err, "creating the room", c.Addr()))
	var e *conn.Error
	if errors.As(err, &e) {
		if id := req.GetDeckId(); id != "" && e.Code == codes.NotFound {
			e.Msg = noDeck(ctx, c, id, flags)
		}
		if f.notes != "" {
			e.Msg = strings.ReplaceAll(e.Msg, "notes.md", f.notes) // the name the server gives notes
		}
	}
	return resp, err
}

// noDeck says there is no deck id and what to run instead: quiz decks, or,
// when uploads of a deck with that id are there, the line that plays one.
func noDeck(ctx context.Context, c *conn.Client, id, flags string) string {
	msg := fmt.Sprintf("creating the room: there is no deck %q on %s: quiz decks%s lists the decks there are", id, c.Addr(), flags)
	cctx, cancel := c.Call(ctx)
	defer cancel()
	resp, err := c.API.ListDecks(cctx, &quizv1.ListDecksRequest{})
	if err != nil {
		return msg
	}
	var uploads []string
	for _, d := range resp.GetDecks() {
		if d.GetUploaded() && strings.HasPrefix(d.GetId(), id+"-") {
			uploads = append(uploads, d.GetId())
		}
	}
	switch len(uploads) {
	case 0:
		return msg
	case 1:
		return msg + "; an upload names a deck by its id and a hash of its file: quiz host --deck " + uploads[0] + flags
	}
	return msg + "; an upload names a deck by its id and a hash of its file, and there are " +
		strconv.Itoa(len(uploads)) + ": " + strings.Join(uploads, ", ")
}

// withViolations adds an error's field violations to its message, one a
// line.
func withViolations(err error) error {
	var e *conn.Error
	if !errors.As(err, &e) || len(e.Violations) == 0 {
		return err
	}
	msg := e.Msg
	for _, v := range e.Violations {
		if !strings.Contains(msg, v) {
			msg += "\n  " + v
		}
	}
	return &conn.Error{Code: e.Code, Msg: msg, Violations: e.Violations}
}

func (a *app) hostCommand() *cobra.Command {
	var rf roomFlags
	var out, resume string
	cmd := &cobra.Command{
		Use:   "host [--deck ID | --notes FILE] [settings] | host --resume CODE",
		Short: "Create a room and run its game as the host",
		Long: `Create a room from a deck (default aws-compute) or from your own study notes
and run it: the room code and the line players join with, the lobby filling
up, the live answered count, how the answers split, the leaderboard. At the
end the report is written as CSV, or as JSON with --json or an --out ending in
.json: to --out, or else to quiz-report-CODE.csv in the reports directory
($XDG_DATA_HOME/quiz/reports, by default ~/.local/share/quiz/reports).

The host token is kept in the state directory, so that quiz host --resume CODE
on this machine takes the room back in any phase, after quitting or a crash.
While the host is away, a host-paced game waits for the room's host-away limit
(60 s by default) and then goes on by itself; the host coming back takes the
pacing back.

Keys on a terminal: s start, n next, c close the question, p pause/resume,
l lock/unlock the lobby, k kick a player, e end the game, q or ctrl+c leave
(you are asked whether to end the game or leave it running). In line mode
each input line is a command: ` + control.Help + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if resume == "" {
				return a.host(cmd.Context(), &rf, out)
			}
			var set []string
			local := cmd.LocalNonPersistentFlags()
			cmd.Flags().Visit(func(f *pflag.Flag) {
				if local.Lookup(f.Name) != nil && f.Name != "resume" && f.Name != "out" {
					set = append(set, "--"+f.Name)
				}
			})
			if len(set) > 0 {
				return fmt.Errorf("--resume takes the room back as it is: %s cannot change it", strings.Join(set, ", "))
			}
			return a.resumeHost(cmd.Context(), resume, out)
		},
	}
	rf.register(cmd.Flags(), "host")
	cmd.Flags().StringVar(&out, "out", "", "report file or directory (default: the reports directory, ~/.local/share/quiz/reports)")
	cmd.Flags().StringVar(&resume, "resume", "", "take back room CODE, which you host from this machine, in any phase")
	return cmd
}

// hosting is a room this run hosts.
type hosting struct {
	code   string
	client *conn.Client // with the host token
	opened *conn.Watch  // the room's stream, for a host who came back
	info   *quizv1.RoomInfo
	store  *creds.Store // nil: none
	// back says where the game is, for a host who came back; empty for a
	// new room.
	back string
	// out and asJSON say where and how the report goes.
	out    string
	asJSON bool
}

func (a *app) host(ctx context.Context, rf *roomFlags, out string) error {
	asJSON := a.json || strings.HasSuffix(out, ".json")
	if _, err := a.reportPath(out, "CODE", asJSON); err != nil {
		return err // before a room is made for nothing
	}
	c, err := a.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	resp, err := createRoom(ctx, c, rf, a.serverFlags())
	if err != nil {
		return err
	}
	h := &hosting{code: resp.GetRoom().GetCode(), client: c.WithToken(resp.GetHostToken()), info: resp.GetRoom(),
		store: a.creds(), out: out, asJSON: asJSON}
	a.remember(h.store, creds.Entry{Addr: c.Addr(), Code: h.code, Role: creds.Host, Token: resp.GetHostToken()})
	return a.runHost(ctx, h)
}

// resumeHost takes back room code with the host token kept on this
// machine.
func (a *app) resumeHost(ctx context.Context, code, out string) error {
	code = strings.ToUpper(strings.TrimSpace(code))
	asJSON := a.json || strings.HasSuffix(out, ".json")
	if _, err := a.reportPath(out, code, asJSON); err != nil {
		return err
	}
	c, err := a.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	store := a.creds()
	found := a.saved(store, c.Addr(), code, creds.Host)
	if len(found) == 0 {
		where := "no state directory"
		if store != nil {
			where = store.Path()
		}
		return fmt.Errorf("no host token for room %s on %s in %s: only the machine (and user) that created the room can take it back, within %s",
			code, c.Addr(), where, durationWords(creds.MaxAge))
	}
	hc, w, err := a.comeBack(ctx, c, store, found[0], "taking back room "+code)
	if errors.Is(err, errStale) {
		return fmt.Errorf("the host token kept for room %s no longer opens it as its host", code)
	}
	if err != nil {
		return err
	}
	defer w.Close()
	var r state.Room
	r.Apply(&quizv1.Event{Payload: &quizv1.Event_Snapshot{Snapshot: w.Snapshot()}}, nil, time.Now())
	h := &hosting{code: code, client: hc, opened: w, info: w.Snapshot().GetRoom(), store: store, back: r.Where(), out: out, asJSON: asJSON}
	return a.runHost(ctx, h)
}

// durationWords is "3 days", "12 hours".
func durationWords(d time.Duration) string {
	if n := int(d / (24 * time.Hour)); d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d %s", n, plural(n, "day", "days"))
	}
	n := int(d / time.Hour)
	return fmt.Sprintf("%d %s", n, plural(n, "hour", "hours"))
}

// runHost runs the host's screen or line session on room h until the game
// is over or the host leaves, and writes the report of a finished game.
func (a *app) runHost(ctx context.Context, h *hosting) error {
	code, host := h.code, h.client
	path, err := a.reportPath(h.out, code, h.asJSON)
	if err != nil {
		return err
	}
	kept := &lastReport{host: host, code: code}
	defer kept.wait()
	comeBack := "quiz host --resume " + code + a.serverFlags()
	inv := a.invite(ctx, code)
	note := a.stdout
	if a.json {
		note = a.stderr
	}
	if a.tui() {
		report := func() (string, error) {
			_, err := saveReport(ctx, host, code, path, h.asJSON)
			return path, err
		}
		notice := ""
		if h.back != "" {
			notice = fmt.Sprintf("You are the host of room %s again, %s.", code, h.back)
		}
		room, err := tui.Run(ctx, tui.Config{
			Mode: tui.Host, Code: code, Client: host, Opened: h.opened, Report: report, Invite: inv.Line, InviteHint: inv.Hint,
			Notice: notice, ComeBack: comeBack, OnEvent: kept.on(ctx),
		}, a.stdin, a.stdout)
		return a.hostDone(h, room, err, kept, path, note)
	}
	info := h.info
	fmt.Fprintf(note, "room code=%s deck=%q questions=%d pacing=%s\n", code, info.GetDeckTitle(), info.GetQuestionCount(),
		strings.ToLower(strings.TrimPrefix(info.GetSettings().GetPacing().String(), "PACING_MODE_")))
	if h.back != "" {
		fmt.Fprintf(a.stderr, "You are the host of room %s again, %s.\n", code, h.back)
	}
	fmt.Fprintln(a.stderr, "players join with: "+inv.Line)
	if inv.Hint != "" {
		fmt.Fprintln(a.stderr, inv.Hint)
	}
	fmt.Fprintln(a.stderr, "commands: "+control.Help)
	// The lines outlive the session: a host who presses ctrl+c is asked
	// a question on them.
	linesCtx, stopLines := context.WithCancel(context.WithoutCancel(ctx))
	defer stopLines()
	lines := plain.ReadLines(linesCtx, a.stdin)
	room, err := plain.Run(ctx, plain.Config{Client: host, Code: code, Opened: h.opened, Role: plain.Host, Lines: lines, Out: a.stdout, Log: a.stderr,
		JSON: a.json, OnEvent: kept.on(ctx)})
	if errors.Is(err, context.Canceled) && !room.Over() && room.Phase != quizv1.Phase_PHASE_UNSPECIFIED {
		return a.hostLeaves(ctx, h, room, lines, path, note, comeBack)
	}
	if err == nil && room.Finished != nil {
		rep, err := saveReport(ctx, host, code, path, h.asJSON)
		if err != nil {
			return err
		}
		fmt.Fprintf(note, "report file=%s %s\n", path, report.Summary(rep))
	}
	return a.hostDone(h, room, err, kept, path, note)
}

// hostDone ends a host's run: it forgets the token of a room that is over
// and, when the room is gone, writes the report kept so far (the token is
// kept: --resume says the room is gone, then forgets it).
func (a *app) hostDone(h *hosting, room *state.Room, err error, kept *lastReport, path string, note io.Writer) error {
	if room.Over() {
		a.forget(h.store, creds.Entry{Addr: h.client.Addr(), Code: h.code, Role: creds.Host})
	}
	if roomGone(err) {
		rep := kept.last()
		if rep == nil {
			return fmt.Errorf("%w\nNo report was fetched before the room was lost.", err)
		}
		if werr := writeReport(path, rep, h.asJSON); werr != nil {
			return errors.Join(err, werr)
		}
		fmt.Fprintf(note, "report file=%s %s partial=true\n", path, report.Summary(rep))
		return fmt.Errorf("%w\nThe report of the game so far is in %s.", err, path)
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// hostLeaves is a host leaving a game in line mode (ctrl+c): on a terminal
// they are asked whether to end it (then the report is written); otherwise,
// or when they say no, it goes on, and the line says how to take it back.
func (a *app) hostLeaves(ctx context.Context, h *hosting, room *state.Room, lines <-chan string, path string, note io.Writer, comeBack string) error {
	ctx = context.WithoutCancel(ctx)
	lobby := room.Phase == quizv1.Phase_PHASE_LOBBY
	end := false
	if isTerminal(a.stdin) {
		q := "End the game for everyone? y: end it and write the report; n: leave it running [y/N] "
		if lobby {
			q = "Close the room? y: close it, the players are sent home; n: leave it open [y/N] "
		}
		fmt.Fprint(a.stderr, "\n"+q)
		line := <-lines // "" once the input ends
		end = strings.HasPrefix(strings.ToLower(strings.TrimSpace(line)), "y")
	}
	if !end {
		if lobby {
			fmt.Fprintf(a.stderr, "You left room %s open in the lobby; run `%s` to take it back; nothing starts without you.\n", h.code, comeBack)
		} else {
			fmt.Fprintf(a.stderr, "You left room %s %s; run `%s` to take it back; %s.\n", h.code, room.Where(), comeBack, state.GoesOn(room.Info))
		}
		return nil
	}
	if err := control.Do(ctx, h.client, h.code, control.Command{Action: control.End}); err != nil {
		return err
	}
	a.forget(h.store, creds.Entry{Addr: h.client.Addr(), Code: h.code, Role: creds.Host})
	if lobby {
		fmt.Fprintf(a.stderr, "You closed room %s.\n", h.code)
		return nil
	}
	rep, err := saveReport(ctx, h.client, h.code, path, h.asJSON)
	if err != nil {
		return err
	}
	fmt.Fprintf(note, "report file=%s %s\n", path, report.Summary(rep))
	return nil
}

// saveReport fetches the room's report and writes it to file (making its
// directory), as JSON or CSV.
func saveReport(ctx context.Context, host *conn.Client, code, file string, asJSON bool) (*quizv1.Report, error) {
	cctx, cancel := host.Call(ctx)
	defer cancel()
	resp, err := host.API.GetReport(cctx, &quizv1.GetReportRequest{RoomCode: code})
	if err != nil {
		return nil, conn.Explain(err, "fetching the report", host.Addr())
	}
	return resp.GetReport(), writeReport(file, resp.GetReport(), asJSON)
}

// writeReport writes rep to file (making its directory), as JSON or CSV.
func writeReport(file string, rep *quizv1.Report, asJSON bool) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	f, err := os.Create(file)
	if err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if asJSON {
		err = report.WriteJSON(f, rep)
	} else {
		err = report.WriteCSV(f, rep)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	return nil
}

// lastReport keeps the newest report the host fetched during the game: at
// the start and after each reveal, so that a room lost before its end (a
// restart of a server that keeps rooms in memory) leaves its report so
// far. It fetches in the background, one fetch at a time, so that the
// host's screen never waits on it: a reveal while a fetch is in flight
// has the fetch run once more when it is done, for the newest reveal.
type lastReport struct {
	host *conn.Client
	code string

	mu       sync.Mutex     // guards rep, fetching and again
	rep      *quizv1.Report // the newest fetched
	fetching bool           // a fetch is in flight
	again    bool           // a reveal came during it: fetch once more
	wg       sync.WaitGroup // the fetching goroutine
}

// on returns the OnEvent hook that fetches the report after a reveal, and
// at a snapshot of a game under way. The fetches end with ctx.
func (l *lastReport) on(ctx context.Context) func(*quizv1.Event) {
	return func(ev *quizv1.Event) {
		snap := ev.GetSnapshot()
		if ev.GetQuestionRevealed() == nil && (snap == nil || snap.GetPhase() == quizv1.Phase_PHASE_LOBBY) {
			return
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.fetching {
			l.again = true
			return
		}
		l.fetching = true
		l.wg.Add(1)
		go l.fetch(ctx)
	}
}

// fetch fetches the report until no reveal came during the last fetch. A
// failure keeps the report fetched before: the next reveal fetches again.
func (l *lastReport) fetch(ctx context.Context) {
	defer l.wg.Done()
	for {
		cctx, cancel := l.host.Call(ctx)
		resp, err := l.host.API.GetReport(cctx, &quizv1.GetReportRequest{RoomCode: l.code})
		cancel()
		l.mu.Lock()
		if err == nil {
			l.rep = resp.GetReport()
		}
		if !l.again || ctx.Err() != nil {
			l.fetching = false
			l.mu.Unlock()
			return
		}
		l.again = false
		l.mu.Unlock()
	}
}

// wait waits for a fetch in flight. Call it once the session that calls
// the hook has ended.
func (l *lastReport) wait() { l.wg.Wait() }

// last waits for a fetch in flight, and returns the newest report fetched;
// nil when none was. Call it once the session that calls the hook has
// ended.
func (l *lastReport) last() *quizv1.Report {
	l.wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rep
}
