import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  ClientFrame,
  HelloFrame,
  Limits,
  ServerFrame,
} from '../../src/net/protocol/frames.ts';
import { moderationAction } from '../../src/net/protocol/frames.ts';
import { ChatCore } from '../../src/server/chat-core.ts';
import type { ConnId, Effect } from '../../src/server/core-effects.ts';
import type { CoreOptions } from '../../src/server/core-state.ts';
import { testCoreOptions } from '../helpers/core-options.ts';

const OPTIONS: CoreOptions = testCoreOptions(
  { motd: 'hello team', maxDevicesPerUser: 2, refMemory: 3 },
  { maxTextChars: 10, rateBurst: 3 },
);
const LIMITS: Limits = OPTIONS.limits;

/** A second between frames: the rate bucket (5/s, burst 3) never runs dry. */
const STEP_MS = 1000;

function helloFrame(extra: Partial<HelloFrame> = {}): HelloFrame {
  return { type: 'hello', v: 1, client: 'test/1', ...extra };
}

/**
 * Effects as the I/O layer sees them: a frame addressed to no connection
 * does nothing, so it is left out, and recipients are a set, so sorted.
 * What is kept across restarts and read back after a welcome (`persist`,
 * `unread`, a message's `read`) is left out here: chat-core-kept.test.ts
 * tests those.
 */
function delivered(effects: readonly Effect[]): Effect[] {
  return (
    effects
      // Bookkeeping for the I/O layer; what a cluster is told is tested in cluster-presence.test.ts.
      .filter((e) => e.kind !== 'persist' && e.kind !== 'unread' && e.kind !== 'replicate')
      .filter((e) => e.kind !== 'frames' || e.to.length > 0)
      .map((e) => {
        if (e.kind === 'frames') return { ...e, to: [...e.to].sort((a, b) => a - b) };
        if (e.kind !== 'message') return e;
        const { read: _read, ...rest } = e;
        return rest as Effect;
      })
  );
}

/** A core and a clock that moves a step before every call. */
class Harness {
  readonly core: ChatCore;
  now = 0;

  constructor(options: Partial<CoreOptions> = {}) {
    this.core = new ChatCore({ ...OPTIONS, ...options });
  }

  hello(conn: ConnId, user: string, extra: Partial<HelloFrame> = {}, at?: number): Effect[] {
    this.now = at ?? this.now + STEP_MS;
    return delivered(this.core.hello(conn, user, helloFrame(extra), this.now));
  }

  receive(conn: ConnId, frame: ClientFrame, at?: number): Effect[] {
    this.now = at ?? this.now + STEP_MS;
    return delivered(this.core.receive(conn, frame, this.now));
  }

  disconnect(conn: ConnId, at?: number): Effect[] {
    this.now = at ?? this.now + STEP_MS;
    return delivered(this.core.disconnect(conn, this.now));
  }

  send(conn: ConnId, room: string, text: string, ref: string, at?: number): Effect[] {
    return this.receive(conn, { type: 'send', room, text, ref }, at);
  }

  dm(conn: ConnId, to: string, text: string, ref: string): Effect[] {
    return this.receive(conn, { type: 'dm', to, text, ref });
  }
}

function frames(to: ConnId[], frame: ServerFrame): Effect {
  return { kind: 'frames', to, frame };
}

function errorCode(effects: readonly Effect[]): {
  to: readonly ConnId[];
  code: string;
  ref?: string;
} {
  assert.equal(effects.length, 1, 'one effect');
  const [effect] = effects;
  assert.ok(effect?.kind === 'frames' && effect.frame.type === 'error', 'an error frame');
  return {
    to: effect.to,
    code: effect.frame.code,
    ...(effect.frame.ref === undefined ? {} : { ref: effect.frame.ref }),
  };
}

function closeCode(effects: readonly Effect[]): { conn: ConnId; code: string } {
  assert.equal(effects.length, 1, 'one effect');
  const [effect] = effects;
  assert.ok(effect?.kind === 'close', 'a close');
  return { conn: effect.conn, code: effect.code };
}

function messageIds(effects: readonly Effect[]): Array<[string, number]> {
  return effects.flatMap((e) =>
    e.kind === 'message' ? [[e.conversation, e.message.id] as [string, number]] : [],
  );
}

function welcomeOf(effects: readonly Effect[]) {
  const welcome = effects.find((e) => e.kind === 'frames' && e.frame.type === 'welcome');
  assert.ok(welcome?.kind === 'frames' && welcome.frame.type === 'welcome', 'a welcome');
  return { to: welcome.to, frame: welcome.frame };
}

