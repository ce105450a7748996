import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DirectMessage, RoomMessage, ServerFrameOf } from '../../src/net/protocol/frames.ts';
import {
  type ChatAction,
  type ChatState,
  chatReducer,
  completionCandidates,
  conversationList,
  currentMembers,
  initialChatState,
  type Line,
  MAX_NOTICES,
  type MessageLine,
  pendingFor,
  scrollOf,
} from '../../src/ui/state/chat-state.ts';
import { welcomeFrame } from '../helpers/chat-frames.ts';

// Wednesday 25 November 2026, 12:00 UTC.
const T0 = Date.UTC(2026, 10, 25, 12, 0);
const MINUTE = 60_000;

type RoomSpec = { room: string; topic?: string; members: string[]; lastId?: number };

function welcome(
  rooms: RoomSpec[],
  extra: Partial<ServerFrameOf<'welcome'>> = {},
): ServerFrameOf<'welcome'> {
  return welcomeFrame({
    rooms: rooms.map((r) => ({
      room: r.room,
      topic: r.topic ?? '',
      members: r.members,
      lastId: r.lastId ?? 0,
    })),
    users: [
      { user: 'alice', status: 'online' },
      { user: 'bob', status: 'online' },
      { user: 'carol', status: 'away', text: 'lunch' },
      { user: 'dave', status: 'online' },
    ],
    ...extra,
  });
}

const ROOMS: RoomSpec[] = [
  { room: '#general', topic: 'General chat', members: ['alice', 'bob', 'carol'] },
  { room: '#dev', members: ['alice', 'bob'] },
];

function msg(room: string, id: number, from: string, text: string, ts = T0 + id): RoomMessage {
  return { type: 'msg', id, ts, room, from, text };
}

function dmFrame(id: number, from: string, to: string, text: string, ts = T0 + id): DirectMessage {
  return { type: 'dm', id, ts, from, to, text };
}

const m = (room: string, id: number, from: string, text = `m${id}`, ts?: number): ChatAction => ({
  type: 'message',
  frame: msg(room, id, from, text, ts),
});

function run(state: ChatState, actions: readonly ChatAction[]): ChatState {
  return actions.reduce(chatReducer, state);
}

/** Connected as alice in #general (current) and #dev, times in UTC. */
function base(opts: { bell?: boolean; maxLines?: number; timeZone?: string } = {}): ChatState {
  const initial = initialChatState({
    server: 'localhost:7000',
    bell: opts.bell ?? true,
    timeZone: opts.timeZone ?? 'UTC',
    ...(opts.maxLines === undefined ? {} : { maxLines: opts.maxLines }),
  });
  return chatReducer(initial, { type: 'welcome', frame: welcome(ROOMS), now: T0 });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) {
      deepFreeze((value as Record<string | symbol, unknown>)[key]);
    }
  }
  return value;
}

/**
 * Texts of a conversation's lines: messages as `from: text`, system as
 * `* text`, failed ones as `! from: text (reason)`, days as `-- day`.
 */
function texts(state: ChatState, name: string): string[] {
  return (state.conversations[name]?.lines ?? []).map(show);
}

function show(line: Line): string {
  if (line.kind === 'message') return `${line.from}: ${line.text}`;
  if (line.kind === 'system') return `* ${line.text}`;
  if (line.kind === 'failed') return `! ${line.from}: ${line.text} (${line.reason})`;
  if (line.kind === 'backlog') return '~~ backlog';
  return `-- ${line.day}`;
}

/** The message at `index` of a conversation's lines (failing the test when it is not one). */
function messageAt(state: ChatState, name: string, index: number): MessageLine {
  const line = state.conversations[name]?.lines[index];
  assert.ok(line?.kind === 'message', `no message at ${name}[${index}]`);
  return line;
}

function conv(state: ChatState, name: string) {
  const conversation = state.conversations[name];
  assert.ok(conversation, `no conversation ${name}`);
  return conversation;
}

type Case = {
  name: string;
  /** Applied to `start` (default: base()) before the action under test. */
  given?: ChatAction[];
  start?: () => ChatState;
  action: ChatAction;
  /** The part of the state after (and before) the action that the case is about. */
  view: (after: ChatState, before: ChatState) => unknown;
  want: unknown;
};

/** Runs each case: the state before is deep-frozen, so any mutation of it throws. */
function table(cases: Case[]) {
  for (const c of cases) {
    it(c.name, () => {
      const before = deepFreeze(run((c.start ?? base)(), c.given ?? []));
      const after = chatReducer(before, c.action);
      assert.deepEqual(c.view(after, before), c.want);
    });
  }
}

describe('initialChatState', () => {
  it('starts with nothing open, following, no overlay', () => {
    const state = initialChatState({ server: 'h:1', user: 'alice', bell: false });
    assert.equal(state.connection.state, 'starting');
    assert.equal(state.connection.user, 'alice');
    assert.deepEqual(state.order, []);
    assert.equal(state.current, undefined);
    assert.equal(state.overlay, 'none');
    assert.equal(state.bell, 0);
    assert.equal(state.bellEnabled, false);
    assert.equal(state.maxLines, 5_000);
  });
});

