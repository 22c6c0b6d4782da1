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

// TestBreaking checks the API against the newest release tag (v*), once one exists.
func TestBreaking(t *testing.T) {
	cmd := exec.Command("git", "tag", "--list", "v*", "--sort=-v:refname")
	cmd.Dir = repoRoot
	tags, err := cmd.Output()
	if err != nil {
		t.Fatalf("git tag: %v", err)
	}
	fields := strings.Fields(string(tags))
	if len(fields) == 0 {
		t.Log("no release tag yet: the API may still change, buf breaking has nothing to compare with")
		return
	}
	buf(t, "breaking", "--against", ".git#tag="+fields[0])
}
