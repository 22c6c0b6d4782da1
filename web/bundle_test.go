package web_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStubsFresh regenerates the TypeScript stubs from proto/ with the
// pinned protoc-gen-es and fails when the committed ones differ.
func TestStubsFresh(t *testing.T) {
	node(t)
	out := t.TempDir()
	cmd := exec.Command("go", "tool", "-modfile=tools/go.mod", "buf", "generate", "--template", "web/buf.gen.yaml", "--output", out)
	cmd.Dir = ".."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("buf generate: %v\n%s", err, b)
	}
	sameTree(t, filepath.Join(out, "web", "src", "gen"), filepath.Join("src", "gen"),
		"the TypeScript stubs are stale: run `go tool -modfile=tools/go.mod buf generate --template web/buf.gen.yaml` from the repository root and commit web/src/gen")
}

// TestBundleFresh rebuilds the app with the pinned esbuild and fails when
// the committed dist/ differs, so that quizd never embeds an app older
// than its sources and `go run ./server` never needs Node.
func TestBundleFresh(t *testing.T) {
	bin := node(t)
	out := t.TempDir()
	if b, err := exec.Command(bin, "build.mjs", "--out", out).CombinedOutput(); err != nil {
		t.Fatalf("node build.mjs: %v\n%s", err, b)
	}
	sameTree(t, out, "dist", "web/dist is stale: run `npm run build` in web/ and commit web/dist")
}

// TestTypes type-checks the sources with the pinned TypeScript (esbuild
// only strips the types).
func TestTypes(t *testing.T) {
	bin := node(t)
	if b, err := exec.Command(bin, filepath.Join("node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", ".").CombinedOutput(); err != nil {
		t.Fatalf("tsc: %v\n%s", err, b)
	}
}

// sameTree fails with msg when the files under got and want differ.
func sameTree(t *testing.T, got, want, msg string) {
	t.Helper()
	g, w := readTree(t, got), readTree(t, want)
	var diff []string
	for name, b := range w {
		if gb, ok := g[name]; !ok {
			diff = append(diff, name+" should not be there")
		} else if !bytes.Equal(gb, b) {
			diff = append(diff, name+" differs")
		}
	}
	for name := range g {
		if _, ok := w[name]; !ok {
			diff = append(diff, name+" is missing")
		}
	}
	if len(diff) > 0 {
		t.Errorf("%s:\n%s", msg, strings.Join(diff, "\n"))
	}
}

// readTree reads every file under dir, by slash-separated relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
