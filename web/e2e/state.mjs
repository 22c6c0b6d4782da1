// Applies recorded Watch frames to the browser's room state
// (src/state.ts, bundled here with the pinned esbuild) and prints what the
// room knows after each one, as web/state_test.go prints it for the CLI's
// client/state.
//
//   node web/e2e/state.mjs FRAMES.json
//
// FRAMES.json is a JSON array of base64-encoded WatchResponse messages.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = await build({
  stdin: {
    contents: `export { Room } from "./src/state.ts";
export { WatchResponseSchema } from "./src/gen/quiz/v1/quiz_pb.ts";
export { fromBinary } from "@bufbuild/protobuf";`,
    resolveDir: web,
    loader: "ts",
  },
  bundle: true, format: "esm", platform: "neutral", write: false, logLevel: "warning",
});
const { Room, WatchResponseSchema, fromBinary } = await import(
  "data:text/javascript;base64," + Buffer.from(bundle.outputFiles[0].text).toString("base64"));

const ms = (t) => (t ? Math.floor(Number(t.seconds) * 1000 + t.nanos / 1e6) : -1);
const room = new Room();
const out = [];
for (const b64 of JSON.parse(readFileSync(process.argv[2], "utf8"))) {
  const r = fromBinary(WatchResponseSchema, Buffer.from(b64, "base64"));
  room.apply(r.event, r.personal, ms(r.event.serverTime) + 5);
  const p = room.personal;
  out.push({
    seq: String(room.seq), code: room.code, role: room.role, you: room.you?.name ?? "",
    phase: room.phase, pausedPhase: room.pausedPhase, pausedRemaining: Math.floor(room.pausedRemaining),
    players: room.players.length ? room.players.map((x) => x.playerId) : null, playerCount: room.playerCount, locked: room.locked,
    question: room.question?.index ?? -1, opensAt: ms(room.question?.opensAt), deadline: ms(room.question?.deadline), answered: room.answered,
    progress: room.progress?.answered ?? -1, reveal: room.reveal?.index ?? -1, leaderboard: room.leaderboard?.afterQuestion ?? -1,
    finished: room.finished?.playerCount ?? -1,
    rank: p?.standing?.rank ?? -1, score: p?.standing?.score ?? -1, gap: p ? p.gapToNext : -1, points: p?.result?.points ?? -1,
    kicked: room.kicked, closed: room.closedReason, over: room.over,
    hostNotice: room.hostNotice(ms(r.event.serverTime) + 5),
  });
}
process.stdout.write(JSON.stringify(out));
