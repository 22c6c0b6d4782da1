// Package tui is the quiz CLI's full-screen terminal UI, built on
// bubbletea: a player's screen (questions, options picked by key, a
// countdown driven by the server's clock, typed answers, results, the
// leaderboard, the podium), the host's (the room code large, the lobby, the
// controls, the answered count and the answer split) and a spectator's for a
// projector. Model holds the logic and is tested without a terminal; Run
// connects it to a terminal and the room's event stream.
package tui

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"google.golang.org/grpc/codes"

	"github.com/quizroom/quizroom/client/conn"
	"github.com/quizroom/quizroom/client/control"
	"github.com/quizroom/quizroom/client/plain"
	"github.com/quizroom/quizroom/client/state"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// Mode is whose screen the UI shows.
type Mode int

// The modes.
const (
	// Play is a player's screen: they answer.
	Play Mode = iota + 1
	// Host is the host's screen: the lobby and the controls.
	Host
	// Watch is a spectator's screen, for a projector.
	Watch
)

// Config configures a Model. The functions run inside bubbletea commands,
// off the UI's goroutine.
type Config struct {
	// Mode says whose screen it is.
	Mode Mode
	// Code is the room's code.
	Code string
	// Client is the connection, with the player's or host's token; Run
	// follows the room with it and makes Submit and Control from it when
	// they are nil.
	Client *conn.Client
	// Opened, when set, is the room's Watch call already open (conn.Open,
	// for a player or host who came back): Run follows it.
	Opened *conn.Watch
	// Invite is the command players run to join, shown in the lobby (Host
	// and Watch): quiz join CODE --name NAME and the flags that reach the
	// server.
	Invite string
	// InviteHint is shown under Invite when other machines cannot reach
	// the server: how to serve on the network.
	InviteHint string
	// Submit sends the player's answer to question index (Play).
	Submit func(index int32, a *quizv1.Answer) (*quizv1.SubmitAnswerResponse, error)
	// Control runs a host command (Host).
	Control func(control.Command) error
	// Report writes the report once the game has finished and returns the
	// file's path (Host); nil writes none.
	Report func() (string, error)
	// OnEvent, when set, is called by Run with each event as it arrives,
	// before the UI gets it, off the UI's goroutine; the next events wait.
	OnEvent func(*quizv1.Event)
	// Notice is shown once the room's first snapshot is in, until the
	// phase changes: "Welcome back, Ann: …" for a player who resumed.
	Notice string
	// ComeBack is the command that comes back to the room after leaving
	// it (Play: quiz join CODE; Host: quiz host --resume CODE), said in
	// the line left on the terminal; empty says nothing.
	ComeBack string
	// Now is the local clock; default time.Now.
	Now func() time.Time
}

// ErrKicked is returned when the host removed the player.
var ErrKicked = errors.New("the host removed you from the room")

// Messages the Model handles besides bubbletea's own.
type (
	// UpdateMsg is an event of the room, or a reconnection notice.
	UpdateMsg conn.Update
	// EndMsg says the event stream ended: with nil when the server ended
	// it, else with why it stopped for good.
	EndMsg struct{ Err error }
	// TickMsg redraws the countdown.
	TickMsg time.Time
	// answerMsg is the outcome of a submitted answer.
	answerMsg struct {
		index int32
		resp  *quizv1.SubmitAnswerResponse
		err   error
	}
	// controlMsg is the outcome of a host command.
	controlMsg struct {
		cmd  control.Command
		err  error
		quit bool // the host asked to quit once it is done
	}
	// reportMsg is the outcome of writing the report.
	reportMsg struct {
		path string
		err  error
	}
)

// tickEvery is how often the countdown redraws.
const tickEvery = 100 * time.Millisecond

// answer states of the open question.
const (
	notAnswered = iota
	sending
	accepted
)

// confirmation is a host action waiting for a yes.
type confirmation struct {
	prompt string
	cmd    control.Command
	quit   bool // quit after cmd (or, with no action, at once)
	// leave makes it the host's question on leaving: y runs cmd and
	// quits, n quits and leaves the room running, other keys stay.
	leave bool
}

