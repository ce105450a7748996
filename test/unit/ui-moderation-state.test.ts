import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RoomMessage, ServerFrameOf } from '../../src/net/protocol/frames.ts';
import { describeModeration } from '../../src/ui/state/chat-moderation.ts';
import {
  type ChatAction,
  type ChatState,
  chatReducer,
  currentMembers,
  initialChatState,
  type Line,
} from '../../src/ui/state/chat-state.ts';
import { welcomeFrame } from '../helpers/chat-frames.ts';

const T0 = Date.UTC(2026, 10, 25, 12, 0);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) {
      deepFreeze((value as Record<string | symbol, unknown>)[key]);
    }
  }
  return value;
}

/** Alice in #ops (ops: alice) and #general; carol is a server operator. */
function base(): ChatState {
  const initial = initialChatState({ server: 'localhost:7000', bell: false, timeZone: 'UTC' });
  const frame = welcomeFrame({
    rooms: [
      { room: '#ops', topic: '', members: ['alice', 'bob', 'dave'], lastId: 0, ops: ['alice'] },
      { room: '#general', topic: '', members: ['alice', 'bob'], lastId: 0, topicLock: true },
    ],
    users: [
      { user: 'alice', status: 'online' },
      { user: 'bob', status: 'online' },
      { user: 'dave', status: 'online' },
    ],
    operators: ['carol'],
  });
  return deepFreeze(chatReducer(initial, { type: 'welcome', frame, now: T0 }));
}

function msg(id: number, from: string, text: string, extra: Partial<RoomMessage> = {}) {
  return { type: 'msg', id, ts: T0 + id, room: '#ops', from, text, ...extra } as RoomMessage;
}

function moderated(fields: Partial<ServerFrameOf<'moderated'>>): ChatAction {
  return {
    type: 'moderated',
    frame: {
      type: 'moderated',
      action: 'kick',
      room: '#ops',
      by: 'alice',
      ts: T0 + 100,
      ...fields,
    },
  };
}

function run(state: ChatState, actions: readonly ChatAction[]): ChatState {
  return deepFreeze(actions.reduce(chatReducer, state));
}

function texts(state: ChatState, name: string): string[] {
  return (state.conversations[name]?.lines ?? []).map((line: Line) => {
    if (line.kind === 'message') {
      const mark = line.deleted
        ? ` [deleted${line.deleted.by ? ` by ${line.deleted.by}` : ''}]`
        : '';
      return `${line.from}: ${line.text}${line.edited ? ' (edited)' : ''}${mark}`;
    }
    return line.kind === 'system' ? `* ${line.text}` : line.kind;
  });
}

describe('chatReducer: update', () => {
  const start = () =>
    run(base(), [
      { type: 'message', frame: msg(1, 'bob', 'helo') },
      { type: 'message', frame: msg(2, 'alice', 'hi') },
    ]);
  const cases: Array<[string, RoomMessage, string[]]> = [
    [
      'an edit replaces the text in place, marked edited',
      msg(1, 'bob', 'hello', { edited: T0 + 50 }),
      ['bob: hello (edited)', 'alice: hi'],
    ],
    [
      'a deletion by the author leaves a placeholder',
      msg(2, 'alice', '', { deleted: { ts: T0 + 60 } }),
      ['bob: helo', 'alice:  [deleted]'],
    ],
    [
      "an operator's deletion names them",
      msg(1, 'bob', '', { deleted: { by: 'alice', ts: T0 + 60 } }),
      ['bob:  [deleted by alice]', 'alice: hi'],
    ],
    [
      'a message not held changes nothing',
      msg(9, 'bob', 'new', { edited: T0 }),
      ['bob: helo', 'alice: hi'],
    ],
  ];
  for (const [name, message, want] of cases) {
    it(name, () => {
      const next = run(start(), [{ type: 'update', frame: { type: 'update', message } }]);
      assert.deepEqual(
        texts(next, '#ops').filter((t) => !t.startsWith('*')),
        want,
      );
    });
  }

  it('is idempotent, and leaves the line count and lastId alone', () => {
    const update: ChatAction = {
      type: 'update',
      frame: { type: 'update', message: msg(1, 'bob', 'hello', { edited: T0 + 50 }) },
    };
    const once = run(start(), [update]);
    const twice = run(once, [update]);
    assert.deepEqual(texts(twice, '#ops'), texts(once, '#ops'));
    assert.equal(twice.conversations['#ops']?.lastId, 2);
  });

  it('applies to a direct conversation by its peer', () => {
    const dm = { type: 'dm', id: 4, ts: T0, from: 'alice', to: 'bob', text: 'typo' } as const;
    const next = run(base(), [
      { type: 'dm', frame: dm },
      {
        type: 'update',
        frame: { type: 'update', message: { ...dm, text: 'fixed', edited: T0 + 1 } },
      },
    ]);
    assert.deepEqual(texts(next, '@bob'), ['alice: fixed (edited)']);
  });
});

