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

// forget drops the entries e names (creds.Store.Forget): the room is
// over, or a token no longer works. A failure only leaves an entry that
// expires.
func (a *app) forget(s *creds.Store, e creds.Entry) {
	if s != nil {
		_ = s.Forget(e)
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

// errStale says that a saved token no longer opens its room as what it
// was saved for: the player left or was removed, or it is not the host's.
var errStale = errors.New("the saved token no longer opens the room")

// comeBack opens room e.Code with the token of saved entry e, a player's
// or the host's: the token's client and its Watch call, open at the room's
// snapshot, which the session then follows. A token that no longer works
// is forgotten, and errStale returned; a room that is gone is forgotten
// and explained (conn.Gone). doing names the attempt in other errors.
func (a *app) comeBack(ctx context.Context, c *conn.Client, store *creds.Store, e creds.Entry, doing string) (*conn.Client, *conn.Watch, error) {
	tc := c.WithToken(e.Token)
	w, err := tc.Open(ctx, e.Code)
	want := quizv1.Role_ROLE_PLAYER
	if e.Role == creds.Host {
		want = quizv1.Role_ROLE_HOST
	}
	if err == nil && w.Snapshot().GetRole() != want {
		w.Close()
		err = errStale
	}
	switch {
	case errors.Is(err, errStale) || stale(err):
		a.forget(store, e)
		return nil, nil, errStale
	case conn.Code(err) == codes.NotFound:
		a.forget(store, creds.Entry{Addr: e.Addr, Code: e.Code, Role: e.Role}) // everyone's of the room
		return nil, nil, conn.Gone(err, doing, c.Addr(), e.Code, e.Saved)
	case err != nil:
		return nil, nil, conn.Explain(err, doing, c.Addr())
	}
	a.remember(store, e) // it was seen now
	return tc, w, nil
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
