package room_test

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/quizroom/quizroom/server/room"
)

func TestParseName(t *testing.T) {
	cases := []struct {
		in, name, key string
		err           string
	}{
		{in: "Ada", name: "Ada", key: "ada"},
		{in: "  Ada   Lovelace ", name: "Ada Lovelace", key: "ada lovelace"},
		{in: "ÉLODIE", name: "ÉLODIE", key: "élodie"},
		{in: "E\u0301lodie", name: "Élodie", key: "élodie"}, // NFC joins the accent
		{in: "Straße", name: "Straße", key: "strasse"},
		// Names that look alike are one name.
		{in: "\u0410da", name: "\u0410da", key: "ada"},                          // a Cyrillic А
		{in: "\u0391\u0394\u0391", name: "\u0391\u0394\u0391", key: "a\u1e9fa"}, // Greek Α looks Latin, Δ does not
		{in: "Bob1", name: "Bob1", key: "bobl"},
		{in: "Bobl", name: "Bobl", key: "bobl"},
		{in: "\uff21da", name: "\uff21da", key: "ada"}, // a full-width Ａ
		{in: "Zoë", name: "Zoë", key: "zoë"},
		{in: "\u263a Ann", name: "\u263a Ann", key: "\u263a ann"},
		{in: strings.Repeat("x", 24), name: strings.Repeat("x", 24), key: strings.Repeat("x", 24)},
		{in: strings.Repeat("é", 24), name: strings.Repeat("é", 24), key: strings.Repeat("é", 24)},
		{in: strings.Repeat("x", 25), err: "name too long: 25 characters, at most 24"},
		{in: "", err: "name is empty"},
		{in: " \t ", err: "control character"},
		{in: "   ", err: "name is empty"},
		{in: "a\nb", err: "control character"},
		{in: "a\u200bb", err: "control character"},
		{in: "a\u202eb", err: "control character"},
		{in: "bad\xff", err: "not valid UTF-8"},
		{in: strings.Repeat("x", 300), err: "too long"},
	}
	for _, c := range cases {
		name, key, err := room.ParseName(c.in)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, room.ErrInvalid) {
				t.Errorf("ParseName(%q): got error %v, want ErrInvalid saying %q", c.in, err, c.err)
			}
		case err != nil:
			t.Errorf("ParseName(%q): %v", c.in, err)
		case name != c.name || key != c.key:
			t.Errorf("ParseName(%q) = %q, %q; want %q, %q", c.in, name, key, c.name, c.key)
		}
	}
}

func TestParseCode(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{in: "ABC234", want: "ABC234"},
		{in: "abc-234", want: "ABC234"},
		{in: " abc 234 ", want: "ABC234"},
		{in: "", err: "empty"},
		{in: "ABC23", err: "has 5 characters"},
		{in: "ABC2345", err: "has 7 characters"},
		{in: "ABC230", err: "codes use only"},
		{in: "ABCI23", err: "codes use only"},
		{in: "ÀBC234", err: "codes use only"},
		{in: strings.Repeat("A", 33), err: "too long"},
	}
	for _, c := range cases {
		got, err := room.ParseCode(c.in)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, room.ErrInvalid) {
				t.Errorf("ParseCode(%q): got %q, %v; want ErrInvalid saying %q", c.in, got, err, c.err)
			}
		case err != nil || got != c.want:
			t.Errorf("ParseCode(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for range 1000 {
		code := room.NewCode()
		if got, err := room.ParseCode(code); err != nil || got != code {
			t.Fatalf("NewCode made %q, which ParseCode reads as %q, %v", code, got, err)
		}
	}
}

// FuzzParseName: any input is refused with ErrInvalid or gives a name of 1
// to 24 printable characters whose key is stable.
func FuzzParseName(f *testing.F) {
	for _, s := range []string{"Ada", " a  b ", "E\u0301", "Straße", "a\u200bb", "\xff", strings.Repeat("é", 25)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, key, err := room.ParseName(s)
		if err != nil {
			if !errors.Is(err, room.ErrInvalid) {
				t.Fatalf("ParseName(%q): error %v is not ErrInvalid", s, err)
			}
			return
		}
		if n := utf8.RuneCountInString(name); n < 1 || n > room.MaxNameLen {
			t.Fatalf("ParseName(%q) = %q: %d characters", s, name, n)
		}
		for _, r := range name {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("ParseName(%q) = %q keeps %U", s, name, r)
			}
		}
		if name2, key2, err := room.ParseName(name); err != nil || name2 != name || key2 != key {
			t.Fatalf("ParseName is not stable on %q: %q, %q, %v", name, name2, key2, err)
		}
	})
}

// FuzzParseCode: any input is refused with ErrInvalid or gives a valid code.
func FuzzParseCode(f *testing.F) {
	for _, s := range []string{"ABC234", "abc-234", "", "ABC230", "ÀBC234"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, err := room.ParseCode(s)
		if err != nil {
			if !errors.Is(err, room.ErrInvalid) {
				t.Fatalf("ParseCode(%q): error %v is not ErrInvalid", s, err)
			}
			return
		}
		if len(code) != room.CodeLen || strings.Trim(code, room.CodeAlphabet) != "" {
			t.Fatalf("ParseCode(%q) = %q", s, code)
		}
	})
}