describe('ChatCore hello', () => {
  it('puts a first connection in #general and welcomes it with the state', () => {
    const h = new Harness();
    const effects = h.hello(1, 'alice');
    assert.deepEqual(effects, [
      frames([1], {
        type: 'welcome',
        v: 1,
        user: 'alice',
        server: 'chat/test',
        motd: 'hello team',
        epoch: 'test-epoch',
        rooms: [{ room: '#general', topic: '', members: ['alice'], lastId: 0 }],
        users: [{ user: 'alice', status: 'online' }],
        limits: LIMITS,
      }),
    ]);
    assert.equal(h.core.userOf(1), 'alice');
    assert.deepEqual(h.core.roomSummaries(), [{ room: '#general', members: 1, lastId: 0 }]);
  });

  it('tells the others: presence online, then joined without state', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    const effects = h.hello(2, 'bob');
    assert.deepEqual(effects, [
      frames([1], { type: 'presence', user: 'bob', status: 'online' }),
      frames([1], { type: 'joined', room: '#general', user: 'bob', ts: h.now }),
      frames([2], {
        type: 'welcome',
        v: 1,
        user: 'bob',
        server: 'chat/test',
        motd: 'hello team',
        epoch: 'test-epoch',
        rooms: [{ room: '#general', topic: '', members: ['alice', 'bob'], lastId: 0 }],
        users: [
          { user: 'alice', status: 'online' },
          { user: 'bob', status: 'online' },
        ],
        limits: LIMITS,
      }),
    ]);
  });

  it('joins the rooms of `join` instead of #general, welcome rooms sorted', () => {
    const h = new Harness();
    h.hello(1, 'bob', { join: ['#ops'] });
    const effects = h.hello(2, 'alice', { join: ['#ops', '#dev'] });
    assert.deepEqual(effects.slice(0, -1), [
      frames([1], { type: 'presence', user: 'alice', status: 'online' }),
      frames([1], { type: 'joined', room: '#ops', user: 'alice', ts: h.now }),
    ]);
    assert.deepEqual(
      welcomeOf(effects).frame.rooms.map((r) => [r.room, r.members]),
      [
        ['#dev', ['alice']],
        ['#ops', ['alice', 'bob']],
      ],
    );
    assert.deepEqual(
      h.core.roomSummaries().map((r) => r.room),
      ['#dev', '#ops'],
    );
  });

  it('rejoins the rooms of `resume` and asks for a replay of each conversation', () => {
    const h = new Harness();
    for (const [conversation, id] of [
      ['#general', 9],
      ['dm:bob:carol', 2],
      ['dm:alice:carol', 7],
    ] as const)
      h.core.seedLastId(conversation, id);
    h.hello(1, 'bob');
    const effects = h.hello(2, 'carol', {
      resume: { '#general': 4, '#ops': 0, '@bob': 2, '@alice': 7 },
    });
    assert.deepEqual(
      welcomeOf(effects).frame.rooms.map((r) => r.room),
      ['#general', '#ops'],
    );
    assert.deepEqual(
      effects.filter((e) => e.kind === 'replay'),
      [
        { kind: 'replay', conn: 2, conversation: '#general', afterId: 4 },
        { kind: 'replay', conn: 2, conversation: '#ops', afterId: 0 },
        { kind: 'replay', conn: 2, conversation: 'dm:bob:carol', afterId: 2 },
        { kind: 'replay', conn: 2, conversation: 'dm:alice:carol', afterId: 7 },
      ],
    );
    // Replays come after the welcome, which tells the client its rooms first.
    const kinds = effects.map((e) => (e.kind === 'frames' ? e.frame.type : e.kind));
    assert.ok(kinds.indexOf('welcome') < kinds.indexOf('replay'));
  });

  it('replays an @peer resume as the dm conversation and joins no room', () => {
    const h = new Harness();
    h.core.seedLastId('dm:alice:bob', 5);
    h.hello(1, 'alice');
    const effects = h.hello(2, 'bob', { resume: { '@alice': 3 } });
    assert.deepEqual(effects, [
      frames([1], { type: 'presence', user: 'bob', status: 'online' }),
      frames([2], {
        type: 'welcome',
        v: 1,
        user: 'bob',
        server: 'chat/test',
        motd: 'hello team',
        epoch: 'test-epoch',
        rooms: [],
        users: [
          { user: 'alice', status: 'online' },
          { user: 'bob', status: 'online' },
        ],
        limits: LIMITS,
      }),
      { kind: 'replay', conn: 2, conversation: 'dm:alice:bob', afterId: 3 },
    ]);
  });

  it('replays from the newest id a resume id past it (nothing newer is skipped)', () => {
    const h = new Harness();
    h.core.seedLastId('#general', 5);
    h.core.seedLastId('dm:alice:bob', 2);
    const effects = h.hello(1, 'bob', { resume: { '#general': 100, '@alice': 9 } });
    assert.deepEqual(
      effects.filter((e) => e.kind === 'replay'),
      [
        { kind: 'replay', conn: 1, conversation: '#general', afterId: 5 },
        { kind: 'replay', conn: 1, conversation: 'dm:alice:bob', afterId: 2 },
      ],
    );
  });

  it('replays no room the resume could not join (past the per-user cap)', () => {
    const h = new Harness({ maxRoomsPerUser: 1 });
    h.core.seedLastId('#a', 3);
    h.core.seedLastId('#b', 3);
    const effects = h.hello(1, 'bob', { resume: { '#a': 0, '#b': 0 } });
    assert.deepEqual(
      welcomeOf(effects).frame.rooms.map((r) => r.room),
      ['#a'],
    );
    assert.deepEqual(
      effects.filter((e) => e.kind === 'replay'),
      [{ kind: 'replay', conn: 1, conversation: '#a', afterId: 0 }],
    );
  });

  // docs/PROTOCOL.md, hello: "With a resume, even an empty one ..., the user
  // joins only what it names: a client that left every room stays out of them."
  it('joins nothing with an empty resume (a client that left every room stays out)', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    const effects = h.hello(2, 'bob', { resume: {} });
    assert.deepEqual(welcomeOf(effects).frame.rooms, []);
    assert.deepEqual(effects.slice(0, -1), [
      frames([1], { type: 'presence', user: 'bob', status: 'online' }),
    ]);
    assert.deepEqual(h.core.recipients('#general'), [1]);
  });

  it('joins nothing with an empty join', () => {
    const h = new Harness();
    assert.deepEqual(welcomeOf(h.hello(1, 'alice', { join: [] })).frame.rooms, []);
    assert.deepEqual(h.core.roomSummaries(), []);
  });

  it('closes a hello of another protocol version with version_unsupported', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    const effects = h.hello(2, 'bob', { v: 2 });
    assert.deepEqual(closeCode(effects), { conn: 2, code: 'version_unsupported' });
    assert.equal(h.core.userOf(2), undefined);
    assert.deepEqual(h.core.recipients('#general'), [1]);
    assert.deepEqual(closeCode(h.send(2, '#general', 'hi', 'r1')), {
      conn: 2,
      code: 'hello_required',
    });
  });

  it('closes a connection past maxDevicesPerUser with too_many_devices', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'alice');
    assert.deepEqual(closeCode(h.hello(3, 'alice')), { conn: 3, code: 'too_many_devices' });
    assert.equal(h.core.userOf(3), undefined);
    assert.deepEqual(h.disconnect(3), [], 'the refused connection was never in');
    assert.deepEqual(h.disconnect(1), []);
    assert.equal(welcomeOf(h.hello(4, 'alice')).to[0], 4, 'a freed slot is taken again');
  });

  it('announces presence online only for the first connection of a user', () => {
    const h = new Harness();
    h.hello(1, 'bob');
    h.hello(2, 'alice');
    const effects = h.hello(3, 'alice');
    assert.equal(
      effects.some((e) => e.kind === 'frames' && e.frame.type === 'presence'),
      false,
    );
    assert.deepEqual(effects, [
      frames([3], {
        type: 'welcome',
        v: 1,
        user: 'alice',
        server: 'chat/test',
        motd: 'hello team',
        epoch: 'test-epoch',
        rooms: [{ room: '#general', topic: '', members: ['alice', 'bob'], lastId: 0 }],
        users: [
          { user: 'alice', status: 'online' },
          { user: 'bob', status: 'online' },
        ],
        limits: LIMITS,
      }),
    ]);
  });

  it('sends joined with state to the own other connections, not to the hello one', () => {
    const h = new Harness();
    h.hello(1, 'bob', { join: ['#ops'] });
    h.hello(2, 'alice');
    const effects = h.hello(3, 'alice', { join: ['#ops'] });
    const t = h.now;
    assert.deepEqual(effects.slice(0, -1), [
      frames([1], { type: 'joined', room: '#ops', user: 'alice', ts: t }),
      frames([2], {
        type: 'joined',
        room: '#ops',
        user: 'alice',
        ts: t,
        state: { room: '#ops', topic: '', members: ['alice', 'bob'], lastId: 0, ops: ['bob'] },
      }),
    ]);
    const welcome = welcomeOf(effects);
    assert.deepEqual(welcome.to, [3]);
    assert.deepEqual(
      welcome.frame.rooms.map((r) => r.room),
      ['#general', '#ops'],
    );
  });

  it('welcomes with the away text of users who are away', () => {
    const h = new Harness();
    h.hello(1, 'bob');
    h.receive(1, { type: 'away', text: 'lunch' });
    assert.deepEqual(welcomeOf(h.hello(2, 'alice')).frame.users, [
      { user: 'alice', status: 'online' },
      { user: 'bob', status: 'away', text: 'lunch' },
    ]);
  });
});

