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
 * feed. What is heard before the start, after the feed was lost, or while
 * the events before it are read, waits for them.
 */
export class EventCursor {
  private cursor: string | undefined;
  /** Heard while the events before it are not all done: done once the read ends. */
  private held: HeardEvent[] | undefined = [];
  private started = false;
  private reading: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly deps: EventCursorDeps) {}

  /** The newest event done here (undefined: none yet), for the kept state. */
  get position(): string | undefined {
    return this.cursor;
  }

  /** Heard on the feed: done now, or after the events before it that are not yet read. */
  heard(event: HeardEvent): void {
    if (this.held) this.held.push(event);
    else this.take(event);
  }

  /**
   * Reads and does what was recorded after `from` (the kept state's
   * position); resolves once it has (a failed read is tried again until it
   * succeeds or the cursor stops).
   */
  start(from: string | undefined): Promise<void> {
    this.cursor = from;
    this.started = true;
    return this.catchUp();
  }

  /** The feed was lost: what it brings from now on waits for the catch-up that follows. */
  hold(): void {
    this.held ??= [];
  }

  /** The feed is back: reads and does what was recorded meanwhile (nothing before the start). */
  catchUp(): Promise<void> {
    if (!this.started || this.stopped) return Promise.resolve();
    this.held ??= [];
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  /** Stops reading and trying again. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.wake?.();
  }

  private async read(): Promise<void> {
    let lostSaid = false;
    do {
      this.again = false;
      for (;;) {
        if (this.stopped) return;
        try {
          const { events, lost } = await this.deps.read(this.cursor, PAGE);
          if (lost && !lostSaid) {
            this.deps.onLost(this.cursor);
            lostSaid = true;
          }
          for (const event of events) this.take(event);
          if (events.length < PAGE) break;
        } catch (error) {
          this.deps.onError(error);
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            this.retry = setTimeout(resolve, this.deps.retryMs);
          });
        }
      }
    } while (this.again);
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
