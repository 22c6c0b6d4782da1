package api

import (
	"context"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// TestJoinRoomDescribesItsRoom joins two rooms in turn: each answer
// describes the room joined (JoinRoom keeps the description of the last
// room joined for the joins that follow), without the settings' seed,
// which only the host sees.
func TestJoinRoomDescribesItsRoom(t *testing.T) {
	s := fuzzServer(t)
	limits := map[string]time.Duration{}
	var codes []string
	for _, limit := range []time.Duration{10 * time.Second, 30 * time.Second} {
		created, err := s.CreateRoom(context.Background(), &quizv1.CreateRoomRequest{
			Source:   &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"},
			Settings: &quizv1.RoomSettings{TimeLimit: durationpb.New(limit), Seed: 7},
		})
		if err != nil {
			t.Fatal(err)
		}
		code := created.GetRoom().GetCode()
		codes = append(codes, code)
		limits[code] = limit
	}
	for i, code := range []string{codes[0], codes[0], codes[1], codes[0], codes[1]} {
		resp, err := s.JoinRoom(context.Background(), &quizv1.JoinRoomRequest{RoomCode: code, Name: string(rune('A' + i))})
		if err != nil {
			t.Fatal(err)
		}
		room := resp.GetRoom()
		if room.GetCode() != code || room.GetSettings().GetTimeLimit().AsDuration() != limits[code] || room.GetSettings().GetSeed() != 0 {
			t.Errorf("join %d of room %s: room %s, time limit %v, seed %d; want %s, %v, 0",
				i+1, code, room.GetCode(), room.GetSettings().GetTimeLimit().AsDuration(), room.GetSettings().GetSeed(), code, limits[code])
		}
	}
}