describe('ChatCore join', () => {
  it('sends joined to the members and joined with state to all own connections', () => {
    const h = new Harness();
    h.hello(1, 'bob', { join: ['#ops'] });
    h.hello(2, 'alice', { join: ['#dev'] });
    h.hello(3, 'alice', { join: ['#dev'] });
    const effects = h.receive(3, { type: 'join', room: '#ops' });
    assert.deepEqual(effects, [
      frames([1], { type: 'joined', room: '#ops', user: 'alice', ts: h.now }),
      frames([2, 3], {
        type: 'joined',
        room: '#ops',
        user: 'alice',
        ts: h.now,
        state: { room: '#ops', topic: '', members: ['alice', 'bob'], lastId: 0, ops: ['bob'] },
      }),
    ]);
  });

  it('creates a room on first join', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    assert.deepEqual(h.receive(1, { type: 'join', room: '#new' }), [
      frames([1], {
        type: 'joined',
        room: '#new',
        user: 'alice',
        ts: h.now,
        state: { room: '#new', topic: '', members: ['alice'], lastId: 0, ops: ['alice'] },
      }),
    ]);
  });

  it('repeats only the state, to the asking connection, on a second join', () => {
    const h = new Harness();
    h.hello(1, 'bob');
    h.hello(2, 'alice');
    h.hello(3, 'alice');
    h.send(1, '#general', 'hi', 'b1');
    assert.deepEqual(h.receive(3, { type: 'join', room: '#general' }), [
      frames([3], {
        type: 'joined',
        room: '#general',
        user: 'alice',
        ts: h.now,
        state: { room: '#general', topic: '', members: ['alice', 'bob'], lastId: 1 },
      }),
    ]);
  });
});

describe('ChatCore send and dm', () => {
  it('numbers the messages of a room 1, 2, 3 with a message effect', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'bob');
    const first = h.send(1, '#general', 'hello', 'a1');
    assert.deepEqual(first, [
      {
        kind: 'message',
        conversation: '#general',
        message: { type: 'msg', id: 1, ts: h.now, room: '#general', from: 'alice', text: 'hello' },
        ack: { conn: 1, ref: 'a1' },
      },
    ]);
    assert.deepEqual(messageIds(h.send(2, '#general', 'hi', 'b1')), [['#general', 2]]);
    assert.deepEqual(messageIds(h.send(1, '#general', 'again', 'a2')), [['#general', 3]]);
    assert.equal(h.core.lastId('#general'), 3);
    assert.deepEqual(h.core.recipients('#general').sort(), [1, 2]);
  });

  it('marks actions', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'bob');
    const [room] = h.receive(1, {
      type: 'send',
      room: '#general',
      text: 'waves',
      ref: 'a1',
      action: true,
    });
    assert.ok(room?.kind === 'message');
    assert.equal(room.message.action, true);
    const [dm] = h.receive(1, { type: 'dm', to: 'bob', text: 'waves', ref: 'a2', action: true });
    assert.ok(dm?.kind === 'message');
    assert.equal(dm.message.action, true);
  });

  it('keeps one sequence per room and one per dm pair, shared by both sides', () => {
    const h = new Harness();
    h.hello(1, 'alice', { join: ['#general', '#ops'] });
    h.hello(2, 'bob', { join: ['#general', '#ops'] });
    h.hello(3, 'carol');
    const ids = [
      ...messageIds(h.send(1, '#general', 'g', 'a1')),
      ...messageIds(h.send(1, '#ops', 'o', 'a2')),
      ...messageIds(h.dm(1, 'bob', 'd', 'a3')),
      ...messageIds(h.dm(2, 'alice', 'd', 'b1')),
      ...messageIds(h.send(2, '#ops', 'o', 'b2')),
      ...messageIds(h.dm(1, 'carol', 'd', 'a4')),
      ...messageIds(h.dm(3, 'bob', 'd', 'c1')),
      ...messageIds(h.dm(2, 'alice', 'd', 'b3')),
      ...messageIds(h.send(2, '#general', 'g', 'b4')),
    ];
    assert.deepEqual(ids, [
      ['#general', 1],
      ['#ops', 1],
      ['dm:alice:bob', 1],
      ['dm:alice:bob', 2],
      ['#ops', 2],
      ['dm:alice:carol', 1],
      ['dm:bob:carol', 1],
      ['dm:alice:bob', 3],
      ['#general', 2],
    ]);
  });

  it('builds a dm message with from and to, for both users', () => {
    const h = new Harness();
    h.hello(1, 'bob');
    h.hello(2, 'alice');
    h.hello(3, 'carol');
    assert.deepEqual(h.dm(1, 'alice', 'psst', 'b1'), [
      {
        kind: 'message',
        conversation: 'dm:alice:bob',
        message: { type: 'dm', id: 1, ts: h.now, from: 'bob', to: 'alice', text: 'psst' },
        ack: { conn: 1, ref: 'b1' },
      },
    ]);
    assert.deepEqual(h.core.recipients('dm:alice:bob').sort(), [1, 2]);
  });

  it('allows a dm to yourself, delivered to your connections once', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'alice');
    assert.deepEqual(messageIds(h.dm(1, 'alice', 'note', 'a1')), [['dm:alice:alice', 1]]);
    assert.deepEqual(h.core.recipients('dm:alice:alice').sort(), [1, 2]);
  });

  it('refuses a send to a room the user is not in with not_member and the ref', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'bob', { join: ['#ops'] });
    assert.deepEqual(errorCode(h.send(1, '#ops', 'hi', 'a1')), {
      to: [1],
      code: 'not_member',
      ref: 'a1',
    });
    assert.deepEqual(errorCode(h.send(1, '#nowhere', 'hi', 'a2')), {
      to: [1],
      code: 'not_member',
      ref: 'a2',
    });
    assert.equal(h.core.lastId('#ops'), 0);
  });

  it('refuses a dm to a user never welcomed and with no certificate with unknown_user and the ref', () => {
    const h = new Harness({ hasCertificate: (user) => user === 'carol' });
    h.hello(1, 'alice');
    assert.deepEqual(errorCode(h.dm(1, 'nobody', 'hi', 'a1')), {
      to: [1],
      code: 'unknown_user',
      ref: 'a1',
    });
    assert.equal(h.core.lastId('dm:alice:nobody'), 0);
    // carol has a certificate: kept although she never connected.
    assert.deepEqual(messageIds(h.dm(1, 'carol', 'hi', 'a2')), [['dm:alice:carol', 1]]);
  });

  it('keeps a dm to a known user who is offline, echoed to the sender', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'bob');
    h.disconnect(2);
    const effects = h.dm(1, 'bob', 'hi', 'a1');
    assert.deepEqual(messageIds(effects), [['dm:alice:bob', 1]]);
    assert.deepEqual(h.core.recipients('dm:alice:bob'), [1]);
  });

  it('answers a resent ref with reack and the original id, storing nothing new', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'bob');
    h.send(1, '#general', 'one', 'a1');
    const sentAt = h.now;
    h.send(2, '#general', 'two', 'b1');
    assert.deepEqual(h.send(1, '#general', 'one', 'a1'), [
      { kind: 'reack', conversation: '#general', conn: 1, ref: 'a1', id: 1, ts: sentAt },
    ]);
    assert.equal(h.core.lastId('#general'), 2);
    assert.deepEqual(messageIds(h.send(1, '#general', 'three', 'a2')), [['#general', 3]]);
  });

  it('remembers refs across a reconnect, acking on the new connection', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'bob');
    h.dm(1, 'bob', 'hi', 'a1');
    const sentAt = h.now;
    h.disconnect(1);
    h.hello(3, 'alice', { resume: { '@bob': 1 } });
    assert.deepEqual(h.dm(3, 'bob', 'hi', 'a1'), [
      { kind: 'reack', conversation: 'dm:alice:bob', conn: 3, ref: 'a1', id: 1, ts: sentAt },
    ]);
  });

  it('forgets the oldest ref beyond refMemory', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    for (const ref of ['r1', 'r2', 'r3', 'r4']) h.send(1, '#general', ref, ref);
    const [latest] = h.send(1, '#general', 'r4', 'r4');
    assert.equal(latest?.kind, 'reack', 'r4 is remembered');
    assert.deepEqual(
      messageIds(h.send(1, '#general', 'r1', 'r1')),
      [['#general', 5]],
      'r1 was forgotten: stored again',
    );
  });

  it('stores a message again after forgetRef', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.send(1, '#general', 'one', 'a1');
    h.core.forgetRef('alice', 'a1');
    assert.deepEqual(messageIds(h.send(1, '#general', 'one', 'a1')), [['#general', 2]]);
    h.core.forgetRef('nobody', 'a1');
  });

  it('refuses text longer than maxTextChars with text_too_long and the ref, using no id', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'bob');
    const long = 'x'.repeat(LIMITS.maxTextChars + 1);
    assert.deepEqual(errorCode(h.send(1, '#general', long, 'a1')), {
      to: [1],
      code: 'text_too_long',
      ref: 'a1',
    });
    assert.deepEqual(errorCode(h.dm(1, 'bob', long, 'a2')), {
      to: [1],
      code: 'text_too_long',
      ref: 'a2',
    });
    const fits = 'x'.repeat(LIMITS.maxTextChars);
    assert.deepEqual(messageIds(h.send(1, '#general', fits, 'a3')), [['#general', 1]]);
  });

  it('continues a sequence after seedLastId, which never lowers it', () => {
    const h = new Harness();
    h.core.seedLastId('#general', 41);
    h.core.seedLastId('dm:alice:bob', 7);
    h.core.seedLastId('#general', 3);
    assert.equal(h.core.lastId('#general'), 41);
    const welcome = welcomeOf(h.hello(1, 'alice'));
    assert.equal(welcome.frame.rooms[0]?.lastId, 41);
    h.hello(2, 'bob');
    assert.deepEqual(messageIds(h.send(1, '#general', 'hi', 'a1')), [['#general', 42]]);
    assert.deepEqual(messageIds(h.dm(2, 'alice', 'hi', 'b1')), [['dm:alice:bob', 8]]);
  });
});

