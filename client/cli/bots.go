package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/quizroom/quizroom/client/bots"
	"github.com/quizroom/quizroom/client/control"
	"github.com/quizroom/quizroom/content"
)

// botsFlags are the flags of quiz bots.
type botsFlags struct {
	room     roomFlags
	n        int
	accuracy float64
	think    time.Duration
	burst    bool
	answers  string
	joinRate float64
	timeout  time.Duration
	name     string
	seed     uint64
}

func (a *app) botsCommand() *cobra.Command {
	var f botsFlags
	cmd := &cobra.Command{
		Use:   "bots [CODE] --n N",
		Short: "Load-test a server with simulated players",
		Long: `Run N simulated players, each on its own connection: each joins the room
CODE, follows its events and answers every question after a random think time
(0.5 to 1.5 times --think). When the game ends it reports join times, event
delivery latency per event type (arrival minus the event's server time) and
answer round trips, and exits with status 1 if any bot hit an unexpected error.

Bots cannot know an answer before the reveal: by default they answer at random
and the report states the accuracy they reached. With --answers (a deck file,
or the id of a built-in deck) they look each question up in the deck and answer
correctly with probability --accuracy.

Without CODE, bots create a room themselves from the room flags (--deck,
--questions, --time, …; auto pacing by default) and start the game once all
have joined.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			code := ""
			if len(args) == 1 {
				code = args[0]
			}
			return a.bots(cmd.Context(), code, &f)
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&f.n, "n", 10, "how many bots")
	fs.Float64Var(&f.accuracy, "accuracy", 0.7, "with --answers: the chance a bot answers correctly, 0 to 1")
	fs.DurationVar(&f.think, "think", 2*time.Second, "mean think time before answering")
	fs.BoolVar(&f.burst, "burst", false, "every bot answers exactly --think after the options open, all at once (measures the server's answer rate)")
	fs.StringVar(&f.answers, "answers", "", "answer key: a deck file, or a built-in deck id")
	fs.Float64Var(&f.joinRate, "join-rate", 40, "joins per second, under the server's per-address limit (50); 0: no limit")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Minute, "give up after this long (for bots this bounds the whole run; each call keeps QUIZ_TIMEOUT)")
	fs.StringVar(&f.name, "name", "bot", "name prefix: bot-0001, bot-0002, …")
	fs.Uint64Var(&f.seed, "bot-seed", 0, "seed of the bots' choices; 0: random")
	f.room.register(fs, "auto")
	return cmd
}

func (a *app) bots(ctx context.Context, code string, f *botsFlags) error {
	if f.n < 1 {
		return errors.New("--n: at least 1 bot")
	}
	if f.accuracy < 0 || f.accuracy > 1 {
		return errors.New("--accuracy: from 0 to 1")
	}
	if f.timeout <= 0 {
		return errors.New("--timeout: a positive duration")
	}
	key, err := loadKey(f.answers)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	cfg := bots.Config{
		Dial: a.dial, Code: code, N: f.n, Key: key, Accuracy: f.accuracy, Think: f.think, Burst: f.burst,
		JoinRate: f.joinRate, Name: f.name, Seed: f.seed,
		Progress: func(line string) { fmt.Fprintln(a.stderr, "bots:", line) },
	}
	if code == "" {
		c, err := a.dial()
		if err != nil {
			return err
		}
		defer c.Close()
		resp, err := createRoom(ctx, c, &f.room, a.serverFlags())
		if err != nil {
			return err
		}
		cfg.Code = resp.GetRoom().GetCode()
		host := c.WithToken(resp.GetHostToken())
		fmt.Fprintf(a.stderr, "bots: room %s created (%d questions); watch it with: quiz watch %s%s\n", cfg.Code, resp.GetRoom().GetQuestionCount(), cfg.Code, a.serverFlags())
		cfg.Start = func(ctx context.Context) error {
			return control.Do(ctx, host, cfg.Code, control.Command{Action: control.Start})
		}
	}
	res := bots.Run(ctx, cfg)
	if a.json {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, string(b))
	} else {
		fmt.Fprint(a.stdout, res.Report(key == nil))
	}
	switch {
	case res.Errors > 0:
		return fmt.Errorf("%d unexpected error(s) among the bots", res.Errors)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("timed out after %s: %d of %d bots saw the game end", f.timeout, res.Finished+res.Kicked, res.Bots)
	}
	return nil
}

// loadKey loads the answer key: a deck file, or a built-in deck's id; nil
// without one.
func loadKey(answers string) (*bots.Key, error) {
	if answers == "" {
		return nil, nil
	}
	if src, err := os.ReadFile(answers); err == nil {
		d, err := content.Parse(answers, src)
		if err != nil {
			return nil, fmt.Errorf("--answers: %w", err)
		}
		return bots.NewKey(d), nil
	}
	decks, err := content.Builtin()
	if err != nil {
		return nil, err
	}
	for _, d := range decks {
		if d.ID == answers {
			return bots.NewKey(d), nil
		}
	}
	return nil, fmt.Errorf("--answers %q: no such file and no built-in deck of that id", answers)
}
