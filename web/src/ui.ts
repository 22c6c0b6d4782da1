// Small DOM helpers the pages share: an element builder, the options'
// colours and shapes, a countdown, announcements for screen readers, a QR
// code, and confirmation dialogs. No framework: the platform does it.

import qrcode from "qrcode-generator";
import type { Room } from "./state.js";
import { Phase, QuestionKind, type Standing } from "./gen/quiz/v1/quiz_pb.js";

type Child = Node | string | number | false | null | undefined;
type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

/** h makes an element: attributes (on* are listeners, booleans toggle) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

/** append adds children to el, skipping empty ones. */
export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "number" ? String(c) : c);
  }
}

/** Each option has a colour and a shape, so colour is never the only signal. */
export const optionMarks = [
  { shape: "▲", name: "triangle", cls: "opt-0" },
  { shape: "◆", name: "diamond", cls: "opt-1" },
  { shape: "●", name: "circle", cls: "opt-2" },
  { shape: "■", name: "square", cls: "opt-3" },
  { shape: "★", name: "star", cls: "opt-4" },
  { shape: "⬟", name: "pentagon", cls: "opt-5" },
];

/** mark is the shape of option i as an element hidden from screen readers (the option's text says it all). */
export function mark(i: number): HTMLElement {
  return h("span", { class: "shape", "aria-hidden": "true" }, optionMarks[i % optionMarks.length].shape);
}

/** kindHint says how to answer a question of kind k. */
export function kindHint(k: QuestionKind): string {
  switch (k) {
    case QuestionKind.MULTIPLE_SELECT:
      return "Pick every correct option, then send";
    case QuestionKind.TRUE_FALSE:
      return "True or false?";
    case QuestionKind.TYPED_ANSWER:
      return "Type your answer";
    case QuestionKind.POLL:
      return "Poll: no right answer, no points";
    default:
      return "Pick one";
  }
}

/** seconds formats ms as whole seconds, rounded up ("7"). */
export function seconds(ms: number): string {
  return String(Math.max(Math.ceil(ms / 1000), 0));
}

/** ordinal is 1st, 2nd, 3rd, 4th … 11th, 12th, 13th, 21st … */
export function ordinal(n: number): string {
  const t = n % 100;
  if (t >= 11 && t <= 13) return `${n}th`;
  return n + (["th", "st", "nd", "rd"][n % 10] ?? "th");
}

/** signed formats a change of score with its sign ("+850", "−150", "0"). */
export function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `−${-n}` : "0";
}

/** plural is "1 player", "2 players". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Countdown is a bar and a number for the open question's time, redrawn
 * every quarter second from the room's clock, with spoken announcements at
 * 10 and 5 seconds left (not every tick: that would drown a screen reader).
 */
export function countdown(room: Room, announce: (s: string) => void): { el: HTMLElement; tick(): void } {
  const num = h("span", { class: "count-num" });
  const bar = h("span", { class: "count-fill" });
  const el = h("div", { class: "countdown", role: "timer", "aria-label": "time left" },
    h("span", { class: "count-bar", "aria-hidden": "true" }, bar), num);
  let said = Infinity;
  const tick = () => {
    const now = Date.now();
    const opensIn = room.opensIn(now);
    if (room.phase === Phase.QUESTION && opensIn > 0) {
      num.textContent = `Get ready… ${seconds(opensIn)}`;
      bar.style.setProperty("--left", "1");
      return;
    }
    const left = room.remaining(now);
    num.textContent = room.phase === Phase.PAUSED ? `${seconds(left)} s · paused` : `${seconds(left)} s`;
    bar.style.setProperty("--left", String(room.fraction(now)));
    el.classList.toggle("urgent", left > 0 && left <= 5000);
    for (const at of [10000, 5000]) {
      if (left <= at && said > at && left > 0) announce(`${at / 1000} seconds left`);
    }
    said = left;
  };
  tick();
  return { el, tick };
}