describe('describeModeration', () => {
  const frame = (f: Partial<ServerFrameOf<'moderated'>>): ServerFrameOf<'moderated'> => ({
    type: 'moderated',
    action: 'kick',
    room: '#ops',
    user: 'bob',
    by: 'alice',
    ts: T0,
    ...f,
  });
  const cases: Array<[Partial<ServerFrameOf<'moderated'>>, string, string]> = [
    [{ reason: 'take it to #general' }, 'dave', 'alice kicked bob: take it to #general'],
    [{ user: 'dave', reason: 'bye' }, 'dave', 'alice kicked you from #ops: bye'],
    [
      { action: 'ban', until: T0 + 600_000, reason: 'flooding' },
      'dave',
      'alice banned bob for 10m (flooding)',
    ],
    [{ action: 'ban' }, 'alice', 'you banned bob'],
    [{ action: 'unban' }, 'dave', 'alice lifted the ban on bob'],
    [{ action: 'mute' }, 'dave', 'alice muted bob'],
    [
      { action: 'mute', user: 'dave', until: T0 + 3_600_000 },
      'dave',
      'alice muted you in #ops for 1h: you may read, not send',
    ],
    [{ action: 'unmute' }, 'dave', 'alice unmuted bob'],
    [{ action: 'op' }, 'dave', 'alice made bob an operator'],
    [{ action: 'deop' }, 'dave', 'alice removed bob as an operator'],
    [
      { action: 'topic-lock', user: undefined },
      'dave',
      'alice locked the topic: only operators may set it',
    ],
    [{ action: 'topic-unlock', user: undefined }, 'dave', 'alice unlocked the topic'],
    [
      { action: 'ban', room: undefined, until: T0 + 86_400_000, reason: 'spam' },
      'dave',
      'bob was banned from the server by alice for 1d (spam)',
    ],
    [
      { action: 'kick', room: undefined, by: undefined, reason: 'spam' },
      'dave',
      'bob was kicked from the server by the server operator: spam',
    ],
    [{ action: 'unban', room: undefined }, 'dave', "bob's ban from the server was lifted by alice"],
    [{ reason: 'a\u001b[2Jb' }, 'dave', 'alice kicked bob: a[2Jb'],
  ];
  for (const [fields, me, want] of cases) {
    it(`${want} (as ${me})`, () => {
      const text = describeModeration(frame(fields), me);
      assert.equal(text.replace(/[^\x20-\x7e]/g, ''), want.replace(/[^\x20-\x7e]/g, ''));
    });
  }
});

