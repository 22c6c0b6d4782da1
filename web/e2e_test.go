package web_test

import (
	"context"
	"os"
	"os/exec"
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
	bin := node(t)
	browser := chromium(t)
	s := servertest.Start(t, servertest.Options{Web: true})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "e2e/game.mjs")
	cmd.Env = append(os.Environ(), "QUIZ_URL="+s.WebURL, "CHROMIUM="+browser)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("e2e/game.mjs: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
