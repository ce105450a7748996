import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, afterEach, before, describe, it } from 'node:test';
import chalk from 'chalk';
import { Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import type { ReactNode } from 'react';
import { Dashboard } from '../../src/dashboard/Dashboard.tsx';
import type { ServerFrameOf } from '../../src/net/protocol/frames.ts';
import { LogBuffer } from '../../src/server/log-buffer.ts';
import type { ServerStats } from '../../src/server/server-stats.ts';
import { ConnectionProblem } from '../../src/ui/components/ConnectionProblem.tsx';
import { HelpOverlay } from '../../src/ui/components/HelpOverlay.tsx';
import { ColorContext } from '../../src/ui/hooks/use-color.ts';
import { type ChatAction, chatReducer, initialChatState } from '../../src/ui/state/chat-state.ts';
import { ChatScreen } from '../../src/ui/tui/ChatScreen.tsx';
import { inputReady, until } from '../helpers/ink.ts';
import { colourCodes } from '../helpers/sgr.ts';

const T0 = Date.UTC(2026, 10, 24, 12, 0);

const WELCOME: ServerFrameOf<'welcome'> = {
  type: 'welcome',
  v: 1,
  user: 'alice',
  server: 'test',
  motd: '',
  rooms: [{ room: '#general', topic: 'hi', members: ['alice', 'bob', 'carol'], lastId: 0 }],
  users: [
    { user: 'alice', status: 'online' },
    { user: 'bob', status: 'online' },
    { user: 'carol', status: 'away', text: 'lunch' },
  ],
  limits: {
    maxFrameBytes: 65_536,
    maxTextChars: 4_000,
    ratePerSecond: 10,
    rateBurst: 20,
    maxHistory: 200,
  },
};

/** A chat with every coloured thing: nicks, an action, a mention, presence, a day line. */
function chatState() {
  const actions: ChatAction[] = [
    { type: 'welcome', frame: WELCOME, now: T0 },
    { type: 'clientState', state: 'connected', tlsVersion: 'TLSv1.3', now: T0 },
    ...(
      [
        ['bob', 'hello'],
        ['carol', 'alice: a mention'],
        ['alice', 'my own'],
      ] as const
    ).map(
      ([from, text], i): ChatAction => ({
        type: 'message',
        frame: { type: 'msg', id: i + 1, ts: T0 + i * 60_000, room: '#general', from, text },
      }),
    ),
  ];
  return actions.reduce(
    chatReducer,
    initialChatState({ server: 'localhost:7000', bell: false, timeZone: 'UTC' }),
  );
}

/** A server with nothing connected, for the dashboard. */
class QuietServer extends EventEmitter {
  stats(): ServerStats {
    return {
      startedAt: T0,
      address: '127.0.0.1',
      port: 1,
      tlsMin: '1.3',
      caFingerprint: 'AA:BB',
      connections: [],
      peakConnections: 0,
      rooms: [{ room: '#general', members: 1, lastId: 2 }],
      totalMessages: 2,
      messagesPerSecond: 1,
      messageSeries: [0, 1, 2],
      memoryBytes: 0,
    };
  }
  kick(): boolean {
    return false;
  }
}

const withColor = (color: boolean, node: ReactNode) => (
  <ColorContext value={color}>{node}</ColorContext>
);

describe('every colour goes through ColorContext', () => {
  let level: typeof chalk.level;
  // The test's stdout is no terminal, so chalk would write no escapes at all.
  before(() => {
    level = chalk.level;
    chalk.level = 1;
  });
  after(() => {
    chalk.level = level;
  });
  afterEach(() => cleanup());

  const screens: Array<[name: string, node: ReactNode]> = [
    [
      'the chat screen (status bar, rooms, nicks, mention, users)',
      <ChatScreen
        key="chat"
        state={chatState()}
        columns={100}
        rows={20}
        now={T0}
        input={<Text>[#general]</Text>}
      />,
    ],
    ['the help', <HelpOverlay key="help" width={80} height={30} />],
    [
      'a connection problem',
      <ConnectionProblem
        key="problem"
        error="127.0.0.1:1 does not speak TLS: is it a chat server? — check --host and --port"
        width={80}
        height={12}
      />,
    ],
  ];
  for (const [name, node] of screens) {
    it(`${name}: colour with it on, none with it off; bold and inverse either way`, () => {
      const on = render(withColor(true, node)).lastFrame() ?? '';
      const off = render(withColor(false, node)).lastFrame() ?? '';
      assert.notDeepEqual(colourCodes(on), [], 'coloured when on');
      assert.deepEqual(colourCodes(off), [], off);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are the point.
      assert.match(off, /\u001b\[1m/, 'bold stays');
    });
  }

  it('the dashboard: panes, log levels, help and the quit question, with colour off', async () => {
    const logs = new LogBuffer(50);
    for (const [level, msg] of [
      [30, 'info line'],
      [40, 'a warning'],
      [50, 'an error'],
    ] as const) {
      logs.write(`${JSON.stringify({ level, time: T0, msg })}\n`);
    }
    const app = render(
      withColor(
        false,
        <Dashboard
          source={new QuietServer()}
          logs={logs}
          onShutdown={async () => {}}
          refreshMs={20}
        />,
      ),
    );
    const frame = () => app.lastFrame() ?? '';
    await inputReady(app.stdin);
    await until(() => frame().includes('an error'), 'the log');
    const frames = [frame()];
    app.stdin.write('?');
    await until(() => frame().includes('Dashboard keys'), 'the help');
    frames.push(frame());
    app.stdin.write('\u001b');
    await until(() => frame().includes('an error'), 'back');
    app.stdin.write('q');
    await until(() => frame().includes('Shut the server down?'), 'the question');
    frames.push(frame());
    for (const shown of frames) assert.deepEqual(colourCodes(shown), [], shown);
  });
});