describe('welcome', () => {
  table([
    {
      name: 'opens the rooms in order, the first current, users and members set',
      start: () => initialChatState({ server: 'h:1', bell: true, timeZone: 'UTC' }),
      action: { type: 'welcome', frame: welcome(ROOMS), now: T0 },
      view: (s) => ({
        order: s.order,
        current: s.current,
        user: s.connection.user,
        members: conv(s, '#general').members,
        topic: conv(s, '#general').topic,
        carol: s.users.carol,
        limits: s.limits?.maxTextChars,
      }),
      want: {
        order: ['#general', '#dev'],
        current: '#general',
        user: 'alice',
        members: ['alice', 'bob', 'carol'],
        topic: 'General chat',
        carol: { status: 'away', text: 'lunch' },
        limits: 4_000,
      },
    },
    {
      name: 'a room with messages on the server has more history',
      start: () => initialChatState({ server: 'h:1', bell: true }),
      action: {
        type: 'welcome',
        frame: welcome([
          { room: '#a', members: [], lastId: 9 },
          { room: '#b', members: [] },
        ]),
        now: T0,
      },
      view: (s) => [conv(s, '#a').hasMore, conv(s, '#b').hasMore, conv(s, '#a').lastId],
      want: [true, false, 0],
    },
    {
      name: 'a reconnect keeps lines, DMs, place and current; drops rooms no longer joined',
      given: [
        m('#general', 1, 'bob', 'hello'),
        { type: 'openDm', peer: 'bob' },
        { type: 'switchTo', name: '#dev' },
      ],
      action: {
        type: 'welcome',
        frame: welcome([
          { room: '#dev', members: ['alice'] },
          { room: '#general', members: ['alice', 'bob'], lastId: 1 },
          { room: '#ops', members: ['alice'] },
        ]),
        now: T0,
      },
      view: (s) => ({
        order: s.order,
        current: s.current,
        lines: texts(s, '#general'),
        members: conv(s, '#general').members,
        lastId: conv(s, '#general').lastId,
      }),
      want: {
        order: ['#general', '#dev', '#ops', '@bob'],
        current: '#dev',
        lines: ['bob: hello'],
        members: ['alice', 'bob'],
        lastId: 1,
      },
    },
    {
      name: 'the current room gone, the first becomes current',
      action: { type: 'welcome', frame: welcome([{ room: '#dev', members: ['alice'] }]), now: T0 },
      view: (s) => [s.order, s.current, s.conversations['#general']],
      want: [['#dev'], '#dev', undefined],
    },
    {
      name: 'ids that went back (history lost) are followed',
      given: [m('#general', 5, 'bob')],
      action: {
        type: 'welcome',
        frame: welcome([{ ...ROOMS[0], lastId: 2 } as RoomSpec]),
        now: T0,
      },
      view: (s) => conv(s, '#general').lastId,
      want: 2,
    },
    {
      name: 'a new epoch resets the ids so the replay is accepted, with a notice',
      start: () =>
        chatReducer(initialChatState({ server: 'h:1', bell: true }), {
          type: 'welcome',
          frame: welcome(ROOMS, { epoch: 'one' }),
          now: T0,
        }),
      given: [m('#general', 5, 'bob')],
      action: { type: 'welcome', frame: welcome(ROOMS, { epoch: 'two' }), now: T0 },
      view: (s) => [conv(s, '#general').lastId, s.epoch, s.notices.at(-1)?.text],
      want: [0, 'two', 'the server restarted and lost its message history'],
    },
    {
      name: 'the intro, then the motd, open the first room on the first welcome only, neutralized',
      start: () =>
        initialChatState({ server: 'h:1', bell: true, intro: ['first run: made certs/'] }),
      given: [
        { type: 'welcome', frame: welcome(ROOMS, { motd: 'hi\x1b[31m all\nline two' }), now: T0 },
      ],
      action: { type: 'welcome', frame: welcome(ROOMS, { motd: 'hi\x1b[31m all' }), now: T0 },
      view: (s) => [conv(s, '#general').lines, s.intro, s.notices.length],
      want: [
        [
          { kind: 'system', ts: T0, text: 'first run: made certs/' },
          { kind: 'system', ts: T0, text: 'hi\u241b[31m all' },
          { kind: 'system', ts: T0, text: 'line two' },
        ],
        [],
        0,
      ],
    },
    {
      name: 'topics are neutralized to one line',
      start: () => initialChatState({ server: 'h:1', bell: true }),
      action: {
        type: 'welcome',
        frame: welcome([{ room: '#a', topic: 'one\ntwo\x07', members: [] }]),
        now: T0,
      },
      view: (s) => conv(s, '#a').topic,
      want: 'one\u23ce two\u2407',
    },
  ]);
});

describe('message', () => {
  table([
    {
      name: 'appends to the current room without unread',
      action: m('#general', 1, 'bob', 'hi'),
      view: (s) => ({
        lines: texts(s, '#general'),
        unread: conv(s, '#general').unread,
        lastId: conv(s, '#general').lastId,
        oldestId: conv(s, '#general').oldestId,
        lastActivity: conv(s, '#general').lastActivity,
      }),
      want: { lines: ['bob: hi'], unread: 0, lastId: 1, oldestId: 1, lastActivity: T0 + 1 },
    },
    {
      name: 'in another room counts as unread, without mention',
      given: [m('#dev', 1, 'bob')],
      action: m('#dev', 2, 'bob', 'hello all'),
      view: (s) => [conv(s, '#dev').unread, conv(s, '#dev').mention, s.bell],
      want: [2, false, 0],
    },
    {
      name: 'naming the user in another room: unread, mention, highlighted, bell',
      action: m('#dev', 1, 'bob', 'ping @alice'),
      view: (s) => [
        conv(s, '#dev').unread,
        conv(s, '#dev').mention,
        messageAt(s, '#dev', 0),
        s.bell,
      ],
      want: [
        1,
        true,
        {
          kind: 'message',
          id: 1,
          ts: T0 + 1,
          from: 'bob',
          text: 'ping @alice',
          action: false,
          mention: true,
          own: false,
        },
        1,
      ],
    },
    {
      name: 'naming the user in the current room: highlighted and bell, no mark',
      action: m('#general', 1, 'bob', 'Alice: look'),
      view: (s) => [conv(s, '#general').mention, conv(s, '#general').unread, s.bell],
      want: [false, 0, 1],
    },
    {
      name: 'with the bell off a mention marks the room but does not ring',
      start: () => base({ bell: false }),
      action: m('#dev', 1, 'bob', 'alice?'),
      view: (s) => [conv(s, '#dev').mention, s.bell],
      want: [true, 0],
    },
    {
      name: 'a word containing the name is no mention',
      action: m('#dev', 1, 'bob', 'malice'),
      view: (s) => [conv(s, '#dev').mention, s.bell],
      want: [false, 0],
    },
    {
      name: 'own messages (another device) never count as unread or mention',
      action: m('#dev', 1, 'alice', 'I am alice'),
      view: (s) => [
        conv(s, '#dev').unread,
        conv(s, '#dev').mention,
        s.bell,
        [messageAt(s, '#dev', 0).own, messageAt(s, '#dev', 0).mention],
      ],
      want: [0, false, 0, [true, false]],
    },
    {
      name: 'a duplicate id is ignored (the same state comes back)',
      given: [m('#general', 3, 'bob', 'first')],
      action: m('#general', 3, 'bob', 'again'),
      view: (s, before) => s === before,
      want: true,
    },
    {
      name: 'an id below the last one is ignored',
      given: [m('#dev', 3, 'bob')],
      action: m('#dev', 2, 'bob', 'late'),
      view: (s) => [texts(s, '#dev'), conv(s, '#dev').unread],
      want: [['bob: m3'], 1],
    },
    {
      name: 'a room not joined is ignored',
      action: m('#ops', 1, 'bob'),
      view: (s, before) => s === before,
      want: true,
    },
    {
      name: 'escape sequences and controls are neutralized',
      action: m('#general', 1, 'bob', '\x1b[2J\x1b]0;pwned\x07x\u202eevil\tend\u009b'),
      view: (s) => texts(s, '#general'),
      want: ['bob: \u241b[2J\u241b]0;pwned\u2407xevil  end\ufffd'],
    },
    {
      name: 'invisible characters and stacked marks are neutralized as chat tail does',
      action: m(
        '#general',
        1,
        'bob',
        `a\u200Bb\u200E\u200F\u2060\uFEFFc\u{E0041}z${'\u0301'.repeat(500)}`,
      ),
      view: (s) => texts(s, '#general'),
      want: [`bob: abcz${'\u0301'.repeat(4)}`],
    },
    {
      name: '/me actions keep their flag',
      action: { type: 'message', frame: { ...msg('#general', 1, 'bob', 'waves'), action: true } },
      view: (s) => messageAt(s, '#general', 0),
      want: {
        kind: 'message',
        id: 1,
        ts: T0 + 1,
        from: 'bob',
        text: 'waves',
        action: true,
        mention: false,
        own: false,
      },
    },
    {
      name: 'speakers are remembered most recent first, without the user',
      given: [m('#general', 1, 'bob'), m('#general', 2, 'carol'), m('#general', 3, 'alice')],
      action: m('#general', 4, 'bob'),
      view: (s) => s.recent['#general'],
      want: ['bob', 'carol'],
    },
    {
      name: 'scrolled up: the view stays (offset grows) and new messages are counted',
      given: [m('#general', 1, 'bob'), m('#general', 2, 'bob'), { type: 'scroll', by: 1 }],
      action: m('#general', 3, 'carol'),
      view: (s) => scrollOf(s, '#general'),
      want: { offset: 2, newWhileScrolled: 1 },
    },
    {
      name: 'scrolled up: an own message keeps the view but is not counted',
      given: [m('#general', 1, 'bob'), m('#general', 2, 'bob'), { type: 'scroll', by: 1 }],
      action: m('#general', 3, 'alice'),
      view: (s) => scrollOf(s, '#general'),
      want: { offset: 2, newWhileScrolled: 0 },
    },
    {
      name: 'following: the view keeps following',
      given: [m('#general', 1, 'bob')],
      action: m('#general', 2, 'bob'),
      view: (s) => [scrollOf(s, '#general'), s.scroll],
      want: [{ offset: 0, newWhileScrolled: 0 }, {}],
    },
  ]);
});

