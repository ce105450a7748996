import { drawnCell, isDrawn } from './box-drawing.ts';
import type { Run, Screen } from './screen-runs.ts';
import type { TerminalTheme } from './terminal-theme.ts';

/** The grid's geometry in SVG pixels. */
export const CELL_WIDTH = 8.4;
export const LINE_HEIGHT = 17;
const FONT_SIZE = 14;
/** From a row's top to its text's baseline. */
const BASELINE = 13;
const PADDING = 10;
const TITLE_BAR = 28;
/** The window's rounded corners. */
const RADIUS = 8;

const FONT_FAMILY =
  "ui-monospace,'SFMono-Regular','DejaVu Sans Mono',Menlo,Consolas,'Liberation Mono',monospace";

/** What XML 1.0 may not hold at all, escaped or not (lone surrogates included). */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text for an SVG: markup escaped, characters XML cannot hold shown as U+FFFD. */
export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, '\uFFFD')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

const px = (value: number) => String(Math.round(value * 100) / 100);

function classes(run: Run): string {
  const names = [
    run.style.bold ? 'b' : '',
    run.style.italic ? 'i' : '',
    run.style.dim ? 'd' : '',
    run.style.underline ? 'u' : '',
    run.style.strike ? 's' : '',
  ].filter(Boolean);
  return names.length === 0 ? '' : ` class="${names.join(' ')}"`;
}

/** Backgrounds, adjacent runs of one colour as one rectangle (no seams between them). */
function backgrounds(runs: Run[]): string {
  const merged: { column: number; cells: number; fill: string }[] = [];
  for (const run of runs) {
    if (run.style.bg === null) continue;
    const last = merged.at(-1);
    if (
      last !== undefined &&
      last.fill === run.style.bg &&
      last.column + last.cells === run.column
    ) {
      last.cells += run.cells;
    } else {
      merged.push({ column: run.column, cells: run.cells, fill: run.style.bg });
    }
  }
  return merged
    .map(
      (bg) =>
        `<rect x="${px(bg.column * CELL_WIDTH)}" width="${px(bg.cells * CELL_WIDTH)}" height="${LINE_HEIGHT}" fill="${bg.fill}"/>`,
    )
    .join('');
}

function textSvg(column: number, text: string, cells: number, run: Run): string {
  if (text.trim() === '') return '';
  return `<text x="${px(column * CELL_WIDTH)}" y="${BASELINE}" textLength="${px(cells * CELL_WIDTH)}" fill="${run.style.fg}"${classes(run)}>${escapeXml(text)}</text>`;
}

/**
 * A run's text and lines: box-drawing and block characters as shapes, the
 * rest as text stretched to exactly its cells (textLength), so the grid
 * holds whatever monospace font the viewer has.
 */
function runSvg(run: Run): string {
  if (run.cells !== run.text.length) return textSvg(run.column, run.text, run.cells, run);
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i <= run.text.length; i++) {
    const char = run.text[i];
    if (char !== undefined && !isDrawn(char)) continue;
    parts.push(textSvg(run.column + start, run.text.slice(start, i), i - start, run));
    if (char !== undefined) {
      parts.push(
        drawnCell(
          char,
          (run.column + i) * CELL_WIDTH,
          CELL_WIDTH,
          LINE_HEIGHT,
          run.style.fg,
          classes(run),
        ),
      );
    }
    start = i + 1;
  }
  return parts.join('');
}

/** One row's backgrounds, text and lines, its top at y = 0. */
export function rowSvg(runs: Run[]): string {
  return backgrounds(runs) + runs.map(runSvg).join('');
}

/** The block cursor, drawn over its cell. */
export function cursorSvg(screen: Screen, theme: TerminalTheme): string {
  if (screen.cursor === null) return '';
  const { x, y } = screen.cursor;
  return `<rect x="${px(x * CELL_WIDTH)}" y="${y * LINE_HEIGHT}" width="${CELL_WIDTH}" height="${LINE_HEIGHT}" fill="${theme.cursor}" opacity="0.6"/>`;
}

/** The whole picture's size, and where the grid starts, for a screen. */
export function windowGeometry(columns: number, rows: number) {
  const gridWidth = columns * CELL_WIDTH;
  const gridHeight = rows * LINE_HEIGHT;
  return {
    width: Math.ceil(gridWidth + 2 * PADDING),
    height: Math.ceil(gridHeight + 2 * PADDING + TITLE_BAR),
    gridX: PADDING,
    gridY: TITLE_BAR + PADDING,
    gridWidth,
    gridHeight,
  };
}

/**
 * A terminal window around `body`: the SVG root, fonts and styles, a title
 * bar with `title`, the background. `extraStyle` adds CSS (an animation).
 */
export function windowSvg(
  columns: number,
  rows: number,
  title: string,
  theme: TerminalTheme,
  body: string,
  extraStyle = '',
): string {
  const g = windowGeometry(columns, rows);
  const style =
    `text{font-family:${FONT_FAMILY};font-size:${FONT_SIZE}px;white-space:pre}` +
    `.b{font-weight:bold}.i{font-style:italic}.d{opacity:.55}` +
    `.u{text-decoration:underline}.s{text-decoration:line-through}` +
    extraStyle;
  const dots = ['#ff5f57', '#febc2e', '#28c840']
    .map((fill, i) => `<circle cx="${18 + i * 20}" cy="${TITLE_BAR / 2}" r="6" fill="${fill}"/>`)
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" xml:space="preserve" width="${g.width}" height="${g.height}" viewBox="0 0 ${g.width} ${g.height}" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<style>${style}</style>`,
    `<rect width="${g.width}" height="${g.height}" rx="${RADIUS}" fill="${theme.background}"/>`,
    `<path d="M0 ${TITLE_BAR}V${RADIUS}A${RADIUS} ${RADIUS} 0 0 1 ${RADIUS} 0H${g.width - RADIUS}A${RADIUS} ${RADIUS} 0 0 1 ${g.width} ${RADIUS}V${TITLE_BAR}Z" fill="${theme.chrome}"/>`,
    dots,
    `<text x="${g.width / 2}" y="${TITLE_BAR / 2 + 4}" text-anchor="middle" fill="${theme.chromeText}">${escapeXml(title)}</text>`,
    `<svg x="${g.gridX}" y="${g.gridY}" width="${px(g.gridWidth)}" height="${g.gridHeight}" overflow="hidden" shape-rendering="crispEdges">`,
    body,
    '</svg>',
    '</svg>',
    '',
  ].join('\n');
}

/** A still picture of one screen. */
export function screenSvg(screen: Screen, title: string, theme: TerminalTheme): string {
  const rows = screen.lines
    .map((runs, y) =>
      runs.length === 0 ? '' : `<g transform="translate(0 ${y * LINE_HEIGHT})">${rowSvg(runs)}</g>`,
    )
    .filter(Boolean)
    .join('\n');
  return windowSvg(
    screen.columns,
    screen.rows,
    title,
    theme,
    `${rows}\n${cursorSvg(screen, theme)}`,
  );
}
