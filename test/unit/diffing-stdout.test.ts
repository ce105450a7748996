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
    assert.equal(writes[1], `${ESC}[2;6Hs`);
    stdout.accept(`${ERASE_3}hello\nworlds\n`);
    assert.equal(writes.length, 2, 'an unchanged frame writes nothing');
  });

  it('passes the app’s control strings through untouched, between frames', () => {
    const { stdout, writes } = terminal();
    stdout.accept('frame\n');
    stdout.accept(`${ESC}]777;notify;chat;hi\u0007`);
    assert.equal(writes[1], `${ESC}]777;notify;chat;hi\u0007`);
  });

  it('paints everything again after a clear screen (Ctrl+L) and after a resize', () => {
    const { stdout, writes } = terminal();
    stdout.accept('frame\n');
    stdout.accept(`${ESC}[2J${ESC}[H`);
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

  it('counts the bytes it wrote', () => {
    const { stdout, writes } = terminal();
    stdout.accept('é\n');
    assert.equal(stdout.written, Buffer.byteLength(writes.join('')));
  });
});