describe('day separators', () => {
  const late = Date.UTC(2026, 10, 25, 23, 59);
  const early = Date.UTC(2026, 10, 26, 0, 1);
  table([
    {
      name: 'across midnight UTC a separator goes between the two days',
      given: [m('#general', 1, 'bob', 'night', late)],
      action: m('#general', 2, 'bob', 'morning', early),
      view: (s) => conv(s, '#general').lines,
      want: [
        {
          kind: 'message',
          id: 1,
          ts: late,
          from: 'bob',
          text: 'night',
          action: false,
          mention: false,
          own: false,
        },
        { kind: 'day', day: '2026-11-26', label: 'Thursday 26 November 2026' },
        {
          kind: 'message',
          id: 2,
          ts: early,
          from: 'bob',
          text: 'morning',
          action: false,
          mention: false,
          own: false,
        },
      ],
    },
    {
      name: 'none before the first line, none within a day',
      given: [m('#general', 1, 'bob', 'a', T0)],
      action: m('#general', 2, 'bob', 'b', T0 + 5 * MINUTE),
      view: (s) => texts(s, '#general'),
      want: ['bob: a', 'bob: b'],
    },
    {
      name: 'in New York the same two times are one day',
      start: () => base({ timeZone: 'America/New_York' }),
      given: [m('#general', 1, 'bob', 'a', late)],
      action: m('#general', 2, 'bob', 'b', early),
      view: (s) => texts(s, '#general'),
      want: ['bob: a', 'bob: b'],
    },
    {
      name: 'system lines take part too',
      given: [m('#general', 1, 'bob', 'a', late)],
      action: {
        type: 'joined',
        frame: { type: 'joined', room: '#general', user: 'dave', ts: early },
      },
      view: (s) => texts(s, '#general'),
      want: ['bob: a', '-- 2026-11-26', '* dave joined #general'],
    },
  ]);
});

describe('dm', () => {
  table([
    {
      name: 'an incoming DM opens @peer after the rooms, unread, marked, bell',
      action: { type: 'dm', frame: dmFrame(1, 'bob', 'alice', 'psst') },
      view: (s) => ({
        order: s.order,
        current: s.current,
        kind: conv(s, '@bob').kind,
        lines: texts(s, '@bob'),
        unread: conv(s, '@bob').unread,
        mention: conv(s, '@bob').mention,
        bell: s.bell,
      }),
      want: {
        order: ['#general', '#dev', '@bob'],
        current: '#general',
        kind: 'dm',
        lines: ['bob: psst'],
        unread: 1,
        mention: true,
        bell: 1,
      },
    },
    {
      name: 'an own DM (echo or another device) goes to @recipient, never unread',
      action: { type: 'dm', frame: dmFrame(1, 'alice', 'bob', 'hi bob') },
      view: (s) => [texts(s, '@bob'), conv(s, '@bob').unread, conv(s, '@bob').mention, s.bell],
      want: [['alice: hi bob'], 0, false, 0],
    },
    {
      name: 'the existing conversation is reused and duplicates ignored',
      given: [{ type: 'dm', frame: dmFrame(1, 'bob', 'alice', 'a') }],
      action: {
        type: 'batch',
        actions: [
          { type: 'dm', frame: dmFrame(1, 'bob', 'alice', 'a') },
          { type: 'dm', frame: dmFrame(2, 'alice', 'bob', 'b') },
        ],
      },
      view: (s) => [s.order, texts(s, '@bob')],
      want: [
        ['#general', '#dev', '@bob'],
        ['bob: a', 'alice: b'],
      ],
    },
    {
      name: 'in the current DM: no unread, still rings',
      given: [{ type: 'openDm', peer: 'bob' }],
      action: { type: 'dm', frame: dmFrame(1, 'bob', 'alice', 'psst') },
      view: (s) => [conv(s, '@bob').unread, conv(s, '@bob').mention, s.bell],
      want: [0, false, 1],
    },
  ]);
});

describe('joined', () => {
  const state = (room: string, topic = '') => ({
    room,
    topic,
    members: ['alice', 'bob'],
    lastId: 4,
  });
  table([
    {
      name: 'someone joining: a member and a system line',
      action: { type: 'joined', frame: { type: 'joined', room: '#dev', user: 'carol', ts: T0 } },
      view: (s) => [conv(s, '#dev').members, texts(s, '#dev')],
      want: [['alice', 'bob', 'carol'], ['* carol joined #dev']],
    },
    {
      name: 'an unknown user joining is known as online',
      action: { type: 'joined', frame: { type: 'joined', room: '#dev', user: 'erin', ts: T0 } },
      view: (s) => s.users.erin,
      want: { status: 'online' },
    },
    {
      name: 'a member already there is not repeated',
      action: { type: 'joined', frame: { type: 'joined', room: '#dev', user: 'bob', ts: T0 } },
      view: (s, before) => s === before,
      want: true,
    },
    {
      name: 'a room not joined is ignored',
      action: { type: 'joined', frame: { type: 'joined', room: '#ops', user: 'bob', ts: T0 } },
      view: (s, before) => s === before,
      want: true,
    },
    {
      name: 'the user joining a new room: opened before the DMs, current, with its state',
      given: [
        { type: 'openDm', peer: 'bob' },
        { type: 'joinAsked', room: '#ops' },
      ],
      action: {
        type: 'joined',
        frame: {
          type: 'joined',
          room: '#ops',
          user: 'alice',
          ts: T0,
          state: state('#ops', 'on\ncall'),
        },
      },
      view: (s) => ({
        order: s.order,
        current: s.current,
        topic: conv(s, '#ops').topic,
        members: conv(s, '#ops').members,
        hasMore: conv(s, '#ops').hasMore,
        lines: texts(s, '#ops'),
      }),
      want: {
        order: ['#general', '#dev', '#ops', '@bob'],
        current: '#ops',
        topic: 'on\u23ce call',
        members: ['alice', 'bob'],
        hasMore: true,
        lines: ['* you joined #ops'],
      },
    },
    {
      name: 'the user joining a room already open: refreshed and current, no line',
      given: [{ type: 'joinAsked', room: '#dev' }],
      action: {
        type: 'joined',
        frame: { type: 'joined', room: '#dev', user: 'alice', ts: T0, state: state('#dev', 'x') },
      },
      view: (s) => [s.current, conv(s, '#dev').topic, texts(s, '#dev'), s.order],
      want: ['#dev', 'x', [], ['#general', '#dev']],
    },
  ]);
});

