import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DirectMessage, RoomMessage, UnreadEntry } from '../../src/net/protocol/frames.ts';
import { awaySummaryRows } from '../../src/ui/components/away-summary-rows.ts';
import {
  type ChatAction,
  type ChatState,
  chatReducer,
  initialChatState,
  type Line,
  scrollOf,
} from '../../src/ui/state/chat-state.ts';
import { readDelay } from '../../src/ui/state/read-pacing.ts';
import {
  newSinceLine,
  olderPage,
  readTarget,
  summaryJump,
} from '../../src/ui/state/read-selectors.ts';
import { welcomeFrame } from '../helpers/chat-frames.ts';

// Wednesday 25 November 2026, 12:00 UTC.
const T0 = Date.UTC(2026, 10, 25, 12, 0);

function msg(room: string, id: number, from: string, text = `m${id}`): RoomMessage {
  return { type: 'msg', id, ts: T0 + id * 1000, room, from, text };
}

function dm(id: number, from: string, to: string, text = `d${id}`): DirectMessage {
  return { type: 'dm', id, ts: T0 + id * 1000, from, to, text };
}

const say = (room: string, id: number, from: string, text?: string): ChatAction => ({
  type: 'message',
  frame: msg(room, id, from, text),
});

function history(
  room: string,
  messages: (RoomMessage | DirectMessage)[],
  more = false,
  ref?: string,
): ChatAction {
  return {
    type: 'history',
    frame: { type: 'history', room, messages, more, ...(ref === undefined ? {} : { ref }) },
  };
}

function range(room: string, from: number, to: number, who = 'bob'): RoomMessage[] {
  const out: RoomMessage[] = [];
  for (let id = from; id <= to; id++) out.push(msg(room, id, who));
  return out;
}

function entry(room: string, lastId: number, read: number, extra: Partial<UnreadEntry> = {}) {
  return { room, lastId, read, unread: lastId - read, mentions: 0, lines: [], ...extra };
}

function unread(conversations: UnreadEntry[], since?: number, now = T0): ChatAction {
  return {
    type: 'unread',
    frame: { type: 'unread', conversations, ...(since === undefined ? {} : { since }) },
    now,
  };
}

const read = (room: string, id: number): ChatAction => ({
  type: 'read',
  frame: { type: 'read', room, id },
});

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) {
      deepFreeze((value as Record<string | symbol, unknown>)[key]);
    }
  }
  return value;
}

/** Every action on deep-frozen state, so a reducer that mutates its input throws. */
function run(state: ChatState, actions: readonly ChatAction[]): ChatState {
  return actions.reduce((s, a) => chatReducer(deepFreeze(s), a), state);
}

/** Connected as alice in #general (current, newest 10) and #dev (newest 20). */
function base(): ChatState {
  const initial = initialChatState({ server: 'localhost:7000', bell: false, timeZone: 'UTC' });
  const frame = welcomeFrame({
    rooms: [
      { room: '#general', topic: '', members: ['alice', 'bob'], lastId: 10 },
      { room: '#dev', topic: '', members: ['alice', 'bob'], lastId: 20 },
    ],
    users: [
      { user: 'alice', status: 'online' },
      { user: 'bob', status: 'online' },
    ],
  });
  return run(initial, [
    { type: 'welcome', frame, now: T0 },
    { type: 'clientState', state: 'connected', now: T0 },
  ]);
}

function show(line: Line): string {
  if (line.kind === 'message') return `${line.from}: ${line.text}`;
  if (line.kind === 'system') return `* ${line.text}`;
  if (line.kind === 'backlog') return '~~ backlog';
  if (line.kind === 'day') return `-- ${line.day}`;
  return `! ${line.text}`;
}

function texts(state: ChatState, name: string): string[] {
  return (state.conversations[name]?.lines ?? []).map(show);
}

function conv(state: ChatState, name: string) {
  const conversation = state.conversations[name];
  assert.ok(conversation, `no conversation ${name}`);
  return conversation;
}

const counts = (s: ChatState, name: string) => [conv(s, name).unread, conv(s, name).mention];

type Case = {
  name: string;
  given?: ChatAction[];
  actions: ChatAction[];
  view: (state: ChatState) => unknown;
  want: unknown;
};

function table(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const state = run(base(), [...(c.given ?? []), ...c.actions]);
      assert.deepEqual(c.view(state), c.want);
    });
  }
}

