// The host page, for a laptop: pick a deck (built in, an uploaded deck file
// or study notes), set the room's rules, then run the game: the lobby with
// the code, the join address and a QR code, and the controls of every
// phase. The host token stays in the browser and the address names the
// room, so a reload gets the room back.

import { api, auth, message, normalizeCode, saved, shareURL, violations, watch, type Ending, type Status } from "./api.js";
import { PacingMode, Phase, PointsPolicy, type DeckInfo, type Event, type Player, type Report } from "./gen/quiz/v1/quiz_pb.js";
import { csv, download, json } from "./report.js";
import { Room } from "./state.js";
import {
  announcer, confirm, countdown, distribution, h, joinLink, kindHint, mark, optionMarks, plural, podium, qr, standingsList,
} from "./ui.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { RoomSettingsSchema } from "./gen/quiz/v1/quiz_pb.js";

const main = document.getElementById("main")!;
const conn = document.getElementById("conn")!;
const announce = announcer(document.getElementById("announce")!);

let code = normalizeCode(new URLSearchParams(location.search).get("room") ?? "");
let token = code ? saved.get("host", code) : "";
let room = new Room();
/** lastReport is the report last fetched during the game (keep). */
let lastReport: { code: string; report: Report } | undefined;
let stop = new AbortController();
let share = location.origin + "/";
let view = { key: "", update: () => {} };

void shareURL().then((s) => {
  share = s;
  if (token) run();
  else void setup(code ? `This browser does not hold the host key of room ${code}. Create a new room.` : "");
});

// ---- Setup: the deck and the rules ----

/**
 * setup shows the new-room form; notice explains why we are here, and kept,
 * when set, is the report of a room that was lost, offered for download.
 */
