// The host's report downloads: CSV (one row per player and question, the
// columns of the CLI's export) and the report's JSON.

import { toJsonString } from "@bufbuild/protobuf";
import { QuestionKind, ReportSchema, type Report, type ReportAnswer, type ReportQuestion } from "./gen/quiz/v1/quiz_pb.js";
import { durationMs } from "./state.js";

/** header is the CSV's first row, as client/report writes it. */
const header = [
  "rank", "player_id", "name", "score", "correct_count", "left", "kicked",
  "question", "question_text", "kind", "answered", "answer", "correct", "points", "streak_bonus", "elapsed_ms",
];

const kindNames: Record<number, string> = {
  [QuestionKind.SINGLE_CHOICE]: "single",
  [QuestionKind.MULTIPLE_SELECT]: "multiple",
  [QuestionKind.TRUE_FALSE]: "truefalse",
  [QuestionKind.TYPED_ANSWER]: "typed",
  [QuestionKind.POLL]: "poll",
};

/**
 * cell quotes a CSV field. A field that starts with = + - @ (or a tab or
 * carriage return) is a formula to a spreadsheet: a player named
 * "=HYPERLINK(…)" must stay text, so it gets a leading apostrophe.
 */
function cell(v: string): string {
  if (/^[=+\-@\t\r]/.test(v)) v = "'" + v;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** answerText is a's typed text, or its chosen options' texts joined by " | ". */
function answerText(q: ReportQuestion, a: ReportAnswer): string {
  if (!a.choices.length) return a.text;
  return a.choices.map((c) => q.options[c] ?? `option ${c + 1}`).join(" | ");
}

/** csv is rep as CSV text, CRLF line ends as RFC 4180 has them. */
export function csv(rep: Report): string {
  const rows = [header];
  for (const p of rep.players) {
    const byQ = new Map(p.answers.map((a) => [a.questionIndex, a]));
    const st = p.standing;
    for (const q of rep.questions) {
      const row = [
        String(st?.rank ?? 0), st?.player?.playerId ?? "", st?.player?.name ?? "", String(st?.score ?? 0),
        String(st?.correctCount ?? 0), String(p.left), String(p.kicked),
        String(q.index + 1), q.text, kindNames[q.kind] ?? "unknown",
      ];
      const a = byQ.get(q.index);
      if (a) row.push("true", answerText(q, a), String(a.correct), String(a.points), String(a.streakBonus), String(Math.round(durationMs(a.elapsed))));
      else row.push("false", "", "false", "0", "0", "");
      rows.push(row);
    }
  }
  return rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

/** json is rep as indented protojson, as the CLI's export. */
export function json(rep: Report): string {
  return toJsonString(ReportSchema, rep, { prettySpaces: 2 }) + "\n";
}

/** download offers text as a file. */
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