describe('chat state: the unread frame', () => {
  table([
    {
      name: 'counts and mention marks come from it; the current room shows none',
      actions: [unread([entry('#general', 10, 4), entry('#dev', 20, 12, { mentions: 2 })])],
      view: (s) => [counts(s, '#general'), counts(s, '#dev'), conv(s, '#dev').readId],
      want: [[0, false], [8, true], 12],
    },
    {
      name: 'a DM with unread messages opens a window; one without stays closed',
      actions: [unread([entry('@bob', 5, 2, { mentions: 3 }), entry('@carol', 9, 9)])],
      view: (s) => [s.order, counts(s, '@bob'), conv(s, '@bob').hasMore, s.current],
      want: [['#general', '#dev', '@bob'], [3, true], true, '#general'],
    },
    {
      name: 'the current room gets its "new" line at the position first known',
      actions: [unread([entry('#general', 10, 4)]), unread([entry('#general', 10, 9)])],
      view: (s) => s.newSince,
      want: 4,
    },
    {
      name: 'no "new" line where nothing was ever read',
      actions: [unread([entry('#general', 10, 0)])],
      view: (s) => s.newSince,
      want: undefined,
    },
    {
      name: 'a replay of messages it counted counts no more; later ones do',
      actions: [
        unread([entry('#dev', 20, 18)]),
        say('#dev', 19, 'bob'),
        say('#dev', 20, 'bob'),
        say('#dev', 21, 'bob'),
      ],
      view: (s) => counts(s, '#dev'),
      want: [3, false],
    },
    {
      name: 'the away summary: with since and something unread',
      actions: [
        unread(
          [
            entry('#general', 10, 10),
            entry('#dev', 20, 17, {
              mentions: 1,
              lines: [msg('#dev', 19, 'bob', 'alice: look \u001b[2J')],
              topic: { text: 'new topic', by: 'bob', ts: T0 },
            }),
            entry('@bob', 3, 1, {
              mentions: 2,
              lines: [dm(2, 'bob', 'alice'), dm(3, 'bob', 'alice')],
            }),
          ],
          T0 - 3_600_000,
        ),
      ],
      view: (s) => ({
        since: s.summary?.since,
        entries: s.summary?.entries.map((e) => [
          e.name,
          e.unread,
          e.mentions,
          e.lines.map((l) => l.text),
          e.topic?.text,
        ]),
        mention: s.summary?.entries[0]?.lines[0]?.mention,
      }),
      want: {
        since: T0 - 3_600_000,
        entries: [
          ['#dev', 3, 1, ['alice: look ␛[2J'], 'new topic'],
          ['@bob', 2, 2, ['d2', 'd3'], undefined],
        ],
        mention: true,
      },
    },
    {
      name: 'a reconnect shows it only after a long absence',
      given: [unread([entry('#dev', 20, 17)])],
      actions: [unread([entry('#dev', 20, 17)], T0 - 60_000)],
      view: (s) => [
        s.summary,
        chatReducer(s, unread([entry('#dev', 20, 17)], T0 - 600_000)).summary?.since,
      ],
      want: [undefined, T0 - 600_000],
    },
    {
      name: 'no summary without since',
      actions: [unread([entry('#dev', 20, 17)])],
      view: (s) => s.summary,
      want: undefined,
    },
    {
      name: 'no summary when nothing is unread',
      actions: [unread([entry('#dev', 20, 20)], T0)],
      view: (s) => s.summary,
      want: undefined,
    },
    {
      name: 'Esc dismisses the summary, the help first when it is open',
      given: [unread([entry('#dev', 20, 17)], T0), { type: 'toggleHelp' }],
      actions: [{ type: 'closeHelp' }],
      view: (s) => [
        s.overlay,
        s.summary !== undefined,
        chatReducer(s, { type: 'closeHelp' }).summary,
      ],
      want: ['none', true, undefined],
    },
  ]);
});

