// The screen page, for a projector or a wall: the public view of a room,
// no token needed. The code and a QR code in the lobby, the question and
// its countdown, how the answers split, the leaderboard and the podium, in
// type readable from the back of the room.

import { normalizeCode, shareURL, watch, type Ending, type Status } from "./api.js";
import { Phase } from "./gen/quiz/v1/quiz_pb.js";
import { Room } from "./state.js";
import { announcer, countdown, distribution, h, hostBanner, joinLink, kindHint, mark, optionMarks, plural, podium, qr, standingsList } from "./ui.js";

const main = document.getElementById("main")!;
const conn = document.getElementById("conn")!;
const announce = announcer(document.getElementById("announce")!);

const code = normalizeCode(new URLSearchParams(location.search).get("room") ?? "");
let room = new Room();
const stop = new AbortController();
const banner = hostBanner(() => room);
let share = location.origin + "/";
let view = { key: "", update: () => {} };

if (!code) ask("");
else void shareURL().then((s) => {
  share = s;
  follow();
});

/** ask asks for the room to show, value filled in. */
function ask(error: string, value = code): void {
  room = new Room(); // the room left behind says nothing more, the host's absence included
  banner.update();
  const input = h("input", { id: "code", name: "room", required: true, maxlength: 8, autocomplete: "off", autocapitalize: "characters", value });
  main.replaceChildren(h("form", { class: "join card", method: "get", action: "/screen" },
    h("h1", {}, "Show a room on this screen"),
    h("label", { for: "code" }, "Room code"), input,
    h("p", { class: "error", role: "alert" }, error),
    h("button", { type: "submit", class: "primary big" }, "Show")));
  input.focus();
}

function follow(): void {
  document.title = `Quizroom — room ${code}`;
  render();
  void watch("screen", code, "", stop.signal, room, { event: render, status: onStatus, ended });
}

function onStatus(s: Status): void {
  conn.textContent = s === "live" ? "● Connected" : s === "retrying" ? "Reconnecting…" : "";
  conn.className = `conn ${s === "over" ? "" : s}`;
}

/** ended asks for another room; a room that was seen and is no more leaves no code behind to show by mistake. */
function ended(e: Ending): void {
  if (e.gone && e.seen) {
    history.replaceState(null, "", "/screen");
    ask(e.why, "");
  } else ask(e.why);
}

function render(): void {
  banner.update();
  const key = [!room.info ? "wait" : room.phase, room.question?.index ?? -1, room.pausedPhase].join("|");
  if (key === view.key) {
    view.update();
    return;
  }
  const v = build();
  view = { key, update: v.update ?? (() => {}) };
  main.replaceChildren(v.el);
  v.update?.();
}

interface View {
  el: HTMLElement;
  update?: () => void;
}

function build(): View {
  if (!room.info) return { el: h("p", { class: "center muted" }, "Connecting…") };
  switch (room.phase) {
    case Phase.LOBBY:
      return lobby();
    case Phase.QUESTION:
    case Phase.PAUSED:
      return room.phase === Phase.PAUSED && room.pausedPhase !== Phase.QUESTION ? paused() : question();
    case Phase.REVEAL:
      return reveal();
    case Phase.LEADERBOARD:
      return { el: h("section", { class: "leaderboard" }, h("h1", {}, `Leaderboard after question ${room.leaderboard!.afterQuestion + 1}`), standingsList(room.leaderboard!.top)) };
    case Phase.FINISHED:
      return finished();
    case Phase.CLOSED:
      return { el: h("section", { class: "center" }, h("h1", {}, "The room is closed"), h("p", {}, room.closedReason)) };
  }
  return { el: h("p", {}, "Waiting…") };
}

function lobby(): View {
  const link = joinLink(share, code);
  const names = h("ul", { class: "names", "aria-label": "players" });
  const count = h("p", { class: "count" });
  const locked = h("p", { class: "notice" });
  announce(`Join room ${code} at ${share}`);
  return {
    el: h("section", { class: "screen-lobby" },
      h("div", { class: "join-panel" },
        h("p", { class: "label" }, "Join at"), h("p", { class: "join-url" }, share),
        h("p", { class: "label" }, "with the code"), h("p", { class: "room-code", "aria-label": `room code ${code.split("").join(" ")}` }, code),
        locked),
      h("div", { class: "qr-box" }, qr(link, `QR code to join room ${code}`), h("p", {}, "Scan to join")),
      h("div", { class: "arrivals" }, count, names)),
    update() {
      count.textContent = room.playerCount ? `${plural(room.playerCount, "player")} in` : "Waiting for players…";
      locked.textContent = room.locked ? "The room is locked: no new players" : "";
      names.replaceChildren(...room.players.slice(-60).map((p) => h("li", {}, p.name)));
    },
  };
}

function question(): View {
  const q = room.question!;
  const cd = countdown(room, () => {});
  const answered = h("p", { class: "answered" });
  const pausedNote = room.phase === Phase.PAUSED ? h("p", { class: "notice" }, "Paused by the host") : null;
  const timer = setInterval(() => (main.contains(cd.el) ? cd.tick() : clearInterval(timer)), 250);
  return {
    el: h("section", { class: "screen-question" },
      h("p", { class: "q-meta" }, `Question ${q.index + 1} of ${q.count} · ${kindHint(q.kind)}`),
      h("h1", { class: "q-text" }, q.text), pausedNote, cd.el,
      h("ol", { class: "options show" }, ...q.options.map((o, i) => h("li", { class: `option ${optionMarks[i % 6].cls}` }, mark(i), h("span", { class: "opt-text" }, o)))),
      answered),
    update() {
      cd.tick();
      const p = room.progress;
      answered.textContent = p ? `${p.answered} of ${p.players} answered` : "";
    },
  };
}

function paused(): View {
  return { el: h("section", { class: "center" }, h("h1", {}, "Paused"), h("p", {}, "The game goes on in a moment.")) };
}

function reveal(): View {
  const q = room.question!;
  const rv = room.reveal!;
  return {
    el: h("section", { class: "screen-reveal" },
      h("p", { class: "q-meta" }, `Question ${q.index + 1} of ${q.count}`), h("h1", { class: "q-text" }, q.text),
      q.options.length ? distribution(q.options, rv.optionCounts, rv.correctChoices)
        : h("p", { class: "big-text" }, `Accepted: ${rv.acceptedAnswers.join(", ")}`),
      h("p", { class: "big-text" }, `${rv.correctCount} of ${rv.answered} right`),
      rv.explanation ? h("p", { class: "explanation" }, rv.explanation) : null),
  };
}

function finished(): View {
  const f = room.finished!;
  return {
    el: h("section", { class: "screen-finished" }, h("h1", {}, "Podium"), podium(f.podium),
      h("p", { class: "muted" }, `${plural(f.playerCount, "player")} · ${plural(f.questionsPlayed, "question")}`),
      f.standings.length > 3 ? h("div", { class: "leaderboard" }, standingsList(f.standings.slice(3))) : null),
  };
}