describe('left', () => {
  const left = (room: string, user: string, reason: 'part' | 'quit' = 'part'): ChatAction => ({
    type: 'left',
    frame: { type: 'left', room, user, ts: T0, reason },
  });
  table([
    {
      name: 'someone parting: removed from members and recent speakers, a line',
      given: [m('#general', 1, 'bob'), m('#general', 2, 'carol')],
      action: left('#general', 'bob'),
      view: (s) => [conv(s, '#general').members, s.recent['#general'], texts(s, '#general').at(-1)],
      want: [['alice', 'carol'], ['carol'], '* bob left #general'],
    },
    {
      name: 'someone quitting says so',
      action: left('#general', 'carol', 'quit'),
      view: (s) => texts(s, '#general'),
      want: ['* carol quit'],
    },
    {
      name: 'a non-member leaving is ignored',
      action: left('#dev', 'carol'),
      view: (s, before) => s === before,
      want: true,
    },
    {
      name: 'the user leaving the current room: gone, the previous one current, a notice',
      given: [
        { type: 'switchTo', name: '#dev' },
        { type: 'scroll', by: 0 },
      ],
      action: left('#dev', 'alice'),
      view: (s) => [s.order, s.current, s.conversations['#dev'], s.notices.at(-1)?.text],
      want: [['#general'], '#general', undefined, 'you left #dev'],
    },
    {
      name: 'the user leaving the first (current) room: the next one becomes current',
      given: [m('#dev', 1, 'bob')],
      action: left('#general', 'alice'),
      view: (s) => [s.order, s.current, conv(s, '#dev').unread],
      want: [['#dev'], '#dev', 0],
    },
    {
      name: 'the user leaving another room keeps the current one',
      action: left('#dev', 'alice'),
      view: (s) => [s.order, s.current],
      want: [['#general'], '#general'],
    },
    {
      name: 'leaving the last room leaves nothing current',
      given: [left('#dev', 'alice')],
      action: left('#general', 'alice'),
      view: (s) => [s.order, s.current],
      want: [[], undefined],
    },
  ]);
});

describe('presence', () => {
  const presence = (
    user: string,
    status: 'online' | 'away' | 'offline',
    text?: string,
  ): ChatAction => ({
    type: 'presence',
    frame:
      text === undefined
        ? { type: 'presence', user, status }
        : { type: 'presence', user, status, text },
    now: T0,
  });
  table([
    {
      name: 'away: recorded and said in every room the user is in',
      action: presence('bob', 'away', 'lunch\x1b[5m'),
      view: (s) => [s.users.bob, texts(s, '#general'), texts(s, '#dev')],
      want: [
        { status: 'away', text: 'lunch\u241b[5m' },
        ['* bob is away: lunch\u241b[5m'],
        ['* bob is away: lunch\u241b[5m'],
      ],
    },
    {
      name: 'back from away',
      action: presence('carol', 'online'),
      view: (s) => [s.users.carol, texts(s, '#general'), texts(s, '#dev')],
      want: [{ status: 'online' }, ['* carol is back'], []],
    },
    {
      name: 'a DM peer: said in the DM',
      given: [{ type: 'openDm', peer: 'dave' }],
      action: presence('dave', 'offline'),
      view: (s) => [texts(s, '@dave'), texts(s, '#general')],
      want: [['* dave went offline'], []],
    },
    {
      name: 'unchanged presence changes nothing',
      action: presence('carol', 'away', 'lunch'),
      view: (s, before) => s === before,
      want: true,
    },
    {
      name: 'the user going away is a notice, not a line',
      action: presence('alice', 'away', 'brb'),
      view: (s) => [s.users.alice, s.notices.at(-1)?.text, texts(s, '#general')],
      want: [{ status: 'away', text: 'brb' }, 'you are marked away: brb', []],
    },
    {
      name: 'a user called __proto__ is an ordinary entry',
      action: presence('__proto__', 'online'),
      view: (s) => [
        Object.getPrototypeOf(s.users) === Object.prototype,
        Object.hasOwn(s.users, '__proto__'),
        Object.keys(s.users).length,
      ],
      want: [true, true, 5],
    },
  ]);
});

describe('topic', () => {
  const topic = (text: string): ChatAction => ({
    type: 'topic',
    frame: { type: 'topic', room: '#dev', text, by: 'bob', ts: T0 },
  });
  table([
    {
      name: 'sets the topic (one line, neutralized) with a line',
      action: topic('release\nfriday\x1b[H'),
      view: (s) => [conv(s, '#dev').topic, texts(s, '#dev')],
      want: ['release\u23ce friday\u241b[H', ['* bob set the topic: release\u23ce friday\u241b[H']],
    },
    {
      name: 'an empty topic clears it',
      given: [topic('x')],
      action: topic(''),
      view: (s) => [conv(s, '#dev').topic, texts(s, '#dev').at(-1)],
      want: ['', '* bob cleared the topic'],
    },
  ]);
});

