package content

import "testing"

func TestNormalizeAnswer(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AWS Lambda", "aws lambda"},
		{"  aws   LAMBDA  ", "aws lambda"},
		{"X-Ray", "xray"},
		{"Node.js!", "nodejs"},
		{"Step\tFunctions\n", "step functions"},
		{"ＥＣＳ", "ecs"},        // full-width letters, NFKC
		{"Straße", "strasse"}, // case folding, not just lower-casing
		{"e\u0301", "é"},      // composed by NFKC
		{"zero\u200bwidth", "zerowidth"},
		{"¿Qué?", "qué"},
		{"?!", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeAnswer(tt.in); got != tt.want {
			t.Errorf("NormalizeAnswer(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
