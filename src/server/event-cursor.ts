import { compareEventIds, type HeardEvent } from './history/history-store.ts';

/** What an EventCursor reads from and does. */
export interface EventCursorDeps {
  /** The events kept after `after` (the first kept, when undefined), oldest first, at most `count`. */
  read: (
    after: string | undefined,
    count: number,
  ) => Promise<{ events: HeardEvent[]; lost: boolean }>;
  /** Does an event another node recorded (its value as it opened). */
  apply: (value: unknown) => void;
  /** Events after `after` are no longer kept: this node goes on without them. */
  onLost: (after: string | undefined) => void;
  onError: (error: unknown) => void;
  /** How soon a failed read is tried again, in ms. */
  retryMs: number;
}

/** Events read per request while catching up. */
const PAGE = 1_000;

/**
 * Where a node stands in the cluster's events: each is done once, in the
 * cluster's order, whether heard live or read after a restart or a lost
 * feed. What is heard while the events before it are read waits for them.
 */
export class EventCursor {
  private cursor: string | undefined;
  /** Heard while catching up (or before the start): done once the reading ends. */
  private held: HeardEvent[] | undefined = [];
  private reading = false;
  private again = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly deps: EventCursorDeps) {}

  /** The newest event done here (undefined: none yet), for the kept state. */
  get position(): string | undefined {
    return this.cursor;
  }

  /** Heard on the feed: done now, or after the events before it that are being read. */
  heard(event: HeardEvent): void {
    if (this.held) this.held.push(event);
    else this.take(event);
  }

  /**
   * Reads and does what was recorded after `from` (at start: the kept
   * state's position) or after the newest done (after a lost feed).
   */
  catchUp(from: string | undefined = this.cursor): void {
    this.cursor = from;
    this.held ??= [];
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void this.read();
  }

  /** Stops reading and trying again. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private async read(): Promise<void> {
    let lostSaid = false;
    try {
      for (;;) {
        const { events, lost } = await this.deps.read(this.cursor, PAGE);
        if (lost && !lostSaid) {
          this.deps.onLost(this.cursor);
          lostSaid = true;
        }
        for (const event of events) this.take(event);
        if (events.length < PAGE) break;
      }
    } catch (error) {
      this.deps.onError(error);
      this.reading = false;
      if (this.stopped) return;
      this.retry = setTimeout(() => this.catchUp(), this.deps.retryMs);
      return;
    }
    this.reading = false;
    if (this.again) {
      this.again = false;
      this.catchUp();
      return;
    }
    const held = this.held ?? [];
    this.held = undefined;
    for (const event of held) this.take(event);
  }

  // Once each, in order: what is not past the newest done was done already.
  private take(event: HeardEvent): void {
    if (this.cursor !== undefined && compareEventIds(event.id, this.cursor) <= 0) return;
    this.cursor = event.id;
    if (!event.ours && event.value !== undefined) this.deps.apply(event.value);
  }
}