describe('history', () => {
  const history = (room: string, messages: RoomMessage[], more = true): ChatAction => ({
    type: 'history',
    frame: { type: 'history', room, messages, more },
  });
  const range = (from: number, to: number, who = 'bob') =>
    Array.from({ length: to - from + 1 }, (_, i) => msg('#general', from + i, who, `m${from + i}`));
  table([
    {
      name: 'older messages go on top; oldestId and hasMore follow',
      given: [m('#general', 10, 'bob'), m('#general', 11, 'bob')],
      action: history('#general', range(7, 9), false),
      view: (s) => [
        texts(s, '#general'),
        conv(s, '#general').oldestId,
        conv(s, '#general').hasMore,
        conv(s, '#general').lastId,
      ],
      want: [['bob: m7', 'bob: m8', 'bob: m9', 'bob: m10', 'bob: m11'], 7, false, 11],
    },
    {
      name: 'messages already held are not repeated',
      given: [m('#general', 10, 'bob'), m('#general', 11, 'bob')],
      action: history('#general', range(8, 11)),
      view: (s) => texts(s, '#general'),
      want: ['bob: m8', 'bob: m9', 'bob: m10', 'bob: m11'],
    },
    {
      name: 'unsorted and repeated ids in the answer are put in order once',
      given: [m('#general', 10, 'bob')],
      action: history('#general', [...range(8, 9), ...range(7, 8)]),
      view: (s) => texts(s, '#general'),
      want: ['bob: m7', 'bob: m8', 'bob: m9', 'bob: m10'],
    },
    {
      name: 'into an empty conversation: all of it, and later duplicates ignored',
      given: [history('#general', range(1, 3), false)],
      action: m('#general', 3, 'bob', 'dup'),
      view: (s, before) => [s === before, texts(s, '#general'), conv(s, '#general').lastId],
      // The first history of a conversation is set apart from the live lines to come.
      want: [true, ['bob: m1', 'bob: m2', 'bob: m3', '~~ backlog'], 3],
    },
    {
      name: 'old mentions are highlighted but neither mark, count nor ring',
      given: [{ type: 'switchTo', name: '#dev' }],
      action: history('#general', [msg('#general', 1, 'bob', 'alice: old')]),
      view: (s) => [
        messageAt(s, '#general', 0).mention,
        conv(s, '#general').unread,
        conv(s, '#general').mention,
        s.bell,
      ],
      want: [true, 0, false, 0],
    },
    {
      name: 'a separator at the seam when days differ',
      given: [m('#general', 10, 'bob', 'today', Date.UTC(2026, 10, 26, 9, 0))],
      action: history('#general', [
        msg('#general', 9, 'bob', 'yesterday', Date.UTC(2026, 10, 25, 9)),
      ]),
      view: (s) => texts(s, '#general'),
      want: ['bob: yesterday', '-- 2026-11-26', 'bob: today'],
    },
    {
      name: 'older speakers come after the recent ones for completion',
      given: [m('#general', 10, 'carol')],
      action: history('#general', [
        msg('#general', 7, 'dave', 'x'),
        msg('#general', 8, 'bob', 'y'),
        msg('#general', 9, 'alice', 'z'),
      ]),
      view: (s) => s.recent['#general'],
      want: ['carol', 'bob', 'dave'],
    },
    {
      name: 'a DM conversation takes its history too, own messages marked',
      given: [{ type: 'dm', frame: dmFrame(5, 'bob', 'alice', 'new') }],
      action: {
        type: 'history',
        frame: {
          type: 'history',
          room: '@bob',
          messages: [dmFrame(3, 'alice', 'bob', 'q'), dmFrame(4, 'bob', 'alice', 'a')],
          more: false,
        },
      },
      view: (s) => [texts(s, '@bob'), messageAt(s, '@bob', 0).own, conv(s, '@bob').hasMore],
      want: [['alice: q', 'bob: a', 'bob: new'], true, false],
    },
    {
      name: 'at the bound the oldest lines go, and more stays to fetch',
      start: () => base({ maxLines: 3 }),
      given: [m('#general', 10, 'bob'), m('#general', 11, 'bob')],
      action: history('#general', range(7, 9), false),
      view: (s) => [
        texts(s, '#general'),
        conv(s, '#general').oldestId,
        conv(s, '#general').hasMore,
      ],
      want: [['bob: m9', 'bob: m10', 'bob: m11'], 9, true],
    },
    {
      name: 'an unknown conversation is ignored',
      action: history('@zed', []),
      view: (s, before) => s === before,
      want: true,
    },
  ]);
});

describe('connection', () => {
  table([
    {
      name: 'serverError becomes a notice',
      action: {
        type: 'serverError',
        frame: { type: 'error', code: 'rate_limited', message: 'too many frames' },
      },
      view: (s) => s.notices.map((n) => n.text),
      want: ['too many frames (rate_limited)'],
    },
    {
      name: 'reconnecting: the delay, when it ends, and why',
      action: {
        type: 'clientState',
        state: 'reconnecting',
        retryInMs: 2_000,
        error: 'connection reset',
        now: 1_000,
      },
      view: (s) => s.connection,
      want: {
        state: 'reconnecting',
        user: 'alice',
        retryInMs: 2_000,
        retryAt: 3_000,
        error: 'connection reset',
      },
    },
    {
      name: 'connected again: the error and delay go, the TLS version shows',
      given: [
        { type: 'rtt', ms: 12 },
        { type: 'clientState', state: 'reconnecting', retryInMs: 500, error: 'x', now: 0 },
      ],
      action: { type: 'clientState', state: 'connected', tlsVersion: 'TLSv1.3', now: 600 },
      view: (s) => s.connection,
      want: { state: 'connected', user: 'alice', tlsVersion: 'TLSv1.3', rttMs: 12 },
    },
    {
      name: 'a cluster: the node tried next, then the one connected to',
      given: [
        {
          type: 'clientState',
          state: 'reconnecting',
          retryInMs: 100,
          error: 'x',
          node: 'a.example:8443',
          now: 0,
        },
      ],
      action: { type: 'clientState', state: 'connected', node: 'b.example:8443', now: 100 },
      view: (s) => [s.connection.state, s.connection.node],
      want: ['connected', 'b.example:8443'],
    },
    {
      name: 'rtt is recorded',
      action: { type: 'rtt', ms: 42 },
      view: (s) => s.connection.rttMs,
      want: 42,
    },
  ]);
});

