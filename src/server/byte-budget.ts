/**
 * A server-wide allowance of bytes, taken before a replay or history frame is
 * queued to a client and given back once the socket has written it. Bytes
 * are handed out first come, first served: a request that does not fit waits,
 * and so does every request behind it, so a large one is never starved by a
 * stream of small ones. Nothing here does I/O or keeps time.
 */
export class ByteBudget {
  private used = 0;
  private readonly waiters: Array<{ bytes: number; resolve: () => void }> = [];

  /** `capacity`: bytes that may be taken at once, in all (at least 1). */
  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`a byte budget needs a capacity of 1 or more`);
  }

  /** Bytes taken and not yet given back. */
  get inUse(): number {
    return this.used;
  }

  /** Requests waiting for bytes. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * The bytes a request for `bytes` actually takes: never more than the
   * capacity, so one frame larger than the whole budget still goes, alone.
   */
  sizeOf(bytes: number): number {
    return Math.min(Math.max(0, bytes), this.capacity);
  }

  /** Takes `sizeOf(bytes)` now if nobody waits and they fit; false otherwise (nothing taken). */
  tryTake(bytes: number): boolean {
    const size = this.sizeOf(bytes);
    if (this.waiters.length > 0 || this.used + size > this.capacity) return false;
    this.used += size;
    return true;
  }

  /** Resolves once `sizeOf(bytes)` are taken, after every request made before it. */
  take(bytes: number): Promise<void> {
    if (this.tryTake(bytes)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ bytes: this.sizeOf(bytes), resolve }));
  }

  /** Gives back `bytes` taken earlier (as sized by sizeOf), and serves the waiters they let through. */
  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
    for (let next = this.waiters[0]; next; next = this.waiters[0]) {
      if (this.used + next.bytes > this.capacity) break;
      this.waiters.shift();
      this.used += next.bytes;
      next.resolve();
    }
  }
}
