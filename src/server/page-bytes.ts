import type { StoredMessage } from '../net/protocol/frames.ts';

/**
 * How many of the newest `items` fit in `maxBytes` as sized by `bytesOf`:
 * at least one, so a single large item still goes.
 */
export function newestWithin<T>(
  items: readonly T[],
  maxBytes: number,
  bytesOf: (item: T) => number,
): number {
  let total = 0;
  let count = 0;
  for (let index = items.length - 1; index >= 0; index -= 1) {
    total += bytesOf(items[index] as T);
    if (count > 0 && total > maxBytes) break;
    count += 1;
  }
  return count;
}

/**
 * The most bytes a stored message of at most `maxTextChars` (UTF-16 code
 * units) takes as a frame: 3 bytes of UTF-8 per code unit (the protocol
 * refuses the control characters JSON would escape longer), plus the rest of
 * the frame, with names and numbers at their longest.
 */
export function maxMessageBytes(maxTextChars: number): number {
  return 3 * maxTextChars + 512;
}

/** The bytes `message` takes in a history page's array. */
export function messageBytes(message: StoredMessage): number {
  // The comma between elements of the history array counts too.
  return Buffer.byteLength(JSON.stringify(message)) + 1;
}
