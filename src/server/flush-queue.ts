/** Something with lines queued to write, in one write, when flushed. */
export interface Flushable {
  flush(): void;
}

/**
 * The connections with lines queued during this tick, each written once
 * in one callback for all of them at the end of the tick: a message to 500
 * members costs one scheduled callback, not 500.
 */
export class FlushQueue {
  private due: Flushable[] = [];
  private scheduled = false;

  /** `item` has lines queued: it is flushed at the end of this tick (add it once per tick). */
  add(item: Flushable): void {
    this.due.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const due = this.due;
    this.due = [];
    for (const item of due) item.flush();
  };
}
