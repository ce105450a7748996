import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServerFrameOf } from '../../src/net/protocol/frames.ts';
import {
  type ChatAction,
  type ChatState,
  chatReducer,
  initialChatState,
} from '../../src/ui/state/chat-state.ts';
import {
  noteSpoke,
  type PresenceMode,
  SMART_WINDOW_MS,
} from '../../src/ui/state/presence-filter.ts';
import { welcomeFrame } from '../helpers/chat-frames.ts';

// Wednesday 25 November 2026, 12:00 UTC.
const T0 = Date.UTC(2026, 10, 25, 12, 0);
const MINUTE = 60_000;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** alice in #general (current) and #dev, with bob and carol. */
function base(presenceMode?: PresenceMode): ChatState {
  const initial = initialChatState({
    server: 'localhost:7000',
    bell: false,
    timeZone: 'UTC',
    ...(presenceMode === undefined ? {} : { presenceMode }),
  });
  const welcome = welcomeFrame({
    rooms: [
      { room: '#general', topic: '', members: ['alice', 'bob', 'carol'], lastId: 0 },
      { room: '#dev', topic: '', members: ['alice', 'bob'], lastId: 0 },
    ],
    users: ['alice', 'bob', 'carol'].map((user) => ({ user, status: 'online' as const })),
  });
  return deepFreeze(chatReducer(initial, { type: 'welcome', frame: welcome, now: T0 }));
}

function run(state: ChatState, actions: readonly ChatAction[]): ChatState {
  return actions.reduce(chatReducer, state);
}

function systemLines(state: ChatState, name: string): string[] {
  return (state.conversations[name]?.lines ?? []).flatMap((line) =>
    line.kind === 'system' ? [line.text] : [],
  );
}

const ownJoin = (room: string, ts = T0): ChatAction => ({
  type: 'joined',
  frame: {
    type: 'joined',
    room,
    user: 'alice',
    ts,
    state: { room, topic: '', members: ['alice'], lastId: 0 },
  },
});

const said = (room: string, id: number, from: string, ts: number): ChatAction => ({
  type: 'message',
  frame: { type: 'msg', id, ts, room, from, text: 'hi' },
});
const joined = (room: string, user: string, ts: number): ChatAction => ({
  type: 'joined',
  frame: { type: 'joined', room, user, ts },
});
const left = (room: string, user: string, ts: number, reason: 'part' | 'quit'): ChatAction => ({
  type: 'left',
  frame: { type: 'left', room, user, ts, reason },
});
const presence = (
  user: string,
  status: ServerFrameOf<'presence'>['status'],
  now: number,
): ChatAction => ({ type: 'presence', frame: { type: 'presence', user, status }, now });

describe('own joins this TUI did not ask for (a script of the same user)', () => {
  const cases: Array<{ name: string; given: ChatAction[]; current: string; order: string[] }> = [
    {
      name: "a script's join of a new room adds it, the current conversation stays",
      given: [ownJoin('#ops')],
      current: '#general',
      order: ['#general', '#dev', '#ops'],
    },
    {
      name: "a script's join of a room already open refreshes it, the current stays",
      given: [ownJoin('#dev')],
      current: '#general',
      order: ['#general', '#dev'],
    },
    {
      name: 'a join asked for here becomes current',
      given: [{ type: 'joinAsked', room: '#ops' }, ownJoin('#ops')],
      current: '#ops',
      order: ['#general', '#dev', '#ops'],
    },
    {
      name: 'an answered ask is used up: a later script join of it does not switch',
      given: [
        { type: 'joinAsked', room: '#ops' },
        ownJoin('#ops'),
        { type: 'switchTo', name: '#general' },
        ownJoin('#ops'),
      ],
      current: '#general',
      order: ['#general', '#dev', '#ops'],
    },
  ];
  for (const { name, given, current, order } of cases) {
    it(name, () => {
      const state = run(base(), given);
      assert.equal(state.current, current);
      assert.deepEqual(state.order, order);
    });
  }

  it("says the script's join in the room it added", () => {
    assert.deepEqual(systemLines(run(base(), [ownJoin('#ops')]), '#ops'), ['you joined #ops']);
  });

  it('keeps at most 16 asks, the newest', () => {
    const asks: ChatAction[] = Array.from({ length: 20 }, (_, i) => ({
      type: 'joinAsked',
      room: `#r${i}`,
    }));
    const state = run(base(), asks);
    assert.equal(state.askedJoins?.length, 16);
    assert.equal(state.askedJoins?.at(-1), '#r19');
  });
});