async function setup(notice: string, kept?: { code: string; report: Report }): Promise<void> {
  stop.abort();
  view = { key: "setup", update: () => {} };
  document.title = "Quizroom — host a game";
  const decksList = h("div", { class: "decks", role: "radiogroup", "aria-labelledby": "decks-title" });
  const errors = h("div", { class: "error", role: "alert", id: "setup-errors" });
  const showErrors = (title: string, lines: string[]) => {
    errors.replaceChildren(h("p", {}, title), lines.length ? h("ul", { class: "lint" }, ...lines.map((l) => h("li", {}, h("code", {}, l)))) : "");
  };
  let notes = "";
  let notesName = "";
  const addDeck = (d: DeckInfo, checked: boolean) => {
    const id = `deck-${d.id}`;
    const input = h("input", { type: "radio", name: "deck", id, value: d.id, checked });
    input.addEventListener("change", () => {
      notes = "";
      notesFile.value = "";
    });
    decksList.append(h("label", { class: "deck", for: id }, input,
      h("span", { class: "deck-title" }, d.title),
      h("span", { class: "deck-meta" }, `${plural(d.questionCount, "question")}${d.uploaded ? " · uploaded" : ""}`),
      d.description ? h("span", { class: "deck-desc" }, d.description) : null));
    if (checked) input.checked = true;
  };
  try {
    const res = await api.listDecks({});
    res.decks.forEach((d, i) => addDeck(d, i === 0));
  } catch (e) {
    showErrors(`Cannot list the decks: ${message(e)}.`, []);
  }
  const deckFile = h("input", { type: "file", id: "deck-file", accept: ".md,.markdown,.txt,text/markdown,text/plain" });
  deckFile.addEventListener("change", async () => {
    const f = deckFile.files?.[0];
    if (!f) return;
    errors.replaceChildren();
    try {
      const res = await api.uploadDeck({ source: await f.text(), fileName: f.name });
      const known = document.getElementById(`deck-${res.deck!.id}`) as HTMLInputElement | null;
      if (known) known.checked = true; // the same source again: the same deck
      else addDeck(res.deck!, true);
      announce(`Deck ${res.deck!.title} uploaded: ${plural(res.deck!.questionCount, "question")}.`);
    } catch (e) {
      showErrors(`${f.name} is not a valid deck:`, violations(e).length ? violations(e) : [message(e)]);
    }
    deckFile.value = "";
  });
  const notesFile = h("input", { type: "file", id: "notes-file", accept: ".md,.markdown,.txt,text/markdown,text/plain" });
  notesFile.addEventListener("change", async () => {
    const f = notesFile.files?.[0];
    if (!f) return;
    notes = await f.text();
    notesName = f.name;
    for (const i of decksList.querySelectorAll("input")) (i as HTMLInputElement).checked = false;
    announce(`Questions will be made from ${f.name}.`);
  });

  const num = (id: string, label: string, value: number, min: number, max: number, hint: string) =>
    h("div", { class: "field" }, h("label", { for: id }, label), h("input", { type: "number", id, value, min, max, inputmode: "numeric", "aria-describedby": `${id}-hint` }),
      h("p", { class: "hint", id: `${id}-hint` }, hint));
  const select = (id: string, label: string, options: [string, string][], value: string) =>
    h("div", { class: "field" }, h("label", { for: id }, label),
      h("select", { id }, ...options.map(([v, t]) => h("option", { value: v, selected: v === value }, t))));
  const check = (id: string, label: string, checked: boolean) =>
    h("div", { class: "field check" }, h("input", { type: "checkbox", id, checked }), h("label", { for: id }, label));

  const create = h("button", { type: "submit", class: "primary big" }, "Create the room");
  const form = h("form", { class: "setup" },
    h("h1", {}, "Host a game"),
    notice ? h("p", { class: "notice", role: "status" }, notice) : null,
    kept ? keptReport(kept.code, kept.report) : null,
    h("fieldset", {}, h("legend", { id: "decks-title" }, "Questions"), decksList,
      h("div", { class: "uploads" },
        h("div", { class: "field" }, h("label", { for: "deck-file" }, "Upload a deck file (Markdown deck format)"), deckFile),
        h("div", { class: "field" }, h("label", { for: "notes-file" }, "Or make questions from your study notes (### a concept, - a fact)"), notesFile)),
      errors),
    h("fieldset", { class: "settings" }, h("legend", {}, "Rules"),
      num("questions", "Questions", 10, 0, 500, "0 plays the whole deck"),
      select("time", "Time to answer", [["10", "10 seconds"], ["20", "20 seconds"], ["30", "30 seconds"], ["60", "60 seconds"], ["120", "2 minutes"]], "20"),
      select("pacing", "Pacing", [["host", "I move the game on"], ["auto", "Automatic (timers)"]], "host"),
      select("away", "If I'm away", [["10", "Go on without me after 10 seconds"], ["30", "Go on without me after 30 seconds"],
        ["60", "Go on without me after 1 minute"], ["300", "Go on without me after 5 minutes"], ["1800", "Go on without me after 30 minutes"]], "60"),
      select("policy", "Scoring", [["speed", "Faster answers score more"], ["accuracy", "Right answers score the same"]], "speed"),
      select("board", "Leaderboard", [["1", "After every question"], ["2", "Every 2 questions"], ["5", "Every 5 questions"], ["-1", "Only at the end"]], "1"),
      select("read", "Time to read before answering", [["0", "None"], ["3", "3 seconds"], ["5", "5 seconds"]], "0"),
      num("max", "Most players", 0, 0, 100000, "0: as many as the server allows"),
      check("streak", "Streak bonus (+100 per right answer in a row)", true),
      check("shuffle-q", "Shuffle the questions", true),
      check("shuffle-o", "Shuffle the options", false)),
    create);
  // An automatic game needs no host to go on: the limit is for host pacing.
  const pacing = form.querySelector("#pacing") as HTMLSelectElement;
  pacing.addEventListener("change", () => {
    (form.querySelector("#away") as HTMLSelectElement).disabled = pacing.value === "auto";
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const val = (id: string) => (form.querySelector(`#${id}`) as HTMLInputElement).value;
    const on = (id: string) => (form.querySelector(`#${id}`) as HTMLInputElement).checked;
    const deck = (form.querySelector("input[name=deck]:checked") as HTMLInputElement | null)?.value ?? "";
    if (!deck && !notes) {
      showErrors("Pick a deck, upload one, or give study notes.", []);
      return;
    }
    const settings: MessageInitShape<typeof RoomSettingsSchema> = {
      questionCount: Number(val("questions")) || 0,
      timeLimit: { seconds: BigInt(val("time")) },
      readTime: { seconds: BigInt(val("read")) },
      pacing: val("pacing") === "auto" ? PacingMode.AUTO : PacingMode.HOST,
      hostAwayLimit: { seconds: BigInt(val("away")) },
      pointsPolicy: val("policy") === "accuracy" ? PointsPolicy.ACCURACY : PointsPolicy.SPEED,
      leaderboardEvery: Number(val("board")),
      maxPlayers: Number(val("max")) || 0,
      streakBonus: on("streak"),
      shuffleQuestions: on("shuffle-q"),
      shuffleOptions: on("shuffle-o"),
    };
    create.disabled = true;
    try {
      const res = await api.createRoom({ source: notes ? { case: "notes", value: notes } : { case: "deckId", value: deck }, settings });
      code = res.room!.code;
      token = res.hostToken;
      saved.set("host", code, token);
      history.replaceState(null, "", `/host?room=${code}`);
      run();
    } catch (e) {
      create.disabled = false;
      const what = notes ? `No questions from ${notesName}:` : "The room could not be created:";
      showErrors(what, violations(e).length ? violations(e) : [message(e)]);
      errors.scrollIntoView({ block: "nearest" });
    }
  });
  main.replaceChildren(form);
  window.scrollTo(0, 0); // the notice is at the top, the room's page may have been scrolled down
  setConn("");
}

