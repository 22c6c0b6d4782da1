package redisstore

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestBoardDecodesBigRoomsAlike decodes a scoreboard big enough that its
// results decode beside its standings: the same as one after the other,
// and a record that does not decode, in either half, is an error.
func TestBoardDecodesBigRoomsAlike(t *testing.T) {
	const n = bigBoard + 100
	ranked := make([]string, n)
	recs, answers := map[string]string{}, map[string]string{}
	for i := range ranked {
		id := fmt.Sprintf("p%06d", i+1)
		ranked[i] = id
		recs[id] = fmt.Sprintf(`{"n":"P%d","s":"a","j":%d,"sc":%d,"ct":%d,"cn":1,"st":1,"sq":0}`, i, i+1, 1000-i, 100+i)
		answers[id] = fmt.Sprintf(`{"a":"{\"Choices\":[%d],\"Text\":\"\"}","ch":"%d","ok":%v,"e":%d,"p":%d,"b":0,"s":1}`, i%2, i%2, i%2 == 1, 100+i, 1000-i)
	}
	got, err := board(ranked, recs, answers)
	if err != nil {
		t.Fatal(err)
	}
	st, err := standings(ranked, recs)
	if err != nil {
		t.Fatal(err)
	}
	res, err := results(answers)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Standings, st) || !reflect.DeepEqual(got.Results, res) {
		t.Error("the board decoded in two halves at once differs from one decoded half after half")
	}
	for name, half := range map[string]map[string]string{"player": recs, "answer": answers} {
		kept := half["p000007"]
		half["p000007"] = "{"
		if _, err := board(ranked, recs, answers); err == nil || !strings.Contains(err.Error(), name+" p000007") && !strings.Contains(err.Error(), name+" of p000007") {
			t.Errorf("a %s record that does not decode: %v, want an error naming it", name, err)
		}
		half["p000007"] = kept
	}
}
