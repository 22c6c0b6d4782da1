package room

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/text/cases"
	"golang.org/x/text/secure/precis"
	"golang.org/x/text/unicode/norm"
)

// Room codes: CodeLen characters of CodeAlphabet, which leaves out letters
// and digits that look alike (0/O, 1/I/L).
const (
	CodeLen      = 6
	CodeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
)

// Name limits, in characters after normalisation.
const (
	MaxNameLen = 24
	// MaxNameInput is the most bytes of a name read at all.
	MaxNameInput = 256
)

// NewCode draws a random room code.
func NewCode() string {
	b := make([]byte, CodeLen)
	for i := range b {
		b[i] = CodeAlphabet[randIndex(len(CodeAlphabet))]
	}
	return string(b)
}

// randIndex draws uniformly from [0, n) with crypto/rand.
func randIndex(n int) int {
	var b [1]byte
	limit := 256 - 256%n
	for {
		_, _ = rand.Read(b[:])
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}

// ParseCode normalises a room code as people type it (any case, spaces and
// dashes) and checks it.
func ParseCode(s string) (string, error) {
	if len(s) > 32 {
		return "", Errorf(ErrInvalid, "room code too long: %d characters, codes have %d", len(s), CodeLen)
	}
	code := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return unicode.ToUpper(r)
	}, s)
	if code == "" {
		return "", Errorf(ErrInvalid, "room code is empty")
	}
	if utf8.RuneCountInString(code) != CodeLen {
		return "", Errorf(ErrInvalid, "room code %q has %d characters, codes have %d", s, utf8.RuneCountInString(code), CodeLen)
	}
	for _, r := range code {
		if !strings.ContainsRune(CodeAlphabet, r) {
			return "", Errorf(ErrInvalid, "room code %q has %q, codes use only %s", s, r, CodeAlphabet)
		}
	}
	return code, nil
}

var foldName = cases.Fold()

// ParseName normalises a display name (NFC, trimmed, inner runs of spaces
// made one) and checks it: 1 to MaxNameLen characters, no control or
// invisible formatting characters, only what the PRECIS Nickname profile
// (RFC 8266) allows. It returns the name to show and the key that makes
// names unique in a room: case folded, NFKC, and reduced to its Unicode
// confusables skeleton (UTS #39), so that names that only look alike
// ("Аda" with a Cyrillic А beside "Ada", "Bob1" beside "Bobl") are one
// name.
func ParseName(s string) (name, key string, err error) {
	if len(s) > MaxNameInput {
		return "", "", Errorf(ErrInvalid, "name too long: %d bytes, at most %d characters", len(s), MaxNameLen)
	}
	if !utf8.ValidString(s) {
		return "", "", Errorf(ErrInvalid, "name is not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", "", Errorf(ErrInvalid, "name has a control character (%U): only printable characters are allowed", r)
		}
	}
	name = strings.Join(strings.Fields(norm.NFC.String(s)), " ")
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return "", "", Errorf(ErrInvalid, "name is empty: 1 to %d characters", MaxNameLen)
	case n > MaxNameLen:
		return "", "", Errorf(ErrInvalid, "name too long: %d characters, at most %d", n, MaxNameLen)
	}
	if _, err := precis.Nickname.String(name); err != nil {
		return "", "", Errorf(ErrInvalid, "name %q has a character names may not use: letters, digits, punctuation, symbols and spaces only", name)
	}
	return name, norm.NFC.String(confusables.Skeleton(norm.NFKC.String(foldName.String(name)))), nil
}

// TokenLen is the length of a token: 128 bits in unpadded URL-safe base64.
const TokenLen = 22

// WellFormedToken reports whether t could be a token NewToken made: a
// check that costs nothing, before a store is asked who holds it.
func WellFormedToken(t string) bool {
	if len(t) != TokenLen {
		return false
	}
	for _, c := range []byte(t) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// NewToken draws a 128-bit random token, URL-safe base64.
func NewToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is how tokens are stored: only their SHA-256.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