describe('pending', () => {
  const add = (localId: string, conversation = '#general', text = 'hi'): ChatAction => ({
    type: 'pendingAdded',
    localId,
    conversation,
    text,
    action: false,
  });
  table([
    {
      name: 'added: listed for its conversation, text neutralized',
      action: add('l1', '#general', 'x\x1b[2Jy'),
      view: (s) => [s.pending, conv(s, '#general').pendingIds],
      want: [
        [{ localId: 'l1', conversation: '#general', text: 'x\u241b[2Jy', action: false }],
        ['l1'],
      ],
    },
    {
      name: 'sending brings a scrolled view back to the bottom',
      given: [m('#general', 1, 'bob'), m('#general', 2, 'bob'), { type: 'scroll', by: 1 }],
      action: add('l1'),
      view: (s) => scrollOf(s, '#general'),
      want: { offset: 0, newWhileScrolled: 0 },
    },
    {
      name: 'to a new peer: opens the DM',
      action: add('l1', '@dave'),
      view: (s) => [s.order, conv(s, '@dave').pendingIds],
      want: [['#general', '#dev', '@dave'], ['l1']],
    },
    {
      name: 'to a room not joined: a hint, nothing pending',
      action: add('l1', '#ops'),
      view: (s) => [s.pending, s.notices.at(-1)?.text],
      want: [[], 'you are not in #ops: /join it first'],
    },
    {
      name: 'the same local id twice is kept once',
      given: [add('l1')],
      action: add('l1'),
      view: (s, before) => s === before,
      want: true,
    },
    {
      name: 'acked: no longer pending (the echo shows the line)',
      given: [add('l1'), add('l2')],
      action: { type: 'pendingAcked', localId: 'l1', id: 5 },
      view: (s) => [
        pendingFor(s, '#general').map((p) => p.localId),
        conv(s, '#general').pendingIds,
      ],
      want: [['l2'], ['l2']],
    },
    {
      name: 'failed: no longer pending, a failed line where it failed, with a notice',
      given: [m('#general', 1, 'bob'), add('l1'), add('l2', '#general', 'still waiting')],
      action: { type: 'pendingFailed', localId: 'l1', error: 'too fast', now: T0 + 5 },
      view: (s) => [
        pendingFor(s, '#general').map((p) => p.localId),
        conv(s, '#general').pendingIds,
        conv(s, '#general').lines.at(-1),
        s.notices.at(-1)?.text,
      ],
      want: [
        ['l2'],
        ['l2'],
        {
          kind: 'failed',
          ts: T0 + 5,
          from: 'alice',
          text: 'hi',
          action: false,
          reason: 'too fast',
        },
        'not sent to #general: too fast',
      ],
    },
    {
      name: 'failed: later messages come below it, and it is not unread',
      given: [
        m('#general', 1, 'bob'),
        add('l1'),
        { type: 'pendingFailed', localId: 'l1', error: 'too fast', now: T0 + 5 },
      ],
      action: m('#general', 2, 'bob'),
      view: (s) => [texts(s, '#general'), conv(s, '#general').unread],
      want: [['bob: m1', '! alice: hi (too fast)', 'bob: m2'], 0],
    },
    {
      name: 'failed: the reason is neutralized in the line',
      given: [add('l1', '@dave')],
      action: { type: 'pendingFailed', localId: 'l1', error: 'no\x1b[2J\nway', now: T0 + 5 },
      view: (s) => texts(s, '@dave'),
      want: ['! alice: hi (no\u241b[2J\u23ce way)'],
    },
    {
      name: 'failed on a new day: a day separator goes before it',
      given: [m('#general', 1, 'bob'), add('l1')],
      action: { type: 'pendingFailed', localId: 'l1', error: 'nope', now: T0 + 24 * 60 * MINUTE },
      view: (s) => texts(s, '#general'),
      want: ['bob: m1', '-- 2026-11-26', '! alice: hi (nope)'],
    },
    {
      name: 'failed while scrolled up: the view stays, nothing counted as new',
      given: [
        m('#general', 1, 'bob'),
        m('#general', 2, 'bob'),
        add('l1'),
        { type: 'scroll', by: 1 },
      ],
      action: { type: 'pendingFailed', localId: 'l1', error: 'nope', now: T0 + 5 },
      view: (s) => scrollOf(s, '#general'),
      want: { offset: 2, newWhileScrolled: 0 },
    },
    {
      name: 'an unknown local id changes nothing',
      action: { type: 'pendingAcked', localId: 'nope', id: 1 },
      view: (s, before) => s === before,
      want: true,
    },
  ]);
});

describe('navigation', () => {
  const three: ChatAction[] = [
    { type: 'openDm', peer: 'bob' },
    { type: 'switchTo', name: '#general' },
  ];
  table([
    {
      name: 'switchTo clears unread and mention',
      given: [m('#dev', 1, 'bob', 'alice!'), m('#dev', 2, 'bob')],
      action: { type: 'switchTo', name: '#dev' },
      view: (s) => [s.current, conv(s, '#dev').unread, conv(s, '#dev').mention],
      want: ['#dev', 0, false],
    },
    {
      name: 'switchTo an unknown name changes nothing',
      action: { type: 'switchTo', name: '#nope' },
      view: (s, before) => s === before,
      want: true,
    },
    {
      name: 'switchTo a prototype name changes nothing',
      action: { type: 'switchTo', name: 'constructor' },
      view: (s, before) => s === before,
      want: true,
    },
    {
      name: 'next goes down the list',
      given: three,
      action: { type: 'nextConversation' },
      view: (s) => s.current,
      want: '#dev',
    },
    {
      name: 'next wraps from the last to the first',
      given: [...three, { type: 'switchTo', name: '@bob' }],
      action: { type: 'nextConversation' },
      view: (s) => s.current,
      want: '#general',
    },
    {
      name: 'previous wraps from the first to the last',
      given: three,
      action: { type: 'previousConversation' },
      view: (s) => s.current,
      want: '@bob',
    },
    {
      name: 'jumpToNumber picks by place (1-based)',
      given: three,
      action: { type: 'jumpToNumber', number: 3 },
      view: (s) => s.current,
      want: '@bob',
    },
    {
      name: 'jumpToNumber past the list changes nothing',
      given: three,
      action: { type: 'jumpToNumber', number: 9 },
      view: (s, before) => s === before,
      want: true,
    },
    {
      name: 'jumpToNumber outside 1-9 changes nothing',
      action: { type: 'jumpToNumber', number: 0 },
      view: (s, before) => s === before,
      want: true,
    },
    {
      name: 'nextActivity: a mention first, even when older',
      given: [
        {
          type: 'joined',
          frame: {
            type: 'joined',
            room: '#ops',
            user: 'alice',
            ts: T0,
            state: { room: '#ops', topic: '', members: [], lastId: 0 },
          },
        },
        { type: 'switchTo', name: '#general' },
        m('#dev', 1, 'bob', 'alice?', T0 + MINUTE),
        m('#ops', 1, 'bob', 'newer', T0 + 2 * MINUTE),
      ],
      action: { type: 'nextActivity' },
      view: (s) => s.current,
      want: '#dev',
    },
    {
      name: 'nextActivity: then the most recent unread',
      given: [
        { type: 'dm', frame: dmFrame(1, 'alice', 'bob', 'sent by me', T0 + 9 * MINUTE) },
        {
          type: 'joined',
          frame: {
            type: 'joined',
            room: '#ops',
            user: 'alice',
            ts: T0,
            state: { room: '#ops', topic: '', members: [], lastId: 0 },
          },
        },
        { type: 'switchTo', name: '#general' },
        m('#dev', 1, 'bob', 'older', T0 + MINUTE),
        m('#ops', 1, 'bob', 'newer', T0 + 2 * MINUTE),
      ],
      action: { type: 'nextActivity' },
      view: (s) => s.current,
      want: '#ops',
    },
    {
      name: 'nextActivity with no activity stays',
      action: { type: 'nextActivity' },
      view: (s) => s.current,
      want: '#general',
    },
    {
      name: 'openDm opens and switches',
      action: { type: 'openDm', peer: 'carol' },
      view: (s) => [s.current, s.order, conv(s, '@carol').kind, conv(s, '@carol').hasMore],
      want: ['@carol', ['#general', '#dev', '@carol'], 'dm', true],
    },
    {
      name: 'openDm of an open DM switches to it',
      given: [{ type: 'dm', frame: dmFrame(1, 'bob', 'alice', 'x') }],
      action: { type: 'openDm', peer: 'bob' },
      view: (s) => [s.current, s.order, conv(s, '@bob').unread],
      want: ['@bob', ['#general', '#dev', '@bob'], 0],
    },
    {
      name: 'closeConversation of the current DM: the previous becomes current',
      given: [
        { type: 'openDm', peer: 'bob' },
        { type: 'openDm', peer: 'carol' },
      ],
      action: { type: 'closeConversation', name: '@carol' },
      view: (s) => [s.order, s.current],
      want: [['#general', '#dev', '@bob'], '@bob'],
    },
    {
      name: 'closeConversation drops its pending messages',
      given: [
        { type: 'pendingAdded', localId: 'l1', conversation: '@bob', text: 'x', action: false },
      ],
      action: { type: 'closeConversation', name: '@bob' },
      view: (s) => [s.pending, s.order],
      want: [[], ['#general', '#dev']],
    },
    {
      name: 'closeConversation of a room only hints at /part',
      action: { type: 'closeConversation', name: '#dev' },
      view: (s) => [s.order, s.notices.at(-1)?.text],
      want: [['#general', '#dev'], 'use /part #dev to leave the room'],
    },
  ]);
});

