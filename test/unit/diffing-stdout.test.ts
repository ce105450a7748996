import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyInkWrite, DiffingStdout } from '../../src/ui/screen/diffing-stdout.ts';

const ESC = '\u001b';
/** What Ink 6's log-update writes before a frame: erase the 3 lines it drew last. */
/** A paint of everything: the clear, then the frame's text. */
const PAINTED_AFTER_CLEAR = new RegExp(`${ESC}\\[2J.*frame`, 's');
const CLEAR = `${ESC}[2J`;
const ERASE_3 = `${ESC}[2K${ESC}[1A${ESC}[2K${ESC}[1A${ESC}[2K${ESC}[G`;

function terminal(columns = 20, rows = 4) {
  const writes: string[] = [];
  const stdout = new DiffingStdout({ write: (bytes) => writes.push(bytes), columns, rows });
  return { stdout, writes };
}

describe('classifyInkWrite', () => {
  const cases: Array<[string, string, 'frame' | 'raw', string]> = [
    ['a frame after its erase', `${ERASE_3}one\ntwo\n`, 'frame', 'one\ntwo\n'],
    ['a frame in synchronized output', `${ESC}[?2026hx\n${ESC}[?2026l`, 'frame', 'x\n'],
    [
      'a frame with colours and a link',
      `${ESC}[31ma${ESC}[39m${ESC}]8;;https://e.x\u0007b\n`,
      'frame',
      `${ESC}[31ma${ESC}[39m${ESC}]8;;https://e.x\u0007b\n`,
    ],
    ['an erase alone (Ink clearing its frame)', ERASE_3, 'raw', ''],
    ['the bell', '\u0007', 'raw', '\u0007'],
    [
      'a desktop notification',
      `${ESC}]777;notify;chat;hi there\u0007`,
      'raw',
      `${ESC}]777;notify;chat;hi there\u0007`,
    ],
    [
      'a notification passed through tmux',
      `${ESC}Ptmux;${ESC}${ESC}]9;hi there\u0007${ESC}\\`,
      'raw',
      `${ESC}Ptmux;${ESC}${ESC}]9;hi there\u0007${ESC}\\`,
    ],
    ['mouse reporting on', `${ESC}[?1000h${ESC}[?1006h`, 'raw', `${ESC}[?1000h${ESC}[?1006h`],
    ['cursor shown by Ink', `${ESC}[?25h`, 'raw', ''],
  ];
  for (const [what, chunk, kind, kept] of cases) {
    it(`${what}: ${kind}`, () => {
      const write = classifyInkWrite(chunk);
      assert.equal(write.kind, kind);
      assert.equal(write.kind === 'frame' ? write.frame : write.bytes, kept);
    });
  }
});

describe('DiffingStdout', () => {
  it('paints the first frame whole, then only what changed', () => {
    const { stdout, writes } = terminal();
    stdout.accept('hello\nworld\n');
    assert.ok(writes[0]?.includes(CLEAR));
    stdout.accept(`${ERASE_3}hello\nworlds\n`);
    // The cursor was left after "world": no move needed.
    assert.equal(writes[1], 's');
    stdout.accept(`${ERASE_3}hullo\nworlds\n`);
    assert.equal(writes[2], `${ESC}[1;2Hu`);
    stdout.accept(`${ERASE_3}hullo\nworlds\n`);
    assert.equal(writes.length, 3, 'an unchanged frame writes nothing');
  });

  it('paints a clear screen and the frame Ink writes right after it once, in one write', () => {
    const { stdout, writes } = terminal();
    stdout.accept('frame\n');
    stdout.accept(ERASE_3);
    stdout.accept(`${ESC}[2J${ESC}[H`);
    stdout.accept('frame\n');
    assert.equal(writes.length, 2);
    assert.match(writes[1] ?? '', PAINTED_AFTER_CLEAR);
  });

  it('paints everything after Ink erased its frame for a line of its own (stderr)', () => {
    const { stdout, writes } = terminal();
    stdout.accept('frame\n');
    stdout.accept(ERASE_3);
    // Ink writes the console line to stderr, then its frame again, unchanged.
    stdout.accept('frame\n');
    assert.match(writes[1] ?? '', PAINTED_AFTER_CLEAR);
  });

  it('passes the app’s control strings through untouched, between frames', () => {
    const { stdout, writes } = terminal();
    stdout.accept('frame\n');
    stdout.accept(`${ESC}]777;notify;chat;hi\u0007`);
    assert.equal(writes[1], `${ESC}]777;notify;chat;hi\u0007`);
  });

  it('paints everything again after a clear screen (Ctrl+L) and after a resize', async () => {
    const { stdout, writes } = terminal();
    stdout.accept('frame\n');
    stdout.accept(`${ESC}[2J${ESC}[H`);
    // Ink's frame comes at once after its own writes; here none does, so the paint follows.
    await new Promise((resolve) => setImmediate(resolve));
    assert.match(writes.at(-1) ?? '', PAINTED_AFTER_CLEAR, 'the clear is followed by the frame');
    let resized = 0;
    stdout.on('resize', () => resized++);
    stdout.resize(30, 5);
    assert.equal(resized, 1);
    assert.deepEqual([stdout.columns, stdout.rows], [30, 5]);
    assert.match(
      writes.at(-1) ?? '',
      PAINTED_AFTER_CLEAR,
      'a resize paints the last frame at once',
    );
  });

  it("places the terminal's cursor where Ink's useCursor asks, moving it only when needed", () => {
    const { stdout, writes } = terminal();
    // Ink's frame, then its cursor: up 1 from below the 2-row frame (row 2), to column 5, shown.
    stdout.accept(`status\n> ab\n${ESC}[1A${ESC}[5G${ESC}[?25h`);
    assert.ok(writes[0]?.endsWith(`${ESC}[?25h`), JSON.stringify(writes[0]));
    assert.ok(writes[0]?.includes('> ab'), 'the cursor was left after "> ab": no move needed');
    // A typed character lands where the cursor is: one byte, and the cursor is already after it.
    stdout.accept(`${ERASE_3}status\n> abc\n${ESC}[1A${ESC}[6G${ESC}[?25h`);
    assert.equal(writes[1], 'c');
    // A cursor move alone (Left): only the move.
    stdout.accept(`${ESC}[?25l${ESC}[G${ESC}[1A${ESC}[5G${ESC}[?25h`);
    assert.equal(writes[2], `${ESC}[2;5H`);
    // Cells written elsewhere: the cursor is hidden meanwhile, then put back.
    stdout.accept(`${ERASE_3}status!\n> abc\n${ESC}[1A${ESC}[5G${ESC}[?25h`);
    assert.equal(writes[3], `${ESC}[?25l${ESC}[1;7H!${ESC}[2;5H${ESC}[?25h`);
    // Ink hides it, as it does before rewriting a frame: the frame that follows says where it goes.
    stdout.accept(`${ESC}[?25l`);
    assert.equal(writes.length, 4);
    // That frame has no cursor (no input focused): it stays hidden.
    stdout.accept(`${ERASE_3}help\n> abc\n`);
    assert.equal(writes[4], `${ESC}[?25l${ESC}[1Hhelp${ESC}[K`);
  });

  it('counts the bytes it wrote', () => {
    const { stdout, writes } = terminal();
    stdout.accept('é\n');
    assert.equal(stdout.written, Buffer.byteLength(writes.join('')));
  });
});
