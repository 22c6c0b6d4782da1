// The player page, phone first: join a room by code and name, answer each
// question, see how it went, and the final place. The token stays in the
// browser, so a reload or a dropped network resumes the same player: the
// stream resumes with after_seq, a new page starts from a snapshot.

import { Code } from "@connectrpc/connect";
import { api, auth, codeOf, message, normalizeCode, saved, watch, type Ending, type Status } from "./api.js";
import { Phase, QuestionKind, type MissedQuestion } from "./gen/quiz/v1/quiz_pb.js";
import { Room } from "./state.js";
import { announcer, countdown, h, hostBanner, kindHint, mark, optionMarks, ordinal, plural, podium, signed, standingsList } from "./ui.js";

const main = document.getElementById("main")!;
const conn = document.getElementById("conn")!;
const announce = announcer(document.getElementById("announce")!);

let code = normalizeCode(new URLSearchParams(location.search).get("room") ?? "");
let token = "";
let room = new Room();
let stop = new AbortController();
const banner = hostBanner(() => room);
/**
 * picked is the answer this browser had accepted for a question, kept for
 * the tab (sessionStorage) so that a reload shows it back. A snapshot made
 * just after an answer may not know of it yet (the server shares such reads
 * for up to a second), so picked also keeps a reloaded page from offering
 * the question again.
 */
let picked = { index: -1, text: "" };

function loadPicked(): void {
  try {
    picked = JSON.parse(sessionStorage.getItem(`quizroom.picked.${code}`) ?? "") as typeof picked;
  } catch {
    picked = { index: -1, text: "" };
  }
}

function savePicked(index: number, text: string): void {
  picked = { index, text };
  try {
    sessionStorage.setItem(`quizroom.picked.${code}`, JSON.stringify(picked));
  } catch {
    // Without storage a reload just does not show the answer back.
  }
}
let view = { key: "", update: () => {} };

start();

function start(): void {
  token = code ? saved.get("player", code) : "";
  if (token) play();
  else showJoin();
}

/** showJoin asks for the room code and a name; error says why the last try failed. */
function showJoin(error = "", field: "code" | "name" | "" = ""): void {
  stop.abort();
  room = new Room(); // the room left behind says nothing more, the host's absence included
  banner.update();
  view = { key: "join", update: () => {} };
  const codeIn = h("input", {
    id: "code", name: "code", required: true, maxlength: 8, autocomplete: "off", autocapitalize: "characters",
    spellcheck: "false", inputmode: "text", value: code, "aria-describedby": "code-hint",
    "aria-invalid": field === "code" ? "true" : undefined,
  });
  const nameIn = h("input", {
    id: "name", name: "name", required: true, maxlength: 24, autocomplete: "nickname",
    "aria-invalid": field === "name" ? "true" : undefined, "aria-describedby": "name-hint",
  });
  const err = h("p", { id: "join-error", class: "error", role: "alert" }, error);
  const button = h("button", { type: "submit", class: "primary big" }, "Join");
  const form = h("form", { class: "join card", novalidate: true },
    h("h1", {}, "Join a game"),
    h("label", { for: "code" }, "Room code"), codeIn,
    h("p", { id: "code-hint", class: "hint" }, "6 letters and digits, on the host's screen"),
    h("label", { for: "name" }, "Your name"), nameIn,
    h("p", { id: "name-hint", class: "hint" }, "Up to 24 characters; others see it on the leaderboard"),
    err, button);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const c = normalizeCode(codeIn.value);
    const name = nameIn.value.trim();
    if (c.length !== 6) return fail("A room code has 6 letters and digits.", codeIn);
    if (!name) return fail("Type a name to play under.", nameIn);
    button.disabled = true;
    button.textContent = "Joining…";
    try {
      const res = await api.joinRoom({ roomCode: c, name });
      code = c;
      saved.set("player", code, res.playerToken);
      history.replaceState(null, "", `/?room=${code}`);
      start();
    } catch (e) {
      button.disabled = false;
      button.textContent = "Join";
      const [text, at] = joinError(e, c);
      fail(text, at === "code" ? codeIn : nameIn);
    }
  });
  function fail(text: string, input: HTMLInputElement): void {
    for (const i of [codeIn, nameIn]) i.removeAttribute("aria-invalid");
    input.setAttribute("aria-invalid", "true");
    err.textContent = text;
    input.focus();
  }
  main.replaceChildren(form);
  (field === "name" || code ? nameIn : codeIn).focus();
  setConn("");
}

