import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import xterm from '@xterm/headless';
import fc from 'fast-check';
import { diffFrames } from '../../src/ui/screen/frame-diff.ts';
import { readFrame } from '../../src/ui/screen/frame-grid.ts';
import { graphemeCells } from '../../src/ui/text/grapheme-width.ts';

const ESC = '\u001b';
const COLUMNS = 9;
const ROWS = 6;

/** A terminal emulator (xterm.js) fed `bytes`; resolves with it once they are drawn. */
function terminalAfter(bytes: string, columns = COLUMNS, rows = ROWS): Promise<xterm.Terminal> {
  const terminal = new xterm.Terminal({ cols: columns, rows, allowProposedApi: true });
  return new Promise((resolve) => terminal.write(bytes, () => resolve(terminal)));
}

/** Each cell of the terminal: its text, width, colour and attributes. */
function cellsOf(terminal: xterm.Terminal): string[] {
  const out: string[] = [];
  const buffer = terminal.buffer.active;
  for (let y = 0; y < terminal.rows; y++) {
    const line = buffer.getLine(y);
    for (let x = 0; x < terminal.cols; x++) {
      const cell = line?.getCell(x);
      if (cell === undefined) continue;
      out.push(
        [
          y,
          x,
          cell.getChars() || ' ',
          cell.getWidth(),
          cell.getFgColor(),
          cell.getBgColor(),
          cell.isBold(),
          cell.isInverse(),
          cell.isDim(),
          cell.isUnderline(),
        ].join(','),
      );
    }
  }
  return out;
}

/** The screen's text, row by row. */
function textOf(terminal: xterm.Terminal): string[] {
  const rows: string[] = [];
  for (let y = 0; y < terminal.rows; y++) {
    rows.push(terminal.buffer.active.getLine(y)?.translateToString(true) ?? '');
  }
  return rows;
}

/** Bytes that show `frames` one after another, each as the diff from the one before. */
function diffed(frames: string[], columns = COLUMNS, rows = ROWS): string {
  let shown: ReturnType<typeof readFrame> | undefined;
  let bytes = '';
  for (const frame of frames) {
    const next = readFrame(frame, columns, rows);
    bytes += diffFrames(shown, next);
    shown = next;
  }
  return bytes;
}

// Pieces of frames as Ink writes them: text whose width every terminal agrees
// on (wide characters landing on the right edge too), in colours of the three
// kinds, backgrounds and attributes, some under links.
const text = fc.constantFrom(
  'a',
  ' ',
  '│',
  'é',
  'e\u0301',
  '中',
  '中中',
  'x y',
  'abcdefgh',
  'ab中',
);
const piece = fc.oneof(
  text,
  fc
    .tuple(fc.constantFrom('31', '41', '44', '7', '1', '2', '4', '38;5;208', '48;2;1;2;3'), text)
    .map(([sgr, inside]) => `${ESC}[${sgr}m${inside}${ESC}[0m`),
  fc
    .tuple(fc.constantFrom('https://x.example/1', 'https://x.example/2'), text)
    .map(([uri, inside]) => `${ESC}[41m${ESC}]8;;${uri}\u0007${inside}${ESC}]8;;\u0007${ESC}[49m`),
);
const line = fc.array(piece, { maxLength: 8 }).map((pieces) => pieces.join(''));
const frame = fc
  .array(line, { minLength: 0, maxLength: ROWS })
  .map((lines) => `${lines.join('\n')}\n`);

describe('diffFrames', () => {
  it('leaves a terminal showing exactly what a full paint of the last frame shows', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 5 }), async (frames) => {
        const stepped = await terminalAfter(diffed(frames));
        const fresh = await terminalAfter(diffed([frames.at(-1) ?? '']));
        assert.deepEqual(cellsOf(stepped), cellsOf(fresh));
      }),
      { numRuns: 400 },
    );
  });

  it('writes only the cells that changed: one typed character in a 110x30 frame', () => {
    const rows = Array.from({ length: 29 }, (_, index) => `│ row ${index} ${'·'.repeat(90)} │`);
    const before = readFrame([...rows, `[#general] hello${ESC}[7m ${ESC}[27m`].join('\n'), 110, 30);
    const after = readFrame([...rows, `[#general] hello!${ESC}[7m ${ESC}[27m`].join('\n'), 110, 30);
    const bytes = diffFrames(before, after);
    // Move to row 30, column 17; "!"; the cursor's inverse blank; back to the default pen.
    assert.equal(bytes, `${ESC}[30;17H!${ESC}[7m ${ESC}[0m`);
  });

  it('writes nothing when nothing changed', () => {
    const shown = readFrame('same\nframe\n', COLUMNS, ROWS);
    assert.equal(diffFrames(shown, readFrame('same\nframe\n', COLUMNS, ROWS)), '');
  });

  it('erases a row end that became blank instead of writing spaces', async () => {
    const bytes = diffed(['a long line of text\n', 'a\n'], 24);
    // Column 2 is a blank in both frames: the erase starts at column 3.
    assert.ok(bytes.endsWith(`${ESC}[1;3H${ESC}[K`), JSON.stringify(bytes));
    assert.deepEqual(
      (await terminalAfter(bytes, 24)).buffer.active.getLine(0)?.translateToString(true).trimEnd(),
      'a',
    );
  });

  it('keeps OSC 8 links on the cells they cover, and closes them', () => {
    const link = `${ESC}]8;;https://example.com/a\u0007`;
    const bytes = diffed([`see ${link}example${ESC}]8;;\u0007 now\n`], 40);
    assert.ok(bytes.includes(`${link}example${ESC}]8;;\u0007 now`), JSON.stringify(bytes));
  });

  it('keeps the columns after a grapheme the terminal draws at another width', async () => {
    // xterm.js (Unicode 6 tables) draws these in other widths than counted: 👍🏽 as two
    // 1-column emoji, ❤️ in 1, 🫨 as 1. The border must stay in its column anyway.
    const rows = ['👍🏽 thumbs', '👨‍👩‍👧 family', '🇯🇵 flag', '❤️ heart', '🫨 shaking'];
    const framed = rows.map((text) => `│${text}${' '.repeat(14 - textWidth(text))}│`);
    const first = `${framed.join('\n')}\n`;
    const second = `${framed
      .map((row) => row.replace('│', '│'))
      .join('\n')
      .replace('thumbs', 'THUMBS')}\n`;
    for (const bytes of [diffed([first], 20, 6), diffed([first, second], 20, 6)]) {
      const terminal = await terminalAfter(bytes, 20, 6);
      const line = (y: number) => terminal.buffer.active.getLine(y);
      for (let y = 0; y < rows.length; y++) {
        assert.equal(line(y)?.getCell(15)?.getChars(), '│', `row ${y}: ${textOf(terminal)[y]}`);
        assert.equal(line(y)?.getCell(0)?.getChars(), '│');
      }
    }
  });
});

/** Columns as chat counts them, for the test's own padding. */
function textWidth(text: string): number {
  return graphemeCells(text).reduce((sum, cell) => sum + cell.width, 0);
}