describe('chat state: read frames', () => {
  table([
    {
      name: 'all read: the count and mark go',
      given: [unread([entry('#dev', 20, 12, { mentions: 1 })])],
      actions: [read('#dev', 20)],
      view: (s) => [counts(s, '#dev'), conv(s, '#dev').readId],
      want: [[0, false], 20],
    },
    {
      name: 'part read, all lines held: what is left above it, exactly',
      given: [
        { type: 'switchTo', name: '#dev' },
        history('#dev', range('#dev', 11, 20), true, 'backlog'),
        { type: 'switchTo', name: '#general' },
        unread([entry('#dev', 20, 12, { mentions: 0 })]),
      ],
      actions: [read('#dev', 17)],
      view: (s) => counts(s, '#dev'),
      want: [3, false],
    },
    {
      name: 'a mention left above it keeps the mark',
      given: [
        { type: 'switchTo', name: '#dev' },
        history(
          '#dev',
          [...range('#dev', 11, 18), msg('#dev', 19, 'bob', 'hey alice'), msg('#dev', 20, 'bob')],
          true,
          'backlog',
        ),
        { type: 'switchTo', name: '#general' },
        unread([entry('#dev', 20, 12, { mentions: 1 })]),
      ],
      actions: [read('#dev', 17)],
      view: (s) => counts(s, '#dev'),
      want: [3, true],
    },
    {
      name: 'part read, older ones not held: those are estimated from the count before',
      given: [
        { type: 'switchTo', name: '#dev' },
        history('#dev', range('#dev', 16, 20), true, 'backlog'),
        { type: 'switchTo', name: '#general' },
        unread([entry('#dev', 20, 5)]),
      ],
      // 15 unread: 5 held (16-20), 10 not held (6-15); read to 12 leaves 5 held and
      // at most 3 (13-15) not held.
      actions: [read('#dev', 12)],
      view: (s) => counts(s, '#dev'),
      want: [8, false],
    },
    {
      name: 'a position that does not move changes nothing',
      given: [unread([entry('#dev', 20, 12)])],
      actions: [read('#dev', 10)],
      view: (s) => [counts(s, '#dev'), conv(s, '#dev').readId],
      want: [[8, false], 12],
    },
    {
      name: 'an unknown conversation is ignored',
      actions: [read('#nope', 3)],
      view: (s) => s.conversations['#nope'],
      want: undefined,
    },
  ]);
});

describe('chat state: backlog', () => {
  table([
    {
      name: 'the backlog fills a room, oldest first, with the separator under it',
      actions: [
        history(
          '#general',
          [msg('#general', 9, 'bob'), msg('#general', 8, 'carol')],
          true,
          'backlog',
        ),
        say('#general', 11, 'bob'),
      ],
      view: (s) => [texts(s, '#general'), conv(s, '#general').hasMore, conv(s, '#general').lastId],
      want: [['carol: m8', 'bob: m9', '~~ backlog', 'bob: m11'], true, 11],
    },
    {
      name: 'a live line before the backlog stays below the separator; duplicates go',
      actions: [
        say('#general', 10, 'bob'),
        history('#general', range('#general', 8, 10), false, 'backlog'),
      ],
      view: (s) => texts(s, '#general'),
      want: ['bob: m8', 'bob: m9', '~~ backlog', 'bob: m10'],
    },
    {
      name: 'older pages go above without another separator',
      actions: [
        history('#general', range('#general', 8, 10), true, 'backlog'),
        history('#general', range('#general', 6, 7), false),
      ],
      view: (s) => texts(s, '#general'),
      want: ['bob: m6', 'bob: m7', 'bob: m8', 'bob: m9', 'bob: m10', '~~ backlog'],
    },
    {
      name: 'an empty backlog adds nothing',
      actions: [history('#general', [], false, 'backlog')],
      view: (s) => texts(s, '#general'),
      want: [],
    },
    {
      name: 'the backlog sets the activity Alt+A orders by',
      actions: [history('#dev', range('#dev', 18, 20), false, 'backlog')],
      view: (s) => conv(s, '#dev').lastActivity,
      want: T0 + 20_000,
    },
  ]);
});

