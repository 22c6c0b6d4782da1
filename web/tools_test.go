package web_test

import (
	"testing"

	"github.com/quizroom/quizroom/internal/tooltest"
	"go.uber.org/goleak"
)

// node returns the node binary, once the pinned packages are installed in
// web/node_modules.
func node(t *testing.T) string { return tooltest.Node(t, ".", "esbuild/package.json") }

// chromium returns the browser the end-to-end tests drive.
func chromium(t *testing.T) string { return tooltest.Chromium(t) }

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
