/**
 * How often the TUI tells the server what has been read: a `read` per
 * conversation at most once per `gapMs`, and only when the id moves. Pure:
 * the caller keeps the last one sent and passes the time.
 */

/** The least time between two `read` frames of one conversation, in ms. */
export const READ_GAP_MS = 1_000;

/**
 * When to send a `read` of `id`, given the `last` one sent for the same
 * conversation (its id, and when, epoch ms): in 0 ms (now) or later (ms),
 * or never (undefined) when `id` does not move past it.
 */
export function readDelay(
  last: { at: number; id: number } | undefined,
  id: number,
  now: number,
  gapMs = READ_GAP_MS,
): number | undefined {
  if (last === undefined) return 0;
  if (id <= last.id) return undefined;
  return Math.max(0, last.at + gapMs - now);
}
