import type { KeptState } from './kept-state.ts';

/** What a StateSaver writes, and where it says a write failed. */
export interface StateSaverDeps {
  /** The state as it is now, taken when a write begins. */
  snapshot: () => KeptState;
  write: (state: KeptState) => Promise<void>;
  onError: (error: unknown) => void;
  /** Least time between two writes, in ms. */
  intervalMs: number;
}

/**
 * Writes the server's kept state after it changes, coalesced: one write per
 * `intervalMs` at most, of the state as it is when the write begins, never
 * two at once; `flush` writes what is left at close. A failed write is told
 * and tried again an interval later (and at close).
 */
export class StateSaver {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly deps: StateSaverDeps) {}

  /** The state changed: it is written within `intervalMs`. */
  changed(): void {
    this.dirty = true;
    if (this.closed || this.timer !== undefined || this.writing !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, this.deps.intervalMs);
    // A pending save must not keep a process alive: close() flushes it.
    this.timer.unref();
  }

  /** At close: writes any change not yet written, after the write under way; no more after. */
  async flush(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    if (this.dirty) await this.write();
  }

  private write(): Promise<void> {
    this.dirty = false;
    this.writing = this.deps
      .write(this.deps.snapshot())
      .catch((error: unknown) => {
        this.dirty = true;
        this.deps.onError(error);
      })
      .finally(() => {
        this.writing = undefined;
        // Changes made during the write wait out the interval from its end.
        if (this.dirty && this.timer === undefined) this.changed();
      });
    return this.writing;
  }
}
