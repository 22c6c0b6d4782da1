package api

import (
	"encoding/binary"
	"fmt"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

// Encoder renders the engine's events as WatchResponse messages. The part
// every watcher gets is WatchResponse.event; a player's own part is
// WatchResponse.personal, encoded on its own, so that the shared bytes
// followed by the personal bytes are one WatchResponse with both fields set:
// two different fields, which every protobuf library reads the same, never
// two copies of one field that a decoder would have to merge.
type Encoder struct{}

// Event renders the part of an event every watcher gets.
func (Encoder) Event(spec *room.Spec, e *room.Event, sb *room.Scoreboard) ([]byte, error) {
	ev := &quizv1.Event{Seq: e.Seq, ServerTime: timestamppb.New(e.Time)}
	switch e.Type {
	case room.EventRoster:
		ev.Payload = &quizv1.Event_RosterChanged{RosterChanged: &quizv1.RosterChanged{
			Joined: playersOut(e.Joined), JoinedOmitted: int32(e.JoinedOmitted),
			Left: playersOut(e.Left), LeftOmitted: int32(e.LeftOmitted),
			PlayerCount: int32(e.Players),
		}}
	case room.EventLocked:
		ev.Payload = &quizv1.Event_RoomLocked{RoomLocked: &quizv1.RoomLocked{Locked: e.Locked}}
	case room.EventStarted:
		ev.Payload = &quizv1.Event_GameStarted{GameStarted: &quizv1.GameStarted{
			QuestionCount: int32(len(spec.Questions)), PlayerCount: int32(e.Players),
		}}
	case room.EventOpened:
		ev.Payload = &quizv1.Event_QuestionOpened{QuestionOpened: questionOut(spec, e.Q, e.OpensAt, e.Deadline)}
	case room.EventProgress:
		ev.Payload = &quizv1.Event_AnswerProgress{AnswerProgress: &quizv1.AnswerProgress{
			Index: int32(e.Q), Answered: int32(e.Answered), Players: int32(e.Players),
		}}
	case room.EventRevealed:
		ev.Payload = &quizv1.Event_QuestionRevealed{QuestionRevealed: revealOut(spec, e)}
	case room.EventLeaderboard:
		ev.Payload = &quizv1.Event_Leaderboard{Leaderboard: leaderboardOut(spec, e.Q, sb)}
	case room.EventPaused:
		ev.Payload = &quizv1.Event_GamePaused{GamePaused: &quizv1.GamePaused{
			PausedPhase: phases[e.Phase], Remaining: durationpb.New(e.Remaining),
		}}
	case room.EventResumed:
		ev.Payload = &quizv1.Event_GameResumed{GameResumed: &quizv1.GameResumed{
			Phase: phases[e.Phase], OpensAt: timeOut(e.OpensAt), Deadline: timeOut(e.Deadline),
		}}
	case room.EventFinished:
		ev.Payload = &quizv1.Event_GameFinished{GameFinished: finishedOut(spec, e.Played, sb)}
	case room.EventKicked:
		ev.Payload = &quizv1.Event_PlayerKicked{PlayerKicked: &quizv1.PlayerKicked{
			Player: playerOut(*e.Player), PlayerCount: int32(e.Players),
		}}
	case room.EventClosed:
		ev.Payload = &quizv1.Event_RoomClosed{RoomClosed: &quizv1.RoomClosed{Reason: e.Reason, HistoryLost: e.Lost}}
	case room.EventHost:
		var since time.Time
		if e.Away {
			since = e.Time
		}
		ev.Payload = &quizv1.Event_HostPresence{HostPresence: hostOut(spec, e.Phase, since, e.AutoPacing)}
	default:
		return nil, fmt.Errorf("api: no rendering for event type %d", e.Type)
	}
	return proto.Marshal(&quizv1.WatchResponse{Event: ev})
}

// AppendPersonal appends a player's own part of a reveal, leaderboard or
// final results to dst: WatchResponse.personal alone.
func (Encoder) AppendPersonal(dst []byte, spec *room.Spec, e *room.Event, v *room.View) ([]byte, error) {
	if !e.Personal() {
		return dst, nil
	}
	m := personals.Get().(*personalMessages)
	defer personals.Put(m)
	p := m.render(spec, v, e.Type == room.EventRevealed)
	if p == nil {
		return dst, nil
	}
	m.response.Reset()
	m.response.Personal = p
	return proto.MarshalOptions{}.MarshalAppend(dst, &m.response)
}

// SnapshotShared renders the RoomSnapshot fields that every watcher with
// s's view of the room at its seq gets: everything but role, you and
// answered.
func (Encoder) SnapshotShared(spec *room.Spec, s *room.Snapshot) ([]byte, error) {
	st := s.State
	snap := &quizv1.RoomSnapshot{
		Room:    roomInfo(spec, st, s.Who.Role == room.Host),
		Phase:   phases[st.Phase],
		Players: playersOut(s.Roster),
	}
	if st.Phase == game.PhasePaused {
		snap.PausedPhase = phases[st.PausedPhase]
		snap.PausedRemaining = durationpb.New(st.Remaining())
	}
	if !st.HostAway.IsZero() && !st.Phase.Over() {
		snap.Host = hostOut(spec, st.Phase, st.HostAway, st.AutoPacing)
	}
	if st.Q >= 0 && s.Board != nil {
		snap.Question = questionOut(spec, st.Q, st.OpensAt, st.Deadline)
		snap.Leaderboard = leaderboardOut(spec, st.Q, s.Board)
	}
	switch {
	case s.Board == nil:
	case s.Phase() == game.PhaseQuestion:
		snap.Progress = &quizv1.AnswerProgress{Index: int32(st.Q), Answered: int32(st.Answered), Players: int32(st.Players)}
	case s.Phase() == game.PhaseReveal:
		snap.Reveal = revealOut(spec, s.Reveal)
	case s.Phase() == game.PhaseFinished:
		snap.Finished = finishedOut(spec, st.Played, s.Board)
	}
	return proto.Marshal(snap)
}

// Field numbers of the messages Snapshot puts together by hand.
var (
	watchResponseEvent = fieldNumber(&quizv1.WatchResponse{}, "event")
	eventSnapshot      = fieldNumber(&quizv1.Event{}, "snapshot")
)

// fieldNumber is the number of m's field name.
func fieldNumber(m proto.Message, name protoreflect.Name) protowire.Number {
	return m.ProtoReflect().Descriptor().Fields().ByName(name).Number()
}

// Snapshot renders the whole room for one watcher: one WatchResponse whose
// event's RoomSnapshot is shared (SnapshotShared's fields) followed by the
// watcher's own fields (role, you, answered), which it does not hold, and
// whose personal part is the watcher's. The message is head, shared and
// tail in a row: head is the tags and lengths before shared, tail the
// watcher's own fields and personal part. Shared is not decoded, nor
// copied: a protobuf message's fields may come in any order.
func (Encoder) Snapshot(spec *room.Spec, s *room.Snapshot, shared []byte) (head, tail []byte, err error) {
	st := s.State
	own := &quizv1.RoomSnapshot{Role: roles[s.Who.Role], Answered: s.Answered}
	if s.Who.Role == room.PlayerRole {
		own.You = &quizv1.Player{PlayerId: s.Who.PlayerID, Name: s.Who.Name}
	}
	mine, err := proto.Marshal(own)
	if err != nil {
		return nil, nil, err
	}
	event, err := proto.Marshal(&quizv1.Event{Seq: st.Seq, ServerTime: timestamppb.New(st.Now)})
	if err != nil {
		return nil, nil, err
	}
	tail, err = proto.MarshalOptions{}.MarshalAppend(mine, &quizv1.WatchResponse{Personal: personalOut(spec, s.View, s.Reveal != nil)})
	if err != nil {
		return nil, nil, err
	}
	snapLen := len(shared) + len(mine)
	evLen := len(event) + protowire.SizeTag(eventSnapshot) + protowire.SizeBytes(snapLen)
	head = protowire.AppendTag(make([]byte, 0, 2*binary.MaxVarintLen64+len(event)+2*protowire.SizeTag(eventSnapshot)), watchResponseEvent, protowire.BytesType)
	head = protowire.AppendVarint(head, uint64(evLen))
	head = append(head, event...)
	head = protowire.AppendTag(head, eventSnapshot, protowire.BytesType)
	return protowire.AppendVarint(head, uint64(snapLen)), tail, nil
}

// hostOut says whether the host is here: away since since (zero: here) in
// a room in phase p, and whether the game goes on by itself. A running
// HOST-paced game goes on with AUTO pacing at since plus the host-away
// limit, unless it already does (auto); a running AUTO-paced game goes on
// by itself anyway; in the lobby nothing starts without the host.
func hostOut(spec *room.Spec, p game.Phase, since time.Time, auto bool) *quizv1.HostPresence {
	if since.IsZero() {
		return &quizv1.HostPresence{}
	}
	h := &quizv1.HostPresence{Away: true}
	running := p.Started() && !p.Over()
	switch {
	case !running:
	case auto || spec.Settings.Pacing == game.AutoPaced:
		h.AutoPacing = true
	default:
		h.AutoAt = timestamppb.New(since.Add(spec.Settings.HostAwayLimit))
	}
	return h
}