describe('scroll', () => {
  const ten = Array.from({ length: 10 }, (_, i) => m('#general', i + 1, 'bob'));
  table([
    {
      name: 'up by lines',
      given: ten,
      action: { type: 'scroll', by: 5 },
      view: (s) => scrollOf(s, '#general'),
      want: { offset: 5, newWhileScrolled: 0 },
    },
    {
      name: 'never past the first line',
      given: ten,
      action: { type: 'scroll', by: 50 },
      view: (s) => scrollOf(s, '#general').offset,
      want: 9,
    },
    {
      name: 'never past the oldest line at the top of the pane (the mark below)',
      given: ten,
      action: { type: 'scroll', by: 50, height: 6 },
      view: (s) => scrollOf(s, '#general').offset,
      want: 5,
    },
    {
      name: 'with older messages on the server, the hint row stays above the oldest line',
      start: () =>
        chatReducer(initialChatState({ server: 'h:1', bell: false, timeZone: 'UTC' }), {
          type: 'welcome',
          frame: welcome([{ room: '#general', members: ['alice', 'bob'], lastId: 90 }]),
          now: T0,
        }),
      given: Array.from({ length: 10 }, (_, i) => m('#general', 91 + i, 'bob')),
      action: { type: 'scroll', by: 50, height: 6 },
      view: (s) => [conv(s, '#general').hasMore, scrollOf(s, '#general').offset],
      want: [true, 6],
    },
    {
      name: 'nothing moves when every line fits',
      given: ten,
      action: { type: 'scroll', by: 5, height: 10 },
      view: (s, before) => s === before,
      want: true,
    },
    {
      name: 'down clamps at 0, which clears the new-message count',
      given: [...ten, { type: 'scroll', by: 3 }, m('#general', 11, 'carol')],
      action: { type: 'scroll', by: -10 },
      view: (s) => [scrollOf(s, '#general'), s.scroll],
      want: [{ offset: 0, newWhileScrolled: 0 }, {}],
    },
    {
      name: 'down part way keeps the count',
      given: [...ten, { type: 'scroll', by: 3 }, m('#general', 11, 'carol')],
      action: { type: 'scroll', by: -2 },
      view: (s) => scrollOf(s, '#general'),
      want: { offset: 2, newWhileScrolled: 1 },
    },
    {
      name: 'scrollToBottom follows again',
      given: [...ten, { type: 'scroll', by: 3 }, m('#general', 11, 'carol')],
      action: { type: 'scrollToBottom' },
      view: (s) => scrollOf(s, '#general'),
      want: { offset: 0, newWhileScrolled: 0 },
    },
    {
      name: 'each conversation keeps its own',
      given: [...ten, { type: 'scroll', by: 3 }],
      action: { type: 'switchTo', name: '#dev' },
      view: (s) => [scrollOf(s, '#general').offset, scrollOf(s, '#dev').offset],
      want: [3, 0],
    },
    {
      name: 'an empty pane does not scroll',
      action: { type: 'scroll', by: 3 },
      view: (s) => scrollOf(s, '#general').offset,
      want: 0,
    },
  ]);
});

describe('clear, notices, help', () => {
  table([
    {
      name: 'clear empties the current pane; history can bring it back',
      given: [m('#general', 1, 'bob'), m('#general', 2, 'bob'), { type: 'scroll', by: 1 }],
      action: { type: 'clear' },
      view: (s) => ({
        lines: texts(s, '#general'),
        oldestId: conv(s, '#general').oldestId,
        hasMore: conv(s, '#general').hasMore,
        scroll: scrollOf(s, '#general'),
        other: s.conversations['#dev']?.lines.length,
      }),
      want: {
        lines: [],
        oldestId: 3,
        hasMore: true,
        scroll: { offset: 0, newWhileScrolled: 0 },
        other: 0,
      },
    },
    {
      name: 'after clear, live messages continue and old ones stay out',
      given: [m('#general', 1, 'bob'), { type: 'clear' }, m('#general', 1, 'bob')],
      action: m('#general', 2, 'bob'),
      view: (s) => texts(s, '#general'),
      want: ['bob: m2'],
    },
    {
      name: 'clear drops failed messages, keeps waiting ones',
      given: [
        { type: 'pendingAdded', localId: 'a', conversation: '#general', text: 'x', action: false },
        { type: 'pendingAdded', localId: 'b', conversation: '#general', text: 'y', action: false },
        { type: 'pendingFailed', localId: 'a', error: 'nope', now: T0 },
      ],
      action: { type: 'clear' },
      view: (s) => [
        s.pending.map((p) => p.localId),
        conv(s, '#general').pendingIds,
        texts(s, '#general'),
      ],
      want: [['b'], ['b'], []],
    },
    {
      name: 'a notice is added newest last, neutralized',
      action: { type: 'notice', text: 'unknown command /foo\x1b[J' },
      view: (s) => s.notices,
      want: [{ id: 1, text: 'unknown command /foo\u241b[J' }],
    },
    {
      name: 'notices are bounded, the oldest dropped',
      given: Array.from(
        { length: MAX_NOTICES + 5 },
        (_, i) => ({ type: 'notice', text: `n${i}` }) as ChatAction,
      ),
      action: { type: 'notice', text: 'last' },
      view: (s) => [s.notices.length, s.notices[0]?.text, s.notices.at(-1)?.text],
      want: [MAX_NOTICES, 'n6', 'last'],
    },
    {
      name: 'dismissNotice removes that one and the older ones, never a newer one',
      given: [
        { type: 'notice', text: 'a' },
        { type: 'notice', text: 'b' },
        { type: 'notice', text: 'c' },
      ],
      action: { type: 'dismissNotice', id: 2 },
      view: (s) => s.notices,
      want: [{ id: 3, text: 'c' }],
    },
    {
      name: 'toggleHelp opens the overlay',
      action: { type: 'toggleHelp' },
      view: (s) => s.overlay,
      want: 'help',
    },
    {
      name: 'toggleHelp again closes it',
      given: [{ type: 'toggleHelp' }],
      action: { type: 'toggleHelp' },
      view: (s) => s.overlay,
      want: 'none',
    },
    {
      name: 'closeHelp closes it',
      given: [{ type: 'toggleHelp' }],
      action: { type: 'closeHelp' },
      view: (s) => s.overlay,
      want: 'none',
    },
    {
      name: 'closeHelp when closed changes nothing',
      action: { type: 'closeHelp' },
      view: (s, before) => s === before,
      want: true,
    },
  ]);
});

