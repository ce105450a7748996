/**
 * A frame as Ink writes it (lines of text with SGR colours and OSC 8 links)
 * read into a grid of cells: what each column of each row shows, in which
 * style, under which link. Columns are counted as Ink counts them (see
 * `text/grapheme-width.ts`), so the grid lines up with Ink's layout.
 * Pure: no terminal, no I/O.
 */
import { graphemeCells } from '../text/grapheme-width.ts';

/** One row of a frame; the arrays have one entry per column. */
export interface GridRow {
  /** The grapheme that starts at each column; ' ' when blank, '' where a wide one goes on. */
  text: string[];
  /** Columns taken by the grapheme at each column: 1 or 2, 0 where a wide one goes on. */
  width: number[];
  /** SGR parameters in force at each column ('' for the terminal's default), see {@link styleSgr}. */
  style: string[];
  /** The OSC 8 link at each column as `params;uri` ('' for none). */
  link: string[];
}

/** A whole frame: `rows.length` rows of `columns` columns. */
export interface Grid {
  columns: number;
  rows: GridRow[];
}

const ESC = '\u001b';
const BEL = '\u0007';

// Flags kept by SGR number; 21 (double underline on some terminals, bold off
// on others) and the rarer ones are not tracked.
const FLAG_ON: Record<number, number> = { 1: 1, 2: 2, 3: 4, 4: 8, 5: 16, 7: 32, 8: 64, 9: 128 };
const FLAG_OFF: Record<number, number> = {
  22: 1 | 2,
  23: 4,
  24: 8,
  25: 16,
  27: 32,
  28: 64,
  29: 128,
};
const FLAG_CODES = [1, 2, 3, 4, 5, 7, 8, 9];

/** The pen while a line is read: SGR flags and colours. */
interface Pen {
  flags: number;
  fg: string;
  bg: string;
}

function penKey(pen: Pen): string {
  const parts: string[] = [];
  FLAG_CODES.forEach((code, bit) => {
    if (pen.flags & (1 << bit)) parts.push(String(code));
  });
  if (pen.fg !== '') parts.push(pen.fg);
  if (pen.bg !== '') parts.push(pen.bg);
  return parts.join(';');
}

/** Applies one SGR sequence's parameters (`1;31`, `38;5;208`, `` for reset) to `pen`. */
function applySgr(pen: Pen, params: string): void {
  const codes = params === '' ? [0] : params.split(/[;:]/).map((part) => Number(part || '0'));
  for (let index = 0; index < codes.length; index++) {
    const code = codes[index] ?? 0;
    if (code === 0) {
      pen.flags = 0;
      pen.fg = '';
      pen.bg = '';
    } else if (FLAG_ON[code] !== undefined) {
      pen.flags |= FLAG_ON[code];
    } else if (FLAG_OFF[code] !== undefined) {
      pen.flags &= ~FLAG_OFF[code];
    } else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) {
      pen.fg = String(code);
    } else if ((code >= 40 && code <= 47) || (code >= 100 && code <= 107)) {
      pen.bg = String(code);
    } else if (code === 39) {
      pen.fg = '';
    } else if (code === 49) {
      pen.bg = '';
    } else if (code === 38 || code === 48) {
      // 38;5;N or 38;2;R;G;B: the colour's own parameters follow.
      const mode = codes[index + 1];
      const take = mode === 5 ? 2 : mode === 2 ? 4 : 1;
      const colour = codes.slice(index, index + 1 + take).join(';');
      if (code === 38) pen.fg = colour;
      else pen.bg = colour;
      index += take;
    }
  }
}

function blankRow(columns: number): GridRow {
  return {
    text: new Array<string>(columns).fill(' '),
    width: new Array<number>(columns).fill(1),
    style: new Array<string>(columns).fill(''),
    link: new Array<string>(columns).fill(''),
  };
}

/** A grid of `rows` blank rows of `columns` columns. */
function blankGrid(columns: number, rows: number): Grid {
  return { columns, rows: Array.from({ length: rows }, () => blankRow(columns)) };
}

/** Where the escape sequence starting at `start` ends (the index after it). */
function sequenceEnd(line: string, start: number): number {
  const kind = line.charAt(start + 1);
  if (kind === '[') {
    let end = start + 2;
    while (end < line.length) {
      const code = line.charCodeAt(end);
      end++;
      if (code >= 0x40 && code <= 0x7e) return end;
    }
    return end;
  }
  if (kind === ']') {
    for (let end = start + 2; end < line.length; end++) {
      if (line.charAt(end) === BEL) return end + 1;
      if (line.charAt(end) === ESC && line.charAt(end + 1) === '\\') return end + 2;
    }
    return line.length;
  }
  return Math.min(line.length, start + 2);
}

/** The OSC 8 link an `ESC ] 8 ; params ; uri` sequence opens ('' when it closes one). */
function oscLink(sequence: string): string | undefined {
  const terminator = sequence.endsWith(BEL) ? 1 : 2;
  const body = sequence.slice(2, sequence.length - terminator);
  if (!body.startsWith('8;')) return undefined;
  const rest = body.slice(2);
  const uri = rest.slice(rest.indexOf(';') + 1);
  return uri === '' ? '' : rest;
}

/** Reads one line of a frame into `row`, clipped to the row's columns. */
function readLine(line: string, row: GridRow, columns: number): void {
  const pen: Pen = { flags: 0, fg: '', bg: '' };
  let style = '';
  let link = '';
  let column = 0;
  let index = 0;
  const place = (text: string) => {
    for (const cell of graphemeCells(text)) {
      if (cell.width === 0) {
        // Drawn on the cell before, as terminals do with a lone mark.
        if (column > 0) row.text[column - (row.width[column - 1] === 0 ? 2 : 1)] += cell.text;
        continue;
      }
      if (column + cell.width > columns) {
        column = columns;
        return;
      }
      row.text[column] = cell.text;
      row.width[column] = cell.width;
      row.style[column] = style;
      row.link[column] = link;
      if (cell.width === 2) {
        row.text[column + 1] = '';
        row.width[column + 1] = 0;
        row.style[column + 1] = style;
        row.link[column + 1] = link;
      }
      column += cell.width;
    }
  };
  while (index < line.length && column < columns) {
    const found = line.indexOf(ESC, index);
    const textEnd = found === -1 ? line.length : found;
    if (textEnd > index) place(line.slice(index, textEnd));
    if (found === -1) break;
    const end = sequenceEnd(line, found);
    const sequence = line.slice(found, end);
    if (sequence.startsWith(`${ESC}[`) && sequence.endsWith('m')) {
      applySgr(pen, sequence.slice(2, -1));
      style = penKey(pen);
    } else if (sequence.startsWith(`${ESC}]`)) {
      link = oscLink(sequence) ?? link;
    }
    index = end;
  }
}

/**
 * Reads a frame (`\n` between rows; a final `\n` ends the last row) into a
 * grid of `columns` x `rows`: longer lines are cut, missing rows and columns
 * are blank. Other escape sequences than SGR and OSC 8 are dropped.
 */
export function readFrame(frame: string, columns: number, rows: number): Grid {
  const grid = blankGrid(columns, rows);
  const lines = frame.split('\n');
  if (frame.endsWith('\n')) lines.pop();
  lines.slice(0, rows).forEach((line, index) => {
    const row = grid.rows[index];
    if (row !== undefined) readLine(line, row, columns);
  });
  return grid;
}

/** The SGR sequence that sets the pen to `style` from any pen. */
export function styleSgr(style: string): string {
  return style === '' ? `${ESC}[0m` : `${ESC}[0;${style}m`;
}