describe('presence modes (/set presence)', () => {
  const later = T0 + 5 * MINUTE;
  const muchLater = T0 + 11 * MINUTE;
  const cases: Array<{
    name: string;
    mode: PresenceMode | undefined;
    given: ChatAction[];
    action: ChatAction;
    room?: string;
    want: string[];
  }> = [
    {
      name: 'smart: the quit of someone who never spoke is not shown',
      mode: 'smart',
      given: [],
      action: left('#general', 'carol', later, 'quit'),
      want: [],
    },
    {
      name: 'smart: the quit of someone who spoke 5 minutes ago is shown',
      mode: 'smart',
      given: [said('#general', 1, 'carol', T0)],
      action: left('#general', 'carol', later, 'quit'),
      want: ['carol quit'],
    },
    {
      name: 'smart: 11 minutes is too long ago',
      mode: 'smart',
      given: [said('#general', 1, 'carol', T0)],
      action: left('#general', 'carol', muchLater, 'part'),
      want: [],
    },
    {
      name: 'smart: speaking in another room does not count',
      mode: 'smart',
      given: [said('#dev', 1, 'bob', T0)],
      action: left('#general', 'bob', later, 'part'),
      want: [],
    },
    {
      name: 'smart: a join after speaking lately is shown',
      mode: 'smart',
      given: [said('#dev', 1, 'carol', T0), left('#dev', 'carol', T0 + 1, 'part')],
      action: joined('#dev', 'carol', later),
      room: '#dev',
      want: ['carol joined #dev'],
    },
    {
      name: 'smart: speaking in the backlog counts',
      mode: 'smart',
      given: [
        {
          type: 'history',
          frame: {
            type: 'history',
            room: '#general',
            ref: 'backlog',
            more: false,
            messages: [{ type: 'msg', id: 1, ts: T0, room: '#general', from: 'bob', text: 'hi' }],
          },
        },
      ],
      action: left('#general', 'bob', later, 'quit'),
      want: ['bob quit'],
    },
    {
      name: 'smart: going offline in a DM after no talk is not shown',
      mode: 'smart',
      given: [{ type: 'openDm', peer: 'bob' }],
      action: presence('bob', 'offline', later),
      room: '@bob',
      want: [],
    },
    {
      name: 'smart: away is not a coming or going, it is shown',
      mode: 'smart',
      given: [{ type: 'openDm', peer: 'bob' }],
      action: presence('bob', 'away', later),
      room: '@bob',
      want: ['bob is away'],
    },
    {
      name: 'off: not even after speaking',
      mode: 'off',
      given: [said('#general', 1, 'carol', T0)],
      action: left('#general', 'carol', later, 'quit'),
      want: [],
    },
    {
      name: 'all: every one',
      mode: 'all',
      given: [],
      action: joined('#dev', 'carol', later),
      room: '#dev',
      want: ['carol joined #dev'],
    },
    {
      name: 'no mode given: all',
      mode: undefined,
      given: [],
      action: left('#general', 'carol', later, 'quit'),
      want: ['carol quit'],
    },
    {
      name: 'a mode set later applies from then on',
      mode: 'all',
      given: [{ type: 'presenceMode', mode: 'off' }],
      action: left('#general', 'carol', later, 'quit'),
      want: [],
    },
  ];
  for (const { name, mode, given, action, room, want } of cases) {
    it(name, () => {
      const state = run(base(mode), [...given, action]);
      assert.deepEqual(systemLines(state, room ?? '#general'), want);
    });
  }

  it('keeps members right whatever is shown', () => {
    const state = run(base('off'), [
      joined('#dev', 'carol', T0),
      left('#general', 'bob', T0, 'quit'),
    ]);
    assert.deepEqual(state.conversations['#dev']?.members, ['alice', 'bob', 'carol']);
    assert.deepEqual(state.conversations['#general']?.members, ['alice', 'carol']);
  });

  it('forgets who spoke before the window, and takes a __proto__ user as any', () => {
    let spoke = noteSpoke({}, '#general', 'bob', T0);
    spoke = noteSpoke(spoke, '#general', '__proto__', T0 + SMART_WINDOW_MS + 1);
    assert.deepEqual(Object.keys(spoke['#general'] ?? {}), ['__proto__']);
    assert.equal(
      noteSpoke(spoke, '#general', '__proto__', T0),
      spoke,
      'an older time changes nothing',
    );
  });
});
