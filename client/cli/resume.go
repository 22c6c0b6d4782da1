package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"

	"github.com/quizroom/quizroom/client/conn"
	"github.com/quizroom/quizroom/client/creds"
	"github.com/quizroom/quizroom/client/state"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// creds is the store of room tokens, or nil when there is no place for it:
// then the user is told once, and plays without coming back.
func (a *app) creds() *creds.Store {
	dir, err := creds.Dir(a.getenv)
	if err != nil {
		fmt.Fprintf(a.stderr, "quiz: %v; you will not be able to come back to this room after quitting\n", err)
		return nil
	}
	return creds.Open(dir)
}

// remember saves e, telling the user when it cannot: the game goes on,
// without a way back after a crash.
func (a *app) remember(s *creds.Store, e creds.Entry) {
	if s == nil {
		return
	}
	if err := s.Put(e); err != nil {
		fmt.Fprintf(a.stderr, "quiz: %v; you will not be able to come back to room %s after quitting\n", err, e.Code)
	}
}

// forget drops the entry of role in room code: the room is over, or the
// token no longer works. A failure only leaves an entry that expires.
func (a *app) forget(s *creds.Store, addr, code string, role creds.Role) {
	if s != nil {
		_ = s.Forget(addr, code, role)
	}
}

// saved are the entries of role in room code on addr, the newest first; a
// store that cannot be read is said and treated as empty.
func (a *app) saved(s *creds.Store, addr, code string, role creds.Role) []creds.Entry {
	if s == nil {
		return nil
	}
	found, err := s.Find(addr, code, role)
	if err != nil {
		fmt.Fprintf(a.stderr, "quiz: %v\n", err)
	}
	return found
}

// drop forgets entry e, whose token no longer works.
func (a *app) drop(s *creds.Store, e creds.Entry) {
	if s != nil {
		_ = s.Drop(e)
	}
}

// savedPlayer picks the player this machine comes back to room code as:
// the one called name, or, without a name, the only one. ok is false when
// there is none (join anew); an error asks for a name when there are
// several.
func savedPlayer(found []creds.Entry, code, name string) (creds.Entry, bool, error) {
	if name != "" {
		for _, e := range found {
			if strings.EqualFold(e.Name, name) {
				return e, true, nil
			}
		}
		return creds.Entry{}, false, nil
	}
	switch len(found) {
	case 0:
		return creds.Entry{}, false, nil
	case 1:
		return found[0], true, nil
	}
	names := make([]string, len(found))
	for i, e := range found {
		names[i] = e.Name
	}
	return creds.Entry{}, false, fmt.Errorf("you played room %s on this machine as %s: say who comes back with quiz join %s --name NAME, or join as someone new with --new --name NAME",
		code, strings.Join(names, " and "), code)
}

// probe checks that c's token still opens room code: it watches the room
// and returns its first event, the snapshot made for the token, with the
// token holder's own part.
func probe(ctx context.Context, c *conn.Client, code string) (*quizv1.RoomSnapshot, *quizv1.Personal, error) {
	ctx, cancel := c.Call(ctx)
	defer cancel()
	stream, err := c.API.Watch(ctx, &quizv1.WatchRequest{RoomCode: code})
	if err != nil {
		return nil, nil, err
	}
	resp, err := stream.Recv()
	if err != nil {
		return nil, nil, err
	}
	snap := resp.GetEvent().GetSnapshot()
	if snap == nil {
		return nil, nil, errors.New("the server's first event is not a snapshot")
	}
	return snap, resp.GetPersonal(), nil
}

// stale reports whether err says a saved token no longer opens its room:
// the player left or was removed, or the token is of another room.
func stale(err error) bool {
	switch conn.Code(err) {
	case codes.PermissionDenied, codes.Unauthenticated:
		return true
	}
	return false
}

// welcome is the line that greets a player back: their score and place.
func welcome(snap *quizv1.RoomSnapshot, you *quizv1.Personal) string {
	name := snap.GetYou().GetName()
	st := you.GetStanding()
	players := snap.GetRoom().GetPlayerCount()
	switch {
	case snap.GetPhase() == quizv1.Phase_PHASE_FINISHED && st != nil:
		return fmt.Sprintf("Welcome back, %s: the game is over; you finished %s of %d with %s.", name, state.Ordinal(st.GetRank()), players, points(st.GetScore()))
	case st != nil:
		return fmt.Sprintf("Welcome back, %s: you have %s, %s of %d.", name, points(st.GetScore()), state.Ordinal(st.GetRank()), players)
	case snap.GetPhase() == quizv1.Phase_PHASE_LOBBY:
		return fmt.Sprintf("Welcome back, %s: you are in the lobby; the game has not started.", name)
	}
	return fmt.Sprintf("Welcome back, %s.", name)
}

// points is "1 point", "2,340 points".
func points(n int32) string {
	if n == 1 || n == -1 {
		return strconv.Itoa(int(n)) + " point"
	}
	return thousands(int(n)) + " points"
}

// thousands writes n with commas: 2,340.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// roomGone reports whether err says the room is gone (conn.Gone).
func roomGone(err error) bool {
	var e *conn.Error
	return errors.As(err, &e) && e.Gone
}
