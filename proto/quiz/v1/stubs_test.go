package quizv1_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repoRoot is where buf.yaml and buf.gen.yaml live, relative to this package.
const repoRoot = "../../.."

// buf runs the buf CLI pinned in tools/go.mod from the repository root.
func buf(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"tool", "-modfile=tools/go.mod", "buf"}, args...)...)
	cmd.Dir = repoRoot
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("buf %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestLint runs buf lint (STANDARD and COMMENTS rules, see buf.yaml).
func TestLint(t *testing.T) {
	buf(t, "lint")
}

// TestStubsFresh regenerates the Go stubs and fails when the committed ones differ.
func TestStubsFresh(t *testing.T) {
	out := t.TempDir()
	buf(t, "generate", "--output", out)
	for _, name := range []string{"quiz.pb.go", "quiz_grpc.pb.go"} {
		fresh, err := os.ReadFile(filepath.Join(out, "proto", "quiz", "v1", name))
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fresh, committed) {
			t.Errorf("%s is stale: run `go tool -modfile=tools/go.mod buf generate` and commit the result", name)
		}
	}
}

// baseline is the image of the API as version 1 was frozen: every change
// since must keep what it published (buf breaking, FILE rules). It is a
// file, not a tag, so that a fresh clone checks against it too. Rebuild it
// only for a new major version:
// go tool -modfile=tools/go.mod buf build --exclude-source-info -o proto/baseline/quiz-v1.binpb
const baseline = "proto/baseline/quiz-v1.binpb"

// TestBreaking checks the API against the frozen v1 baseline.
func TestBreaking(t *testing.T) {
	if _, err := os.Stat(filepath.Join(repoRoot, baseline)); err != nil {
		t.Fatalf("the v1 baseline image is missing: %v", err)
	}
	buf(t, "breaking", "--against", baseline)
}
