// The room as one watcher of its event stream sees it. Each event is
// applied in seq order, a snapshot replaces everything known, and a clock
// estimated from the events' server times turns deadlines into countdowns.
// This is client/state (Go) for the browser, rule for rule; the pages only
// render a Room, they hold no game logic.

import type {
  AnswerProgress,
  Event,
  GameFinished,
  HostPresence,
  Leaderboard,
  Personal,
  Player,
  QuestionOpened,
  QuestionRevealed,
  RoomInfo,
  RoomSnapshot,
} from "./gen/quiz/v1/quiz_pb.js";
import { PacingMode, Phase, Role } from "./gen/quiz/v1/quiz_pb.js";
import type { Duration, Timestamp } from "@bufbuild/protobuf/wkt";

/** ms is a timestamp in milliseconds since the epoch. */
export function ms(t: Timestamp | undefined): number {
  return t ? Number(t.seconds) * 1000 + t.nanos / 1e6 : 0;
}

/** durationMs is a duration in milliseconds. */
export function durationMs(d: Duration | undefined): number {
  return d ? Number(d.seconds) * 1000 + d.nanos / 1e6 : 0;
}

/** clockWindow is how many recent observations the clock keeps. */
const clockWindow = 16;

/**
 * Clock estimates the server's clock from events: each event's server time
 * against when it arrived. Network delay only makes an event look late, so
 * the smallest lag seen lately is the best estimate of how far the local
 * clock is ahead of the server's. A new Clock assumes both agree.
 */
export class Clock {
  private lags: number[] = [];

  /** observe records an event made at server time server, received at local. */
  observe(server: number, local: number): void {
    this.lags.push(local - server);
    if (this.lags.length > clockWindow) this.lags.shift();
  }

  /** offset is the estimated local clock minus the server clock, in ms. */
  offset(): number {
    return this.lags.length ? Math.min(...this.lags) : 0;
  }

  /** serverNow is the server's time at local time local. */
  serverNow(local: number): number {
    return local - this.offset();
  }
}

/** Room is a room as its watcher knows it; apply events to it. */
export class Room {
  /** seq is the seq of the last event applied (0: none yet). */
  seq = 0n;
  /** info describes the room, from the last snapshot. */
  info: RoomInfo | undefined;
  role: Role = Role.UNSPECIFIED;
  /** you is the watching player; undefined for the host and spectators. */
  you: Player | undefined;
  phase: Phase = Phase.UNSPECIFIED;
  /** pausedPhase is the phase a pause froze, pausedRemaining the ms left in it. */
  pausedPhase: Phase = Phase.UNSPECIFIED;
  pausedRemaining = 0;
  /** players is the roster known, in join order; playerCount the room's total. */
  players: Player[] = [];
  playerCount = 0;
  locked = false;
  /** question is the open question, or the last one shown. */
  question: QuestionOpened | undefined;
  /** answered is true when the watching player's answer to question was accepted. */
  answered = false;
  progress: AnswerProgress | undefined;
  reveal: QuestionRevealed | undefined;
  leaderboard: Leaderboard | undefined;
  finished: GameFinished | undefined;
  /**
   * personal is the watching player's own part of the latest reveal,
   * leaderboard, final results or snapshot; undefined for the host and
   * spectators, and while a question is open.
   */
  personal: Personal | undefined;
  kicked = false;
  closedReason = "";
  /**
   * host is the host's presence as last told (the snapshot's host, then
   * hostPresence events); undefined while the host is here. hostAway reads it.
   */
  host: HostPresence | undefined;
  clock = new Clock();

  /** apply updates the room with ev and the watcher's own part of it, received at local time received (ms). */
  apply(ev: Event, personal: Personal | undefined, received: number): void {
    if (ev.serverTime) this.clock.observe(ms(ev.serverTime), received);
    this.seq = ev.seq;
    const p = ev.payload;
    switch (p.case) {
      case "snapshot":
        this.applySnapshot(p.value);
        this.personal = personal;
        break;
      case "rosterChanged":
        for (const pl of p.value.left) this.removePlayer(pl.playerId);
        for (const pl of p.value.joined) {
          if (!this.players.some((x) => x.playerId === pl.playerId)) this.players.push(pl);
        }
        this.playerCount = p.value.playerCount;
        break;
      case "roomLocked":
        this.locked = p.value.locked;
        break;
      case "gameStarted":
        this.playerCount = p.value.playerCount;
        if (this.info) this.info.questionCount = p.value.questionCount;
        break;
      case "questionOpened":
        this.phase = Phase.QUESTION;
        this.question = p.value;
        this.answered = false;
        this.reveal = undefined;
        this.personal = undefined;
        this.progress = { index: p.value.index, answered: 0, players: this.playerCount } as AnswerProgress;
        break;
      case "answerProgress":
        this.progress = p.value;
        break;
      case "questionRevealed":
        this.phase = Phase.REVEAL;
        this.reveal = p.value;
        this.personal = personal;
        if (personal?.result) this.answered = personal.result.answered;
        break;
      case "leaderboard":
        this.phase = Phase.LEADERBOARD;
        this.leaderboard = p.value;
        this.personal = personal;
        break;
      case "gamePaused":
        this.pausedPhase = p.value.pausedPhase !== Phase.UNSPECIFIED ? p.value.pausedPhase : this.phase;
        this.phase = Phase.PAUSED;
        this.pausedRemaining = durationMs(p.value.remaining);
        break;
      case "gameResumed": {
        const gr = p.value;
        this.phase = gr.phase;
        this.pausedPhase = Phase.UNSPECIFIED;
        this.pausedRemaining = 0;
        if (gr.phase === Phase.QUESTION && this.question) {
          // A copy, so that events already handed out never change.
          this.question = {
            ...this.question,
            opensAt: gr.opensAt ?? this.question.opensAt,
            deadline: gr.deadline ?? this.question.deadline,
          };
        }
        break;
      }
      case "gameFinished":
        this.phase = Phase.FINISHED;
        this.finished = p.value;
        this.personal = personal;
        break;
      case "playerKicked": {
        const id = p.value.player?.playerId ?? "";
        this.removePlayer(id);
        this.playerCount = p.value.playerCount;
        if (this.you && id === this.you.playerId) this.kicked = true;
        break;
      }
      case "roomClosed":
        this.phase = Phase.CLOSED;
        this.closedReason = p.value.reason;
        break;
      case "hostPresence":
        this.setHost(p.value);
        break;
    }
  }