describe('ChatCore rate limit', () => {
  it('allows a burst, drops with rate_limited and the ref, then closes for flood', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    const t = h.now;
    for (const ref of ['a1', 'a2', 'a3'])
      assert.equal(h.send(1, '#general', 'x', ref, t)[0]?.kind, 'message');
    assert.deepEqual(errorCode(h.send(1, '#general', 'x', 'a4', t)), {
      to: [1],
      code: 'rate_limited',
      ref: 'a4',
    });
    assert.deepEqual(errorCode(h.receive(1, { type: 'join', room: '#ops' }, t)), {
      to: [1],
      code: 'rate_limited',
    });
    assert.deepEqual(closeCode(h.send(1, '#general', 'x', 'a6', t)), { conn: 1, code: 'flood' });
    assert.equal(h.core.lastId('#general'), 3, 'dropped frames get no id');
  });

  it('refills the bucket with time, at ratePerSecond', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    const t = h.now;
    for (const ref of ['a1', 'a2', 'a3']) h.send(1, '#general', 'x', ref, t);
    assert.equal(errorCode(h.send(1, '#general', 'x', 'a4', t + 199)).code, 'rate_limited');
    // One token per 200 ms: the refused frame took none of it.
    assert.deepEqual(messageIds(h.send(1, '#general', 'x', 'a5', t + 200)), [['#general', 4]]);
    assert.equal(errorCode(h.send(1, '#general', 'x', 'a6', t + 200)).code, 'rate_limited');
    // A long pause refills the burst, and the violations too.
    for (const ref of ['b1', 'b2', 'b3']) {
      assert.equal(h.send(1, '#general', 'x', ref, t + 10_000)[0]?.kind, 'message');
    }
    assert.equal(errorCode(h.send(1, '#general', 'x', 'b4', t + 10_000)).code, 'rate_limited');
    assert.equal(errorCode(h.send(1, '#general', 'x', 'b5', t + 10_000)).code, 'rate_limited');
    assert.equal(closeCode(h.send(1, '#general', 'x', 'b6', t + 10_000)).code, 'flood');
  });

  it('shares the bucket between the connections of a user and keeps it over a reconnect', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'alice');
    const t = h.now;
    h.send(1, '#general', 'x', 'a1', t);
    h.send(2, '#general', 'x', 'a2', t);
    h.send(1, '#general', 'x', 'a3', t);
    assert.equal(errorCode(h.send(2, '#general', 'x', 'a4', t)).code, 'rate_limited');
    h.core.disconnect(1, t);
    h.core.disconnect(2, t);
    h.core.hello(3, 'alice', helloFrame(), t);
    assert.equal(errorCode(h.send(3, '#general', 'x', 'a5', t)).code, 'rate_limited');
  });

  it('charges an unasked pong like any frame (the server answers its own pings before the core)', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    const t = h.now;
    for (const ref of ['a1', 'a2']) h.send(1, '#general', 'x', ref, t);
    assert.deepEqual(h.receive(1, { type: 'pong', ref: 's1' }, t), []);
    assert.equal(errorCode(h.send(1, '#general', 'x', 'a4', t)).code, 'rate_limited');
  });
});

