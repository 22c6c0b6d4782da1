package quizd

import (
	"context"
	"errors"
	"flag"
	"slices"
	"strings"
	"testing"
)

func TestClientHints(t *testing.T) {
	tests := []struct {
		addr string
		want []string
	}{
		{"127.0.0.1:50051", []string{
			"host a game: quiz host",
			"players join with: quiz join CODE --name NAME",
			"only this machine can connect: to play with other machines, listen on the network with -listen 0.0.0.0:50051 (README.md, 'Play in a classroom')",
		}},
		{"127.0.0.1:19500", []string{
			"host a game: quiz host --addr 127.0.0.1:19500",
			"players join with: quiz join CODE --name NAME --addr 127.0.0.1:19500",
			"only this machine can connect: to play with other machines, listen on the network with -listen 0.0.0.0:19500 (README.md, 'Play in a classroom')",
		}},
		{"[::]:50051", []string{
			"host a game on this machine: quiz host",
			"players join with: quiz join CODE --name NAME --addr HOST:50051, HOST being this machine's address on the network (quiz host shows the whole line)",
		}},
		{"0.0.0.0:19500", []string{
			"host a game on this machine: quiz host --addr 127.0.0.1:19500",
			"players join with: quiz join CODE --name NAME --addr HOST:19500, HOST being this machine's address on the network (quiz host shows the whole line)",
		}},
		{"192.168.1.20:50051", []string{
			"host a game: quiz host --addr 192.168.1.20:50051",
			"players join with: quiz join CODE --name NAME --addr 192.168.1.20:50051",
		}},
	}
	for _, tt := range tests {
		if got := clientHints(tt.addr); !slices.Equal(got, tt.want) {
			t.Errorf("clientHints(%q) =\n%q\nwant\n%q", tt.addr, got, tt.want)
		}
	}
}

// TestHelp checks that -help lists the flags and ends in flag.ErrHelp,
// which main treats as success.
func TestHelp(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), []string{"-help"}, env(nil), &out)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-listen") {
		t.Errorf("-help: err %v, output:\n%s", err, out.String())
	}
}