describe('chatReducer: moderated', () => {
  it('a kick takes the target out of the member list and says so in the room', () => {
    const next = run(base(), [moderated({ user: 'bob', reason: 'off topic' })]);
    assert.deepEqual(next.conversations['#ops']?.members, ['alice', 'dave']);
    assert.deepEqual(texts(next, '#ops').slice(-1), ['* you kicked bob: off topic']);
    assert.deepEqual(next.conversations['#general']?.members, ['alice', 'bob']);
  });

  it('op and deop change the room operators, marked in the user list', () => {
    let next = run(base(), [moderated({ action: 'op', user: 'dave' })]);
    assert.deepEqual(next.conversations['#ops']?.ops, ['alice', 'dave']);
    assert.deepEqual(
      currentMembers(next).map((m) => `${m.op ? '@' : ''}${m.user}`),
      ['@alice', '@dave', 'bob'],
    );
    next = run(next, [moderated({ action: 'deop', user: 'alice', by: 'dave' })]);
    assert.deepEqual(next.conversations['#ops']?.ops, ['dave']);
    next = run(next, [moderated({ action: 'deop', user: 'dave', by: 'dave' })]);
    assert.equal(next.conversations['#ops']?.ops, undefined);
  });

  it('a server operator is an operator in every room', () => {
    const next = run(base(), [
      { type: 'joined', frame: { type: 'joined', room: '#ops', user: 'carol', ts: T0 } },
    ]);
    assert.equal(currentMembers(next).find((m) => m.user === 'carol')?.op, true);
    assert.deepEqual(next.operators, ['carol']);
  });

  it('topic-lock and topic-unlock set and clear the lock', () => {
    const locked = run(base(), [moderated({ action: 'topic-lock' })]);
    assert.equal(locked.conversations['#ops']?.topicLock, true);
    assert.equal(locked.conversations['#general']?.topicLock, true, 'from the welcome');
    const open = run(locked, [moderated({ action: 'topic-unlock' })]);
    assert.equal(open.conversations['#ops']?.topicLock, undefined);
  });

  it('kicked myself: who and why, the user list cleared, the room kept as left', () => {
    const next = run(base(), [
      { type: 'message', frame: msg(1, 'bob', 'hi') },
      moderated({ user: 'alice', by: 'bob', reason: 'take a break' }),
    ]);
    const ops = next.conversations['#ops'];
    assert.deepEqual(ops?.members, []);
    assert.equal(ops?.left, 'bob kicked you from #ops: take a break');
    assert.deepEqual(texts(next, '#ops'), ['bob: hi', '* bob kicked you from #ops: take a break']);
    assert.equal(next.order.includes('#ops'), true);
    assert.equal(next.current, '#ops');
    assert.deepEqual(currentMembers(next), []);
    const closed = run(next, [{ type: 'closeConversation', name: '#ops' }]);
    assert.equal(closed.order.includes('#ops'), false, '/close forgets it');
  });

  it('a room left by a kick stays across a reconnect, refuses sends, and a join brings it back', () => {
    const kicked = run(base(), [moderated({ action: 'ban', user: 'alice', by: 'bob' })]);
    const again = run(kicked, [
      {
        type: 'welcome',
        frame: welcomeFrame({
          rooms: [{ room: '#general', topic: '', members: ['alice'], lastId: 0 }],
        }),
        now: T0 + 1000,
      },
      { type: 'pendingAdded', localId: 'l1', conversation: '#ops', text: 'hi', action: false },
    ]);
    assert.deepEqual(again.order, ['#ops', '#general']);
    assert.equal(again.pending.length, 0);
    assert.match(again.notices.at(-1)?.text ?? '', /not in #ops: \/join it first/);
    const back = run(again, [
      {
        type: 'joined',
        frame: {
          type: 'joined',
          room: '#ops',
          user: 'alice',
          ts: T0 + 2000,
          state: { room: '#ops', topic: '', members: ['alice', 'dave'], lastId: 0, ops: ['dave'] },
        },
      },
    ]);
    const ops = back.conversations['#ops'];
    assert.equal(ops?.left, undefined);
    assert.deepEqual(ops?.members, ['alice', 'dave']);
    assert.deepEqual(ops?.ops, ['dave']);
    assert.deepEqual(texts(back, '#ops').slice(-1), ['* you joined #ops']);
  });

  it('a server-wide ban is said in every room the target shares and takes them out', () => {
    const next = run(base(), [
      moderated({ action: 'ban', room: undefined, user: 'bob', by: 'carol' }),
    ]);
    assert.deepEqual(next.conversations['#ops']?.members, ['alice', 'dave']);
    assert.deepEqual(next.conversations['#general']?.members, ['alice']);
    assert.deepEqual(texts(next, '#general'), ['* bob was banned from the server by carol']);
  });

  it('closed for good (kicked): the reason shown, every user list cleared', () => {
    const next = run(base(), [
      {
        type: 'clientState',
        state: 'offline',
        error: 'server: kicked by the server operator: spam',
        removed: true,
        now: T0 + 5,
      },
    ]);
    assert.equal(next.connection.state, 'offline');
    assert.equal(next.connection.error, 'server: kicked by the server operator: spam');
    assert.equal(next.connection.removed, true);
    assert.deepEqual(next.conversations['#ops']?.members, []);
    assert.deepEqual(next.conversations['#general']?.members, []);
    assert.match(
      texts(next, '#ops').at(-1) ?? '',
      /will not reconnect: server: kicked by the server operator: spam/,
    );
  });
});