describe('ChatCore rooms, presence and history', () => {
  it('sends left with reason part to every member, the leaver included', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'alice');
    h.hello(3, 'bob');
    h.hello(4, 'carol', { join: ['#ops'] });
    assert.deepEqual(h.receive(1, { type: 'part', room: '#general' }), [
      frames([1, 2, 3], {
        type: 'left',
        room: '#general',
        user: 'alice',
        ts: h.now,
        reason: 'part',
      }),
    ]);
    assert.deepEqual(h.core.recipients('#general'), [3]);
    assert.equal(errorCode(h.send(2, '#general', 'x', 'a1')).code, 'not_member');
  });

  it('refuses to part a room the user is not in with not_member, without ref', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    assert.deepEqual(errorCode(h.receive(1, { type: 'part', room: '#ops' })), {
      to: [1],
      code: 'not_member',
    });
  });

  it('sends a topic to the members and keeps it in the room state', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'bob');
    h.hello(3, 'carol', { join: ['#ops'] });
    assert.deepEqual(h.receive(2, { type: 'topic', room: '#general', text: 'release friday' }), [
      frames([1, 2], {
        type: 'topic',
        room: '#general',
        text: 'release friday',
        by: 'bob',
        ts: h.now,
      }),
    ]);
    assert.deepEqual(errorCode(h.receive(3, { type: 'topic', room: '#general', text: 'x' })), {
      to: [3],
      code: 'not_member',
    });
    const [, state] = h.receive(3, { type: 'join', room: '#general' });
    assert.ok(state?.kind === 'frames' && state.frame.type === 'joined');
    assert.equal(state.frame.state?.topic, 'release friday');
  });

  it('sends away and back presence to every connection, the user’s own included', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'bob', { join: ['#ops'] });
    h.hello(3, 'alice');
    assert.deepEqual(h.receive(1, { type: 'away', text: 'lunch' }), [
      frames([1, 2, 3], { type: 'presence', user: 'alice', status: 'away', text: 'lunch' }),
    ]);
    assert.deepEqual(h.receive(3, { type: 'back' }), [
      frames([1, 2, 3], { type: 'presence', user: 'alice', status: 'online' }),
    ]);
  });

  it('starts online again after the last connection closed while away', () => {
    const h = new Harness();
    h.hello(1, 'bob');
    h.hello(2, 'alice');
    h.receive(2, { type: 'away', text: 'lunch' });
    h.disconnect(2);
    const effects = h.hello(3, 'alice');
    assert.deepEqual(
      effects[0],
      frames([1], { type: 'presence', user: 'alice', status: 'online' }),
    );
    assert.deepEqual(welcomeOf(effects).frame.users, [
      { user: 'alice', status: 'online' },
      { user: 'bob', status: 'online' },
    ]);
  });

  it('answers ping with pong and the same ref, to that connection only', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'alice');
    assert.deepEqual(h.receive(2, { type: 'ping', ref: 'p1' }), [
      frames([2], { type: 'pong', ref: 'p1' }),
    ]);
  });

  it('refuses a second hello with invalid_frame', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    assert.equal(errorCode(h.receive(1, helloFrame())).code, 'invalid_frame');
  });

  it('refuses history of a room the user is not in with not_member and the ref', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'bob', { join: ['#ops'] });
    assert.deepEqual(
      errorCode(h.receive(1, { type: 'history', room: '#ops', limit: 10, ref: 'h1' })),
      { to: [1], code: 'not_member', ref: 'h1' },
    );
  });

  it('asks for history with the limit capped at maxHistory and the ref passed through', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    assert.deepEqual(
      h.receive(1, { type: 'history', room: '#general', before: 40, limit: 200, ref: 'h1' }),
      [
        {
          kind: 'history',
          conn: 1,
          conversation: '#general',
          name: '#general',
          before: 40,
          limit: LIMITS.maxHistory,
          ref: 'h1',
        },
      ],
    );
    assert.deepEqual(h.receive(1, { type: 'history', room: '@bob', limit: 10 }), [
      {
        kind: 'history',
        conn: 1,
        conversation: 'dm:alice:bob',
        name: '@bob',
        before: undefined,
        limit: 10,
        ref: undefined,
      },
    ]);
  });
});

/** The code and text of the one error frame of `effects`. */
function errorOf(effects: readonly Effect[]): { code: string; message: string } {
  assert.equal(effects.length, 1, `one effect, got ${JSON.stringify(effects)}`);
  const [effect] = effects;
  assert.ok(effect?.kind === 'frames' && effect.frame.type === 'error', 'an error frame');
  return { code: effect.frame.code, message: effect.frame.message };
}

/** The code and text of the one close of `effects`. */
function closeOf(effects: readonly Effect[]): { code: string; message: string } {
  assert.equal(effects.length, 1, `one effect, got ${JSON.stringify(effects)}`);
  const [effect] = effects;
  assert.ok(effect?.kind === 'close', 'a close');
  return { code: effect.code, message: effect.message };
}

/** True when `effects` tell the joining user's connections they are in `room`. */
function joinedState(effects: readonly Effect[], room: string): boolean {
  return effects.some(
    (e) =>
      e.kind === 'frames' && e.frame.type === 'joined' && e.frame.room === room && !!e.frame.state,
  );
}

/** Rooms the core holds, with their member counts. */
function held(h: Harness): Array<[string, number]> {
  return h.core.roomSummaries().map((r) => [r.room, r.members]);
}

/** Frames never run dry in these tests: only the room limits are at work. */
const MANY_FRAMES: Partial<CoreOptions> = { limits: { ...LIMITS, rateBurst: 1_000 } };