// ---- The room ----

/** run follows the room as its host. */
function run(): void {
  stop.abort();
  stop = new AbortController();
  room = new Room();
  const kept = keeper(code, token, stop.signal);
  document.title = `Quizroom — host ${code}`;
  render();
  void watch("host", code, token, stop.signal, room, {
    event(ev) {
      kept(ev);
      render();
    },
    status: (s: Status) => setConn(s === "over" ? "" : s),
    ended,
  });
}

/** ended goes back to the new-room form, with the report so far of a room that can no longer be followed. */
function ended(e: Ending): void {
  saved.drop("host", code);
  void setup(e.why, lastReport?.code === code && lastReport.report.questions.length ? lastReport : undefined);
}

function setConn(s: "live" | "retrying" | ""): void {
  conn.textContent = s === "live" ? "● Connected" : s === "retrying" ? "Reconnecting…" : "";
  conn.className = `conn ${s}`;
}

/** act runs a host call and shows its failure. */
async function act(what: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (e) {
    const err = document.getElementById("host-error");
    if (err) err.textContent = `${what}: ${message(e)}.`;
    announce(`${what} failed: ${message(e)}.`);
  }
}

const opts = () => auth(token);
const start = () => act("Start", () => api.startGame({ roomCode: code }, opts()));
const next = () => act("Next", () => api.nextQuestion({ roomCode: code }, opts()));
const closeQ = () => act("Close the question", () => api.closeQuestion({ roomCode: code }, opts()));
const pause = () => act("Pause", () => api.pauseGame({ roomCode: code }, opts()));
const resume = () => act("Resume", () => api.resumeGame({ roomCode: code }, opts()));
const lock = (locked: boolean) => act(locked ? "Lock" : "Unlock", () => api.lockRoom({ roomCode: code, locked }, opts()));

async function end(): Promise<void> {
  const lobby = room.phase === Phase.LOBBY;
  const ok = await confirm(lobby ? "Close the room?" : "End the game now?",
    lobby ? "Players in the lobby are sent away and the code stops working. This cannot be undone."
      : "The game finishes with the standings so far. This cannot be undone.",
    lobby ? "Close the room" : "End the game");
  if (ok) await act("End", () => api.endGame({ roomCode: code }, opts()));
}

