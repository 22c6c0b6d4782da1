// The quiz.v1 client every page uses: one Connect transport to the server
// that served the page (binary protobuf, fetch streams), the bearer token
// as a header, the watch loop that applies a room's events and resumes
// with after_seq, and errors turned into sentences for people, a room that
// is gone included.

import { Code, ConnectError, createClient, type CallOptions, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { QuizService, type Event } from "./gen/quiz/v1/quiz_pb.js";
import { ms, type Room } from "./state.js";

/** api is the QuizService client on the page's own origin. */
export const api: Client<typeof QuizService> = createClient(
  QuizService,
  createConnectTransport({ baseUrl: location.origin, useBinaryFormat: true }),
);

/** auth is the call options that send token, with an optional abort signal. */
export function auth(token: string, signal?: AbortSignal): CallOptions {
  return { headers: token ? { authorization: `Bearer ${token}` } : {}, signal };
}

/** codeOf is an error's status code, or Unknown for errors that are not ConnectErrors. */
export function codeOf(err: unknown): Code {
  return err instanceof ConnectError ? err.code : Code.Unknown;
}

/** message is what went wrong, for people: the server's message, or what a network failure means. */
export function message(err: unknown): string {
  if (err instanceof ConnectError) {
    if (err.code === Code.Unavailable || err.code === Code.Unknown) {
      return "cannot reach the server: check the network and try again";
    }
    return err.rawMessage;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * violations lists the descriptions of an InvalidArgument's
 * google.rpc.BadRequest field violations, such as deck lint errors with
 * their line numbers ("deck.md:12: no correct option"). The message is
 * decoded by hand: two string fields need no generated schema.
 */
export function violations(err: unknown): string[] {
  if (!(err instanceof ConnectError)) return [];
  const out: string[] = [];
  for (const d of err.details) {
    if (!("type" in d) || d.type !== "google.rpc.BadRequest") continue;
    const r = new BinaryReader(d.value);
    while (r.pos < r.len) {
      const [field, wire] = r.tag();
      if (field !== 1) {
        r.skip(wire);
        continue;
      }
      const v = new BinaryReader(r.bytes());
      while (v.pos < v.len) {
        const [f, w] = v.tag();
        if (f === 2) out.push(v.string());
        else v.skip(w);
      }
    }
  }
  return out;
}

/** ErrorInfo is a google.rpc.ErrorInfo detail: why an error happened, in machine terms. */
export interface ErrorInfo {
  reason: string;
  domain: string;
  metadata: Record<string, string>;
}

/**
 * errorInfo is an error's google.rpc.ErrorInfo detail, if it has one (a
 * NotFound for a room carries ROOM_NOT_FOUND with the server's "store" and
 * "server_started"). Decoded by hand, as violations does: strings and a
 * string map need no generated schema.
 */
export function errorInfo(err: unknown): ErrorInfo | undefined {
  if (!(err instanceof ConnectError)) return undefined;
  for (const d of err.details) {
    if (!("type" in d) || d.type !== "google.rpc.ErrorInfo") continue;
    const info: ErrorInfo = { reason: "", domain: "", metadata: {} };
    const r = new BinaryReader(d.value);
    while (r.pos < r.len) {
      const [field, wire] = r.tag();
      if (field === 1) info.reason = r.string();
      else if (field === 2) info.domain = r.string();
      else if (field === 3) {
        const e = new BinaryReader(r.bytes());
        let key = "";
        let value = "";
        while (e.pos < e.len) {
          const [f, w] = e.tag();
          if (f === 1) key = e.string();
          else if (f === 2) value = e.string();
          else e.skip(w);
        }
        info.metadata[key] = value;
      } else r.skip(wire);
    }
    return info;
  }
  return undefined;
}

/**
 * restarted reports whether err says the room is not found on a server
 * that keeps rooms in memory and started after seen (ms since the epoch):
 * a restart lost the room.
 */
function restarted(err: unknown, seen: number): boolean {
  const info = errorInfo(err);
  if (codeOf(err) !== Code.NotFound || info?.reason !== "ROOM_NOT_FOUND" || info.metadata.store !== "memory") return false;
  const started = Date.parse(info.metadata.server_started ?? "");
  return !Number.isNaN(started) && started > seen;
}

/** Who is whose page follows a room: a player's, the host's, or the projector's (no token). */
export type Who = "player" | "host" | "screen";

/** Ending is why a room can no longer be followed. */
export interface Ending {
  /**
   * why says it for people, in the CLI's words (conn.Gone): the server
   * restarted and lost the room, it ended or expired, there is no such
   * room, its history was lost, or the page's token no longer opens it.
   */
  why: string;
  /** gone is true when the room is no more (NotFound): its code leads nowhere. */
  gone: boolean;
  /** seen is true when this page had seen the room: a code that was never seen may be mistyped. */
  seen: boolean;
}

/**
 * ending says why room code, last seen at seen (server time, ms since the
 * epoch; 0: never), cannot be followed after err, as the CLI's conn.Gone
 * does. A server answers a client that resumes a room it does not have
 * with DATA_LOSS; then GetRoom tells whether the room is there at all.
 */
async function ending(who: Who, code: string, err: unknown, seen: number): Promise<Ending> {
  if (codeOf(err) === Code.DataLoss) {
    const there = await api.getRoom({ roomCode: code }).then(() => undefined, (e: unknown) => e);
    if (codeOf(there) !== Code.NotFound) {
      return { why: `The server lost the history of room ${code} (its store lost data), so the game cannot go on.`, gone: false, seen: seen > 0 };
    }
    err = there;
  }
  if (codeOf(err) === Code.NotFound) {
    const why = !seen ? `There is no room ${code}.`
      : restarted(err, seen) ? `The server restarted and room ${code} is gone; rooms survive restarts when the server runs with Redis.`
      : `Room ${code} is gone: it ended or expired.`;
    return { why, gone: true, seen: seen > 0 };
  }
  const why = who === "player" ? `Your place in room ${code} is gone.`
    : who === "host" ? `This browser's host key does not open room ${code}.`
    : `There is no room ${code}.`;
  return { why, gone: false, seen: seen > 0 };
}

/** Status is how the watch loop stands: live, retrying after a failure, or over. */
export type Status = "live" | "retrying" | "over";

/** WatchHandlers hear what the watch loop does to the room it follows. */
export interface WatchHandlers {
  /** event is called with each event once the room applied it. */
  event(ev: Event): void;
  /** status is called when the stream goes live, fails and retries, or ends. */
  status(s: Status): void;
  /** ended is called, after status("over"), when the room can no longer be followed. */
  ended(e: Ending): void;
}

/** fatal are the codes that retrying cannot mend: the loop ends with them. */
const fatal = [Code.NotFound, Code.PermissionDenied, Code.Unauthenticated, Code.InvalidArgument, Code.DataLoss];

/**
 * watch follows room code as who, with token, and applies its events to
 * room, until signal aborts, the stream ends with OK (room closed, player
 * kicked) or with an error that retrying cannot mend (then ended says
 * why). After another failure it calls Watch again with after_seq set to
 * the last seq applied and the room's epoch, backing off from 0.2 s
 * doubling to 5 s, as proto/README.md asks; the server then sends exactly
 * the missed events, or a snapshot. A phone that changes networks or wakes
 * up may hold a stream that no longer leads anywhere without an error to
 * show for it, so going back online or becoming visible again resumes at
 * once on a new stream.
 */
export async function watch(who: Who, code: string, token: string, signal: AbortSignal, room: Room, h: WatchHandlers): Promise<void> {
  let backoff = 200;
  /** seen is when the room was last seen (server time, ms): a server started later lost it. */
  let seen = 0;
  let attempt = new AbortController();
  const restart = () => attempt.abort();
  const offline = () => h.status("retrying");
  const visible = () => document.visibilityState === "visible" && restart();
  window.addEventListener("online", restart);
  window.addEventListener("offline", offline);
  document.addEventListener("visibilitychange", visible);
  try {
    while (!signal.aborted) {
      attempt = new AbortController();
      const both = AbortSignal.any([signal, attempt.signal]);
      try {
        let live = false;
        const up = () => {
          if (!live && !both.aborted) {
            live = true;
            backoff = 200;
            h.status("live");
          }
        };
        const after = room.seq;
        // A resume that missed nothing gets no event until the room moves
        // (the stream's headers come with its first message), so a call
        // beside it tells that the server is reachable again.
        if (after > 0n) api.getRoom({ roomCode: code }, { signal: both }).then(up, () => {});
        const epoch = after > 0n ? room.info?.epoch ?? 0n : 0n;
        for await (const res of api.watch({ roomCode: code, afterSeq: after, epoch }, auth(token, both))) {
          up();
          if (!res.event) continue;
          const received = Date.now();
          room.apply(res.event, res.personal, received);
          seen = ms(res.event.serverTime) || received;
          h.event(res.event);
        }
        h.status("over");
        return;
      } catch (err) {
        if (signal.aborted) return;
        if (attempt.signal.aborted) continue; // online or visible again: resume now
        if (fatal.includes(codeOf(err))) {
          h.status("over");
          const e = await ending(who, code, err, seen);
          if (!signal.aborted) h.ended(e);
          return;
        }
        h.status("retrying");
        await sleep(backoff, both);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  } finally {
    window.removeEventListener("online", restart);
    window.removeEventListener("offline", offline);
    document.removeEventListener("visibilitychange", visible);
  }
}

/** sleep waits ms, or less when signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

/**
 * Saved keeps tokens in the browser (localStorage), per room and role, so
 * that a reload or a phone that slept resumes the same player or host.
 */
export const saved = {
  get(role: "player" | "host", code: string): string {
    try {
      return localStorage.getItem(`quizroom.${role}.${code}`) ?? "";
    } catch {
      return "";
    }
  },
  set(role: "player" | "host", code: string, token: string): void {
    try {
      localStorage.setItem(`quizroom.${role}.${code}`, token);
    } catch {
      // Private modes may refuse storage: the game still works until a reload.
    }
  },
  drop(role: "player" | "host", code: string): void {
    try {
      localStorage.removeItem(`quizroom.${role}.${code}`);
    } catch {
      // Nothing kept, nothing to drop.
    }
  },
};

/** normalizeCode is a room code as typed, upper-cased without spaces. */
export function normalizeCode(s: string): string {
  return s.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

/** shareURL is the address players open: the server's share address, or this page's origin. */
export async function shareURL(): Promise<string> {
  try {
    const r = await fetch("/config.json", { cache: "no-store" });
    const c = (await r.json()) as { shareUrl?: string };
    if (c.shareUrl) return c.shareUrl;
  } catch {
    // Fall back to the page's own origin.
  }
  return location.origin + "/";
}