// Model is the UI's state. It implements tea.Model.
type Model struct {
	cfg  Config
	room *state.Room

	// The player's choice for the open question.
	question int32        // index the choice is for; -1 before any
	cursor   int          // highlighted option
	selected map[int]bool // multiple select: options toggled on
	input    textinput.Model
	answer   int           // notAnswered, sending or accepted
	chosen   []int32       // the options sent
	elapsed  time.Duration // the accepted answer's server-measured time

	// The host's kick picker and confirmations.
	kicking    bool
	kickCursor int // in the roster sorted by name
	confirm    *confirmation

	phase        quizv1.Phase // the phase shown, to clear stale notes
	note         string       // the last outcome or problem to show
	reconnecting *conn.Update // set while the stream is down
	ended        bool         // the stream ended
	reported     bool         // the report was asked for
	reportPath   string       // where the report went
	reportErr    error        // why it did not
	quitting     bool         // quit once the game is over and the report written
	leftRunning  bool         // the host left the room running, to take back
	welcomed     bool         // Notice was shown
	summary      string       // the line to leave on the terminal
	err          error        // why the UI quit, for Run
	width        int
	height       int
}

// New returns a Model for cfg.
func New(cfg Config) *Model {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	in := textinput.New()
	in.Placeholder = "type your answer, then enter"
	in.CharLimit = plain.MaxTextAnswer
	in.Prompt = "✎ "
	in.Cursor.SetMode(cursor.CursorStatic) // no blink: nothing but the countdown redraws
	in.Width = 76
	return &Model{
		cfg: cfg, room: &state.Room{}, question: -1, selected: map[int]bool{}, input: in, width: 80, height: 24,
	}
}

// Room is the room as the UI knows it.
func (m *Model) Room() *state.Room { return m.room }

// Err is why the UI quit: ErrKicked, the stream's final error, or nil.
func (m *Model) Err() error { return m.err }

// Note is the last outcome or problem shown to the user.
func (m *Model) Note() string { return m.note }

// Reconnecting is the notice of a dropped stream being retried; nil while
// connected.
func (m *Model) Reconnecting() *conn.Update { return m.reconnecting }

// Init starts the countdown's ticks.
func (m *Model) Init() tea.Cmd { return tick() }