async function kick(p: Player): Promise<void> {
  const ok = await confirm(`Remove ${p.name}?`, `${p.name} leaves the game and that name cannot join this room again. This cannot be undone.`, "Remove");
  if (ok) await act(`Remove ${p.name}`, () => api.kickPlayer({ roomCode: code, playerId: p.playerId }, opts()));
}

/** keptReport offers the report so far of room c, lost before its end. */
function keptReport(c: string, rep: Report): HTMLElement {
  return h("p", { class: "notice" }, `The report of the game so far (${plural(rep.questions.length, "question")}): `,
    button("CSV", () => download(`quizroom-${c}.csv`, "text/csv;charset=utf-8", csv(rep))), " ",
    button("JSON", () => download(`quizroom-${c}.json`, "application/json", json(rep))));
}

/**
 * keeper returns the hook that fetches room c's report after a reveal (and
 * at a snapshot of a game under way) and keeps it in lastReport, so that a
 * room lost before its end (a restart of a server that keeps rooms in
 * memory) leaves its report so far. It fetches in the background, one
 * fetch at a time: a reveal during a fetch has it run once more when it is
 * done, for the newest reveal. The fetches end with signal.
 */
function keeper(c: string, tok: string, signal: AbortSignal): (ev: Event) => void {
  let fetching = false;
  let again = false;
  const fetchReport = async () => {
    fetching = true;
    do {
      again = false;
      try {
        const res = await api.getReport({ roomCode: c }, auth(tok, signal));
        if (res.report) lastReport = { code: c, report: res.report };
      } catch {
        // The next reveal fetches it again.
      }
    } while (again && !signal.aborted);
    fetching = false;
  };
  return (ev) => {
    const snap = ev.payload.case === "snapshot" ? ev.payload.value : undefined;
    if (ev.payload.case !== "questionRevealed" && (!snap || snap.phase === Phase.LOBBY)) return;
    if (fetching) again = true;
    else void fetchReport();
  };
}

async function report(kind: "csv" | "json"): Promise<void> {
  await act("Download the report", async () => {
    const res = await api.getReport({ roomCode: code }, opts());
    const rep = res.report!;
    if (kind === "csv") download(`quizroom-${code}.csv`, "text/csv;charset=utf-8", csv(rep));
    else download(`quizroom-${code}.json`, "application/json", json(rep));
  });
}

function button(label: string, onClick: () => unknown, cls = "secondary", attrs: Record<string, string> = {}): HTMLButtonElement {
  const b = h("button", { type: "button", class: cls, ...attrs }, label);
  b.addEventListener("click", () => void onClick());
  return b;
}

function viewKey(): string {
  return [!room.info ? "wait" : room.phase, room.question?.index ?? -1, room.pausedPhase].join("|");
}

function render(): void {
  const key = viewKey();
  if (key === view.key) {
    view.update();
    return;
  }
  const had = document.activeElement?.id;
  const v = build();
  view = { key, update: v.update ?? (() => {}) };
  main.replaceChildren(v.el);
  // Keep the keyboard where it was when the same control is still there.
  const again = had ? document.getElementById(had) : null;
  (again ?? (main.querySelector(".primary") as HTMLElement | null))?.focus({ preventScroll: true });
  v.update?.();
}

interface View {
  el: HTMLElement;
  update?: () => void;
}

