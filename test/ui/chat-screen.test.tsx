import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import type { ServerFrameOf } from '../../src/net/protocol/frames.ts';
import { helpScroll } from '../../src/ui/components/HelpOverlay.tsx';
import {
  type ChatAction,
  type ChatState,
  chatReducer,
  initialChatState,
} from '../../src/ui/state/chat-state.ts';
import { displayWidth } from '../../src/ui/text/wrap.ts';
import { ChatScreen, screenLayout } from '../../src/ui/tui/ChatScreen.tsx';
import { envelopeShape } from '../helpers/envelope-shape.ts';

// Tuesday 24 November 2026, 12:00 UTC; the last message is the next day.
const T0 = Date.UTC(2026, 10, 24, 12, 0);
const DAY = 86_400_000;
const NOW = T0 + DAY + 60_000;

const LONG = Array.from({ length: 60 }, (_, i) => `word${String(i + 1).padStart(2, '0')}`).join(
  ' ',
);
const EVIL = 'evil \u001b[2J\u001b]0;pwned\u0007 done';

const WELCOME: ServerFrameOf<'welcome'> = {
  type: 'welcome',
  v: 1,
  user: 'alice',
  server: 'test',
  motd: '',
  rooms: [
    {
      room: '#general',
      topic: 'General chat about everything',
      members: ['alice', 'bob', 'carol', 'dave'],
      lastId: 0,
    },
    { room: '#dev', topic: '', members: ['alice', 'bob'], lastId: 0 },
  ],
  users: [
    { user: 'alice', status: 'online' },
    { user: 'bob', status: 'online' },
    { user: 'carol', status: 'away', text: 'lunch' },
    { user: 'dave', status: 'online' },
  ],
  limits: {
    maxFrameBytes: 65_536,
    maxTextChars: 4_000,
    ratePerSecond: 10,
    rateBurst: 20,
    maxHistory: 200,
  },
};

function say(
  room: string,
  id: number,
  from: string,
  text: string,
  ts = T0 + id * 60_000,
  action = false,
): ChatAction {
  return {
    type: 'message',
    frame: { type: 'msg', id, ts, room, from, text, ...(action ? { action } : {}) },
  };
}

/** A state built the way the client builds it: by running the reducer over frames. */
function fixture(): ChatState {
  const actions: ChatAction[] = [
    { type: 'welcome', frame: WELCOME, now: T0 },
    { type: 'clientState', state: 'connected', tlsVersion: 'TLSv1.3', now: T0 },
    { type: 'rtt', ms: 42 },
    say('#general', 1, 'bob', 'hello everyone'),
    say('#general', 2, 'carol', 'waves', undefined, true),
    say('#general', 3, 'dave', 'alice: can you review my patch?'),
    say('#general', 4, 'bob', EVIL),
    say('#general', 5, 'carol', '你好世界 and emoji 🎉👍 ok'),
    say('#general', 6, 'dave', LONG),
    say('#general', 7, 'bob', 'good morning', T0 + DAY),
    say('#dev', 1, 'bob', 'alice: ping in dev'),
    {
      type: 'dm',
      frame: { type: 'dm', id: 1, ts: T0 + DAY, from: 'dave', to: 'alice', text: 'psst, a secret' },
    },
    {
      type: 'pendingAdded',
      localId: 'l1',
      conversation: '#general',
      text: 'my pending message',
      action: false,
    },
  ];
  const start = initialChatState({ server: 'localhost:7000', bell: false, timeZone: 'UTC' });
  return actions.reduce(chatReducer, start);
}

function screen(state: ChatState, columns: number, rows: number): string[] {
  const { lastFrame } = render(
    <ChatScreen
      state={state}
      columns={columns}
      rows={rows}
      now={NOW}
      input={<Text>[{state.current}] draft</Text>}
    />,
  );
  const frame = lastFrame() ?? '';
  assert.ok(!frame.includes('\u001b]0;'), 'no title-setting escape reaches the terminal');
  assert.ok(!frame.includes('\u001b[2J'), 'no clear-screen escape reaches the terminal');
  const lines = stripAnsi(frame).split('\n');
  assert.ok(lines.length <= rows - 1, `${lines.length} lines fit in ${rows - 1} rows`);
  for (const line of lines) {
    assert.ok(displayWidth(line) <= columns, `line wider than ${columns}: ${JSON.stringify(line)}`);
  }
  return lines;
}

