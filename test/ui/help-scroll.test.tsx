import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { cleanup } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import type { RoomMessage } from '../../src/net/protocol/frames.ts';
import { helpScroll } from '../../src/ui/components/HelpOverlay.tsx';
import { screenLayout } from '../../src/ui/tui/ChatScreen.tsx';
import { connectedApp } from '../helpers/connected-app.tsx';
import { IdleClient } from '../helpers/idle-client.ts';
import { effectsRun, until } from '../helpers/ink.ts';

/** /help through the whole App at 80x24, where it does not fit: its keys scroll it. */

const T0 = Date.UTC(2026, 10, 25, 12, 0);
const ENTER = '\r';
const ESC = '\u001b';
const UP = '\u001b[A';
const DOWN = '\u001b[B';
const PAGE_UP = '\u001b[5~';
const PAGE_DOWN = '\u001b[6~';
const HOME = '\u001b[H';
const END = '\u001b[F';
const CTRL_U = '\u0015';

function msg(id: number): RoomMessage {
  return { type: 'msg', id, ts: T0 + id * 60_000, room: '#ops', from: 'bob', text: `line ${id}` };
}

afterEach(() => cleanup());

async function start() {
  const client = new IdleClient();
  // ink-testing-library's terminal is 100 columns: 80x24, as a small terminal is.
  const app = await connectedApp(
    client,
    {
      rooms: [{ room: '#ops', topic: '', members: ['alice', 'bob'], lastId: 0 }],
      users: [
        { user: 'alice', status: 'online' },
        { user: 'bob', status: 'online' },
      ],
    },
    { columns: 80, rows: 24 },
  );
  // More messages than the pane holds, so PageUp under the help would have somewhere to go.
  for (let id = 1; id <= 40; id++) client.emit('message', msg(id));
  const frame = () => stripAnsi(app.lastFrame() ?? '');
  await until(() => frame().includes('line 40'), 'the messages');
  const press = async (keys: string) => {
    app.stdin.write(keys);
    await new Promise((resolve) => setTimeout(resolve, 0));
    await effectsRun();
  };
  return { app, frame, press };
}

/** The help's hint: where the window is, of how many rows. */
function where(frame: string): { first: number; last: number; total: number } | undefined {
  const found = /more \((\d+)–(\d+) of (\d+)\)/.exec(frame);
  if (found === null) return undefined;
  const [, first = '', last = '', total = ''] = found;
  return { first: Number(first), last: Number(last), total: Number(total) };
}

const promptLine = (frame: string) => frame.split('\n').at(-1) ?? '';

describe('/help at 80x24', () => {
  it('PageDown reaches the last command, End the last key, Up a row back, Home the first; Esc closes', async () => {
    const { frame, press } = await start();
    assert.ok(
      frame()
        .split('\n')
        .every((line) => line.length <= 80),
    );
    await press('/help');
    await press(ENTER);
    await until(() => frame().includes('/join #room'), 'the help');
    const opened = where(frame());
    assert.ok(opened !== undefined, 'the hint says where the help is');
    // The window of an 80x24 terminal's pane, as App measures it for the keys.
    const { paneWidth, middle } = screenLayout(80, 24, true);
    const window = helpScroll(paneWidth, middle, 0);
    assert.deepEqual(opened, { first: 1, last: window.end, total: window.end + window.maxTop });
    assert.match(frame(), /↑↓ PgUp PgDn: more \(1–\d+ of \d+\) · Esc closes/);
    assert.ok(!frame().includes('/mode'), 'the operators are below at first');

    // PageDown, a page at a time, until the last command shows.
    for (let turn = 0; turn < 5 && !frame().includes('/mode [#room] +t|-t'); turn++) {
      const before = where(frame())?.first ?? 0;
      await press(PAGE_DOWN);
      await until(() => (where(frame())?.first ?? 0) > before, 'a page down');
    }
    assert.match(frame(), /\/mode \[#room\] \+t\|-t/);
    assert.ok(!frame().includes('line 40'), 'the messages stay covered');

    await press(END);
    await until(() => frame().includes('Ctrl+C'), 'the end of the help');
    const end = where(frame());
    assert.equal(end?.last, end?.total, 'the last row shows');

    await press(UP);
    await until(() => where(frame())?.last === (end?.total ?? 0) - 1, 'a row up');
    assert.equal(promptLine(frame()).trimEnd(), '[#ops]', 'Up is no history while the help shows');
    await press(DOWN);
    await until(() => where(frame())?.last === end?.total, 'a row down');
    await press(PAGE_UP);
    await until(() => (where(frame())?.last ?? 0) < (end?.total ?? 0), 'a page up');

    await press(HOME);
    await until(() => frame().includes('/join #room'), 'the first command again');
    assert.equal(where(frame())?.first, 1);
    assert.match(frame(), /Commands {3}Esc closes this help/);
    assert.equal(promptLine(frame()).trimEnd(), '[#ops]', 'Up and Down left the input alone');

    // Typing goes on while the help shows.
    await press('x');
    await until(() => promptLine(frame()).includes('[#ops] x'), 'the typed x');
    await press(CTRL_U);

    await press(ESC);
    await until(() => !frame().includes('/join #room'), 'the help closed');
    assert.ok(frame().includes('line 40'), 'the pane was not scrolled under the help');
    // With the help closed, Up walks the input history again.
    await press(UP);
    await until(() => promptLine(frame()).includes('[#ops] /help'), 'the history');
  });

  it('opens again at its top', async () => {
    const { frame, press } = await start();
    await press('/help');
    await press(ENTER);
    await until(() => where(frame())?.first === 1, 'the help');
    await press(END);
    await until(() => (where(frame())?.first ?? 1) > 1, 'the end');
    await press(ESC);
    await until(() => where(frame()) === undefined, 'the help closed');
    await press('/help');
    await press(ENTER);
    await until(() => where(frame())?.first === 1, 'the help at its top');
  });
});