  /** setHost records the host's presence: undefined when the host is here and the game keeps its own pacing. */
  private setHost(h: HostPresence | undefined): void {
    this.host = h && (h.away || h.autoPacing) ? h : undefined;
  }

  /**
   * hostAway says whether the host is away while the game needs them, and
   * what happens: auto when the game already goes on by itself; otherwise
   * inMs is the time until it does at local time now (0 when it never will
   * by itself: in the lobby nothing starts without the host). away is false
   * while the host is here, once the game is over, and in a room paced by
   * timers anyway.
   */
  hostAway(now: number): { away: boolean; inMs: number; auto: boolean } {
    const h = this.host;
    if (!h?.away || this.over) return { away: false, inMs: 0, auto: false };
    if (h.autoPacing) {
      if (!h.autoAt && this.info?.settings?.pacing === PacingMode.AUTO) return { away: false, inMs: 0, auto: false };
      return { away: true, inMs: 0, auto: true };
    }
    if (!h.autoAt) return { away: true, inMs: 0, auto: false };
    return { away: true, inMs: Math.max(ms(h.autoAt) - this.clock.serverNow(now), 0), auto: false };
  }

  /**
   * hostNotice is what players and spectators are told while the host is
   * away: "The host is away — the game goes on by itself in 42 s", "The
   * host is away; the game goes on by itself", or, in the lobby, that the
   * game starts when the host is back. Empty while the host is not missed.
   */
  hostNotice(now: number): string {
    const { away, inMs, auto } = this.hostAway(now);
    if (!away) return "";
    if (auto) return "The host is away; the game goes on by itself";
    if (this.host?.autoAt && inMs > 0) return `The host is away — the game goes on by itself in ${Math.ceil(inMs / 1000)} s`;
    if (this.host?.autoAt) return "The host is away; the game goes on by itself";
    if (this.phase === Phase.LOBBY) return "The host is away; the game starts when they are back";
    return "The host is away";
  }

  /** applySnapshot replaces what the room knew, but its clock. */
  private applySnapshot(s: RoomSnapshot): void {
    this.info = s.room;
    this.role = s.role;
    this.you = s.you;
    this.phase = s.phase;
    this.pausedPhase = s.pausedPhase;
    this.pausedRemaining = durationMs(s.pausedRemaining);
    this.playerCount = s.room?.playerCount ?? 0;
    this.locked = s.room?.locked ?? false;
    this.question = s.question;
    this.answered = s.answered;
    this.progress = s.progress;
    this.reveal = s.reveal;
    this.leaderboard = s.leaderboard;
    this.finished = s.finished;
    this.personal = undefined;
    this.kicked = false;
    this.closedReason = s.phase === Phase.CLOSED ? "the room is closed" : "";
    this.setHost(s.host);
    // The snapshot lists the most recent players first.
    this.players = [...s.players].reverse();
  }

  private removePlayer(id: string): void {
    this.players = this.players.filter((p) => p.playerId !== id);
  }

  /** code is the room's code, once a snapshot named it. */
  get code(): string {
    return this.info?.code ?? "";
  }

  /** over reports whether the game can go no further: finished, closed, or the watching player kicked. */
  get over(): boolean {
    return this.phase === Phase.FINISHED || this.phase === Phase.CLOSED || this.kicked;
  }

  /** open reports whether the watching player may answer question at local time now. */
  open(now: number): boolean {
    if (this.phase !== Phase.QUESTION || !this.question || this.answered) return false;
    return this.opensIn(now) <= 0 && this.remaining(now) > 0;
  }

  /** opensIn is the ms until question's options open (read time); 0 or less once open. */
  opensIn(now: number): number {
    if (!this.question?.opensAt) return 0;
    return ms(this.question.opensAt) - this.clock.serverNow(now);
  }

  /**
   * remaining is the ms left to answer question at local time now: the
   * frozen remainder while paused, 0 once the deadline passed or outside
   * the question phase.
   */
  remaining(now: number): number {
    if (this.phase === Phase.PAUSED && this.pausedPhase === Phase.QUESTION) return this.pausedRemaining;
    if (this.phase !== Phase.QUESTION || !this.question?.deadline) return 0;
    return Math.max(ms(this.question.deadline) - this.clock.serverNow(now), 0);
  }

  /** fraction is the share of question's time limit left at local time now, from 1 to 0. */
  fraction(now: number): number {
    const limit = durationMs(this.question?.timeLimit);
    if (limit <= 0) return 0;
    return Math.min(this.remaining(now) / limit, 1);
  }
}
