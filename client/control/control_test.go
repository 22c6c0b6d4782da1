package control

import (
	"strings"
	"testing"

	"github.com/quizroom/quizroom/client/state"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

func TestParse(t *testing.T) {
	r := &state.Room{Players: []*quizv1.Player{{PlayerId: "p1", Name: "Ann Lee"}, {PlayerId: "p2", Name: "Bob"}}}
	tests := []struct {
		line string
		want Command
		err  string
	}{
		{"start", Command{Action: Start}, ""},
		{"  NEXT ", Command{Action: Next}, ""},
		{"close", Command{Action: Close}, ""},
		{"pause", Command{Action: Pause}, ""},
		{"resume", Command{Action: Resume}, ""},
		{"end", Command{Action: End}, ""},
		{"lock", Command{Action: Lock}, ""},
		{"unlock", Command{Action: Unlock}, ""},
		{"kick ann lee", Command{Action: Kick, PlayerID: "p1"}, ""},
		{"kick p2", Command{Action: Kick, PlayerID: "p2"}, ""},
		{"kick", Command{}, "kick whom?"},
		{"kick Cy", Command{}, `no player "Cy"`},
		{"jump", Command{}, `unknown command "jump": use start, next`},
	}
	for _, tt := range tests {
		got, err := Parse(tt.line, r)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Parse(%q) error = %v, want %q", tt.line, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.line, got, err, tt.want)
		}
	}
}