func tick() tea.Cmd {
	return tea.Tick(tickEvery, func(t time.Time) tea.Msg { return TickMsg(t) })
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.input.Width = max(msg.Width-4, 10)
	case TickMsg:
		return m, tick()
	case UpdateMsg:
		return m, m.update(conn.Update(msg))
	case EndMsg:
		m.ended = true
		m.reconnecting = nil
		if msg.Err != nil {
			m.err = msg.Err
			return m, tea.Quit
		}
		if m.room.Kicked {
			m.err = ErrKicked
			return m, tea.Quit
		}
	case answerMsg:
		if msg.index != m.question {
			return m, nil
		}
		if msg.err != nil {
			m.answer, m.note = notAnswered, msg.err.Error()
			if conn.Code(msg.err) == codes.AlreadyExists { // the first answer stands
				m.answer, m.note = accepted, ""
			}
			return m, nil
		}
		m.answer, m.note = accepted, ""
		m.elapsed = msg.resp.GetElapsed().AsDuration()
	case controlMsg:
		if msg.err != nil {
			m.note = msg.err.Error()
			return m, nil
		}
		if m.note == msg.cmd.Action.String()+"…" {
			m.note = "" // the screen shows what it did
		}
		if msg.quit && msg.cmd.Action == control.End && !m.room.Over() && m.room.Phase != quizv1.Phase_PHASE_LOBBY {
			m.quitting = true // quit once the final results, and the report, are in
			return m, nil
		}
		if msg.quit {
			return m, m.quit()
		}
	case reportMsg:
		m.reportPath, m.reportErr = msg.path, msg.err
		if m.quitting {
			return m, m.quit()
		}
	case tea.KeyMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// update applies an event or a reconnection notice.
func (m *Model) update(u conn.Update) tea.Cmd {
	if u.Event == nil {
		m.reconnecting = &u
		return nil
	}
	m.reconnecting = nil
	m.room.Apply(u.Event, u.Personal, u.Received)
	if q := m.room.Question; q != nil && q.GetIndex() != m.question {
		m.question, m.cursor, m.selected, m.answer, m.chosen, m.elapsed = q.GetIndex(), 0, map[int]bool{}, notAnswered, nil, 0
		m.input.Reset()
	}
	if m.room.Phase != m.phase {
		m.phase, m.note = m.room.Phase, "" // an outcome of the last phase is stale now
	}
	if !m.welcomed && u.Event.GetSnapshot() != nil {
		m.welcomed, m.note = true, m.cfg.Notice
	}
	if m.room.Answered && m.answer == notAnswered {
		m.answer = accepted
	}
	if m.room.Phase == quizv1.Phase_PHASE_QUESTION && m.cfg.Mode == Play && m.typed() {
		m.input.Focus()
	} else {
		m.input.Blur()
	}
	if n := len(m.room.Players); m.kickCursor >= n {
		m.kickCursor = max(n-1, 0)
	}
	if m.room.Over() {
		m.kicking, m.confirm = false, nil
	}
	switch {
	case m.room.Kicked:
		m.err = ErrKicked
		return tea.Quit
	case m.room.Finished != nil && m.cfg.Mode == Host && m.cfg.Report != nil && !m.reported:
		m.reported = true
		report := m.cfg.Report
		return func() tea.Msg {
			path, err := report()
			return reportMsg{path, err}
		}
	case m.quitting && m.room.Over():
		return m.quit()
	}
	return nil
}

// typed reports whether the question shown takes a typed answer.
func (m *Model) typed() bool {
	return m.room.Question.GetKind() == quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER
}

// writing reports whether the report is being written.
func (m *Model) writing() bool { return m.reported && m.reportPath == "" && m.reportErr == nil }

// quit ends the UI with its summary line; a host whose report is being
// written waits for it.
func (m *Model) quit() tea.Cmd {
	if m.writing() {
		m.quitting = true
		return nil
	}
	m.summary = m.summarize()
	return tea.Quit
}

// key handles a key press.
func (m *Model) key(k tea.KeyMsg) tea.Cmd {
	if k.Type == tea.KeyCtrlC {
		if m.cfg.Mode == Host && (m.confirm == nil || !m.confirm.leave) && !m.quitting && m.hostNeeded() {
			m.kicking, m.confirm = false, m.quitConfirmation()
			return nil
		}
		if m.confirm != nil && m.confirm.leave {
			m.leftRunning = true // a second ctrl+c leaves without ending anything
		}
		m.summary = m.summarize()
		return tea.Quit
	}
	if m.confirm != nil {
		return m.confirmKey(k)
	}
	if m.kicking {
		return m.kickKey(k)
	}
	typing := m.cfg.Mode == Play && m.typed() && m.room.Open(m.cfg.Now()) && m.answer == notAnswered
	if k.Type == tea.KeyRunes && len(k.Runes) > 1 && !k.Paste && !typing {
		// Keys typed faster than the UI reads them come as one message:
		// each is a key of its own.
		var cmds []tea.Cmd
		for _, r := range k.Runes {
			cmds = append(cmds, m.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: k.Alt}))
		}
		return tea.Batch(cmds...)
	}
	if k.String() == "q" && !typing {
		if m.cfg.Mode == Host && m.hostNeeded() {
			m.confirm = m.quitConfirmation()
			return nil
		}
		return m.quit()
	}
	switch m.cfg.Mode {
	case Play:
		return m.playKey(k)
	case Host:
		return m.hostKey(k)
	}
	return nil
}

