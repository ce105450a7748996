/** Bounds of a reconnect backoff, in ms. */
export type BackoffOptions = {
  /** Delay cap of the first retry, in ms. */
  baseMs: number;
  /** Largest delay cap, in ms. */
  maxMs: number;
};

/**
 * Delay before retry number `attempt` (0: the first retry), in ms.
 * Exponential with "equal jitter": the cap is `baseMs * 2^attempt`, at most
 * `maxMs`, and the delay is half the cap plus a random part of the other
 * half, so it lies in `[cap / 2, cap)`. Clients that lost the server at the
 * same moment spread out instead of reconnecting in lockstep.
 * @param random returns a number in [0, 1), like `Math.random`
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number,
): number {
  const { baseMs, maxMs } = options;
  if (!(baseMs >= 0) || !(maxMs >= 0) || !Number.isFinite(maxMs)) {
    throw new RangeError(`baseMs and maxMs must be finite numbers >= 0, got ${baseMs}, ${maxMs}`);
  }
  // Past 2^1000 the product only overflows: the cap is maxMs long before.
  const exponent = Math.min(Math.max(0, Math.floor(attempt) || 0), 1000);
  const cap = Math.min(maxMs, baseMs * 2 ** exponent);
  const r = Math.min(Math.max(0, random() || 0), 1);
  return cap / 2 + (r * cap) / 2;
}
