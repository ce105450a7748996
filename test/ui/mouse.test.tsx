import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { useEffect } from 'react';
import stripAnsi from 'strip-ansi';
import type { RoomMessage } from '../../src/net/protocol/frames.ts';
import { InputBox } from '../../src/ui/components/InputBox.tsx';
import { useInputKeys } from '../../src/ui/hooks/use-input-keys.ts';
import { usePasteGate } from '../../src/ui/hooks/use-paste-gate.ts';
import { MOUSE_REPORTING_OFF, MOUSE_REPORTING_ON } from '../../src/ui/input/mouse.ts';
import { currentMembers } from '../../src/ui/state/chat-selectors.ts';
import { chatReducer, initialChatState } from '../../src/ui/state/chat-state.ts';
import { ChatScreen, screenLayout } from '../../src/ui/tui/ChatScreen.tsx';
import { hitTest } from '../../src/ui/tui/mouse-hit.ts';
import { welcomeFrame } from '../helpers/chat-frames.ts';
import { connectedApp } from '../helpers/connected-app.tsx';
import { IdleClient } from '../helpers/idle-client.ts';
import { effectsRun, inputReady, until } from '../helpers/ink.ts';

/** The mouse through the whole App at 80x24: `/set mouse on`, the wheel, clicks on the lists. */

const T0 = Date.UTC(2026, 10, 25, 12, 0);
const ENTER = '\r';
const ESC = '\u001b';

const press = (button: number, x: number, y: number) => `${ESC}[<${button};${x};${y}M`;
const release = (button: number, x: number, y: number) => `${ESC}[<${button};${x};${y}m`;
const click = (x: number, y: number) => press(0, x, y) + release(0, x, y);
const WHEEL_UP = 64;
const WHEEL_DOWN = 65;

function msg(id: number): RoomMessage {
  return {
    type: 'msg',
    id,
    ts: T0 + id * 60_000,
    room: '#general',
    from: 'bob',
    text: `line ${id}`,
  };
}

afterEach(() => cleanup());

async function turn(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  await effectsRun();
}

async function start() {
  const client = new IdleClient();
  const app = await connectedApp(
    client,
    {
      rooms: [
        { room: '#general', topic: '', members: ['alice', 'bob'], lastId: 0 },
        { room: '#ops', topic: '', members: ['alice'], lastId: 0 },
      ],
      users: [
        { user: 'alice', status: 'online' },
        { user: 'bob', status: 'online' },
      ],
    },
    { columns: 80, rows: 24 },
  );
  for (let id = 1; id <= 40; id++) client.emit('message', msg(id));
  // The last frame drawn (a raw write such as the mouse modes is no frame).
  const frame = () =>
    stripAnsi(app.frames.findLast((written) => !written.startsWith(`${ESC}[?`)) ?? '');
  await until(() => frame().includes('line 40'), 'the messages');
  const send = async (bytes: string) => {
    app.stdin.write(bytes);
    await turn();
  };
  const prompt = () => (frame().split('\n').at(-1) ?? '').trimEnd();
  return { app, frame, send, prompt };
}

describe('the mouse in chat tui', () => {
  it('is off until /set mouse on; then the wheel scrolls and clicks switch, nothing typed', async () => {
    const { app, frame, send, prompt } = await start();
    assert.ok(!app.frames.includes(MOUSE_REPORTING_ON), 'off by default');
    // Reports that come while it is off still never reach the draft.
    await send(press(WHEEL_UP, 40, 10));
    assert.ok(frame().includes('line 40'), 'off: the wheel does nothing');
    assert.equal(prompt(), '[#general]');

    await send('/set mouse on');
    await send(ENTER);
    await until(() => app.frames.includes(MOUSE_REPORTING_ON), 'mouse reporting on');
    await until(() => frame().includes('mouse set to on'), 'the notice');

    // A notch up: three rows back; down again: the newest.
    await send(press(WHEEL_UP, 40, 10));
    await until(() => !frame().includes('line 40'), 'scrolled up');
    assert.ok(frame().includes('line 37'));
    await send(press(WHEEL_DOWN, 40, 10));
    await until(() => frame().includes('line 40'), 'scrolled down');

    // 80x24: status bar on row 1, the room list from row 2: #ops on row 3.
    await send(click(3, 3));
    await until(() => prompt() === '[#ops]', 'switched to #ops');
    await send(click(3, 2));
    await until(() => prompt() === '[#general]', 'back in #general');

    // The user list: a header on row 2, then the members.
    const layout = screenLayout(80, 24, false);
    const bobRow =
      [3, 4].find((y) => frame().split('\n')[y - 1]?.slice(-layout.userWidth).includes('bob')) ?? 0;
    assert.ok(bobRow > 0, frame());
    await send(click(layout.width - 3, bobRow));
    await until(() => prompt() === '[@bob]', 'the DM window with bob');

    // A report split across two reads, with a key typed in the second.
    await send(`${ESC}[<0;3;`);
    await send('2Mx');
    await until(() => prompt() === '[#general] x', 'switched, and only x typed');

    await send('\u0015'); // Ctrl+U: an empty draft
    await send('/set mouse off');
    await send(ENTER);
    await until(() => app.frames.includes(MOUSE_REPORTING_OFF), 'mouse reporting off');
    await send(click(3, 3));
    await send(press(WHEEL_UP, 40, 10));
    await turn();
    assert.equal(prompt(), '[#general]');
    assert.ok(frame().includes('line 40'), 'off: nothing scrolls');
  });
});

