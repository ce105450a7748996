/**
 * Horizontal scrolling for the one-line input box: which part of the draft
 * to show so the cursor stays visible. Pure: no terminal, no I/O.
 */
import { displayWidth } from '../text/wrap.ts';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The shown part of the draft: `value.slice(start, end)` (UTF-16 code
 * units, on grapheme boundaries), with a '…' (1 column) drawn on each side
 * where text is cut off.
 */
export type InputWindow = {
  readonly start: number;
  readonly end: number;
  readonly cutLeft: boolean;
  readonly cutRight: boolean;
};

/**
 * The part of `value` to show in `columns` terminal columns with the cursor
 * at `cursor` (code units). The cursor takes a column of its own at the end
 * of the text, a line break shows as one column ('↵'). Unless the whole
 * draft fits, the window keeps one grapheme on each side of the cursor (so
 * Left, Right and Backspace act inside it), scrolls no more than needed from
 * `previousStart` (the last window's `start`) so the text does not jump
 * while the cursor moves, and fills the columns when the text gets shorter.
 */
export function inputWindow(
  value: string,
  cursor: number,
  columns: number,
  previousStart = 0,
): InputWindow {
  const offsets: number[] = [];
  const widths: number[] = [];
  for (const { segment, index } of graphemes.segment(value)) {
    offsets.push(index);
    widths.push(
      segment === '\n' || segment === '\r\n' || segment === '\r' ? 1 : displayWidth(segment),
    );
  }
  const count = offsets.length;
  offsets.push(value.length);
  /** The index of the grapheme that contains `offset` (`count` at the end). */
  const indexAt = (offset: number): number => {
    let index = 0;
    while (index < count && (offsets[index + 1] ?? value.length) <= offset) index++;
    return offset >= value.length ? count : index;
  };
  const at = indexAt(Math.max(0, cursor));
  const fits = (from: number, to: number): boolean => {
    let used = (from > 0 ? 1 : 0) + (to < count ? 1 : 0) + (at === count && to === count ? 1 : 0);
    for (let index = from; index < to; index++) used += widths[index] ?? 0;
    return used <= columns;
  };
  const whole = { start: 0, end: value.length, cutLeft: false, cutRight: false };
  if (fits(0, count)) return whole;

  const latestStart = Math.max(0, at - 1);
  let from = Math.min(indexAt(Math.max(0, previousStart)), latestStart);
  let to = from;
  while (to < count && fits(from, to + 1)) to++;
  const neededEnd = Math.min(count, at + 1);
  const scrolledRight = to < neededEnd;
  if (scrolledRight) {
    to = neededEnd;
    from = latestStart;
  }
  if (scrolledRight || to === count) {
    while (from > 0 && fits(from - 1, to)) from--;
  }
  return {
    start: offsets[from] ?? 0,
    end: offsets[to] ?? value.length,
    cutLeft: from > 0,
    cutRight: to < count,
  };
}
