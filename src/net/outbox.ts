import type { ClientFrame, Limits } from './protocol/frames.ts';
import { TokenBucket } from './token-bucket.ts';

/** A message frame, kept in the outbox until the server acknowledges or refuses it. */
export type SendFrame = Extract<ClientFrame, { type: 'send' | 'dm' }>;

/** A command frame, kept in the outbox only until it is written: it has no ack. */
export type CommandFrame = Extract<
  ClientFrame,
  { type: 'join' | 'part' | 'topic' | 'away' | 'back' }
>;

type Entry =
  | {
      kind: 'send';
      frame: SendFrame;
      /** Written on the current connection (a reconnect or a rate_limited answer clears it). */
      sent: boolean;
    }
  | { kind: 'command'; frame: CommandFrame };

/** What one pass over the outbox gives: frames to write now, and when to pass again. */
export interface Drained {
  frames: ClientFrame[];
  /** In ms; undefined when nothing waits for a token. */
  retryInMs: number | undefined;
}

/**
 * Sends until acknowledged and commands until written, in the order asked
 * for, paced at the server's advertised rate (ws's `Sender` keeps its queue
 * the same way). Pure: it hands back the frames to write and never touches
 * a socket or a timer; the time comes in as a number (ms).
 */
export class Outbox {
  private readonly entries: Entry[] = [];
  // Sends go out at the server's advertised rate, so a queue that built up
  // while offline (or a burst from a script) is paced, not rate_limited.
  private pacer: TokenBucket | undefined;
  private refillMs = 200;

  /** Paces by a new connection's limits; every send waiting goes out again (its ref makes that safe). */
  restart(limits: Pick<Limits, 'ratePerSecond' | 'rateBurst'>, now: number): void {
    const { ratePerSecond, rateBurst } = limits;
    // Leave room for the other frames (joins, history, pings) under the same limit.
    this.pacer = new TokenBucket(Math.max(1, Math.floor(rateBurst / 2)), ratePerSecond * 0.8, now);
    this.refillMs = Math.ceil(1000 / Math.max(0.01, ratePerSecond * 0.8));
    for (const entry of this.entries) if (entry.kind === 'send') entry.sent = false;
  }

  /** How long a token takes to come back, in ms. */
  get retryMs(): number {
    return this.refillMs;
  }

  /** Keeps a send until its ack. */
  pushSend(frame: SendFrame): void {
    this.entries.push({ kind: 'send', frame, sent: false });
  }

  /** Keeps a command until it is written. */
  pushCommand(frame: CommandFrame): void {
    this.entries.push({ kind: 'command', frame });
  }

  /** Puts a command ahead of everything else waiting. */
  unshiftCommand(frame: CommandFrame): void {
    this.entries.unshift({ kind: 'command', frame });
  }

  /** True when nothing waits to be written, so a new frame may go out at once. */
  get idle(): boolean {
    return !this.entries.some((e) => e.kind === 'command' || !e.sent);
  }

  /** Commands waiting to be written. */
  get commandsWaiting(): number {
    return this.entries.filter((e) => e.kind === 'command').length;
  }

  /** True when a frame of this type waits (or, for a send, waits for its ack). */
  holds(type: ClientFrame['type']): boolean {
    return this.entries.some((e) => e.frame.type === type);
  }

  /** True when a send with this ref waits for its ack. */
  hasSend(ref: string): boolean {
    return this.entries.some((e) => e.kind === 'send' && e.frame.ref === ref);
  }

  /**
   * Takes out the send with this ref, once answered (acked or refused); false
   * when there is none.
   */
  settle(ref: string): boolean {
    const index = this.entries.findIndex((e) => e.kind === 'send' && e.frame.ref === ref);
    if (index < 0) return false;
    this.entries.splice(index, 1);
    return true;
  }

  /** Marks a send the server dropped (rate_limited) to be written again. */
  resend(ref: string): void {
    for (const entry of this.entries) {
      if (entry.kind === 'send' && entry.frame.ref === ref) entry.sent = false;
    }
  }

  /**
   * Writes in order as far as the pacer allows: a written command leaves, a
   * written send stays until its ack. Commands are paced too: a full queue
   * written at once after a reconnect would be dropped as rate_limited, or
   * closed as a flood. Nothing is written before the first `restart`.
   */
  drain(now: number): Drained {
    const frames: ClientFrame[] = [];
    if (!this.pacer) return { frames, retryInMs: undefined };
    let index = 0;
    while (index < this.entries.length) {
      const next = this.entries[index] as Entry;
      if (next.kind === 'send' && next.sent) {
        index += 1;
        continue;
      }
      if (!this.pacer.take(now)) return { frames, retryInMs: this.refillMs };
      frames.push(next.frame);
      if (next.kind === 'send') {
        next.sent = true;
        index += 1;
      } else {
        this.entries.splice(index, 1);
      }
    }
    return { frames, retryInMs: undefined };
  }

  /**
   * Empties the outbox for good (close, or a failure with no reconnect) and
   * gives the refs of the sends that will now never be acknowledged.
   */
  clear(): string[] {
    const refs: string[] = [];
    for (const entry of this.entries.splice(0))
      if (entry.kind === 'send') refs.push(entry.frame.ref);
    return refs;
  }
}