/** joinError is what a failed join means for the person, and which field to fix. */
function joinError(e: unknown, c: string): [string, "code" | "name"] {
  switch (codeOf(e)) {
    case Code.NotFound:
      return [`There is no room ${c}. Check the code on the host's screen.`, "code"];
    case Code.AlreadyExists:
      return ["That name is taken in this room. Pick another one.", "name"];
    case Code.FailedPrecondition:
      return [`Room ${c} is not taking players: ${message(e)}.`, "code"];
    case Code.ResourceExhausted:
      return [`Cannot join room ${c}: ${message(e)}.`, "code"];
    case Code.InvalidArgument: {
      const m = message(e);
      return [`Check this: ${m}.`, /name/.test(m) ? "name" : "code"];
    }
  }
  return [`Could not join: ${message(e)}.`, "code"];
}

/** play follows the room with the saved token until the game is over. */
function play(): void {
  stop.abort();
  stop = new AbortController();
  room = new Room();
  loadPicked();
  render();
  void watch("player", code, token, stop.signal, room, {
    event() {
      // This page's own accepted answer, as the CLI sets it after SubmitAnswer.
      if (room.phase === Phase.QUESTION && room.question?.index === picked.index) room.answered = true;
      render();
    },
    status: (s: Status) => setConn(s === "over" ? "" : s),
    ended,
  });
}

/** ended leaves a room that can no longer be followed: the token no longer opens it, or the room is gone. */
function ended(e: Ending): void {
  saved.drop("player", code);
  // A room that is no more leaves no code behind to join by mistake.
  if (e.gone) {
    code = "";
    history.replaceState(null, "", "/");
  }
  showJoin(`${e.why} Join again with a code.`);
}

function setConn(s: "live" | "retrying" | ""): void {
  conn.textContent = s === "live" ? "● Connected" : s === "retrying" ? "Reconnecting…" : "";
  conn.className = `conn ${s}`;
}

/** viewKey changes when the page must show another view; within one view, update() refreshes. */
function viewKey(): string {
  const q = room.question?.index ?? -1;
  return [!room.info ? "wait" : room.phase, q, room.answered, room.kicked, room.pausedPhase].join("|");
}

function render(): void {
  banner.update();
  const key = viewKey();
  if (key === view.key) {
    view.update();
    return;
  }
  const v = build();
  view = { key, update: v.update ?? (() => {}) };
  main.replaceChildren(v.el);
  // The control that had the focus is gone: start the keyboard at the new view.
  if (!document.activeElement || document.activeElement === document.body) main.focus({ preventScroll: true });
}

interface View {
  el: HTMLElement;
  update?: () => void;
}

function build(): View {
  if (!room.info) return { el: h("p", { class: "center muted" }, "Connecting…") };
  if (room.kicked) {
    saved.drop("player", code);
    stop.abort();
    announce("The host removed you from the game.");
    return message1("Removed", "The host removed you from this game.", true);
  }
  switch (room.phase) {
    case Phase.LOBBY:
      return lobby();
    case Phase.QUESTION:
      return room.answered ? lockedIn() : question();
    case Phase.PAUSED:
      return paused();
    case Phase.REVEAL:
      return reveal();
    case Phase.LEADERBOARD:
      return leaderboard();
    case Phase.FINISHED:
      return finished();
    case Phase.CLOSED:
      saved.drop("player", code);
      return message1("Room closed", `The room closed: ${room.closedReason}.`, true);
  }
  return { el: h("p", {}, "Waiting…") };
}

function message1(title: string, text: string, again: boolean): View {
  return {
    el: h("section", { class: "card center" }, h("h1", {}, title), h("p", {}, text),
      again ? h("a", { class: "button primary", href: "/" }, "Join another game") : null),
  };
}

