/**
 * Which of an overlay's rows show when they do not all fit: a window of
 * them from a top row, the last row kept for a hint that says where the
 * window is and how to move it. Pure; the help scrolls with it.
 */

/** What shows of `total` rows in a box `height` rows tall, scrolled to a top row. */
export type ScrollWindow = {
  /** The first row shown (0-based): the asked top, kept between 0 and `maxTop`. */
  readonly top: number;
  /** One past the last row shown. */
  readonly end: number;
  /** The greatest top: the last row then shows just above the hint. */
  readonly maxTop: number;
  /** Rows one PageUp/PageDown moves: those shown less one, kept for context (at least 1). */
  readonly page: number;
  /** Whether the box's last row is a hint rather than a row (not everything fits, and there are two rows or more). */
  readonly hint: boolean;
};

/**
 * The window over `total` rows in `height` rows from row `top`: all of
 * them, unscrolled, when they fit; else `height - 1` of them and a hint
 * row. `top` may be out of range (`Infinity` is the end).
 */
export function scrollWindow(total: number, height: number, top: number): ScrollWindow {
  const rows = Math.max(0, Math.floor(height));
  const count = Math.max(0, Math.floor(total));
  if (count <= rows)
    return { top: 0, end: count, maxTop: 0, page: Math.max(1, rows - 1), hint: false };
  const hint = rows >= 2;
  const body = rows - (hint ? 1 : 0);
  const maxTop = count - body;
  const first = Number.isNaN(top) ? 0 : Math.min(maxTop, Math.max(0, Math.floor(top)));
  return { top: first, end: first + body, maxTop, page: Math.max(1, body - 1), hint };
}
