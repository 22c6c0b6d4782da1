package report

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

func sample() *quizv1.Report {
	ann := &quizv1.Player{PlayerId: "p1", Name: "Ann"}
	bob := &quizv1.Player{PlayerId: "p2", Name: "Bob, Jr."}
	return &quizv1.Report{
		Questions: []*quizv1.ReportQuestion{
			{Index: 0, Text: "Which?", Kind: quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT, Options: []string{"ECS", "EKS", "S3"}, CorrectChoices: []int32{0, 1}},
			{Index: 1, Text: "Type it", Kind: quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER, AcceptedAnswers: []string{"X-Ray"}},
		},
		Players: []*quizv1.ReportPlayer{
			{Standing: &quizv1.Standing{Rank: 1, Player: ann, Score: 2100, CorrectCount: 2}, Answers: []*quizv1.ReportAnswer{
				{QuestionIndex: 0, Choices: []int32{0, 1}, Correct: true, Points: 1000, Elapsed: durationpb.New(400 * time.Millisecond)},
				{QuestionIndex: 1, Text: "xray", Correct: true, Points: 1100, StreakBonus: 100, Elapsed: durationpb.New(2500 * time.Millisecond)},
			}},
			{Standing: &quizv1.Standing{Rank: 2, Player: bob}, Kicked: true, Answers: []*quizv1.ReportAnswer{
				{QuestionIndex: 0, Choices: []int32{2}, Elapsed: durationpb.New(time.Second)},
			}},
		},
	}
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		Header,
		{"1", "p1", "Ann", "2100", "2", "false", "false", "1", "Which?", "multiple", "true", "ECS | EKS", "true", "1000", "0", "400"},
		{"1", "p1", "Ann", "2100", "2", "false", "false", "2", "Type it", "typed", "true", "xray", "true", "1100", "100", "2500"},
		{"2", "p2", "Bob, Jr.", "0", "0", "false", "true", "1", "Which?", "multiple", "true", "S3", "false", "0", "0", "1000"},
		{"2", "p2", "Bob, Jr.", "0", "0", "false", "true", "2", "Type it", "typed", "false", "", "false", "0", "0", ""},
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("CSV rows:\n%q\nwant\n%q", rows, want)
	}
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	rep := sample()
	if err := WriteJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	back := &quizv1.Report{}
	if err := protojson.Unmarshal(buf.Bytes(), back); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(back, rep) {
		t.Errorf("the JSON does not read back as the report:\n%s", buf.String())
	}
}

func TestSummary(t *testing.T) {
	if got := Summary(sample()); !strings.HasPrefix(got, `players=2 questions=2 winner="Ann" score=2100`) {
		t.Errorf("Summary = %q", got)
	}
}

// TestCellDefusesFormulas is a table of what players may type: a cell a
// spreadsheet would run as a formula becomes text; anything else stays as
// typed.
func TestCellDefusesFormulas(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`=HYPERLINK("http://x","click")`, `'=HYPERLINK("http://x","click")`},
		{"+1+2", "'+1+2"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"Ada", "Ada"},
		{"a=b", "a=b"},
		{"", ""},
	} {
		if got := Cell(tc.in); got != tc.want {
			t.Errorf("Cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	rep := sample()
	rep.Players[0].Standing.Player.Name = "=cmd|' /C calc'!A0"
	rep.Players[0].Answers[1].Text = "@evil"
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rep); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[1][2] != "'=cmd|' /C calc'!A0" || rows[2][11] != "'@evil" {
		t.Errorf("CSV name %q and answer %q: want both starting with an apostrophe", rows[1][2], rows[2][11])
	}
}

func TestSummarySaysHistoryLost(t *testing.T) {
	rep := sample()
	rep.Room = &quizv1.RoomInfo{HistoryLost: true}
	if got := Summary(rep); !strings.Contains(got, "history_lost=true") {
		t.Errorf("Summary of a lost room = %q, want it to say history_lost=true", got)
	}
}