function you(): string {
  return room.you?.name ?? "";
}

function lobby(): View {
  const count = h("p", { class: "muted" });
  const update = () => (count.textContent = `${plural(room.playerCount, "player")} in the room`);
  update();
  const leave = h("button", { type: "button", class: "secondary" }, "Leave");
  leave.addEventListener("click", async () => {
    try {
      await api.leaveRoom({ roomCode: code }, auth(token));
    } catch {
      // Leaving a room that is gone leaves nothing behind.
    }
    saved.drop("player", code);
    showJoin();
  });
  announce(`You're in room ${code}. Waiting for the host to start.`);
  return {
    el: h("section", { class: "card center lobby" },
      h("p", { class: "room-code-small" }, "Room ", h("strong", {}, code)),
      h("h1", {}, `You're in, ${you()}!`),
      h("p", { class: "big-text" }, "Waiting for the host to start…"), count,
      h("p", { class: "muted" }, room.info?.deckTitle ?? ""), leave),
    update,
  };
}

/** questionHead is the question's number, points and text. */
function questionHead(): HTMLElement {
  const q = room.question!;
  return h("header", { class: "q-head" },
    h("p", { class: "q-meta" }, `Question ${q.index + 1} of ${q.count}`, q.points === 0 ? " · no points" : q.points === 2000 ? " · double points" : ""),
    h("h1", { class: "q-text", id: "q-text" }, q.text));
}

function question(): View {
  const q = room.question!;
  const cd = countdown(room, announce);
  const err = h("p", { class: "error", role: "alert" });
  const controls: (HTMLButtonElement | HTMLInputElement)[] = [];
  let body: HTMLElement;
  let sending = false;
  const send = async (answer: { choices?: number[]; text?: string }, text: string) => {
    sending = true;
    update();
    try {
      await api.submitAnswer({ roomCode: code, questionIndex: q.index, answer }, auth(token));
      savePicked(q.index, text);
      room.answered = true;
      render();
    } catch (e) {
      if (codeOf(e) === Code.AlreadyExists) {
        room.answered = true;
        render();
        return;
      }
      err.textContent = codeOf(e) === Code.FailedPrecondition ? `Not taken: ${message(e)}.` : `Your answer did not get through: ${message(e)}. Try again.`;
      sending = false;
      update();
    }
  };
  if (q.kind === QuestionKind.TYPED_ANSWER) {
    const input = h("input", { id: "typed", maxlength: 60, autocomplete: "off", autocapitalize: "off", spellcheck: "false", "aria-labelledby": "q-text" });
    const go = h("button", { type: "submit", class: "primary big" }, "Send");
    controls.push(input, go);
    body = h("form", { class: "typed" }, input, go);
    body.addEventListener("submit", (e) => {
      e.preventDefault();
      const t = input.value.trim();
      if (t) void send({ text: t }, `“${t}”`);
    });
  } else if (q.kind === QuestionKind.MULTIPLE_SELECT) {
    const boxes = q.options.map((o, i) => {
      const b = h("button", { type: "button", class: `option ${optionMarks[i % 6].cls}`, "aria-pressed": "false" }, mark(i), h("span", { class: "opt-text" }, o), h("span", { class: "check", "aria-hidden": "true" }));
      b.addEventListener("click", () => b.setAttribute("aria-pressed", String(b.getAttribute("aria-pressed") !== "true")));
      return b;
    });
    const go = h("button", { type: "button", class: "primary big" }, "Send");
    go.addEventListener("click", () => {
      const choices = boxes.flatMap((b, i) => (b.getAttribute("aria-pressed") === "true" ? [i] : []));
      if (!choices.length) {
        err.textContent = "Pick at least one option.";
        return;
      }
      void send({ choices }, choices.map((i) => q.options[i]).join(", "));
    });
    controls.push(...boxes, go);
    body = h("div", {}, h("div", { class: "options", role: "group", "aria-labelledby": "q-text" }, ...boxes), go);
  } else {
    const buttons = q.options.map((o, i) => {
      const b = h("button", { type: "button", class: `option ${optionMarks[i % 6].cls}` }, mark(i), h("span", { class: "opt-text" }, o));
      b.addEventListener("click", () => void send({ choices: [i] }, o));
      return b;
    });
    controls.push(...buttons);
    body = h("div", { class: "options", role: "group", "aria-labelledby": "q-text" }, ...buttons);
  }
  function update(): void {
    cd.tick();
    const closed = sending || !room.open(Date.now());
    for (const c of controls) c.disabled = closed;
  }
  announce(`Question ${q.index + 1}: ${q.text}`);
  update();
  const timer = setInterval(() => (main.contains(cd.el) ? update() : clearInterval(timer)), 250);
  return { el: h("section", { class: "question" }, questionHead(), cd.el, h("p", { class: "hint" }, kindHint(q.kind)), body, err), update };
}

