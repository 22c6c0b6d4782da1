// Package tooltest finds the programs beyond Go that some tests need: Node
// with a project's pinned packages, Chromium. A missing one fails the test
// in CI (CI set), where .ci/run installs everything, and skips it
// elsewhere, saying what to install.
package tooltest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Need stops the test unless ok: a failure in CI, a skip elsewhere. what
// names the missing thing and install says how to get it.
func Need(t testing.TB, what, install string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing: %s", what, install)
	}
	t.Skipf("%s is missing (%s); CI runs this test", what, install)
}

// Node returns the node binary, once `npm ci` has installed the packages of
// the project in dir: probe is a path under dir/node_modules that the
// installed packages hold.
func Node(t testing.TB, dir, probe string) string {
	t.Helper()
	bin, err := exec.LookPath("node")
	Need(t, "node", "install Node.js 20 or later", err == nil)
	_, err = os.Stat(filepath.Join(dir, "node_modules", probe))
	name := dir
	if abs, aerr := filepath.Abs(dir); aerr == nil {
		name = filepath.Base(abs)
	}
	Need(t, name+"/node_modules", "run `npm ci` in "+name+"/", err == nil)
	return bin
}

// Chromium returns the browser for end-to-end tests: $CHROMIUM, or
// Debian's /usr/bin/chromium.
func Chromium(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("CHROMIUM")
	if bin == "" {
		bin = "/usr/bin/chromium"
	}
	_, err := os.Stat(bin)
	Need(t, "chromium", "apt-get install chromium", err == nil)
	return bin
}
