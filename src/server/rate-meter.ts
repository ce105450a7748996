/**
 * Counts events per whole second over a sliding window: messages per second
 * now, and the series behind a throughput sparkline. Time is passed in (ms).
 */
export class RateMeter {
  private readonly counts: number[];
  private readonly seconds: number[];

  /** `windowSeconds`: how many seconds of history are kept. */
  constructor(private readonly windowSeconds = 60) {
    this.counts = new Array(windowSeconds).fill(0);
    this.seconds = new Array(windowSeconds).fill(-1);
  }

  record(now: number, count = 1): void {
    const second = Math.floor(now / 1000);
    const slot = second % this.windowSeconds;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot] = (this.counts[slot] ?? 0) + count;
  }

  /** Per-second counts of the window, oldest first; the last one is the current, partial second. */
  series(now: number): number[] {
    const current = Math.floor(now / 1000);
    const out: number[] = [];
    for (let second = current - this.windowSeconds + 1; second <= current; second++) {
      const slot = ((second % this.windowSeconds) + this.windowSeconds) % this.windowSeconds;
      out.push(this.seconds[slot] === second ? (this.counts[slot] ?? 0) : 0);
    }
    return out;
  }

  /** The mean rate over the last `seconds` complete seconds, per second. */
  perSecond(now: number, seconds = 5): number {
    const complete = this.series(now).slice(0, -1).slice(-seconds);
    return complete.reduce((a, b) => a + b, 0) / Math.max(1, complete.length);
  }
}
