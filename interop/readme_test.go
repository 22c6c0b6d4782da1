package interop_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestQuickStartsInReadme checks that proto/README.md shows the quick
// starts exactly as they are in interop/, where CI runs them.
func TestQuickStartsInReadme(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot(t), "proto", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)<!-- file: (\\S+) -->\n```\\w*\n(.*?)```\n").FindAllSubmatch(readme, -1)
	if len(blocks) != 2 {
		t.Fatalf("proto/README.md shows %d files, want the 2 quick starts", len(blocks))
	}
	for _, b := range blocks {
		file := string(b[1])
		src, err := os.ReadFile(filepath.Join(repoRoot(t), file))
		if err != nil {
			t.Fatal(err)
		}
		if string(src) != string(b[2]) {
			t.Errorf("proto/README.md shows a different %s: copy the file into it", file)
		}
	}
}
