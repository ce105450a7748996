/**
 * What to write to a terminal that shows one frame so that it shows the
 * next: only the cells that changed, each run reached with one cursor move,
 * styles and links set only where they change, and blank row ends erased
 * rather than written. A cluster whose width terminals disagree on (see
 * `widthIsSettled`) is written over blanks of its counted width, and the
 * cursor is placed after it explicitly, so the cells after it land in their
 * columns however the terminal drew it. Pure: no terminal, no I/O.
 */
import { widthIsSettled } from '../text/grapheme-width.ts';
import { type Grid, type GridRow, styleSgr } from './frame-grid.ts';

const ESC = '\u001b';
/** Erase from the cursor to the end of the line, in the current background. */
const ERASE_LINE_END = `${ESC}[K`;
/** Runs of unchanged cells shorter than this are written again rather than jumped (columns). */
const JUMP_GAP = 4;

function sameCell(a: GridRow, b: GridRow, column: number): boolean {
  return (
    a.text[column] === b.text[column] &&
    a.width[column] === b.width[column] &&
    a.style[column] === b.style[column] &&
    a.link[column] === b.link[column]
  );
}

function isBlank(row: GridRow, column: number): boolean {
  return row.text[column] === ' ' && row.style[column] === '' && row.link[column] === '';
}

/** Columns before the row's trailing blanks. */
function inkedWidth(row: GridRow): number {
  let end = row.text.length;
  while (end > 0 && isBlank(row, end - 1)) end--;
  return end;
}

/** A cell of the terminal: where its cursor is. */
export interface CursorAt {
  row: number;
  column: number;
}

/** Writes cells and moves the cursor, remembering the pen and where the cursor is. */
class Painter {
  out = '';
  /** Whether the cursor was moved (rather than only written past). */
  moved = false;
  private style = '';
  private link = '';
  /** Where the cursor is (row, column), or undefined when it is not known. */
  at: [number, number] | undefined;

  constructor(
    private readonly columns: number,
    from: CursorAt | undefined,
  ) {
    this.at = from === undefined ? undefined : [from.row, from.column];
  }

  moveTo(row: number, column: number): void {
    if (this.at !== undefined && this.at[0] === row && this.at[1] === column) return;
    this.moved = true;
    if (this.at !== undefined && this.at[0] === row) this.out += `${ESC}[${column + 1}G`;
    else this.out += column === 0 ? `${ESC}[${row + 1}H` : `${ESC}[${row + 1};${column + 1}H`;
    this.at = [row, column];
  }

  pen(style: string, link: string): void {
    if (link !== this.link) {
      this.out += `${ESC}]8;${link === '' ? ';' : link}\u0007`;
      this.link = link;
    }
    if (style !== this.style) {
      this.out += this.style === '' && style !== '' ? `${ESC}[${style}m` : styleSgr(style);
      this.style = style;
    }
  }

  /** Writes the cell at `column` of `row` (the cursor is there) and steps past it. */
  cell(rowIndex: number, row: GridRow, column: number): void {
    const width = row.width[column] ?? 1;
    const text = row.text[column] ?? ' ';
    this.pen(row.style[column] ?? '', row.link[column] ?? '');
    if (widthIsSettled(text)) {
      this.out += text;
    } else {
      // Blanks first: a terminal that draws it narrower leaves no stale cell.
      this.out += ' '.repeat(width);
      this.at = [rowIndex, column + width];
      this.moveTo(rowIndex, column);
      this.out += text;
      this.at = undefined;
      if (column + width < this.columns) this.moveTo(rowIndex, column + width);
    }
    this.step(rowIndex, column + width);
  }

  eraseToEnd(): void {
    this.pen('', '');
    this.out += ERASE_LINE_END;
  }

  /** Leaves the pen as the terminal's default, for whatever is written next. */
  rest(): void {
    this.pen('', '');
  }

  private step(row: number, column: number): void {
    // At the right edge the terminal waits to wrap: the next move is explicit.
    this.at = column >= this.columns ? undefined : [row, column];
  }
}

/** Writes columns [from, to) of `row`, the cursor already at `from`. */
function writeRun(
  painter: Painter,
  rowIndex: number,
  row: GridRow,
  from: number,
  to: number,
): void {
  let column = from;
  while (column < to) {
    if (row.width[column] === 0) {
      column++;
      continue;
    }
    painter.cell(rowIndex, row, column);
    column += row.width[column] ?? 1;
  }
}

function hasUnsettled(row: GridRow, from: number, to: number): boolean {
  for (let column = from; column < to; column++) {
    if (!widthIsSettled(row.text[column] ?? ' ')) return true;
  }
  return false;
}

/** Column ranges [from, to) of `next` that differ from `before`, near ones merged. */
function changedRuns(before: GridRow, next: GridRow, columns: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (let column = 0; column < columns; column++) {
    if (sameCell(before, next, column)) continue;
    const last = runs.at(-1);
    if (last !== undefined && column - last[1] < JUMP_GAP) last[1] = column + 1;
    else runs.push([column, column + 1]);
  }
  // A run never starts on a wide grapheme's second column: that column only
  // changes when the grapheme does (writeRun writes it whole).
  for (const run of runs) {
    // Past a cluster the terminal may draw wider, its neighbours may be overdrawn.
    if (hasUnsettled(next, run[0], run[1])) run[1] = columns;
  }
  return runs;
}

/** Writes what changed in one row: the runs, with trailing blanks erased. */
function paintRow(
  painter: Painter,
  rowIndex: number,
  before: GridRow | undefined,
  next: GridRow,
  columns: number,
): void {
  const inked = inkedWidth(next);
  const runs: Array<[number, number]> =
    before === undefined ? (inked > 0 ? [[0, inked]] : []) : changedRuns(before, next, columns);
  for (const [from, to] of runs) {
    const end = Math.min(to, inked);
    if (end > from) {
      painter.moveTo(rowIndex, from);
      writeRun(painter, rowIndex, next, from, end);
    }
    if (to > inked && before !== undefined) {
      painter.moveTo(rowIndex, Math.max(from, inked));
      painter.eraseToEnd();
      break;
    }
  }
}

/** What {@link paintDiff} writes, and where it leaves the cursor. */
export interface Painted {
  bytes: string;
  /** Where the cursor is after `bytes`, or undefined when it is not known. */
  at: CursorAt | undefined;
  /** Whether `bytes` move the cursor (rather than only write where it is and on). */
  moved: boolean;
}

/**
 * What turns a screen showing `before` into `next`, the cursor being at
 * `from`: everything, after clearing the screen, when `before` is
 * undefined or another size. The pen is left as the terminal's default.
 */
export function paintDiff(before: Grid | undefined, next: Grid, from?: CursorAt): Painted {
  const whole =
    before === undefined ||
    before.columns !== next.columns ||
    before.rows.length !== next.rows.length;
  const painter = new Painter(next.columns, whole ? undefined : from);
  if (whole) {
    painter.out += `${ESC}[0m${ESC}[H${ESC}[2J`;
    painter.at = [0, 0];
    painter.moved = true;
  }
  next.rows.forEach((row, index) => {
    paintRow(painter, index, whole ? undefined : before.rows[index], row, next.columns);
  });
  painter.rest();
  const at = painter.at === undefined ? undefined : { row: painter.at[0], column: painter.at[1] };
  return { bytes: painter.out, at, moved: painter.moved };
}

/** {@link paintDiff}'s bytes, from a cursor whose place is not known. */
export function diffFrames(before: Grid | undefined, next: Grid): string {
  return paintDiff(before, next).bytes;
}
