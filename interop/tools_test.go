package interop_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quizroom/quizroom/internal/tooltest"
)

// repoRoot is the repository's root, where buf.yaml lives.
func repoRoot(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// need stops the test when a tool it needs is missing (tooltest.Need).
var need = tooltest.Need

// node returns the node binary, once the pinned packages are installed.
func node(t *testing.T) string {
	return tooltest.Node(t, filepath.Join(repoRoot(t), "interop"), "@grpc/proto-loader")
}

// python returns a Python 3 that has grpcio and protobuf: Debian's, even
// when another python3 comes first on PATH.
func python(t *testing.T) string {
	t.Helper()
	for _, candidate := range []string{"/usr/bin/python3", "python3"} {
		bin, err := exec.LookPath(candidate)
		if err != nil {
			continue
		}
		if exec.Command(bin, "-c", "import grpc, google.protobuf").Run() == nil {
			return bin
		}
	}
	need(t, "a python3 with grpcio and protobuf", "apt-get install python3-grpcio python3-protobuf", false)
	return ""
}

// buf runs the buf CLI pinned in tools/go.mod from the repository root.
func buf(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"tool", "-modfile=tools/go.mod", "buf"}, args...)...)
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("buf %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// pythonStubs generates the Python stubs into a new directory and returns
// it: the directory to put on PYTHONPATH.
func pythonStubs(t *testing.T) string {
	t.Helper()
	_, errProtoc := exec.LookPath("protoc")
	_, errPlugin := exec.LookPath("grpc_python_plugin")
	need(t, "protoc and grpc_python_plugin", "apt-get install protobuf-compiler protobuf-compiler-grpc", errProtoc == nil && errPlugin == nil)
	out := t.TempDir()
	buf(t, "generate", "--template", "interop/python/buf.gen.yaml", "--output", out)
	return filepath.Join(out, "gen")
}

// esStubs generates the @bufbuild/protobuf schemas into a new directory
// that resolves the pinned packages, and returns the directory holding
// quiz/v1/quiz_pb.js.
func esStubs(t *testing.T) string {
	t.Helper()
	node(t)
	out := t.TempDir()
	if err := os.Symlink(filepath.Join(repoRoot(t), "interop", "node_modules"), filepath.Join(out, "node_modules")); err != nil {
		t.Fatal(err)
	}
	buf(t, "generate", "--template", "interop/es/buf.gen.yaml", "--output", out)
	return filepath.Join(out, "gen")
}

// run runs a command and returns its standard output, failing the test
// with its standard error when it fails.
func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = repoRoot(t)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}