const row = (lines: string[], text: string): string | undefined =>
  lines.find((line) => line.includes(text));

afterEach(() => cleanup());

describe('ChatScreen at 100x30', () => {
  const lines = screen(fixture(), 100, 30);
  const frame = lines.join('\n');

  it('shows the status bar facts on the first line', () => {
    const status = lines[0] ?? '';
    for (const fact of [
      'localhost:7000',
      'connected',
      'TLSv1.3',
      'alice',
      '#general',
      'General chat about everything',
      '42 ms',
    ]) {
      assert.ok(status.includes(fact), `status bar has ${fact}: ${status}`);
    }
  });

  it('lists rooms and DMs with numbers, unread counts and mention marks', () => {
    assert.match(lines[1] ?? '', /^1 #general +│/);
    assert.match(lines[2] ?? '', /^2 #dev +1!│/);
    assert.match(lines[3] ?? '', /^3 @dave +1!│/);
  });

  it('shows the messages: text, actions, mentions, wide characters, day change, pending', () => {
    assert.match(frame, /12:01 <bob> hello everyone/);
    assert.match(frame, /12:02 \* carol waves/);
    assert.match(frame, /12:03 <dave> alice: can you review my patch\?/);
    assert.ok(frame.includes('你好世界 and emoji 🎉👍 ok'));
    assert.match(frame, /─ Wednesday 25 November 2026 ─/);
    assert.match(frame, /12:00 <bob> good morning/);
    assert.match(frame, /…\s+<alice> my pending message/);
  });

  it('neutralises escapes from other users', () => {
    assert.ok(frame.includes('evil ␛[2J␛]0;pwned␇ done'));
  });

  it('wraps a long line, continuation rows indented under the text', () => {
    const first = row(lines, 'word01') ?? '';
    const last = row(lines, 'word60') ?? '';
    assert.notEqual(first, last, 'the long message takes several rows');
    const textColumn = first.indexOf('word01');
    const continuation = lines[lines.indexOf(first) + 1] ?? '';
    assert.equal(continuation.slice(17, textColumn).trim(), '', 'indented under the text');
    assert.match(continuation.slice(textColumn), /^word\d\d/);
  });

  it('shows the user list with a count and presence marks', () => {
    assert.match(frame, /4 users/);
    const users = lines.slice(1, 6).map((line) => line.slice(84));
    assert.deepEqual(users, [' │ 4 users', ' │ ● alice', ' │ ● bob', ' │ ● dave', ' │ ○ carol']);
  });

  it('puts the input on the last line', () => {
    assert.match(lines.at(-1) ?? '', /^\[#general\] draft/);
  });
});

describe('ChatScreen on smaller terminals', () => {
  it('hides the user list at 60x20 and keeps the room list', () => {
    const lines = screen(fixture(), 60, 20);
    const frame = lines.join('\n');
    assert.ok(!frame.includes('4 users'));
    assert.match(frame, /2 #dev +1!/);
    assert.match(frame, /good morning/);
  });

  it('still renders something sane at 40x10', () => {
    const lines = screen(fixture(), 40, 10);
    assert.equal(lines.length, 9);
    assert.match(lines[0] ?? '', /connected/);
    assert.ok(!lines.join('\n').includes('#dev'), 'no room list');
    assert.match(lines.join('\n'), /my pending message/);
    assert.match(lines.at(-1) ?? '', /draft/);
  });

  it('survives absurd sizes', () => {
    for (const [columns, rows] of [
      [1, 1],
      [10, 3],
      [20, 5],
      [200, 60],
    ] as const) {
      const { lastFrame } = render(
        <ChatScreen
          state={fixture()}
          columns={columns}
          rows={rows}
          now={NOW}
          input={<Text>x</Text>}
        />,
      );
      assert.equal(typeof lastFrame(), 'string');
    }
  });
});

describe('ChatScreen scrolled up and with help', () => {
  it("shows the 'new messages' mark while scrolled up", () => {
    let state = chatReducer(fixture(), { type: 'scroll', by: 3 });
    state = chatReducer(state, say('#general', 8, 'carol', 'a new one', T0 + DAY + 1000));
    state = chatReducer(state, say('#general', 9, 'dave', 'another one', T0 + DAY + 2000));
    const lines = screen(state, 100, 30);
    const frame = lines.join('\n');
    assert.match(frame, /↓ 2 new messages \(End\)/);
    assert.ok(!frame.includes('another one'), 'the new message is below the view');
    assert.ok(!frame.includes('my pending message'), 'pending messages stay at the bottom');
  });

  it('shows all of the help at 80x24 by scrolling it, first row to last', () => {
    const opened = chatReducer(fixture(), { type: 'toggleHelp' });
    const first = screen(opened, 80, 24).join('\n');
    assert.match(first, /Commands {3}Esc closes this help/);
    assert.match(first, /\/join #room +join a room/);
    assert.match(first, /↑↓ PgUp PgDn: more \(1–\d+ of \d+\) · Esc closes/);
    assert.ok(!first.includes('/mode'), 'the operators are below');
    assert.ok(!first.includes('hello everyone'), 'the help covers the messages');
    // The pane beside the room list, as App measures it for the keys.
    const { paneWidth, middle } = screenLayout(80, 24, true);
    const { maxTop, page } = helpScroll(paneWidth, middle, 0);
    // PageDown until the end: every row shows on some page, the last command among them.
    const seen: string[] = [];
    let state = opened;
    for (let turn = 0; turn <= Math.ceil(maxTop / page); turn++) {
      seen.push(screen(state, 80, 24).join('\n'));
      state = chatReducer(state, { type: 'scrollHelp', by: page, maxTop });
    }
    const last = seen.at(-1) ?? '';
    assert.equal(state.helpTop, maxTop);
    assert.match(last, /Esc +close help \/ summary/);
    assert.match(last, /Ctrl\+C +quit on an empty input/);
    assert.match(last, /more \((\d+)–(\d+) of \2\)/, 'the hint says it is at the end');
    const all = seen.join('\n');
    assert.match(all, /\/unmute user {2}\/mode \[#room\] \+t\|-t/, 'the last command');
    for (const needle of ['/delete', 'Operators /op user', 'Alt+A', 'Tab']) {
      assert.ok(all.includes(needle), `${needle} shows on some page`);
    }
    // Home (by -Infinity) is back at the first row.
    const top = chatReducer(state, { type: 'scrollHelp', by: -Infinity, maxTop });
    assert.equal(screen(top, 80, 24).join('\n'), first);
  });

  it('says the keys and the count on a small terminal', () => {
    const state = chatReducer(fixture(), { type: 'toggleHelp' });
    const frame = screen(state, 40, 10).join('\n');
    assert.match(frame, /\/join/);
    assert.match(frame, /↑↓ PgUp PgDn: more \(1–\d+ of \d+\)/);
  });

  it('shows the newest notice above the input', () => {
    const state = chatReducer(fixture(), {
      type: 'notice',
      text: 'unknown command /frob: /help lists them',
    });
    const lines = screen(state, 100, 30);
    assert.match(lines.at(-2) ?? '', /» unknown command \/frob/);
  });
});

describe('ChatScreen when the client gave up', () => {
  it('shows the whole problem and its fix in the pane', () => {
    const state = chatReducer(initialChatState({ server: 'localhost:8443', bell: false }), {
      type: 'clientState',
      state: 'offline',
      error:
        'server: your certificate was refused (CERT_REVOKED) — ask your admin for a new certificate (`chat certs client NAME --force`, then a bundle)',
      now: 0,
    });
    const { lastFrame, unmount } = render(
      <ChatScreen state={state} columns={100} rows={30} now={0} input={null} />,
    );
    const frame = lastFrame() ?? '';
    unmount();
    assert.match(frame, /Cannot connect/);
    assert.match(frame, /CERT_REVOKED/);
    assert.match(frame, /What to do: ask your admin for a new certificate/);
  });
});

describe('ChatScreen in a DM window whose messages are sealed', () => {
  // As net/e2ee/open-frames.ts hands them on: one opened, one that did not open.
  const envelope = envelopeShape('dave', 'alice', T0);
  const sealedState = (): ChatState => {
    const actions: ChatAction[] = [
      {
        type: 'dm',
        frame: Object.assign(
          { type: 'dm' as const, id: 2, ts: T0 + DAY, from: 'dave', to: 'alice' },
          { text: 'opened fine', sealed: envelope, seal: { ok: true, sentAt: T0 + DAY } },
        ),
      },
      {
        type: 'dm',
        frame: Object.assign(
          { type: 'dm' as const, id: 3, ts: T0 + DAY, from: 'dave', to: 'alice' },
          { text: '', sealed: envelope, seal: { ok: false, why: 'altered on the way' } },
        ),
      },
      {
        type: 'dm',
        frame: Object.assign(
          { type: 'dm' as const, id: 4, ts: T0 + DAY, from: 'dave', to: 'alice' },
          { text: 'in clear, from whom?', unsealed: true as const },
        ),
      },
      {
        type: 'dm',
        frame: Object.assign(
          { type: 'dm' as const, id: 5, ts: T0 + DAY, from: 'dave', to: 'alice' },
          {
            text: 'approve the invoice',
            sealed: envelope,
            seal: { ok: true, sentAt: T0, late: true },
          },
        ),
      },
      // What only a server could send: new text in clear for a sealed message.
      {
        type: 'update',
        frame: {
          type: 'update',
          message: {
            type: 'dm',
            id: 2,
            ts: T0 + DAY,
            from: 'dave',
            to: 'alice',
            text: 'forged',
            edited: NOW,
          },
        },
      },
      { type: 'switchTo', name: '@dave' },
    ];
    return actions.reduce(chatReducer, fixture());
  };

  function dmScreen(trust: 'verified' | 'unverified' | 'changed'): string[] {
    const state = sealedState();
    const { lastFrame } = render(
      <ChatScreen
        state={state}
        columns={100}
        rows={20}
        now={NOW}
        dmTrust={{ peer: 'dave', trust }}
        input={<Text>[{state.current}] draft</Text>}
      />,
    );
    return stripAnsi(lastFrame() ?? '').split('\n');
  }

  it('shows an opened message as text, one that did not open as not verified, never as text', () => {
    const lines = dmScreen('unverified');
    assert.ok(row(lines, '<dave> opened fine'));
    assert.ok(row(lines, '⚠ could not be verified: altered on the way'));
  });

  it('marks a DM in clear, keeps a sealed one from being rewritten, and dates an old one', () => {
    const lines = dmScreen('unverified');
    assert.ok(row(lines, '<dave> (not sealed) in clear, from whom?'));
    assert.ok(row(lines, '<dave> opened fine'));
    assert.equal(row(lines, 'forged'), undefined);
    assert.ok(row(lines, 'approve the invoice (sealed 24/11/2026, 12:00)'));
  });

  it('says in the top line how they are sealed and whether the peer is verified', () => {
    assert.match(dmScreen('unverified')[0] ?? '', /@dave │ sealed, dave not verified: \/verify/);
    assert.match(dmScreen('verified')[0] ?? '', /@dave │ sealed, dave verified/);
  });

  it('puts up a red banner when a verified peer shows a new certificate, and only then', () => {
    const changed = dmScreen('changed');
    assert.match(changed[0] ?? '', /dave: new certificate, DMs wait/);
    assert.ok(row(changed, '⚠ dave has a new certificate, your DMs wait: /verify dave'));
    assert.equal(row(dmScreen('verified'), 'new certificate'), undefined);
  });
});