/** frame is the room's bar (code, phase, players, links, end) around a phase's content. */
function frame(content: HTMLElement, update?: () => void, side = true): View {
  const count = h("span", { class: "pill" });
  const roster = side ? rosterPanel() : null;
  const bar = h("div", { class: "host-bar" },
    h("span", { class: "pill code-pill" }, "Room ", h("strong", {}, code)), count,
    h("a", { class: "button secondary", href: `/screen?room=${code}`, target: "_blank", rel: "noopener" }, "Open the projector view"),
    room.phase !== Phase.FINISHED && room.phase !== Phase.CLOSED ? button(room.phase === Phase.LOBBY ? "Close the room" : "End the game", end, "danger", { id: "end" }) : null);
  return {
    el: h("div", { class: side ? "host-room with-side" : "host-room" }, bar,
      h("p", { id: "host-error", class: "error", role: "alert" }), content, roster?.el ?? null),
    update() {
      count.textContent = plural(room.playerCount, "player");
      roster?.update();
      update?.();
    },
  };
}

/** rosterPanel lists the players with a remove button each. */
function rosterPanel(): { el: HTMLElement; update(): void } {
  const list = h("ul", { class: "roster" });
  const more = h("p", { class: "muted" });
  const el = h("aside", { class: "side card", "aria-labelledby": "roster-title" }, h("h2", { id: "roster-title" }, "Players"), list, more);
  let shown = "";
  return {
    el,
    update() {
      const ids = room.players.map((p) => p.playerId).join(",");
      if (ids !== shown) {
        shown = ids;
        list.replaceChildren(...room.players.map((p) => h("li", {}, h("span", { class: "name" }, p.name),
          button("Remove", () => kick(p), "link", { "aria-label": `Remove ${p.name}` }))));
      }
      more.textContent = room.players.length === 0 ? "Nobody yet." : room.playerCount > room.players.length ? `and ${room.playerCount - room.players.length} more` : "";
    },
  };
}

function build(): View {
  if (!room.info) return { el: h("p", { class: "center muted" }, "Connecting…") };
  switch (room.phase) {
    case Phase.LOBBY:
      return lobby();
    case Phase.QUESTION:
      return question();
    case Phase.PAUSED:
      return paused();
    case Phase.REVEAL:
      return reveal();
    case Phase.LEADERBOARD:
      return leaderboard();
    case Phase.FINISHED:
      return finished();
    case Phase.CLOSED:
      saved.drop("host", code);
      return {
        el: h("section", { class: "card center" }, h("h1", {}, "Room closed"), h("p", {}, `The room closed: ${room.closedReason}.`),
          h("a", { class: "button primary", href: "/host" }, "Host a new game")),
      };
  }
  return { el: h("p", {}, "Waiting…") };
}

function lobby(): View {
  const link = joinLink(share, code);
  const lockBox = h("input", { type: "checkbox", id: "lock" });
  lockBox.addEventListener("change", () => void lock(lockBox.checked));
  const startBtn = button("Start the game", start, "primary big", { id: "start" });
  const status = h("p", { class: "muted", "aria-live": "polite" });
  announce(`Room ${code} is open. Players join at ${link}.`);
  return frame(
    h("section", { class: "lobby-host" },
      h("div", { class: "join-panel card" },
        h("p", { class: "label" }, "Join at"), h("p", { class: "join-url" }, h("a", { href: link, target: "_blank", rel: "noopener" }, share)),
        h("p", { class: "label" }, "with the code"), h("p", { class: "room-code", "aria-label": `room code ${code.split("").join(" ")}` }, code),
        qr(link, `QR code to join room ${code}`)),
      h("div", { class: "lobby-controls" },
        h("h1", {}, room.info?.deckTitle ?? "Lobby"),
        h("p", {}, `${plural(room.info?.questionCount ?? 0, "question")} · ${room.info?.settings?.pacing === PacingMode.AUTO ? "automatic pacing" : "you move the game on"}`),
        status,
        h("div", { class: "field check" }, lockBox, h("label", { for: "lock" }, "Lock the room (no new players)")),
        startBtn)),
    () => {
      lockBox.checked = room.locked;
      status.textContent = room.playerCount ? `${plural(room.playerCount, "player")} ready` : "Waiting for players…";
    },
  );
}

