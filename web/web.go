// Package web is the Quizroom browser app: the player page (phones), the
// host page (a laptop) and the screen page (a projector). The TypeScript in
// src/ is built into dist/, which is committed and embedded here, so quizd
// serves the app with nothing but Go; the staleness test rebuilds it with
// the toolchain pinned in package-lock.json and compares. The pages talk to
// the quiz.v1 API on the same origin, like any other client.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed dist
var dist embed.FS

// pages maps the app's paths to their documents in dist.
var pages = map[string]string{
	"/":       "index.html",
	"/host":   "host.html",
	"/screen": "screen.html",
}

// Config configures Handler.
type Config struct {
	// ShareURL is the address players on other devices open, such as
	// "http://192.168.1.23:8080/": the host and screen pages show it and
	// put it in the QR code. Empty: the address the page was opened on.
	ShareURL string
}

// file is an embedded file, ready to serve, with its gzip form when that
// is smaller.
type file struct {
	body, gz []byte
	etag     string
	kind     string
}

// compress returns b gzipped, or nil when that saves nothing.
func compress(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	if buf.Len() >= len(b) {
		return nil
	}
	return buf.Bytes()
}

// Handler serves the app: the pages at /, /host and /screen, their assets
// under /assets/, and /config.json, which tells the pages the share
// address. Pages and assets are revalidated by ETag on every load, so a new
// quizd is never served from a stale cache.
func Handler(cfg Config) http.Handler {
	files := map[string]file{}
	err := fs.WalkDir(dist, "dist", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := dist.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		files[strings.TrimPrefix(p, "dist/")] = file{body: b, gz: compress(b), etag: hex.EncodeToString(sum[:12]), kind: contentType(p)}
		return nil
	})
	if err != nil {
		// The files are embedded: reading them cannot fail at run time.
		panic("web: reading the embedded app: " + err.Error())
	}
	config, _ := json.Marshal(struct {
		ShareURL string `json:"shareUrl"`
	}{cfg.ShareURL})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if r.URL.Path == "/config.json" {
			h.Set("Content-Type", "application/json")
			h.Set("Cache-Control", "no-store")
			_, _ = w.Write(config)
			return
		}
		name, ok := pages[r.URL.Path]
		if clean := path.Clean(r.URL.Path); !ok && strings.HasPrefix(clean, "/assets/") {
			name = clean[1:]
		}
		f, ok := files[name]
		if !ok {
			http.Error(w, "not found: the app has /, /host and /screen", http.StatusNotFound)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed: the app is read with GET", http.StatusMethodNotAllowed)
			return
		}
		if f.kind == "text/html; charset=utf-8" {
			h.Set("Content-Security-Policy", csp)
		}
		h.Set("Content-Type", f.kind)
		h.Set("Cache-Control", "no-cache")
		h.Set("Vary", "Accept-Encoding")
		body, etag := f.body, f.etag
		if f.gz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			body, etag = f.gz, etag+"-gz"
			h.Set("Content-Encoding", "gzip")
		}
		h.Set("ETag", `"`+etag+`"`)
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
	})
}

// csp allows the pages only their own scripts, styles and API, and QR
// codes drawn as data: images.
const csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// contentType is the media type of an embedded file, by its extension.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".json", ".webmanifest":
		return "application/json"
	}
	return "application/octet-stream"
}