// hostNeeded reports whether the room still needs its host: quitting asks
// first.
func (m *Model) hostNeeded() bool {
	return !m.room.Over() && m.room.Phase != quizv1.Phase_PHASE_UNSPECIFIED
}

// quitConfirmation asks the host who leaves a room that is not over
// whether to end it: y ends the game (in the lobby: closes the room) and
// writes the report, n leaves it running, to take back with ComeBack.
func (m *Model) quitConfirmation() *confirmation {
	back := ""
	if m.cfg.ComeBack != "" {
		back = " (take it back with " + m.cfg.ComeBack + ")"
	}
	if m.room.Phase == quizv1.Phase_PHASE_LOBBY {
		return &confirmation{
			prompt: "Close the room as you leave? The players in the lobby are sent home. Or leave it open" + back +
				": nothing starts without you.",
			cmd: control.Command{Action: control.End}, quit: true, leave: true,
		}
	}
	return &confirmation{
		prompt: "End the game for everyone as you leave? The report is written. Or leave it running" + back + ": " + state.GoesOn(m.room.Info) + ".",
		cmd:    control.Command{Action: control.End}, quit: true, leave: true,
	}
}

// confirmKey answers a confirmation: y does it, any other key cancels (an
// enter too, so that a second enter after the kick picker kicks nobody).
// The host's question on leaving takes n too: leave the room running.
func (m *Model) confirmKey(k tea.KeyMsg) tea.Cmd {
	c := m.confirm
	m.confirm = nil
	if c.leave && (k.String() == "n" || k.String() == "N") {
		m.leftRunning = true
		return m.quit()
	}
	if k.String() != "y" && k.String() != "Y" {
		m.note = "cancelled"
		return nil
	}
	if c.cmd.Action == 0 {
		return m.quit()
	}
	return m.run(c.cmd, c.quit)
}

// playKey handles a player's key: picking, toggling and submitting.
func (m *Model) playKey(k tea.KeyMsg) tea.Cmd {
	if !m.room.Open(m.cfg.Now()) || m.answer != notAnswered {
		return nil
	}
	q := m.room.Question
	if m.typed() {
		if k.Type == tea.KeyEnter {
			return m.submitText()
		}
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(k)
		return cmd
	}
	n := len(q.GetOptions())
	multiple := q.GetKind() == quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT
	switch k.Type {
	case tea.KeyUp, tea.KeyLeft, tea.KeyShiftTab:
		m.cursor = (m.cursor + n - 1) % max(n, 1)
		return nil
	case tea.KeyDown, tea.KeyRight, tea.KeyTab:
		m.cursor = (m.cursor + 1) % max(n, 1)
		return nil
	case tea.KeySpace:
		if multiple {
			m.selected[m.cursor] = !m.selected[m.cursor]
		}
		return nil
	case tea.KeyEnter:
		if multiple {
			return m.submitSelected()
		}
		return m.submitChoices([]int32{int32(m.cursor)})
	}
	if i, ok := optionKey(k.String(), q.GetKind(), n); ok {
		m.cursor = i
		if multiple {
			m.selected[i] = !m.selected[i]
			return nil
		}
		return m.submitChoices([]int32{int32(i)})
	}
	return nil
}

// optionKey reads an option key: 1–6 or A–F (either case), and t or f for
// true/false.
func optionKey(s string, kind quizv1.QuestionKind, n int) (int, bool) {
	if len(s) != 1 {
		return 0, false
	}
	b := s[0]
	if kind == quizv1.QuestionKind_QUESTION_KIND_TRUE_FALSE {
		switch b {
		case 't', 'T':
			return 0, true
		case 'f', 'F':
			return 1, true
		}
	}
	var i int
	switch {
	case b >= '1' && b <= '6':
		i = int(b - '1')
	case b >= 'a' && b <= 'f':
		i = int(b - 'a')
	case b >= 'A' && b <= 'F':
		i = int(b - 'A')
	default:
		return 0, false
	}
	return i, i < n
}

