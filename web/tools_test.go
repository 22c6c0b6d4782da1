package web_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

// need stops the test when a tool it needs is missing: a failure in CI
// (CI=true), where .ci/run installs everything, a skip elsewhere.
func need(t *testing.T, what, install string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing: %s", what, install)
	}
	t.Skipf("%s is missing (%s); CI runs this test", what, install)
}

// node returns the node binary, once the pinned packages are installed in
// web/node_modules.
func node(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("node")
	need(t, "node", "install Node.js 20 or later", err == nil)
	_, err = os.Stat(filepath.Join("node_modules", "esbuild", "package.json"))
	need(t, "web/node_modules", "run `npm ci` in web/", err == nil)
	return bin
}

// chromium returns the browser the end-to-end tests drive: $CHROMIUM, or
// Debian's /usr/bin/chromium.
func chromium(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("CHROMIUM")
	if bin == "" {
		bin = "/usr/bin/chromium"
	}
	_, err := os.Stat(bin)
	need(t, "chromium", "apt-get install chromium", err == nil)
	return bin
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