describe('ChatCore join tokens', () => {
  it('charges a token per room newly joined; refuses with rate_limited naming the join rate; refills at the rate', () => {
    // maxRoomsPerUser 3 is also the burst of join tokens; they refill at 5 a second.
    const h = new Harness({ ...MANY_FRAMES, maxRoomsPerUser: 3 });
    h.hello(1, 'alice');
    const t = h.now + STEP_MS;
    for (const room of ['#a', '#b', '#c'])
      assert.ok(joinedState(h.receive(1, { type: 'join', room }, t), room), `joined ${room}`);
    h.receive(1, { type: 'part', room: '#a' }, t);
    assert.deepEqual(errorOf(h.receive(1, { type: 'join', room: '#d' }, t)), {
      code: 'rate_limited',
      message:
        'you are joining rooms too fast (3 rooms at once, then 5 a second): try again in 1 s',
    });
    assert.equal(errorOf(h.receive(1, { type: 'join', room: '#d' }, t + 199)).code, 'rate_limited');
    assert.ok(joinedState(h.receive(1, { type: 'join', room: '#d' }, t + 200), '#d'));
  });

  it('charges nothing for a room the user is in through another device, or for the default room', () => {
    const h = new Harness({ ...MANY_FRAMES, maxRoomsPerUser: 3 });
    const t = 10_000;
    h.hello(1, 'alice', { join: ['#a', '#b', '#c'] }, t);
    // No join token left: only free joins get through.
    const second = h.hello(2, 'alice', { join: ['#a', '#b', '#general'] }, t);
    assert.deepEqual(
      welcomeOf(second).frame.rooms.map((r) => r.room),
      ['#a', '#b', '#c', '#general'],
    );
    assert.ok(joinedState(h.receive(2, { type: 'join', room: '#c' }, t), '#c'), 'the state again');
    h.receive(2, { type: 'part', room: '#general' }, t);
    assert.ok(joinedState(h.receive(2, { type: 'join', room: '#general' }, t), '#general'));
  });

  it('refuses a hello whose new rooms need more tokens than the user has, whole, with a fatal reconnect_too_fast', () => {
    const h = new Harness({ maxRoomsPerUser: 3 });
    const t = 10_000;
    h.hello(1, 'bob', {}, t);
    h.hello(2, 'alice', { join: ['#a', '#b', '#c'] }, t);
    h.disconnect(2, t);
    const resume = { '#a': 0, '#b': 0, '#c': 0 };
    assert.deepEqual(closeOf(h.hello(3, 'alice', { resume }, t + 100)), {
      code: 'reconnect_too_fast',
      message:
        'joining 3 rooms at once needs 3 join tokens and you have 0 (3 rooms at once, then 5 a second): try again in 1 s',
    });
    // Nothing happened: no presence for bob, no room made, no connection known.
    assert.equal(h.core.userOf(3), undefined);
    assert.deepEqual(held(h), [['#general', 1]]);
    // 3 tokens 600 ms after they ran out: the whole resume gets through.
    const back = h.hello(4, 'alice', { resume }, t + 600);
    assert.deepEqual(
      welcomeOf(back).frame.rooms.map((r) => r.room),
      ['#a', '#b', '#c'],
    );
    assert.equal(back.filter((e) => e.kind === 'replay').length, 3);
  });

  it('needs tokens only for the rooms the per-user cap lets in, so a hello can always get in', () => {
    const h = new Harness({ maxRoomsPerUser: 3 });
    const t = 10_000;
    const first = h.hello(1, 'alice', { join: ['#a', '#b', '#c', '#d', '#e'] }, t);
    assert.deepEqual(
      welcomeOf(first).frame.rooms.map((r) => r.room),
      ['#a', '#b', '#c'],
    );
    const refusals = first.filter((e) => e.kind === 'frames' && e.frame.type === 'error');
    assert.deepEqual(
      refusals.map((e) => e.kind === 'frames' && e.frame.type === 'error' && e.frame.message),
      [
        'you are in 3 rooms, the most one user may be in: part one first',
        'you are in 3 rooms, the most one user may be in: part one first',
      ],
    );
    // At once, tokens spent: the rooms past the cap need none.
    const second = h.hello(2, 'alice', { join: ['#a', '#d', '#e'] }, t);
    assert.deepEqual(
      welcomeOf(second).frame.rooms.map((r) => r.room),
      ['#a', '#b', '#c'],
    );
  });
});

describe('ChatCore rooms created per hour', () => {
  it('refuses a user past maxRoomsCreatedPerHour with too_many_rooms naming the cap and the wait', () => {
    const h = new Harness({ ...MANY_FRAMES, maxRoomsCreatedPerHour: 2 });
    h.hello(1, 'alice');
    h.hello(2, 'bob', { join: ['#bob'] });
    assert.ok(joinedState(h.receive(1, { type: 'join', room: '#a' }), '#a'));
    assert.ok(joinedState(h.receive(1, { type: 'join', room: '#b' }), '#b'));
    assert.deepEqual(errorOf(h.receive(1, { type: 'join', room: '#c' })), {
      code: 'too_many_rooms',
      message:
        'you created 2 rooms within the hour, the most allowed: join an existing room or try again in 30 min',
    });
    const created = h.now;
    // Not creations: a room someone holds, and one with kept history the core does not hold.
    assert.ok(joinedState(h.receive(1, { type: 'join', room: '#bob' }), '#bob'));
    h.core.seedLastId('#old', 7);
    const old = h.receive(1, { type: 'join', room: '#old' });
    assert.ok(joinedState(old, '#old'));
    // The cap is per user, and kept across a reconnect.
    assert.ok(joinedState(h.receive(2, { type: 'join', room: '#c' }), '#c'));
    h.disconnect(1);
    h.hello(3, 'alice');
    assert.equal(errorOf(h.receive(3, { type: 'join', room: '#d' })).code, 'too_many_rooms');
    // One more every 30 minutes.
    assert.ok(joinedState(h.receive(3, { type: 'join', room: '#d' }, created + 1_800_000), '#d'));
    assert.equal(
      errorOf(h.receive(3, { type: 'join', room: '#e' })).code,
      'too_many_rooms',
      'and only one',
    );
  });

  it('counts a room made again after it was forgotten', () => {
    const h = new Harness({ ...MANY_FRAMES, maxRoomsCreatedPerHour: 2 });
    h.hello(1, 'alice');
    for (let i = 0; i < 2; i++) {
      assert.ok(joinedState(h.receive(1, { type: 'join', room: '#a' }), '#a'));
      h.receive(1, { type: 'part', room: '#a' });
    }
    assert.equal(errorOf(h.receive(1, { type: 'join', room: '#a' })).code, 'too_many_rooms');
  });
});

describe('ChatCore rooms on the server', () => {
  it('refuses a new room past maxRooms with too_many_rooms naming the cap; the default room is not counted', () => {
    const h = new Harness({ ...MANY_FRAMES, maxRooms: 2 });
    h.hello(1, 'alice', { join: ['#general', '#a', '#b'] });
    h.hello(2, 'bob');
    assert.deepEqual(errorOf(h.receive(2, { type: 'join', room: '#c' })), {
      code: 'too_many_rooms',
      message: 'the server holds 2 rooms, the most it keeps: join an existing room',
    });
    // A room with kept history that the core does not hold counts once joined.
    h.core.seedLastId('#old', 3);
    assert.equal(errorOf(h.receive(2, { type: 'join', room: '#old' })).code, 'too_many_rooms');
    assert.ok(joinedState(h.receive(2, { type: 'join', room: '#a' }), '#a'), 'an existing room');
    h.receive(1, { type: 'part', room: '#b' });
    assert.ok(
      joinedState(h.receive(2, { type: 'join', room: '#c' }), '#c'),
      'room again once #b went',
    );
  });

  it('always lets a user into the default room: no token, no cap', () => {
    const h = new Harness({
      ...MANY_FRAMES,
      maxRooms: 1,
      maxRoomsPerUser: 1,
      maxRoomsCreatedPerHour: 1,
    });
    const t = 10_000;
    // alice spends her one join token, her one creation, her one room and the server's one room.
    h.hello(1, 'alice', { join: ['#a'] }, t);
    assert.ok(joinedState(h.receive(1, { type: 'join', room: '#general' }, t), '#general'));
    h.receive(1, { type: 'part', room: '#general' }, t);
    assert.ok(joinedState(h.receive(1, { type: 'join', room: '#general' }, t), '#general'));
    const bob = h.hello(2, 'bob', {}, t);
    assert.deepEqual(
      welcomeOf(bob).frame.rooms.map((r) => r.room),
      ['#general'],
    );
    assert.deepEqual(held(h), [
      ['#a', 1],
      ['#general', 2],
    ]);
  });
});

