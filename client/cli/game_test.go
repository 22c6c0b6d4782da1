package cli

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/quizroom/quizroom/content"
	"github.com/quizroom/quizroom/server/servertest"
)

// answerLines are the lines that answer a question of the built-in deck
// rightly and wrongly, found by its text.
func answerLines(t *testing.T, text string) (right, wrong string) {
	t.Helper()
	decks, err := content.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range decks {
		for _, q := range d.Questions {
			if q.Text != text {
				continue
			}
			if q.Kind == content.KindTyped {
				return q.Accepted[0], "certainly not this"
			}
			var rights []string
			wrong = ""
			for i, o := range q.Options {
				if o.Correct {
					rights = append(rights, strconv.Itoa(i+1))
				} else if wrong == "" {
					wrong = string(rune('A' + i))
				}
			}
			return strings.Join(rights, ","), wrong
		}
	}
	t.Fatalf("question %q is in no built-in deck", text)
	return "", ""
}

// TestPlainGame plays a whole game through the CLI in line mode: a host
// and two players, plus the refusals a player can meet on the way.
func TestPlainGame(t *testing.T) {
	srv := servertest.Start(t, servertest.Options{})
	report := filepath.Join(t.TempDir(), "report.csv")
	const questions = 3

	host := start(t, "host", srv.Addr, "host", "--deck", "aws-compute", "--questions", strconv.Itoa(questions), "--time", "60s", "--read-time", "1s", "--out", report)
	code := host.expect(`^room code=([A-Z0-9]{6}) deck="AWS compute services" questions=3 pacing=host$`)[1]

	ann := start(t, "ann", srv.Addr, "join", code, "--name", "Ann")
	ann.expect(`^joined room=` + code + ` name="Ann" id=\S+$`)
	ann.expect(`^seq=\d+ snapshot room=` + code + ` phase=lobby role=player `)
	bob := start(t, "bob", srv.Addr, "join", strings.ToLower(code), "--name", "Bob")
	bob.expect(`^joined room=` + code + ` name="Bob"`)

	// Refusals, each with a message for people.
	refusals := []struct {
		name string
		args []string
		want string
	}{
		{"unknown room", []string{"join", "ZZZZZZ", "--name", "Cy"}, "no room ZZZZZZ"},
		{"name taken", []string{"join", code, "--name", "ANN"}, "is taken in this room; if it is you, run quiz join " + code + " on the machine you joined from"},
		{"no name", []string{"join", code}, "needs a display name"},
	}
	for _, r := range refusals {
		if _, _, err := runOnce(t, srv.Addr, r.args...); err == nil || !strings.Contains(err.Error(), r.want) {
			t.Errorf("%s: got %v, want an error containing %q", r.name, err, r.want)
		}
	}

	// A player the host kicks is told so.
	cy := start(t, "cy", srv.Addr, "join", code, "--name", "Cy")
	cy.expect(`^seq=\d+ snapshot `) // watching: a kick before that refuses the watch instead
	host.expect(`^seq=\d+ roster players=3 `)
	host.send("kick cy")
	host.expect(`^seq=\d+ kicked name="Cy" players=2$`)
	if err := cy.wait(); err == nil || !strings.Contains(err.Error(), "removed you") {
		t.Errorf("kicked player: got %v, want an error saying the host removed them", err)
	}

	// A locked lobby refuses players.
	host.send("lock")
	host.expect(`^seq=\d+ locked$`)
	if _, _, err := runOnce(t, srv.Addr, "join", code, "--name", "Dan"); err == nil || !strings.Contains(err.Error(), "locked: only the host can unlock it") {
		t.Errorf("locked room: got %v, want an error saying it is locked and who can unlock it", err)
	}
	host.send("unlock")
	host.expect(`^seq=\d+ unlocked$`)
	host.send("dance")
	host.expect(`^command refused: unknown command "dance"`)

	host.send("start")
	host.expect(`^seq=\d+ started questions=3 players=2$`)
	for i := 1; i <= questions; i++ {
		pos := strconv.Itoa(i) + "/3"
		m := ann.expect(`^seq=\d+ question ` + pos + ` (\w+) ("(?:[^"\\]|\\.)*") options=".*" points=\d+ time=\S+$`)
		bob.expect(`^seq=\d+ question ` + pos + ` `)
		text, err := strconv.Unquote(m[2])
		if err != nil {
			t.Fatal(err)
		}
		right, wrong := answerLines(t, text)
		ann.send(right)
		bob.send(wrong)
		ann.expect(`^answer ` + pos + ` accepted elapsed=\S+$`)
		bob.expect(`^answer ` + pos + ` accepted elapsed=\S+$`)
		host.expect(`^seq=\d+ reveal ` + pos + ` .* answered=2/2 right=1`)
		ann.expect(`^seq=\d+ result ` + pos + ` answered=true correct=true points=[1-9]\d* streak=` + strconv.Itoa(i) + ` score=\d+ rank=1 gap=0 `)
		bob.expect(`^seq=\d+ result ` + pos + ` answered=true correct=false points=0 streak=0 score=0 rank=2 gap=[1-9]`)
		host.send("next")
		if i < questions {
			// The last reveal is followed by the final standings instead.
			host.expect(`^seq=\d+ leaderboard ` + pos + ` players=2$`)
			host.expect(`^seq=\d+ standing rank=1 score=[1-9]\d* correct=` + strconv.Itoa(i) + ` streak=\d+ name="Ann"$`)
			ann.expect(`^seq=\d+ you rank=1 `)
			host.send("next")
		}
	}
	for _, p := range []*cli{ann, bob, host} {
		p.expect(`^seq=\d+ finished questions=3 players=2$`)
		p.expect(`^seq=\d+ podium rank=1 score=[1-9]\d* correct=3 streak=\d+ name="Ann"$`)
		p.expect(`^seq=\d+ podium rank=2 score=0 correct=0 streak=0 name="Bob"$`)
	}
	ann.expect(`^seq=\d+ you rank=1 `)
	bob.expect(`^seq=\d+ you rank=2 score=0 `)
	host.expect(`^report file=` + regexpQuote(report) + ` players=\d+ questions=3 winner="Ann" `)
	for _, p := range []*cli{ann, bob, host} {
		if err := p.wait(); err != nil {
			t.Errorf("%s: %v", p.name, err)
		}
	}

	// The report has a row per player and question.
	rows := readCSV(t, report)
	if !slices.Equal(rows[0][:3], []string{"rank", "player_id", "name"}) {
		t.Fatalf("report header = %q", rows[0])
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	count := map[string]int{}
	for _, row := range rows[1:] {
		name, correct := row[col["name"]], row[col["correct"]]
		count[name]++
		answered := strconv.FormatBool(name != "Cy")
		if kicked := strconv.FormatBool(name == "Cy"); row[col["kicked"]] != kicked {
			t.Errorf("report row %q: kicked %s, want %s", row, row[col["kicked"]], kicked)
		}
		if want := strconv.FormatBool(name == "Ann"); correct != want || row[col["answered"]] != answered {
			t.Errorf("report row %q: correct %s, answered %s; want correct %s, answered %s", row, correct, row[col["answered"]], want, answered)
		}
	}
	// The report lists every player who joined, Cy (kicked) too.
	if want := map[string]int{"Ann": questions, "Bob": questions, "Cy": questions}; !maps.Equal(count, want) {
		t.Errorf("report rows per player = %v, want %v", count, want)
	}

	// The game is over: nobody joins any more.
	if _, _, err := runOnce(t, srv.Addr, "join", code, "--name", "Eve"); err == nil || !strings.Contains(err.Error(), "over") {
		t.Errorf("finished room: got %v, want an error saying the game is over", err)
	}
}

func regexpQuote(s string) string { return regexp.QuoteMeta(s) }

func TestFullRoom(t *testing.T) {
	srv := servertest.Start(t, servertest.Options{})
	host := start(t, "host", srv.Addr, "host", "--max-players", "1", "--out", filepath.Join(t.TempDir(), "r.csv"))
	code := host.expect(`^room code=(\S+) `)[1]
	ann := start(t, "ann", srv.Addr, "join", code, "--name", "Ann")
	ann.expect(`^joined room=`)
	// Ann watches before the room closes: her stream then ends on the
	// closing event, not on a snapshot of a closed room.
	ann.expect(`^seq=\d+ snapshot .*phase=lobby`)
	if _, _, err := runOnce(t, srv.Addr, "join", code, "--name", "Bob"); err == nil || !strings.Contains(err.Error(), "full") {
		t.Errorf("full room: got %v, want an error saying it is full", err)
	}
	host.send("end")
	ann.expect(`^seq=\d+ closed reason=`)
	for _, p := range []*cli{ann, host} {
		if err := p.wait(); err != nil {
			t.Errorf("%s: %v", p.name, err)
		}
	}
}

// TestHostSharesAndReports checks what the host is told: the line players
// on other machines join with (the server's address included, and a hint
// when that is loopback), and, after the game, the whole path of the report
// in the reports directory.
func TestHostSharesAndReports(t *testing.T) {
	srv := servertest.Start(t, servertest.Options{})
	data := t.TempDir()
	host := startEnv(t, "host", srv.Addr, map[string]string{"XDG_DATA_HOME": data}, "host", "--questions", "1", "--read-time", "0")
	code := host.expect(`^room code=(\S+) `)[1]
	ann := start(t, "ann", srv.Addr, "join", code, "--name", "Ann")
	ann.expect(`^seq=\d+ snapshot `)
	host.expect(`^seq=\d+ roster players=1 `)
	host.send("start")
	ann.expect(`^seq=\d+ question 1/1 `)
	host.send("end")
	want := filepath.Join(data, "quiz", "reports", "quiz-report-"+code+".csv")
	host.expect(`^report file=` + regexpQuote(want) + ` players=1 questions=1 `)
	if err := host.wait(); err != nil {
		t.Fatalf("host: %v", err)
	}
	if _, err := os.Stat(want); err != nil {
		t.Errorf("no report at the path printed: %v", err)
	}
	log := host.err.String()
	for _, line := range []string{
		"players join with: quiz join " + code + " --name NAME --addr " + srv.Addr + "\n",
		"only this machine can join: the server listens on " + srv.Addr + ". To play with classmates, start it with quizd -listen 0.0.0.0:",
	} {
		if !strings.Contains(log, line) {
			t.Errorf("the host's stderr lacks %q:\n%s", line, log)
		}
	}
	if err := ann.wait(); err != nil {
		t.Errorf("ann: %v", err)
	}
}