/** qr draws text as a QR code in SVG, with a quiet zone and a label. */
export function qr(text: string, label: string): SVGSVGElement {
  const code = qrcode(0, "M");
  code.addData(text);
  code.make();
  const n = code.getModuleCount();
  const q = 4; // the quiet zone the standard asks for, in modules
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${n + 2 * q} ${n + 2 * q}`);
  svg.setAttribute("class", "qr");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("shape-rendering", "crispEdges");
  const bg = document.createElementNS(ns, "rect");
  bg.setAttribute("width", "100%");
  bg.setAttribute("height", "100%");
  bg.setAttribute("fill", "#fff");
  svg.append(bg);
  let d = "";
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) if (code.isDark(r, c)) d += `M${c + q} ${r + q}h1v1h-1z`;
  }
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "#000");
  svg.append(path);
  return svg;
}

/** joinLink is the player page's address for a room, which pre-fills the code. */
export function joinLink(share: string, code: string): string {
  return `${share.replace(/\/?$/, "/")}?room=${encodeURIComponent(code)}`;
}

/**
 * confirm asks a yes/no question in a modal <dialog> and resolves true when
 * the person confirms; the cancel button has the focus, so Enter is safe.
 */
export function confirm(question: string, detail: string, yes: string): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = h("button", { type: "button", class: "secondary", value: "no" }, "Cancel");
    const ok = h("button", { type: "button", class: "danger", value: "yes" }, yes);
    const dlg = h("dialog", { class: "confirm", "aria-labelledby": "confirm-title" },
      h("h2", { id: "confirm-title" }, question), h("p", {}, detail), h("div", { class: "actions" }, cancel, ok));
    const done = (v: boolean) => {
      dlg.close();
      dlg.remove();
      resolve(v);
    };
    cancel.addEventListener("click", () => done(false));
    ok.addEventListener("click", () => done(true));
    dlg.addEventListener("cancel", (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.append(dlg);
    dlg.showModal();
    cancel.focus();
  });
}

/** announcer returns a function that speaks a message through a polite live region. */
export function announcer(region: HTMLElement): (s: string) => void {
  return (s: string) => {
    region.textContent = "";
    // A fresh text node after clearing makes screen readers repeat equal messages.
    setTimeout(() => (region.textContent = s), 50);
  };
}

/** standingsList is an ordered list of standings: rank, name and score. */
export function standingsList(list: Standing[], you?: string): HTMLOListElement {
  return h("ol", { class: "standings" }, ...list.map((s) =>
    h("li", { class: s.player?.playerId === you ? "you" : undefined, "aria-current": s.player?.playerId === you ? "true" : undefined },
      h("span", { class: "rank" }, s.rank), h("span", { class: "name" }, s.player?.name ?? "", s.player?.playerId === you ? " (you)" : ""),
      h("span", { class: "score" }, s.score.toLocaleString("en"))),
  ));
}

/** podium shows the top three on steps, first in the middle. */
export function podium(top: Standing[]): HTMLElement {
  const order = [1, 0, 2].filter((i) => i < top.length);
  return h("ol", { class: "podium", "aria-label": "podium" }, ...order.map((i) => {
    const s = top[i];
    return h("li", { class: `step step-${i + 1}`, value: i + 1 },
      h("span", { class: "medal", "aria-hidden": "true" }, i + 1),
      h("span", { class: "name" }, s.player?.name ?? ""),
      h("span", { class: "score" }, `${s.score.toLocaleString("en")} points`),
      h("span", { class: "place" }, ordinal(i + 1)));
  }));
}

/**
 * distribution shows how the answers split, one bar per option with its
 * shape, count and, for the correct ones, a tick and the word "correct".
 */
export function distribution(options: string[], counts: number[], correct: number[]): HTMLElement {
  const most = Math.max(1, ...counts);
  return h("ul", { class: "distribution", "aria-label": "how the answers split" }, ...options.map((o, i) => {
    const n = counts[i] ?? 0;
    const ok = correct.includes(i);
    const fill = h("span", { class: `dist-fill ${optionMarks[i % 6].cls}` });
    fill.style.setProperty("--share", String(n / most));
    return h("li", { class: ok ? "dist correct" : "dist" },
      h("span", { class: "dist-label" }, mark(i), h("span", {}, o, ok ? h("span", { class: "tick" }, " ✓ correct") : null)),
      h("span", { class: "dist-bar", "aria-hidden": "true" }, fill),
      h("span", { class: "dist-count" }, plural(n, "answer")));
  }));
}

/**
 * hostBanner puts, under the page's header, the line that tells players
 * and spectators that the host is away and when the game goes on by itself
 * (Room.hostNotice); update() refreshes it, every second too, for its
 * countdown. A screen reader hears it when it appears or changes its
 * meaning, not each second.
 */
export function hostBanner(room: () => Room): { update(): void } {
  const el = h("p", { id: "host-away", class: "away", role: "status", hidden: true });
  const text = h("span", { "aria-hidden": "true" });
  const spoken = h("span", { class: "sr-only", "aria-live": "polite" });
  el.append(text, spoken);
  document.querySelector("header.top")?.after(el);
  const update = () => {
    const notice = room().hostNotice(Date.now());
    el.hidden = notice === "";
    text.textContent = notice;
    const said = notice.replace(/ in \d+ s$/, "");
    if (spoken.textContent !== said) spoken.textContent = said;
  };
  setInterval(update, 1000);
  return { update };
}
