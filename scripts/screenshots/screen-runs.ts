import type xterm from '@xterm/headless';
import { rgbColour, type TerminalTheme } from './terminal-theme.ts';

/** How a run of cells is drawn, colours already resolved (inverse applied). */
export interface RunStyle {
  fg: string;
  /** null: the terminal's own background, nothing drawn. */
  bg: string | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  strike: boolean;
}

/** Text of one style starting at `column` and covering `cells` columns. */
export interface Run {
  column: number;
  cells: number;
  text: string;
  style: RunStyle;
}

/** A terminal's visible screen as runs per row, and where its cursor shows. */
export interface Screen {
  columns: number;
  rows: number;
  lines: Run[][];
  cursor: { x: number; y: number } | null;
}

type Cell = NonNullable<ReturnType<xterm.IBufferLine['getCell']>>;

function colour(cell: Cell, which: 'fg' | 'bg', theme: TerminalTheme): string | null {
  const isDefault = which === 'fg' ? cell.isFgDefault() : cell.isBgDefault();
  if (isDefault) return null;
  const value = which === 'fg' ? cell.getFgColor() : cell.getBgColor();
  const isRgb = which === 'fg' ? cell.isFgRGB() : cell.isBgRGB();
  return isRgb ? rgbColour(value) : (theme.palette[value] ?? null);
}

function styleOf(cell: Cell, theme: TerminalTheme): RunStyle {
  let fg = colour(cell, 'fg', theme) ?? theme.foreground;
  let bg = colour(cell, 'bg', theme);
  // Bold text in the first 8 colours shows bright, as most terminals draw it.
  if (cell.isBold() && cell.isFgPalette() && cell.getFgColor() < 8) {
    fg = theme.palette[cell.getFgColor() + 8] ?? fg;
  }
  if (cell.isInverse()) [fg, bg] = [bg ?? theme.background, fg];
  if (cell.isInvisible()) fg = bg ?? theme.background;
  return {
    fg,
    bg,
    bold: cell.isBold() !== 0,
    dim: cell.isDim() !== 0,
    italic: cell.isItalic() !== 0,
    underline: cell.isUnderline() !== 0,
    strike: cell.isStrikethrough() !== 0,
  };
}

const sameStyle = (a: RunStyle, b: RunStyle) =>
  a.fg === b.fg &&
  a.bg === b.bg &&
  a.bold === b.bold &&
  a.dim === b.dim &&
  a.italic === b.italic &&
  a.underline === b.underline &&
  a.strike === b.strike;

/**
 * One row as runs. A run ends where the style changes, around each glyph
 * that is not one code unit in one cell (so that wide characters and emoji
 * start exactly on their columns) and at a gap of two blank cells; blanks
 * with no background are not drawn at all.
 */
function rowRuns(line: xterm.IBufferLine, columns: number, theme: TerminalTheme): Run[] {
  const runs: Run[] = [];
  let open: Run | null = null;
  let trailingBlank = false;
  const close = () => {
    if (open === null) return;
    if (trailingBlank) {
      open.text = open.text.slice(0, -1);
      open.cells -= 1;
    }
    runs.push(open);
    open = null;
    trailingBlank = false;
  };
  for (let x = 0; x < columns; x++) {
    const cell = line.getCell(x);
    if (cell === undefined) break;
    const width = cell.getWidth();
    if (width === 0) continue; // the second column of a wide character
    const chars = cell.getChars() || ' ';
    const style = styleOf(cell, theme);
    const blank = chars === ' ' && style.bg === null && !style.underline && !style.strike;
    // A glyph that is not one code unit in one cell is drawn on its own.
    const single = width === 1 && chars.length === 1;
    if (open !== null && (!sameStyle(open.style, style) || !single || (blank && trailingBlank))) {
      close();
    }
    if (blank && open === null) continue;
    if (open === null) open = { column: x, cells: 0, text: '', style };
    open.text += chars;
    open.cells += width;
    trailingBlank = blank;
    if (!single) close();
  }
  close();
  return runs;
}

/**
 * Reads what a headless terminal shows. `cursorShown` is whether the
 * program last asked for the cursor to be visible (DECTCEM), which xterm.js
 * does not expose.
 */
export function readScreen(
  terminal: xterm.Terminal,
  theme: TerminalTheme,
  cursorShown: boolean,
): Screen {
  const buffer = terminal.buffer.active;
  const lines: Run[][] = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line === undefined ? [] : rowRuns(line, terminal.cols, theme));
  }
  return {
    columns: terminal.cols,
    rows: terminal.rows,
    lines,
    cursor: cursorShown ? { x: buffer.cursorX, y: buffer.cursorY } : null,
  };
}
