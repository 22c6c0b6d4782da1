package web_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/quizroom/quizroom/web"
)

func get(t *testing.T, h http.Handler, path string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	rd := r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		rd = zr
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPages serves each page with its script, a strict CSP and no
// caching without revalidation.
func TestPages(t *testing.T) {
	h := web.Handler(web.Config{})
	for path, script := range map[string]string{"/": "/assets/player.js", "/host": "/assets/host.js", "/screen": "/assets/screen.js"} {
		r := get(t, h, path)
		if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s: %d %s", path, r.StatusCode, r.Header.Get("Content-Type"))
		}
		if b := body(t, r); !strings.Contains(b, `src="`+script+`"`) {
			t.Errorf("GET %s does not load %s:\n%s", path, script, b)
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
		s := get(t, h, script)
		if s.StatusCode != http.StatusOK || !strings.HasPrefix(s.Header.Get("Content-Type"), "text/javascript") {
			t.Errorf("GET %s: %d %s", script, s.StatusCode, s.Header.Get("Content-Type"))
		}
	}
}

// TestGzipAndETag sends the gzip form to clients that take it and answers
// a revalidation of an unchanged file with 304.
func TestGzipAndETag(t *testing.T) {
	h := web.Handler(web.Config{})
	plain := get(t, h, "/assets/app.css")
	want := body(t, plain)
	zipped := get(t, h, "/assets/app.css", "Accept-Encoding", "gzip, br")
	if zipped.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip for a client that accepts it: %v", zipped.Header)
	}
	if got := body(t, zipped); got != want {
		t.Error("the gzip form does not unzip to the file")
	}
	etag := plain.Header.Get("ETag")
	if again := get(t, h, "/assets/app.css", "If-None-Match", etag); again.StatusCode != http.StatusNotModified {
		t.Errorf("revalidating with the ETag: got %d, want 304", again.StatusCode)
	}
}

// TestConfigAndNotFound tells the pages the share address and refuses
// unknown paths and methods.
func TestConfigAndNotFound(t *testing.T) {
	h := web.Handler(web.Config{ShareURL: "http://192.168.1.23:8080/"})
	if got := body(t, get(t, h, "/config.json")); got != `{"shareUrl":"http://192.168.1.23:8080/"}` {
		t.Errorf("config.json: %s", got)
	}
	for _, path := range []string{"/nope", "/assets/../index.html", "/assets/missing.js"} {
		if r := get(t, h, path); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: got %d, want 404", path, r.StatusCode)
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("x"))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: got %d, want 405", rec.Code)
	}
}