describe('ChatCore forgets empty rooms', () => {
  const cases: Array<{
    what: string;
    before: (h: Harness) => void;
    leave: (h: Harness) => void;
    kept: boolean;
  }> = [
    {
      what: 'a part',
      before: () => {},
      leave: (h) => h.receive(1, { type: 'part', room: '#r' }),
      kept: false,
    },
    { what: 'a quit', before: () => {}, leave: (h) => h.disconnect(1), kept: false },
    {
      what: 'a part, the room having a topic',
      before: (h) => h.receive(1, { type: 'topic', room: '#r', text: 'plans' }),
      leave: (h) => h.receive(1, { type: 'part', room: '#r' }),
      kept: true,
    },
    {
      what: 'a quit, the room having history',
      before: (h) => h.send(1, '#r', 'hi', 'a1'),
      leave: (h) => h.disconnect(1),
      kept: true,
    },
    {
      what: 'a part, another member staying',
      before: (h) => h.receive(2, { type: 'join', room: '#r' }),
      leave: (h) => h.receive(1, { type: 'part', room: '#r' }),
      kept: true,
    },
  ];
  for (const { what, before, leave, kept } of cases) {
    it(`${kept ? 'keeps' : 'forgets'} a room after ${what}`, () => {
      const h = new Harness();
      h.hello(1, 'alice', { join: ['#r'] });
      h.hello(2, 'bob', { join: [] });
      before(h);
      leave(h);
      assert.equal(
        h.core.roomSummaries().some((r) => r.room === '#r'),
        kept,
      );
    });
  }

  it('gives a forgotten room back empty when it is joined again', () => {
    const h = new Harness();
    h.hello(1, 'alice', { join: ['#r'] });
    h.receive(1, { type: 'part', room: '#r' });
    assert.deepEqual(h.receive(1, { type: 'join', room: '#r' }), [
      frames([1], {
        type: 'joined',
        room: '#r',
        user: 'alice',
        ts: h.now,
        state: { room: '#r', topic: '', members: ['alice'], lastId: 0, ops: ['alice'] },
      }),
    ]);
  });
});

describe('ChatCore rate limit messages', () => {
  it('names the frame rate in rate_limited', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    const t = h.now + STEP_MS;
    for (let i = 0; i < 3; i++) h.receive(1, { type: 'ping', ref: `p${i}` }, t);
    assert.equal(
      errorOf(h.receive(1, { type: 'ping', ref: 'p3' }, t)).message,
      'too many frames (3 at once, then 5 a second): this one was dropped, slow down',
    );
  });
});

describe('ChatCore disconnect and recipients', () => {
  it('makes the last connection quit every room, then go offline', () => {
    const h = new Harness();
    h.hello(1, 'alice', { join: ['#general', '#ops'] });
    h.hello(2, 'bob', { join: ['#ops'] });
    h.hello(3, 'carol');
    h.hello(4, 'dave', { join: ['#dev'] });
    const t = h.now + STEP_MS;
    assert.deepEqual(h.disconnect(1), [
      frames([3], { type: 'left', room: '#general', user: 'alice', ts: t, reason: 'quit' }),
      frames([2], { type: 'left', room: '#ops', user: 'alice', ts: t, reason: 'quit' }),
      frames([2, 3, 4], { type: 'presence', user: 'alice', status: 'offline' }),
    ]);
    assert.equal(h.core.userOf(1), undefined);
    assert.deepEqual(h.core.recipients('#ops'), [2]);
    assert.deepEqual(
      h.core.roomSummaries().map((r) => [r.room, r.members]),
      [
        ['#dev', 1],
        ['#general', 1],
        ['#ops', 1],
      ],
    );
  });

  it('does nothing when one of two connections of a user closes', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'alice');
    h.hello(3, 'bob');
    assert.deepEqual(h.disconnect(1), []);
    assert.deepEqual(h.core.recipients('#general').sort(), [2, 3]);
    assert.deepEqual(h.disconnect(1), [], 'a second close of the same connection');
    assert.deepEqual(h.disconnect(99), [], 'a connection that never said hello');
  });

  it('lists the connections of a room and of a dm key', () => {
    const h = new Harness();
    h.hello(1, 'alice', { join: ['#ops'] });
    h.hello(2, 'bob');
    h.hello(3, 'alice', { join: ['#ops'] });
    h.hello(4, 'carol', { join: ['#ops'] });
    assert.deepEqual(h.core.recipients('#ops').sort(), [1, 3, 4]);
    assert.deepEqual(h.core.recipients('#general'), [2]);
    assert.deepEqual(h.core.recipients('#none'), []);
    assert.deepEqual(h.core.recipients('dm:alice:bob').sort(), [1, 2, 3]);
    assert.deepEqual(h.core.recipients('dm:bob:zed'), [2]);
  });
});

/** A linear congruential generator (Numerical Recipes constants), so a failure replays. */
function lcg(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor((state / 2 ** 32) * n);
  };
}