describe('batch and bounds', () => {
  const flood = (count: number, room = '#general', first = 1): ChatAction[] =>
    Array.from({ length: count }, (_, i) =>
      m(room, first + i, i % 2 === 0 ? 'bob' : 'carol', `n${first + i}`, T0 + (first + i) * 1000),
    );

  it('a batch equals the same actions one by one', () => {
    const actions: ChatAction[] = [
      ...flood(30),
      { type: 'presence', frame: { type: 'presence', user: 'bob', status: 'away' }, now: T0 },
      ...flood(30, '#dev'),
      { type: 'joined', frame: { type: 'joined', room: '#dev', user: 'dave', ts: T0 } },
      { type: 'dm', frame: dmFrame(1, 'bob', 'alice', 'alice, see') },
      ...flood(10, '#general', 20),
    ];
    const start = deepFreeze(base({ maxLines: 25 }));
    assert.deepEqual(chatReducer(start, { type: 'batch', actions }), run(start, actions));
  });

  it('a batch of 1,000 messages stays within the bound', () => {
    const start = deepFreeze(base({ maxLines: 100 }));
    const after = chatReducer(start, { type: 'batch', actions: flood(1_000) });
    const general = conv(after, '#general');
    assert.equal(general.lines.length, 100);
    assert.equal(general.lastId, 1_000);
    assert.equal(general.oldestId, 901);
    assert.equal(general.hasMore, true);
    assert.deepEqual(texts(after, '#general').slice(-2), ['bob: n999', 'carol: n1000']);
  });

  it('6,000 messages in batches keep the newest 5,000 by default', () => {
    let state = deepFreeze(base());
    for (let b = 0; b < 6; b++) {
      state = deepFreeze(
        chatReducer(state, { type: 'batch', actions: flood(1_000, '#dev', b * 1_000 + 1) }),
      );
    }
    const dev = conv(state, '#dev');
    assert.ok(dev.lines.length <= 5_000);
    assert.equal(dev.lines[0]?.kind, 'message');
    assert.equal(dev.lastId, 6_000);
    assert.equal(dev.unread, 6_000);
    assert.equal(texts(state, '#dev').at(-1), 'carol: n6000');
  });

  it('trimming never leaves a day separator first', () => {
    const late = Date.UTC(2026, 10, 25, 23, 59);
    const actions = [
      m('#general', 1, 'bob', 'a', late),
      m('#general', 2, 'bob', 'b', late + 2 * MINUTE),
    ];
    const after = run(base({ maxLines: 2 }), actions);
    assert.deepEqual(texts(after, '#general'), ['bob: b']);
    assert.equal(conv(after, '#general').oldestId, 2);
  });

  it('a scrolled view is clamped to what remains', () => {
    const state = run(base({ maxLines: 10 }), [...flood(10), { type: 'scroll', by: 9 }]);
    const after = chatReducer(state, { type: 'batch', actions: flood(5, '#general', 11) });
    assert.deepEqual(scrollOf(after, '#general'), { offset: 9, newWhileScrolled: 5 });
  });

  it('the input of a batch is not changed, nor is one batch output by the next', () => {
    const start = deepFreeze(base());
    const one = deepFreeze(chatReducer(start, { type: 'batch', actions: flood(50) }));
    const two = chatReducer(one, { type: 'batch', actions: flood(50, '#general', 51) });
    assert.equal(start.conversations['#general']?.lines.length, 0);
    assert.equal(one.conversations['#general']?.lines.length, 50);
    assert.equal(two.conversations['#general']?.lines.length, 100);
  });

  it('nested batches apply in order', () => {
    const after = chatReducer(base(), {
      type: 'batch',
      actions: [m('#general', 1, 'bob'), { type: 'batch', actions: [m('#general', 2, 'bob')] }],
    });
    assert.deepEqual(texts(after, '#general'), ['bob: m1', 'bob: m2']);
  });
});

describe('selectors', () => {
  const busy = () =>
    run(base(), [
      m('#dev', 1, 'bob', 'alice?'),
      m('#dev', 2, 'bob'),
      { type: 'dm', frame: dmFrame(1, 'dave', 'alice', 'yo') },
      { type: 'presence', frame: { type: 'presence', user: 'bob', status: 'away' }, now: T0 },
    ]);

  it('conversationList: place, unread, mention, current', () => {
    assert.deepEqual(conversationList(busy()), [
      { name: '#general', kind: 'room', unread: 0, mention: false, isCurrent: true, index: 1 },
      { name: '#dev', kind: 'room', unread: 2, mention: true, isCurrent: false, index: 2 },
      { name: '@dave', kind: 'dm', unread: 1, mention: true, isCurrent: false, index: 3 },
    ]);
  });

  it('currentMembers: online first, then away, then offline, alphabetical', () => {
    const state = run(busy(), [
      { type: 'joined', frame: { type: 'joined', room: '#general', user: 'zoe', ts: T0 } },
      { type: 'joined', frame: { type: 'joined', room: '#general', user: 'erin', ts: T0 } },
      { type: 'presence', frame: { type: 'presence', user: 'erin', status: 'offline' }, now: T0 },
    ]);
    assert.deepEqual(currentMembers(state), [
      { user: 'alice', status: 'online' },
      { user: 'zoe', status: 'online' },
      { user: 'bob', status: 'away' },
      { user: 'carol', status: 'away', text: 'lunch' },
      { user: 'erin', status: 'offline' },
    ]);
  });

  it('currentMembers of a DM: the peer and the user', () => {
    const state = chatReducer(busy(), { type: 'switchTo', name: '@dave' });
    assert.deepEqual(currentMembers(state), [
      { user: 'alice', status: 'online' },
      { user: 'dave', status: 'online' },
    ]);
  });

  it('completionCandidates: recent speakers, then members, then everyone, never the user', () => {
    const state = run(base(), [m('#general', 1, 'carol'), m('#general', 2, 'alice')]);
    assert.deepEqual(completionCandidates(state), {
      users: ['carol', 'bob', 'dave'],
      rooms: ['#general', '#dev'],
    });
  });

  it('completionCandidates in a DM: the peer first', () => {
    const state = chatReducer(base(), { type: 'openDm', peer: 'dave' });
    assert.deepEqual(completionCandidates(state).users, ['dave', 'bob', 'carol']);
  });

  it('nothing current: empty views', () => {
    const state = initialChatState({ server: 'h:1', bell: true });
    assert.deepEqual(conversationList(state), []);
    assert.deepEqual(currentMembers(state), []);
    assert.deepEqual(completionCandidates(state), { users: [], rooms: [] });
    assert.deepEqual(pendingFor(state, '#general'), []);
  });
});