describe('chat state: the "new since you left" line', () => {
  table([
    {
      name: 'opening a conversation places it at the read position; leaving drops it',
      given: [unread([entry('#general', 10, 10), entry('#dev', 20, 15)])],
      actions: [{ type: 'switchTo', name: '#dev' }],
      view: (s) => [s.newSince, chatReducer(s, { type: 'switchTo', name: '#general' }).newSince],
      want: [15, 10],
    },
    {
      name: 'it does not move with the reads done while in the conversation',
      given: [unread([entry('#general', 10, 4)])],
      actions: [read('#general', 10)],
      view: (s) => s.newSince,
      want: 4,
    },
    {
      name: 'a DM never read gets one at 0, so all of it is marked new',
      given: [unread([entry('@bob', 2, 0)])],
      actions: [{ type: 'switchTo', name: '@bob' }],
      view: (s) => s.newSince,
      want: 0,
    },
    {
      name: 'a reconnect keeps it',
      given: [unread([entry('#general', 10, 4)]), read('#general', 10)],
      actions: [
        {
          type: 'welcome',
          frame: welcomeFrame({
            rooms: [{ room: '#general', topic: '', members: ['alice'], lastId: 10 }],
          }),
          now: T0,
        },
      ],
      view: (s) => s.newSince,
      want: 4,
    },
  ]);

  it('goes above the first message from others after it', () => {
    const s = run(base(), [
      unread([entry('#general', 10, 8)]),
      history(
        '#general',
        [
          msg('#general', 7, 'bob'),
          msg('#general', 8, 'bob'),
          msg('#general', 9, 'alice'),
          msg('#general', 10, 'carol'),
        ],
        false,
        'backlog',
      ),
    ]);
    const marked = newSinceLine(conv(s, '#general'), s.newSince);
    assert.equal(marked && show(marked), 'carol: m10');
    assert.equal(newSinceLine(conv(s, '#general'), 10), undefined);
    assert.equal(newSinceLine(conv(s, '#general'), undefined), undefined);
  });

  it('goes above the oldest held when the first new one is not held', () => {
    const s = run(base(), [
      unread([entry('#general', 10, 2)]),
      history('#general', range('#general', 8, 10), true, 'backlog'),
    ]);
    const marked = newSinceLine(conv(s, '#general'), s.newSince);
    assert.equal(marked && show(marked), 'bob: m8');
  });
});

describe('read selectors', () => {
  const loaded = () =>
    run(base(), [
      unread([entry('#general', 10, 4)]),
      history('#general', range('#general', 1, 10), true, 'backlog'),
    ]);

  it('readTarget: the newest id, when on screen, at the bottom, focused and past the position', () => {
    const s = loaded();
    assert.deepEqual(readTarget(s, true), { name: '#general', id: 10 });
    assert.equal(readTarget(s, false), undefined);
    assert.equal(readTarget(chatReducer(s, { type: 'toggleHelp' }), true), undefined);
    assert.equal(readTarget(chatReducer(s, read('#general', 10)), true), undefined);
    const scrolled = chatReducer(s, { type: 'scroll', by: 3 });
    assert.equal(readTarget(scrolled, true), undefined);
    const offline = chatReducer(s, { type: 'clientState', state: 'reconnecting', now: T0 });
    assert.equal(readTarget(offline, true), undefined);
    const away = run(s, [unread([entry('#dev', 20, 2)], T0 - 3_600_000)]);
    assert.equal(readTarget(away, true), undefined);
  });

  it('olderPage: only when the pane cannot scroll up further and older messages exist', () => {
    const s = loaded();
    // 11 lines in a pane of 20 rows: all fits, so PageUp fetches at once.
    assert.deepEqual(olderPage(s, 19, { height: 20 }), { name: '#general', before: 1 });
    // In a pane of 5 rows it scrolls first...
    assert.equal(olderPage(s, 4, { height: 5 }), undefined);
    // ...and fetches once at the top.
    const top = chatReducer(s, { type: 'scroll', by: 100, height: 5 });
    assert.deepEqual(olderPage(top, 4, { height: 5 }), { name: '#general', before: 1 });
    const none = chatReducer(s, history('#general', [], false));
    assert.equal(olderPage(none, 19, { height: 20 }), undefined);
    assert.equal(olderPage(s, -19, { height: 20 }), undefined);
  });

  it('summaryJump: the earliest mention, else the first conversation with unread', () => {
    const lines = (ids: number[]) =>
      ids.map((id) => ({
        kind: 'message' as const,
        id,
        ts: id,
        from: 'bob',
        text: 'x',
        action: false,
        mention: true,
        own: false,
      }));
    assert.deepEqual(
      summaryJump({
        since: 0,
        entries: [
          { name: '#a', unread: 3, mentions: 2, lines: lines([5, 9]) },
          { name: '@bob', unread: 1, mentions: 1, lines: lines([3]) },
        ],
      }),
      { name: '@bob', id: 3 },
    );
    assert.deepEqual(
      summaryJump({ since: 0, entries: [{ name: '#a', unread: 3, mentions: 0, lines: [] }] }),
      { name: '#a' },
    );
    assert.equal(summaryJump(undefined), undefined);
  });
});