describe('ChatCore invariants over random operations', () => {
  const USERS = ['ann', 'bob', 'cat', 'dan'];
  const ROOMS = ['#a', '#b', '#c'];
  const ACTIONS = moderationAction.options;

  for (const seed of [1, 42, 2026]) {
    it(`keeps ids gapless, addresses only open connections and keeps banned users out (seed ${seed})`, () => {
      const random = lcg(seed);
      const pick = <T>(items: readonly T[]): T => items[random(items.length)] as T;
      // dan is a server operator; the creators of rooms operate them.
      const core = new ChatCore({ ...OPTIONS, operators: new Set(['dan']) });
      const open = new Map<ConnId, string>();
      const lastIds = new Map<string, number>();
      const refs = new Map<string, string[]>();
      let nextConn = 1;
      let now = 1_000_000;
      let messages = 0;
      let reacks = 0;
      let closes = 0;
      let moderated = 0;
      let banned = 0;
      let bansChecked = 0;
      // Bans as shown by `moderated`: room (or '' for the server) and user to until (ms; Infinity: until lifted).
      const bans = new Map<string, number>();
      // Rooms that may be kept with nobody in them: a ban, a mute or a lock was made there.
      const sanctioned = new Set<string>();

      const check = (effects: Effect[], step: number, saying?: ConnId): void => {
        const addressable = (conn: ConnId) => open.has(conn) || conn === saying;
        for (const effect of effects) {
          const where = `step ${step}: ${JSON.stringify(effect)}`;
          if (effect.kind === 'frames') {
            assert.ok(effect.to.every(addressable), `to an open connection, ${where}`);
            assert.equal(new Set(effect.to).size, effect.to.length, `each once, ${where}`);
            if (effect.frame.type === 'moderated') {
              const { action, room = '', user = '', until } = effect.frame;
              assert.ok(
                effect.to.every((conn) => open.has(conn)),
                `moderated to open, ${where}`,
              );
              moderated++;
              if (action === 'ban') banned++;
              if (action === 'ban') bans.set(`${room} ${user}`, until ?? Number.POSITIVE_INFINITY);
              if (action === 'unban') bans.delete(`${room} ${user}`);
              if (['ban', 'mute', 'topic-lock'].includes(action)) sanctioned.add(room);
            }
          } else if (effect.kind === 'message') {
            const expected = (lastIds.get(effect.conversation) ?? 0) + 1;
            assert.equal(effect.message.id, expected, `next id, ${where}`);
            lastIds.set(effect.conversation, expected);
            assert.ok(addressable(effect.ack.conn), `ack to an open connection, ${where}`);
            const to = core.recipients(effect.conversation);
            assert.ok(to.every(addressable), `recipients open, ${where}`);
            assert.ok(to.includes(effect.ack.conn), `the sender gets the echo, ${where}`);
            messages++;
          } else if (effect.kind === 'reack') {
            assert.ok(effect.id <= (lastIds.get(effect.conversation) ?? 0), `known id, ${where}`);
            assert.ok(addressable(effect.conn), `reack to an open connection, ${where}`);
            reacks++;
          } else if (
            effect.kind !== 'persist' &&
            effect.kind !== 'log' &&
            effect.kind !== 'replicate'
          ) {
            assert.ok(addressable(effect.conn), `to an open connection, ${where}`);
          }
        }
        // The I/O layer closes what the core asks to close, and tells the core.
        for (const effect of effects) {
          if (effect.kind !== 'close') continue;
          closes++;
          open.delete(effect.conn);
          check(core.disconnect(effect.conn, now), step);
        }
      };

      for (let step = 0; step < 800; step++) {
        now += random(400);
        const conns = [...open.keys()];
        const op = conns.length === 0 ? 0 : random(14);
        if (op === 0) {
          const conn = nextConn++;
          const user = pick(USERS);
          const variant = random(3);
          const frame = helloFrame(
            variant === 0
              ? {}
              : variant === 1
                ? { join: ROOMS.filter(() => random(2) === 0) }
                : {
                    resume: Object.fromEntries(
                      [...ROOMS, ...USERS.map((u) => `@${u}`)]
                        .filter(() => random(3) === 0)
                        .map((name) => [name, random(5)]),
                    ),
                  },
          );
          const effects = core.hello(conn, user, frame, now);
          if (!effects.some((e) => e.kind === 'close')) open.set(conn, user);
          check(effects, step, conn);
          continue;
        }
        // Half the moderation comes from the server operator, when connected.
        const dans = conns.filter((c) => open.get(c) === 'dan');
        const conn = op >= 10 && dans.length > 0 && random(2) === 0 ? pick(dans) : pick(conns);
        const user = open.get(conn) ?? '';
        if (op === 1) {
          open.delete(conn);
          check(core.disconnect(conn, now), step);
          continue;
        }
        let frame: ClientFrame;
        if (op === 2) frame = { type: 'join', room: pick(ROOMS) };
        else if (op === 3) frame = { type: 'part', room: pick(ROOMS) };
        else if (op === 10 || op === 11) {
          const action = pick(ACTIONS);
          frame = {
            type: 'moderate',
            action,
            ...(random(6) === 0 ? {} : { room: pick(ROOMS) }),
            ...(random(8) === 0 ? {} : { user: pick(USERS) }),
            ...(random(2) === 0 ? { reason: 'because' } : {}),
            ...(random(3) === 0 ? { duration: 1 + random(5) } : {}),
            ref: `${user}-m${step}`,
          };
        } else if (op === 12 || op === 13) {
          const room = random(3) === 0 ? `@${pick(USERS)}` : pick(ROOMS);
          const id = 1 + random(5);
          const ref = `${user}-a${step}`;
          frame =
            op === 12
              ? { type: 'edit', room, id, text: 'y', ref }
              : { type: 'delete', room, id, ref };
        } else {
          const own = refs.get(user) ?? [];
          const resend = own.length > 0 && random(8) === 0;
          const ref = resend ? pick(own.slice(-3)) : `${user}-${step}`;
          if (!resend) refs.set(user, [...own, ref]);
          frame =
            op <= 7
              ? { type: 'send', room: pick(ROOMS), text: 'x', ref }
              : { type: 'dm', to: pick(USERS), text: 'x', ref };
        }
        check(core.receive(conn, frame, now), step);
        // No topics in this walk: a room without members must have history
        // (or a ban, a mute or a lock), or it is forgotten.
        for (const held of core.roomSummaries())
          assert.ok(
            held.members > 0 || held.lastId > 0 || sanctioned.has(held.room),
            `step ${step}: ${held.room} kept empty`,
          );
        // A user banned (and not yet free) is in none of the room's connections, nor connected at all when banned from the server.
        for (const [key, until] of bans) {
          if (until <= now) continue;
          const [room = '', banned = ''] = key.split(' ');
          const theirs = [...open].filter(([, u]) => u === banned).map(([c]) => c);
          const present = room === '' ? theirs : core.recipients(room);
          if (theirs.length > 0) bansChecked++;
          assert.ok(
            theirs.every((c) => !present.includes(c)),
            `step ${step}: ${banned} banned from ${room || 'the server'} is there`,
          );
        }
      }

      // The walk must have exercised what it checks.
      assert.ok(messages > 50, `${messages} messages`);
      assert.ok(reacks > 0, `${reacks} reacks`);
      assert.ok(closes > 0, `${closes} closes`);
      assert.ok(moderated > 10, `${moderated} moderated`);
      assert.ok(banned > 0, `${banned} bans`);
      assert.ok(bansChecked > 0, `${bansChecked} checks of a banned user connected`);
      assert.ok(lastIds.size >= 4, `${lastIds.size} conversations`);
      for (const [conversation, id] of lastIds) assert.equal(core.lastId(conversation), id);
    });
  }
});
