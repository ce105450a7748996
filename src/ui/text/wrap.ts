/**
 * Measuring, wrapping and cutting text by terminal columns. Widths come from
 * string-width (CJK and emoji take 2 columns, combining marks 0), and text is
 * only ever split between grapheme clusters. Input must already be
 * neutralized (see `sanitize.ts`): no controls, no escape sequences.
 * Pure: no terminal, no I/O.
 */
import { type GraphemeCell as Cell, graphemeCells as toCells } from './grapheme-width.ts';

/** Shown instead of a grapheme wider than the whole line (only when the width is 1). */
const TOO_WIDE = '\u2026';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function sumWidths(cells: Cell[]): number {
  let width = 0;
  for (const cell of cells) width += cell.width;
  return width;
}

/** Display width of neutralized `text` in terminal columns (string-width's measure). */
export function displayWidth(text: string): number {
  return PRINTABLE_ASCII.test(text) ? text.length : sumWidths(toCells(text));
}

interface Token {
  cells: Cell[];
  /** Columns: the sum of the cells' widths. */
  width: number;
  space: boolean;
}

/**
 * Splits one paragraph into alternating runs of plain spaces and words.
 * Leading spaces (indentation) are glued to the first word so they survive.
 */
function tokenize(cells: Cell[], width: number): Token[] {
  const tokens: Token[] = [];
  for (const raw of cells) {
    const cell = raw.width > width ? { text: TOO_WIDE, width: 1 } : raw;
    const space = cell.text === ' ';
    const last = tokens.at(-1);
    const glue =
      last !== undefined && (last.space === space || (tokens.length === 1 && last.space));
    if (last !== undefined && glue) {
      last.cells.push(cell);
      last.width += cell.width;
      last.space = last.space && space;
    } else {
      tokens.push({ cells: [cell], width: cell.width, space });
    }
  }
  return tokens;
}

function wrapParagraph(text: string, width: number): string[] {
  if (PRINTABLE_ASCII.test(text) && text.length <= width) return [text];
  const cells = toCells(text);
  if (sumWidths(cells) <= width) return [text];
  const lines: string[] = [];
  let line = '';
  let lineWidth = 0;
  // Spaces seen since the last word: written only if the next word joins this line.
  let pending = 0;
  const flush = (): void => {
    lines.push(line);
    line = '';
    lineWidth = 0;
  };
  const append = (piece: string, pieceWidth: number): void => {
    line += piece;
    lineWidth += pieceWidth;
  };
  const hardPlace = (pieces: Cell[]): void => {
    for (const cell of pieces) {
      if (line.length > 0 && lineWidth + cell.width > width) flush();
      append(cell.text, cell.width);
    }
  };
  const joined = (token: Token): string => token.cells.map((cell) => cell.text).join('');

  for (const token of tokenize(cells, width)) {
    if (token.space && line.length > 0) {
      pending = token.width;
      continue;
    }
    if (line.length === 0) {
      if (token.width <= width) append(joined(token), token.width);
      else hardPlace(token.cells);
    } else if (lineWidth + pending + token.width <= width) {
      append(' '.repeat(pending) + joined(token), pending + token.width);
    } else if (token.width <= width) {
      flush();
      append(joined(token), token.width);
    } else {
      // A word longer than a line starts where it is if there is room for a piece of it.
      const first = token.cells[0]?.width ?? 0;
      if (lineWidth + pending + first <= width) append(' '.repeat(pending), pending);
      else flush();
      hardPlace(token.cells);
    }
    pending = 0;
  }
  // Trailing spaces are kept as far as they fit.
  line += ' '.repeat(Math.max(0, Math.min(pending, width - lineWidth)));
  lines.push(line);
  return lines;
}

/**
 * Wraps neutralized `text` into lines of at most `width` columns.
 *
 * Existing `\n` always break. Lines break at spaces when they can (the
 * spaces at a break are dropped; leading indentation is kept); a word longer
 * than a line is cut between grapheme clusters, and a wide (2-column)
 * character never straddles the edge. A `width` below 1 (or NaN) counts as 1;
 * at width 1 a character wider than the line is shown as '…'. Empty text
 * gives `['']`.
 */
export function wrapText(text: string, width: number): string[] {
  const columns = Number.isNaN(width) ? 1 : Math.max(1, Math.floor(width));
  return text.split('\n').flatMap((paragraph) => wrapParagraph(paragraph, columns));
}

/**
 * Cuts single-line `text` to at most `width` columns, ending with
 * `ellipsis` when something was cut. If even the ellipsis does not fit, the
 * text is cut without one. Never splits a grapheme cluster; a width below 0
 * counts as 0.
 */
export function truncate(text: string, width: number, ellipsis = '\u2026'): string {
  const columns = Number.isNaN(width) ? 0 : Math.max(0, Math.floor(width));
  const cells = toCells(text);
  if (sumWidths(cells) <= columns) return text;
  const ellipsisWidth = displayWidth(ellipsis);
  const withEllipsis = ellipsisWidth <= columns;
  const room = withEllipsis ? columns - ellipsisWidth : columns;
  let out = '';
  let used = 0;
  for (const cell of cells) {
    if (used + cell.width > room) break;
    out += cell.text;
    used += cell.width;
  }
  return withEllipsis ? out + ellipsis : out;
}

/**
 * Pads `text` with spaces on the right to `width` columns. Text already
 * `width` columns or wider is returned unchanged (see {@link truncate}).
 */
export function padEnd(text: string, width: number): string {
  const missing = Math.floor(width) - displayWidth(text);
  return missing > 0 ? text + ' '.repeat(missing) : text;
}