/** options lists a question's options with their colours and shapes. */
function options(): HTMLElement {
  const q = room.question!;
  return h("ol", { class: "options show" }, ...q.options.map((o, i) =>
    h("li", { class: `option ${optionMarks[i % 6].cls}` }, mark(i), h("span", { class: "opt-text" }, o))));
}

function questionHead(): HTMLElement {
  const q = room.question!;
  return h("header", { class: "q-head" },
    h("p", { class: "q-meta" }, `Question ${q.index + 1} of ${q.count} · ${kindHint(q.kind)}`),
    h("h1", { class: "q-text" }, q.text));
}

function progressMeter(): { el: HTMLElement; update(): void } {
  const text = h("p", { class: "answered" });
  const meter = h("progress", { max: 1, value: 0, "aria-label": "answers in" });
  return {
    el: h("div", { class: "progress-box" }, text, meter),
    update() {
      const p = room.progress;
      const n = p?.answered ?? 0;
      const of = p?.players || room.playerCount;
      text.textContent = `Answered: ${n} of ${of}`;
      meter.max = Math.max(of, 1);
      meter.value = n;
    },
  };
}

function question(): View {
  const cd = countdown(room, announce);
  const pm = progressMeter();
  const timer = setInterval(() => (main.contains(cd.el) ? cd.tick() : clearInterval(timer)), 250);
  return frame(
    h("section", { class: "question-host" }, questionHead(), cd.el, options(), pm.el,
      h("div", { class: "actions" }, button("Close the question", closeQ, "primary", { id: "close" }), button("Pause", pause, "secondary", { id: "pause" }))),
    () => {
      cd.tick();
      pm.update();
    },
  );
}

function paused(): View {
  const q = room.pausedPhase === Phase.QUESTION ? room.question : undefined;
  return frame(
    h("section", { class: "card center" }, h("h1", {}, "Paused"),
      q ? h("p", {}, `Question ${q.index + 1}: ${q.text}`) : null,
      h("p", {}, "The clock is stopped; players see that the game is paused."),
      button("Resume", resume, "primary big", { id: "resume" })),
  );
}

function reveal(): View {
  const q = room.question!;
  const rv = room.reveal!;
  const dist = q.options.length
    ? distribution(q.options, rv.optionCounts, rv.correctChoices)
    : h("div", { class: "card" }, h("h2", {}, "Accepted answers"), h("ul", {}, ...rv.acceptedAnswers.map((a) => h("li", {}, a))));
  return frame(
    h("section", { class: "reveal-host" }, questionHead(),
      h("p", { class: "big-text" }, `${rv.correctCount} of ${rv.answered} answered right · ${rv.players - rv.answered} did not answer`),
      dist,
      rv.explanation ? h("div", { class: "card" }, h("h2", {}, "Why"), h("p", {}, rv.explanation), rv.section ? h("p", { class: "muted" }, `From the notes: ${rv.section}`) : null) : null,
      h("div", { class: "actions" }, button("Next", next, "primary big", { id: "next" }), button("Pause", pause, "secondary", { id: "pause" }))),
  );
}

function leaderboard(): View {
  const lb = room.leaderboard!;
  return frame(
    h("section", { class: "leaderboard" }, h("h1", {}, `Leaderboard after question ${lb.afterQuestion + 1}`), standingsList(lb.top),
      h("div", { class: "actions" }, button("Next", next, "primary big", { id: "next" }))),
  );
}

function finished(): View {
  const f = room.finished!;
  return frame(
    h("section", { class: "finished" }, h("h1", {}, "Game over"),
      h("p", {}, `${plural(f.playerCount, "player")} · ${plural(f.questionsPlayed, "question")} played`),
      podium(f.podium), h("h2", {}, "Final standings"), standingsList(f.standings),
      h("div", { class: "actions" },
        button("Download the report (CSV)", () => report("csv"), "primary", { id: "csv" }),
        button("Download the report (JSON)", () => report("json"), "secondary", { id: "json" }),
        h("a", { class: "button secondary", href: "/host" }, "Host a new game"))),
    undefined, false,
  );
}
