/**
 * A token bucket: `capacity` tokens at most, refilled continuously at
 * `refillPerSecond`. Pure: the caller passes the time, in ms, to every call.
 * Used for the per-user frame rate (5/s, burst 20) and to count violations.
 */
export class TokenBucket {
  /** Most tokens the bucket holds (the burst). */
  readonly capacity: number;
  /** Tokens added per second of elapsed time. */
  readonly refillPerSecond: number;
  #tokens: number;
  #lastMs: number;

  /**
   * Starts full.
   * @param capacity most tokens held, > 0
   * @param refillPerSecond tokens added per second, >= 0
   * @param now the current time in ms, from a monotonic clock
   */
  constructor(capacity: number, refillPerSecond: number, now: number) {
    if (!Number.isFinite(capacity) || capacity <= 0) {
      throw new RangeError(`capacity must be a positive number, got ${capacity}`);
    }
    if (!Number.isFinite(refillPerSecond) || refillPerSecond < 0) {
      throw new RangeError(`refillPerSecond must be a number >= 0, got ${refillPerSecond}`);
    }
    this.capacity = capacity;
    this.refillPerSecond = refillPerSecond;
    this.#tokens = capacity;
    this.#lastMs = now;
  }

  /** Tokens available as of the last call (fractional), for tests and stats. */
  get tokens(): number {
    return this.#tokens;
  }

  /**
   * Refills for the time since the last call, then takes `count` tokens if
   * that many are there. Returns false, taking nothing, if not.
   * @param now the current time in ms; a time earlier than the last one refills nothing
   */
  take(now: number, count = 1): boolean {
    if (!Number.isFinite(count) || count < 0) {
      throw new RangeError(`count must be a number >= 0, got ${count}`);
    }
    const elapsedMs = now - this.#lastMs;
    if (elapsedMs > 0) {
      this.#tokens = Math.min(
        this.capacity,
        this.#tokens + (elapsedMs * this.refillPerSecond) / 1000,
      );
    }
    this.#lastMs = now;
    // Float refills (1/3 token, ...) can land a hair below a whole token.
    if (this.#tokens + EPSILON < count) return false;
    this.#tokens = Math.max(0, this.#tokens - count);
    return true;
  }
}

const EPSILON = 1e-9;
