/**
 * What one IRC connection sent the server and still waits to hear about, by
 * ref: requests whose answer says what to show, messages before their ack
 * or echo, and the server's pings to answer. Bounded. Pure: no I/O.
 */
import type { ClientFrame } from '../../net/protocol/frames.ts';

/** Requests answered by ref: LIST, WHOIS, an operator's act, history. */
export type AskKind = 'list' | 'whois' | 'moderate' | 'history';

/** A request waiting for its answer: what to do with it. */
export interface Asked {
  kind: AskKind;
  /** What the request was about (a user, a room): the refusal names it. */
  target: string;
}

/** A request to make: what it is, and its frame once given the ref its answer comes back with. */
export interface ChatRequest extends Asked {
  frame: (ref: string) => ClientFrame;
}

/** What a client's command comes to: lines to answer at once, and requests to make. */
export interface Asking {
  lines: string[];
  requests: ChatRequest[];
}

/** A message sent, waiting for its ack. */
export interface Pending {
  target: string;
  text: string;
  action: boolean;
}

/** Requests remembered while their answer may still come. */
const MAX_ASKED = 256;
/** Ids of the connection's own messages remembered, to tell their echo (count). */
const SENT_IDS = 1_000;

/** The refs and ids of one connection's requests, messages and pings in flight. */
export class InFlight {
  private readonly asked = new Map<string, Asked>();
  private readonly pending = new Map<string, Pending>();
  /** Ids of messages this connection sent, whose echo is its own to show or not. */
  private readonly sentIds = new Set<number>();
  private readonly pingRefs = new Set<string>();

  /** A request went with `ref`. */
  ask(ref: string, asked: Asked): void {
    // An act that was done is answered to the room, not to the ref: the oldest are let go.
    if (this.asked.size >= MAX_ASKED) this.asked.delete(this.asked.keys().next().value ?? '');
    this.asked.set(ref, asked);
  }

  /** The request `ref` was answered or refused: what it was, if still remembered. */
  answered(ref: string): Asked | undefined {
    const asked = this.asked.get(ref);
    this.asked.delete(ref);
    return asked;
  }

  /** A message went with `ref`. */
  sending(ref: string, message: Pending): void {
    this.pending.set(ref, message);
  }

  /** The message `ref` was kept as `id`: what it was, if it was this connection's. */
  acked(ref: string, id: number): Pending | undefined {
    const sent = this.pending.get(ref);
    if (sent === undefined) return undefined;
    this.pending.delete(ref);
    this.sent(id);
    return sent;
  }

  /** The message `ref` was refused: what it was, if it was this connection's. */
  refused(ref: string): Pending | undefined {
    const sent = this.pending.get(ref);
    this.pending.delete(ref);
    return sent;
  }

  /** The message `id` is this connection's and was shown already (acked or echoed). */
  seen(id: number): boolean {
    return this.sentIds.has(id);
  }

  /**
   * The user's message `id` came before its ack: it is this connection's
   * when one waits with the same target and text (true), and is then no
   * longer waited for.
   */
  claim(target: string, text: string, action: boolean, id: number): boolean {
    const mine = [...this.pending].find(
      ([, sent]) => sent.target === target && sent.text === text && sent.action === action,
    );
    if (mine === undefined) return false;
    this.pending.delete(mine[0]);
    this.sent(id);
    return true;
  }

  /** The server pinged with `ref`. */
  pinged(ref: string): void {
    this.pingRefs.add(ref);
  }

  /** The client answered a ping: true when it was the server's `ref`, now answered. */
  ponged(ref: string): boolean {
    return this.pingRefs.delete(ref);
  }

  private sent(id: number): void {
    if (this.sentIds.size >= SENT_IDS) this.sentIds.delete(this.sentIds.values().next().value ?? 0);
    this.sentIds.add(id);
  }
}
