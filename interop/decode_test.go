package interop_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// TestDecodersAgree records the Watch frames of a scripted game (every kind
// of event, every view, a resume, snapshots in each phase) and decodes them
// with Python's protobuf, protobufjs through @grpc/proto-loader, and
// @bufbuild/protobuf: each must decode every frame to what Go decodes,
// compared in the proto3 JSON mapping.
func TestDecodersAgree(t *testing.T) {
	frames := recordGame(t)
	checkCoverage(t, frames)
	want := goDecode(t, frames)

	// A frame laid out the way the server once wrote a player's reveal: the
	// shared event, then a second copy of the same field with the personal
	// part, which protobuf merges but protobufjs replaces. The proto-loader
	// decoder must disagree on it, or this test could not catch the bug.
	control := mergedControl(t)
	file := writeFrames(t, append(frames, control))

	py := python(t)
	pyStubs := pythonStubs(t)
	es := esStubs(t)
	decoders := map[string][]string{
		"python protobuf":    {py, "interop/decode/decode.py", pyStubs, file},
		"@grpc/proto-loader": {node(t), "interop/decode/proto-loader.js", filepath.Join(repoRoot(t), "proto"), file},
		"@bufbuild/protobuf": {node(t), "interop/decode/bufbuild.mjs", es, file},
	}
	controlWant := goDecode(t, [][]byte{control})[0]
	for name, cmd := range decoders {
		var got []any
		if err := json.Unmarshal(run(t, cmd[0], cmd[1:]...), &got); err != nil {
			t.Fatalf("%s: output is not JSON: %v", name, err)
		}
		if len(got) != len(frames)+1 {
			t.Fatalf("%s decoded %d frames, want %d", name, len(got), len(frames)+1)
		}
		for i := range frames {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("%s decodes frame %d differently from Go:\n got %s\nwant %s", name, i, show(got[i]), show(want[i]))
			}
		}
		merged := reflect.DeepEqual(got[len(frames)], controlWant)
		if name == "@grpc/proto-loader" && merged {
			t.Errorf("%s merged the control frame: the test would not see a decoder that replaces", name)
		}
	}
}

// goDecode decodes frames with Go and renders them in the JSON mapping.
func goDecode(t *testing.T, frames [][]byte) []any {
	t.Helper()
	out := make([]any, len(frames))
	for i, f := range frames {
		var resp quizv1.WatchResponse
		if err := proto.Unmarshal(f, &resp); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		b, err := protojson.Marshal(&resp)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// checkCoverage fails the test unless the frames hold every kind of event,
// and a player's own part beside a reveal, a leaderboard, the final results
// and a snapshot.
func checkCoverage(t *testing.T, frames [][]byte) {
	t.Helper()
	kinds := map[string]bool{}
	personal := map[string]bool{}
	for _, f := range frames {
		var resp quizv1.WatchResponse
		if err := proto.Unmarshal(f, &resp); err != nil {
			t.Fatal(err)
		}
		p := resp.GetEvent().ProtoReflect()
		field := p.WhichOneof(p.Descriptor().Oneofs().ByName("payload"))
		if field == nil {
			t.Fatalf("a frame has no event: %v", &resp)
		}
		kinds[string(field.Name())] = true
		if resp.GetPersonal() != nil {
			personal[string(field.Name())] = true
		}
	}
	oneof := (&quizv1.Event{}).ProtoReflect().Descriptor().Oneofs().ByName("payload")
	for i := range oneof.Fields().Len() {
		if name := string(oneof.Fields().Get(i).Name()); !kinds[name] {
			t.Errorf("the scripted game made no %s event", name)
		}
	}
	for _, kind := range []string{"question_revealed", "leaderboard", "game_finished", "snapshot"} {
		if !personal[kind] {
			t.Errorf("no %s came with a player's own part", kind)
		}
	}
}

// mergedControl is a reveal written as two copies of WatchResponse.event.
func mergedControl(t *testing.T) []byte {
	t.Helper()
	shared, err := proto.Marshal(&quizv1.WatchResponse{Event: &quizv1.Event{
		Seq: 9, ServerTime: timestamppb.Now(),
		Payload: &quizv1.Event_QuestionRevealed{QuestionRevealed: &quizv1.QuestionRevealed{Index: 2, CorrectChoices: []int32{1}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	second, err := proto.Marshal(&quizv1.WatchResponse{Event: &quizv1.Event{
		Payload: &quizv1.Event_QuestionRevealed{QuestionRevealed: &quizv1.QuestionRevealed{Explanation: "personal"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return append(shared, second...)
}

// writeFrames writes frames as a JSON array of base64 strings.
func writeFrames(t *testing.T, frames [][]byte) string {
	t.Helper()
	enc := make([]string, len(frames))
	for i, f := range frames {
		enc[i] = base64.StdEncoding.EncodeToString(f)
	}
	b, err := json.Marshal(enc)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "frames.json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