describe('chat state: jumping to a message', () => {
  it('to a message held: current, summary gone, the view ends at it', () => {
    const s = run(base(), [
      history('#dev', range('#dev', 11, 20), true, 'backlog'),
      unread(
        [entry('#dev', 20, 12, { mentions: 1, lines: [msg('#dev', 14, 'bob', 'alice!')] })],
        T0,
      ),
      { type: 'jumpToMessage', name: '#dev', id: 14 },
    ]);
    assert.equal(s.current, '#dev');
    assert.equal(s.summary, undefined);
    assert.equal(s.jump, undefined);
    // Lines: m11..m20 then the separator; m14 is 7 entries above the newest.
    assert.deepEqual(scrollOf(s, '#dev'), { offset: 7, newWhileScrolled: 0 });
  });

  it('to a message not held yet: waits for the history that brings it', () => {
    let s = run(base(), [
      history('#dev', range('#dev', 15, 20), true, 'backlog'),
      { type: 'jumpToMessage', name: '#dev', id: 12 },
    ]);
    assert.deepEqual(s.jump, { name: '#dev', id: 12 });
    s = run(s, [say('#dev', 21, 'bob')]);
    assert.deepEqual(s.jump, { name: '#dev', id: 12 });
    s = run(s, [history('#dev', range('#dev', 10, 14), true)]);
    assert.equal(s.jump, undefined);
    // m10..m20, separator, m21: m12 has 10 entries after it.
    assert.deepEqual(scrollOf(s, '#dev'), { offset: 10, newWhileScrolled: 0 });
  });

  it('gives up when no older history can bring it', () => {
    const s = run(base(), [
      history('#dev', range('#dev', 15, 20), true, 'backlog'),
      { type: 'jumpToMessage', name: '#dev', id: 12 },
      history('#dev', range('#dev', 13, 14), false),
    ]);
    assert.equal(s.jump, undefined);
    assert.deepEqual(scrollOf(s, '#dev'), { offset: 0, newWhileScrolled: 0 });
  });
});

describe('readDelay', () => {
  // [case, last sent, id, now, want]
  const cases: [
    string,
    { at: number; id: number } | undefined,
    number,
    number,
    number | undefined,
  ][] = [
    ['the first one goes now', undefined, 5, 1000, 0],
    ['a second one within the second waits for the rest of it', { at: 1000, id: 5 }, 6, 1400, 600],
    ['after the second, now', { at: 1000, id: 5 }, 6, 2500, 0],
    ['never when the id does not move', { at: 1000, id: 5 }, 5, 9000, undefined],
  ];
  for (const [name, last, id, now, want] of cases) {
    it(name, () => assert.equal(readDelay(last, id, now, 1000), want));
  }
});

describe('awaySummaryRows', () => {
  const summary = {
    since: T0,
    entries: [
      {
        name: '#dev',
        unread: 4,
        mentions: 1,
        lines: [
          {
            kind: 'message' as const,
            id: 3,
            ts: T0,
            from: 'bob',
            text: 'alice: hi',
            action: false,
            mention: true,
            own: false,
          },
        ],
        topic: { text: '', by: 'carol', ts: T0 },
      },
    ],
  };
  const text = (rows: ReturnType<typeof awaySummaryRows>) =>
    rows.map((row) => row.map((span) => span.text).join(''));

  it('a heading, then each conversation with its mentions and topic', () => {
    assert.deepEqual(text(awaySummaryRows(summary, 60, 20, 'UTC')), [
      'While you were away since Wednesday 25 November 2026 12:00',
      'Enter: first mention · Esc: close',
      '',
      '#dev  4 unread, 1 mention',
      '  12:00 <bob> alice: hi',
      '  carol set the topic: (cleared)',
    ]);
  });

  it('cuts what does not fit, and says so', () => {
    assert.deepEqual(text(awaySummaryRows(summary, 60, 4, 'UTC')).at(-1), '… (resize for more)');
    assert.equal(awaySummaryRows(summary, 60, 4, 'UTC').length, 4);
  });
});
