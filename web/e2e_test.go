package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/servertest"
)

// TestGameInChromium plays a whole game in Chromium against a real server
// (e2e/game.mjs): a host, a projector and three players in separate browser
// contexts, a deck with lint errors and a good one, a reload mid-question,
// a network drop, pause and resume, a kick, a locked lobby, a bad room
// code, a taken name, a phone-sized viewport, and the report downloads.
// Set QUIZ_SCREENSHOTS to a directory to keep a screenshot of every page.
func TestGameInChromium(t *testing.T) {
	s := servertest.Start(t, servertest.Options{Web: true})
	runScript(t, "e2e/game.mjs", s.WebURL, 4*time.Minute, nil)
}

// TestHostAwayInChromium runs quizd as a process and shows, in Chromium
// (e2e/away.mjs), what the player (phone) and projector pages say while
// the host of a host-paced game is away: the countdown, then the game going
// on by itself, then nothing once the host's page is back; and what the
// player, host and projector pages say when quizd is killed and starts
// again without the room (the in-memory store), with no host-away line
// left over.
func TestHostAwayInChromium(t *testing.T) {
	node(t) // skip before building quizd when the tools are missing
	chromium(t)
	q := servertest.StartProcess(t, servertest.ProcessOptions{Bin: servertest.Quizd(t), Web: true})
	runScript(t, "e2e/away.mjs", q.WebURL, 2*time.Minute, map[string]func(){
		"restart the server": func() {
			q.Kill()
			q.Restart(t)
		},
	})
}

// runScript runs an e2e script in node against the web app at url, for at
// most limit, and fails the test with its output when it fails. A script
// asks the test to act on the server by printing "@@ " and the name of
// one of hooks (e2e/lib.mjs, server()); the test runs it, then writes a
// line to the script's stdin.
func runScript(t *testing.T, script, url string, limit time.Duration, hooks map[string]func()) {
	t.Helper()
	bin, browser := node(t), chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, script)
	cmd.Env = append(os.Environ(), "QUIZ_URL="+url, "CHROMIUM="+browser)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout // one stream, in order: the steps, then what failed
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var out strings.Builder
	waited := false
	defer func() {
		if !waited { // a hook stopped the test
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Logf("%s:\n%s", script, out.String())
		}
	}()
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		line := lines.Text()
		fmt.Fprintf(&out, "%s\n", line)
		name, ok := strings.CutPrefix(line, "@@ ")
		if !ok {
			continue
		}
		hook := hooks[name]
		if hook == nil {
			_ = cmd.Process.Kill()
			t.Errorf("%s asks for %q, which the test does not do", script, name)
			break
		}
		hook()
		if _, err := io.WriteString(stdin, "done\n"); err != nil {
			t.Errorf("%s: %v", script, err)
		}
	}
	_, _ = io.Copy(io.Discard, stdout)
	_ = stdin.Close()
	err = cmd.Wait()
	waited = true
	if err != nil || t.Failed() {
		t.Fatalf("%s: %v\n%s", script, err, out.String())
	}
	t.Logf("%s in %v:\n%s", script, time.Since(start).Round(time.Second), out.String())
}