function GateHarness({ seen, reports }: { seen: { value: string }; reports: string[] }) {
  const gate = usePasteGate();
  useEffect(
    () => gate.onMouse((report) => void reports.push(`${report.button}@${report.x},${report.y}`)),
    [gate, reports],
  );
  const input = useInputKeys({
    candidates: { users: [], rooms: [], commands: [] },
    onSubmit: () => undefined,
  });
  seen.value = input.value;
  return <InputBox prompt="> " width={40} value={input.value} cursor={input.cursor} focus />;
}

describe('mouse reports through Ink, split anywhere', () => {
  it('never reach the input line, however the two reads cut them', async () => {
    const seen = { value: '' };
    const reports: string[] = [];
    const app = render(<GateHarness seen={seen} reports={reports} />);
    await inputReady(app.stdin);
    const report = press(WHEEL_UP, 12, 34);
    for (let cut = 1; cut < report.length; cut++) {
      app.stdin.write(report.slice(0, cut));
      // Ink flushes an unfinished escape once the read is over.
      await turn();
      app.stdin.write(`${report.slice(cut)}${cut % 10}`);
      await turn();
    }
    const typed = Array.from({ length: report.length - 1 }, (_, index) => (index + 1) % 10).join(
      '',
    );
    assert.equal(seen.value, typed);
    assert.equal(reports.length, report.length - 1);
    assert.ok(reports.every((one) => one === 'wheelUp@12,34'));
    assert.ok(!stripAnsi(app.lastFrame() ?? '').includes('['));
  });
});

describe('hitTest agrees with the screen drawn', () => {
  it('each room and user row it names shows that name there', () => {
    let state = chatReducer(initialChatState({ server: 'h:1', bell: false }), {
      type: 'welcome',
      frame: welcomeFrame({
        rooms: Array.from({ length: 12 }, (_, index) => ({
          room: `#room${index}`,
          topic: '',
          members: ['alice', 'bob', 'cy', 'dan', 'eve', 'fay', 'gus', 'hal', 'ivy', 'jo'],
          lastId: 0,
        })),
        users: [],
      }),
      now: 0,
    });
    state = chatReducer(state, { type: 'switchTo', name: '#room9' });
    const app = render(
      <ChatScreen state={state} columns={90} rows={12} now={T0} input={<Text>input</Text>} />,
    );
    const lines = stripAnsi(app.lastFrame() ?? '').split('\n');
    const layout = screenLayout(90, 12, false);
    const names = new Set<string>();
    for (let y = 1; y <= lines.length; y++) {
      for (const x of [1, layout.width]) {
        const hit = hitTest(layout, state, x, y);
        if (hit === undefined || hit.kind === 'pane') continue;
        const line = lines[y - 1] ?? '';
        const side = x === 1 ? line.slice(0, layout.roomWidth) : line.slice(-layout.userWidth);
        assert.ok(side.includes(hit.name), `row ${y}: ${hit.name} in ${JSON.stringify(side)}`);
        names.add(hit.name);
      }
    }
    assert.ok(names.has('#room9'), 'the current room is in the window');
    assert.ok(names.size >= 2 * (layout.middle - 2), [...names].join(' '));
    assert.ok(currentMembers(state).length > layout.middle, 'the user list overflows');
  });
});
