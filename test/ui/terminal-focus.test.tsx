import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import type { StoredMessage } from '../../src/net/protocol/frames.ts';
import { InputBox } from '../../src/ui/components/InputBox.tsx';
import { useInputKeys } from '../../src/ui/hooks/use-input-keys.ts';
import { type AlertSource, useNotifications } from '../../src/ui/hooks/use-notifications.ts';
import { useTerminalFocus, useTerminalFocusStore } from '../../src/ui/hooks/use-terminal-focus.ts';
import { effectsRun, inputReady, until } from '../helpers/ink.ts';

const FOCUS_IN = '\u001b[I';
const FOCUS_OUT = '\u001b[O';
const T0 = Date.UTC(2026, 11, 6, 9, 5);

afterEach(() => cleanup());

async function settle(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await effectsRun();
  }
}

function FocusHarness({ seen }: { seen: { value: string } }) {
  const focused = useTerminalFocus();
  const input = useInputKeys({
    candidates: { users: [], rooms: [], commands: [] },
    onSubmit: () => undefined,
  });
  seen.value = input.value;
  return (
    <>
      <Text>{focused ? 'focused' : 'unfocused'}</Text>
      <InputBox prompt="> " width={40} value={input.value} cursor={input.cursor} focus />
    </>
  );
}

describe('terminal focus reports', () => {
  it('change the focus and never reach the input line', async () => {
    const seen = { value: '' };
    const app = render(<FocusHarness seen={seen} />);
    await inputReady(app.stdin);
    const frame = () => stripAnsi(app.lastFrame() ?? '');
    assert.match(frame(), /^focused/, 'unknown counts as focused');
    app.stdin.write(FOCUS_OUT);
    await until(() => frame().startsWith('unfocused'), 'focus out');
    app.stdin.write('a');
    await settle();
    app.stdin.write(FOCUS_IN);
    await until(() => frame().startsWith('focused'), 'focus in');
    app.stdin.write('b');
    await settle();
    assert.equal(seen.value, 'ab');
  });
});

// Each alert a while after the last: the burst limit is not what these tests look at.
let clock = 0;
const ticking = () => (clock += 10_000);

function NotifyHarness(props: {
  source: AlertSource;
  writes: string[];
  bell: boolean;
  notify: boolean;
  tmux?: boolean;
}) {
  const focus = useTerminalFocusStore();
  const focused = useTerminalFocus();
  useNotifications(props.source, {
    user: 'alice',
    bell: props.bell,
    notify: props.notify,
    focused: focus.focused,
    tmux: props.tmux === true,
    write: (bytes) => props.writes.push(bytes),
    now: ticking,
  });
  return <Text>{focused ? 'focused' : 'unfocused'}</Text>;
}

describe('notifications', () => {
  const dm: StoredMessage = { type: 'dm', id: 1, ts: T0, from: 'bob', to: 'alice', text: 'ping' };
  const chatter: StoredMessage = {
    type: 'msg',
    room: '#x',
    id: 2,
    ts: T0,
    from: 'bob',
    text: 'hi all',
  };

  it('rings as before while focused; notifies too once unfocused; not for chatter', async () => {
    const source = new EventEmitter() as EventEmitter & AlertSource;
    const writes: string[] = [];
    const app = render(<NotifyHarness source={source} writes={writes} bell notify />);
    await settle();
    source.emit('dm', dm);
    assert.deepEqual(writes, ['\u0007']);
    source.emit('message', chatter);
    assert.equal(writes.length, 1);
    app.stdin.write(FOCUS_OUT);
    await until(() => stripAnsi(app.lastFrame() ?? '') === 'unfocused', 'focus out');
    source.emit('message', { ...chatter, text: 'alice: look' });
    assert.equal(writes.length, 2);
    assert.ok(writes[1]?.startsWith('\u0007\u001b]777;notify;bob in #x;alice: look\u001b\\'));
    assert.ok(writes[1]?.includes('\u001b]9;bob in #x: alice: look\u001b\\'));
  });

  it('follows the settings: notify off, bell off, tmux', async () => {
    const source = new EventEmitter() as EventEmitter & AlertSource;
    const writes: string[] = [];
    const app = render(
      <NotifyHarness source={source} writes={writes} bell={false} notify={false} />,
    );
    await settle();
    app.stdin.write(FOCUS_OUT);
    await until(() => stripAnsi(app.lastFrame() ?? '') === 'unfocused', 'focus out');
    source.emit('dm', dm);
    assert.equal(writes.length, 0, 'bell off, notify off: nothing');
    app.rerender(<NotifyHarness source={source} writes={writes} bell={false} notify tmux />);
    await settle();
    source.emit('dm', dm);
    assert.equal(writes.length, 1);
    // A DM in clear says so in the notification too.
    assert.ok(
      writes[0]?.startsWith('\u001bPtmux;\u001b\u001b]777;notify;bob (direct);(not sealed) ping'),
    );
  });
});
