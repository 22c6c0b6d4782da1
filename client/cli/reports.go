package cli

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
)

// reportDir is where reports go without --out, a place for documents the
// user keeps: $XDG_DATA_HOME/quiz/reports when XDG_DATA_HOME is set, else
// the platform's data directory: ~/.local/share/quiz/reports,
// ~/Library/Application Support/quiz/reports on macOS,
// %LocalAppData%\quiz\reports on Windows.
func reportDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "quiz", "reports"), nil
	}
	if runtime.GOOS == "windows" {
		if d := getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "quiz", "reports"), nil
		}
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", errors.New("no home directory to keep reports in: give the report a place with --out FILE")
		}
	}
	if runtime.GOOS == "darwin" {
		return filepath.Join(home, "Library", "Application Support", "quiz", "reports"), nil
	}
	return filepath.Join(home, ".local", "share", "quiz", "reports"), nil
}

// reportPath is the absolute path the report of room code goes to: out
// when given (a directory gets the report's usual name inside it), else
// the report's usual name in reportDir. The name is quiz-report-CODE.csv,
// or .json when asJSON.
func (a *app) reportPath(out, code string, asJSON bool) (string, error) {
	name := "quiz-report-" + code + ".csv"
	if asJSON {
		name = "quiz-report-" + code + ".json"
	}
	path := out
	switch fi, err := os.Stat(out); {
	case out == "":
		dir, err := reportDir(a.getenv)
		if err != nil {
			return "", err
		}
		path = filepath.Join(dir, name)
	case err == nil && fi.IsDir():
		path = filepath.Join(out, name)
	}
	return filepath.Abs(path)
}