function lockedIn(): View {
  const q = room.question!;
  const cd = countdown(room, () => {});
  const progress = h("p", { class: "muted" });
  const update = () => {
    cd.tick();
    const p = room.progress;
    progress.textContent = p ? `${p.answered} of ${plural(p.players, "player")} answered` : "";
  };
  update();
  const timer = setInterval(() => (main.contains(cd.el) ? cd.tick() : clearInterval(timer)), 250);
  announce("Answer locked in.");
  return {
    el: h("section", { class: "card center locked" },
      h("p", { class: "q-meta" }, `Question ${q.index + 1} of ${q.count}`),
      h("h1", {}, h("span", { "aria-hidden": "true" }, "✓ "), "Answer locked in"),
      picked.index === q.index ? h("p", { class: "big-text" }, "You answered: ", h("strong", {}, picked.text)) : null,
      h("p", { class: "muted" }, "Wait for the reveal…"), cd.el, progress),
    update,
  };
}

function paused(): View {
  const cd = room.pausedPhase === Phase.QUESTION ? countdown(room, () => {}) : null;
  announce("The host paused the game.");
  return {
    el: h("section", { class: "card center" }, h("h1", {}, "Paused"),
      h("p", {}, "The host paused the game. The clock is stopped."), cd?.el),
  };
}

/** standingLine is where the player stands: rank of how many, score, and the gap to the next place. */
function standingLine(): HTMLElement | null {
  const st = room.personal?.standing;
  if (!st) return null;
  const of = room.leaderboard?.playerCount || room.finished?.playerCount || room.playerCount;
  const gap = room.personal!.gapToNext;
  return h("div", { class: "standing" },
    h("p", { class: "rank-line" }, `You're ${ordinal(st.rank)}`, of ? ` of ${of}` : "", ` · ${st.score.toLocaleString("en")} points`),
    st.rank > 1 ? h("p", { class: "gap" }, `${gap === 1 ? "1 point" : `${gap.toLocaleString("en")} points`} behind ${ordinal(st.rank - 1)} place`) : h("p", { class: "gap" }, "Nobody is ahead of you"),
    st.streak > 1 ? h("p", { class: "streak" }, `Streak: ${st.streak} right in a row`) : null);
}