func (m *Model) submitSelected() tea.Cmd {
	var choices []int32
	for i := range len(m.room.Question.GetOptions()) {
		if m.selected[i] {
			choices = append(choices, int32(i))
		}
	}
	if len(choices) == 0 {
		m.note = "select at least one option (space or its key), then enter"
		return nil
	}
	return m.submitChoices(choices)
}

func (m *Model) submitText() tea.Cmd {
	a, err := plain.ParseAnswer(m.input.Value(), m.room.Question)
	if err != nil {
		m.note = err.Error()
		return nil
	}
	return m.submit(a)
}

func (m *Model) submitChoices(choices []int32) tea.Cmd {
	return m.submit(&quizv1.Answer{Choices: choices})
}

// submit sends a, once: further keys wait for its outcome.
func (m *Model) submit(a *quizv1.Answer) tea.Cmd {
	if m.cfg.Submit == nil {
		return nil
	}
	m.answer, m.chosen, m.note = sending, a.GetChoices(), "sending…"
	index, submit := m.question, m.cfg.Submit
	return func() tea.Msg {
		resp, err := submit(index, a)
		return answerMsg{index: index, resp: resp, err: err}
	}
}

// hostKey handles the host's keys; e and k ask first. Once the game is
// over there is nothing left to move: the keys say so and send nothing.
func (m *Model) hostKey(k tea.KeyMsg) tea.Cmd {
	phase := m.room.Phase
	if m.room.Over() {
		if slices.Contains([]string{"s", "n", "c", "p", "e", "l", "k"}, k.String()) {
			m.note = "the game is over · q quits"
		}
		return nil
	}
	switch k.String() {
	case "s":
		return m.run(control.Command{Action: control.Start}, false)
	case "n":
		return m.run(control.Command{Action: control.Next}, false)
	case "c":
		return m.run(control.Command{Action: control.Close}, false)
	case "p":
		if phase == quizv1.Phase_PHASE_PAUSED {
			return m.run(control.Command{Action: control.Resume}, false)
		}
		return m.run(control.Command{Action: control.Pause}, false)
	case "e":
		prompt := "End the game now? Everyone goes to the final results."
		if phase == quizv1.Phase_PHASE_LOBBY {
			prompt = "Close the room? The players in the lobby are sent home."
		}
		m.confirm = &confirmation{prompt: prompt, cmd: control.Command{Action: control.End}}
	case "l":
		if m.room.Locked {
			return m.run(control.Command{Action: control.Unlock}, false)
		}
		return m.run(control.Command{Action: control.Lock}, false)
	case "k":
		if len(m.room.Players) == 0 {
			m.note = "no player to kick"
			return nil
		}
		m.kicking, m.kickCursor, m.note = true, 0, ""
	}
	return nil
}

// kickKey moves the kick picker; enter asks to confirm.
func (m *Model) kickKey(k tea.KeyMsg) tea.Cmd {
	roster := m.sortedPlayers()
	switch k.Type {
	case tea.KeyEsc:
		m.kicking = false
	case tea.KeyUp:
		m.kickCursor = max(m.kickCursor-1, 0)
	case tea.KeyDown:
		m.kickCursor = min(m.kickCursor+1, max(len(roster)-1, 0))
	case tea.KeyEnter:
		m.kicking = false
		if m.kickCursor < len(roster) {
			p := roster[m.kickCursor]
			m.confirm = &confirmation{
				prompt: fmt.Sprintf("Kick %s? They are removed from the room.", p.GetName()),
				cmd:    control.Command{Action: control.Kick, PlayerID: p.GetPlayerId()},
			}
		}
	default:
		if k.String() == "q" {
			m.kicking = false
		}
	}
	return nil
}

// run runs a host command; quit ends the UI once it is done.
func (m *Model) run(cmd control.Command, quit bool) tea.Cmd {
	if m.cfg.Control == nil {
		return nil
	}
	m.note = cmd.Action.String() + "…"
	do := m.cfg.Control
	return func() tea.Msg { return controlMsg{cmd: cmd, err: do(cmd), quit: quit} }
}