function reveal(): View {
  const q = room.question;
  const rv = room.reveal!;
  const res = room.personal?.result;
  const poll = q?.kind === QuestionKind.POLL;
  let verdict: [string, string, string];
  if (poll) verdict = ["poll", "✓", res?.answered ? "Thanks for voting" : "No vote"];
  else if (!res?.answered) verdict = ["none", "–", "No answer"];
  else if (res.correct) verdict = ["right", "✓", "Correct!"];
  else if (res.points > 0) verdict = ["partial", "◐", "Partly right"];
  else verdict = ["wrong", "✗", "Wrong"];
  const correct = q && q.kind !== QuestionKind.TYPED_ANSWER
    ? rv.correctChoices.map((i) => h("li", { class: `answer ${optionMarks[i % 6].cls}` }, mark(i), h("span", {}, q.options[i] ?? "")))
    : rv.acceptedAnswers.map((a) => h("li", { class: "answer accepted" }, a));
  const pointsLine = res && !poll
    ? h("p", { class: "points" }, `${signed(res.points)} points`, res.streakBonus > 0 ? ` (including a ${res.streakBonus} streak bonus)` : "")
    : null;
  announce(`${verdict[2]}. ${res && !poll ? `${signed(res.points)} points.` : ""} ${room.personal?.standing ? `You're ${ordinal(room.personal.standing.rank)}.` : ""}`);
  return {
    el: h("section", { class: `reveal verdict-${verdict[0]}` },
      h("div", { class: "verdict" }, h("span", { class: "verdict-icon", "aria-hidden": "true" }, verdict[1]), h("h1", {}, verdict[2])),
      pointsLine, standingLine(),
      q && picked.index === q.index && !poll ? h("p", {}, "You answered: ", h("strong", {}, picked.text)) : null,
      !poll && correct.length ? h("div", { class: "card" }, h("h2", {}, correct.length > 1 ? "The answers" : "The answer"), h("ul", { class: "answers" }, ...correct)) : null,
      rv.explanation ? h("div", { class: "card" }, h("h2", {}, "Why"), h("p", {}, rv.explanation), rv.section ? h("p", { class: "muted" }, `From the notes: ${rv.section}`) : null) : null),
  };
}

function leaderboard(): View {
  const lb = room.leaderboard!;
  return {
    el: h("section", { class: "leaderboard" }, h("h1", {}, "Leaderboard"), standingLine(),
      standingsList(lb.top, room.you?.playerId)),
  };
}

/**
 * toStudy lists what the player should study next: every scored question
 * they did not answer fully correctly, with the answer, theirs, why, and
 * the passage of the notes it comes from.
 */
function toStudy(missed: MissedQuestion[]): HTMLElement | null {
  if (missed.length === 0) return null;
  const answerOf = (q: MissedQuestion, choices: number[]) => choices.map((i) => q.options[i] ?? "").join(" / ");
  return h("section", { class: "study", "aria-labelledby": "study-title" },
    h("h2", { id: "study-title" }, `To study next: ${plural(missed.length, "question")} you missed`),
    h("ol", { class: "study-list" }, ...missed.map((q) => {
      const right = q.kind === QuestionKind.TYPED_ANSWER ? q.acceptedAnswers.join(" / ") : answerOf(q, q.correctChoices);
      const yours = !q.yourAnswer ? "no answer" : q.yourAnswer.text || answerOf(q, q.yourAnswer.choices);
      const facts = q.passage.split("\n").map((l) => l.replace(/^- /, "").trim()).filter((l) => l !== "");
      return h("li", { class: "card study-item" },
        h("p", { class: "study-q" }, h("span", { class: "muted" }, `Question ${q.index + 1}. `), q.text),
        h("p", {}, "Answer: ", h("strong", {}, right), h("span", { class: "muted" }, ` · yours: ${yours}`)),
        q.explanation ? h("p", {}, q.explanation) : null,
        facts.length ? h("details", {},
          h("summary", {}, q.section ? `From the notes: ${q.section}` : "From the notes"),
          h("ul", { class: "passage" }, ...facts.map((f) => h("li", {}, f)))) : null);
    })));
}

function finished(): View {
  const f = room.finished!;
  const st = room.personal?.standing;
  announce(st ? `Game over. You finished ${ordinal(st.rank)} of ${f.playerCount}.` : "Game over.");
  return {
    el: h("section", { class: "finished" },
      h("h1", {}, "Game over"),
      st ? h("div", { class: "card center final" },
        h("p", { class: "final-place" }, `You finished ${ordinal(st.rank)}`), h("p", {}, `of ${plural(f.playerCount, "player")}`),
        h("p", { class: "big-text" }, `${st.score.toLocaleString("en")} points · ${st.correctCount} of ${f.questionsPlayed} right`)) : null,
      podium(f.podium),
      h("h2", {}, "Final standings"), standingsList(f.standings, room.you?.playerId),
      toStudy(room.personal?.missed ?? []),
      h("a", { class: "button primary", href: "/" }, "Join another game")),
  };
}
