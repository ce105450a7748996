import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientFrame, HelloFrame, ServerFrame } from '../../src/net/protocol/frames.ts';
import { ChatCore } from '../../src/server/chat-core.ts';
import type { ConnId, Effect } from '../../src/server/core-effects.ts';
import type { CoreOptions } from '../../src/server/core-state.ts';
import type { UnreadQuery } from '../../src/server/unread-query.ts';
import { testCoreOptions } from '../helpers/core-options.ts';

// What ChatCore keeps across restarts and what it asks to read back after a
// welcome: read positions, remembered rooms, topics, known users, offline
// direct messages, and the `unread` effect. The rest of its rules are in
// chat-core.test.ts.

const OPTIONS: CoreOptions = testCoreOptions();

/** A core and a clock that moves a second before every call. */
class Harness {
  readonly core: ChatCore;
  now = 1_000_000;

  constructor(options: Partial<CoreOptions> = {}) {
    this.core = new ChatCore({ ...OPTIONS, ...options });
  }

  hello(conn: ConnId, user: string, extra: Partial<HelloFrame> = {}): Effect[] {
    this.now += 1000;
    return this.core.hello(
      conn,
      user,
      { type: 'hello', v: 1, client: 'test/1', ...extra },
      this.now,
    );
  }

  receive(conn: ConnId, frame: ClientFrame): Effect[] {
    this.now += 1000;
    return this.core.receive(conn, frame, this.now);
  }

  disconnect(conn: ConnId): Effect[] {
    this.now += 1000;
    return this.core.disconnect(conn, this.now);
  }
}

/** The frames of `effects` of one type, with their recipients. */
function framesOf(effects: readonly Effect[], type: ServerFrame['type']) {
  return effects.flatMap((e) =>
    e.kind === 'frames' && e.frame.type === type ? [{ to: [...e.to].sort(), frame: e.frame }] : [],
  );
}

function persists(effects: readonly Effect[]): boolean {
  return effects.some((e) => e.kind === 'persist');
}

function unreadOf(effects: readonly Effect[]): UnreadQuery {
  const effect = effects.find((e) => e.kind === 'unread');
  assert.ok(effect?.kind === 'unread', 'an unread effect');
  return effect.query;
}

function welcomeRooms(effects: readonly Effect[]): string[] {
  const [welcome] = framesOf(effects, 'welcome');
  assert.ok(welcome?.frame.type === 'welcome');
  return welcome.frame.rooms.map((r) => r.room);
}

describe('ChatCore read positions', () => {
  it('keeps the highest id, capped at the newest, and tells every connection of the user', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'alice');
    h.hello(3, 'bob');
    for (const n of [1, 2, 3])
      h.receive(3, { type: 'send', room: '#general', text: `m${n}`, ref: `b${n}` });
    const moved = h.receive(1, { type: 'read', room: '#general', id: 2 });
    assert.deepEqual(framesOf(moved, 'read'), [
      { to: [1, 2], frame: { type: 'read', room: '#general', id: 2 } },
    ]);
    assert.ok(persists(moved));
    // Back, or the same: nothing.
    assert.deepEqual(h.receive(2, { type: 'read', room: '#general', id: 1 }), []);
    assert.deepEqual(h.receive(2, { type: 'read', room: '#general', id: 2 }), []);
    // Past the newest: taken as the newest.
    assert.deepEqual(framesOf(h.receive(2, { type: 'read', room: '#general', id: 99 }), 'read'), [
      { to: [1, 2], frame: { type: 'read', room: '#general', id: 3 } },
    ]);
    assert.deepEqual(h.core.keptState().users.find(([u]) => u === 'alice')?.[1].reads, [
      ['#general', 3],
    ]);
  });

  it('refuses a room the user is not in with not_member and no ref', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    const effects = h.receive(1, { type: 'read', room: '#ops', id: 1 });
    assert.equal(effects.length, 1);
    const [error] = framesOf(effects, 'error');
    assert.ok(error?.frame.type === 'error');
    assert.equal(error.frame.code, 'not_member');
    assert.equal(error.frame.ref, undefined);
  });

  it('takes a direct conversation by @peer, keyed as the dm', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'bob');
    h.receive(2, { type: 'dm', to: 'alice', text: 'psst', ref: 'b1' });
    assert.deepEqual(framesOf(h.receive(1, { type: 'read', room: '@bob', id: 1 }), 'read'), [
      { to: [1], frame: { type: 'read', room: '@bob', id: 1 } },
    ]);
    // A conversation with nothing in it has nothing to read.
    assert.deepEqual(h.receive(1, { type: 'read', room: '@carol', id: 5 }), []);
  });

  it("moves the sender's read position to a message they send, told after the ack", () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'alice');
    h.hello(3, 'bob');
    const sent = h.receive(1, { type: 'send', room: '#general', text: 'hi', ref: 'a1' });
    const message = sent.find((e) => e.kind === 'message');
    assert.ok(message?.kind === 'message');
    assert.deepEqual(message.read, {
      to: [1, 2],
      frame: { type: 'read', room: '#general', id: 1 },
    });
    assert.ok(persists(sent));
    const dm = h.receive(3, { type: 'dm', to: 'alice', text: 'hey', ref: 'b1' });
    const dmMessage = dm.find((e) => e.kind === 'message');
    assert.ok(dmMessage?.kind === 'message');
    assert.deepEqual(dmMessage.read, { to: [3], frame: { type: 'read', room: '@alice', id: 1 } });
  });
});

describe('ChatCore direct messages to users offline', () => {
  it('keeps a dm to a user welcomed once who is gone, delivered to the sender alone', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    h.hello(2, 'bob');
    h.disconnect(2);
    const effects = h.receive(1, { type: 'dm', to: 'bob', text: 'later', ref: 'a1' });
    const message = effects.find((e) => e.kind === 'message');
    assert.ok(message?.kind === 'message');
    assert.equal(message.message.id, 1);
    assert.deepEqual(h.core.recipients('dm:alice:bob'), [1]);
  });

  it('keeps a dm to a user with a certificate who never connected; refuses one with neither', () => {
    const h = new Harness({ hasCertificate: (user) => user === 'carol' });
    h.hello(1, 'alice');
    const kept = h.receive(1, { type: 'dm', to: 'carol', text: 'welcome', ref: 'a1' });
    assert.ok(kept.some((e) => e.kind === 'message'));
    const refused = h.receive(1, { type: 'dm', to: 'mallory', text: 'hi', ref: 'a2' });
    const [error] = framesOf(refused, 'error');
    assert.ok(error?.frame.type === 'error');
    assert.deepEqual([error.frame.code, error.frame.ref, error.to], ['unknown_user', 'a2', [1]]);
  });

  it('knows a user welcomed before a restart', () => {
    const first = new Harness();
    first.hello(1, 'bob');
    const kept = first.core.keptState();
    const h = new Harness();
    h.core.restoreKeptState(kept, h.now);
    h.hello(1, 'alice');
    assert.ok(
      h
        .receive(1, { type: 'dm', to: 'bob', text: 'hi', ref: 'a1' })
        .some((e) => e.kind === 'message'),
    );
  });
});

describe('ChatCore remembered rooms', () => {
  it('joins the rooms a user joined and did not part when a hello names none', () => {
    const h = new Harness();
    h.hello(1, 'alice', { join: ['#ops', '#dev'] });
    h.receive(1, { type: 'join', room: '#random' });
    h.receive(1, { type: 'part', room: '#dev' });
    h.disconnect(1);
    assert.deepEqual(welcomeRooms(h.hello(2, 'alice')), ['#ops', '#random']);
  });

  it('joins the default room when none is remembered, and a resume or join as asked', () => {
    const h = new Harness();
    assert.deepEqual(welcomeRooms(h.hello(1, 'alice')), ['#general']);
    h.receive(1, { type: 'part', room: '#general' });
    h.disconnect(1);
    assert.deepEqual(welcomeRooms(h.hello(2, 'alice')), ['#general']);
    h.receive(2, { type: 'join', room: '#ops' });
    h.disconnect(2);
    assert.deepEqual(welcomeRooms(h.hello(3, 'alice', { resume: {} })), []);
    h.disconnect(3);
    assert.deepEqual(welcomeRooms(h.hello(4, 'alice', { join: ['#dev'] })), ['#dev']);
  });

  it('remembers across a restart through the kept state', () => {
    const first = new Harness();
    first.hello(1, 'alice', { join: ['#ops'] });
    first.disconnect(1);
    const h = new Harness();
    h.core.restoreKeptState(first.core.keptState(), h.now);
    assert.deepEqual(welcomeRooms(h.hello(1, 'alice')), ['#ops']);
  });
});

describe('ChatCore kept state', () => {
  it('keeps topics with who and when, users with rooms, reads and when they left', () => {
    const h = new Harness();
    h.hello(1, 'alice');
    const topicSet = h.receive(1, { type: 'topic', room: '#general', text: 'Friday' });
    assert.ok(persists(topicSet));
    const topicAt = h.now;
    h.receive(1, { type: 'send', room: '#general', text: 'hi', ref: 'a1' });
    const gone = h.disconnect(1);
    assert.ok(persists(gone));
    assert.deepEqual(h.core.keptState(), {
      topics: [['#general', { text: 'Friday', by: 'alice', ts: topicAt }]],
      users: [['alice', { rooms: ['#general'], reads: [['#general', 1]], goneAt: h.now }]],
    });
  });

  it('keeps no user before their first welcome', () => {
    const h = new Harness();
    assert.deepEqual(h.core.keptState(), { topics: [], users: [] });
    assert.ok(persists(h.hello(1, 'alice')));
    assert.deepEqual(
      h.core.keptState().users.map(([u]) => u),
      ['alice'],
    );
  });

  it('gives a restored topic back in the welcome; the room exists with no one in it', () => {
    const h = new Harness();
    h.core.restoreKeptState(
      { topics: [['#ops', { text: 'on call: bob', by: 'bob', ts: 5 }]], users: [] },
      h.now,
    );
    assert.deepEqual(
      h.core.roomSummaries().map((r) => r.room),
      ['#ops'],
    );
    const [welcome] = framesOf(h.hello(1, 'alice', { join: ['#ops'] }), 'welcome');
    assert.ok(welcome?.frame.type === 'welcome');
    assert.equal(welcome.frame.rooms[0]?.topic, 'on call: bob');
  });
});

describe('ChatCore unread after welcome', () => {
  it('asks for every room of the user and each dm conversation with messages, after the welcome', () => {
    const h = new Harness();
    h.hello(1, 'bob', { join: ['#general', '#ops'] });
    h.hello(2, 'alice', { join: ['#general', '#ops'] });
    h.receive(2, { type: 'send', room: '#ops', text: 'bob?', ref: 'a1' });
    h.receive(2, { type: 'dm', to: 'bob', text: 'psst', ref: 'a2' });
    h.receive(1, { type: 'read', room: '#general', id: 0 });
    h.disconnect(1);
    const goneAt = h.now;
    h.receive(2, { type: 'topic', room: '#ops', text: 'new' });
    const effects = h.hello(3, 'bob', { backlog: 500 });
    const kinds = effects.map((e) => (e.kind === 'frames' ? e.frame.type : e.kind));
    assert.ok(kinds.indexOf('welcome') < kinds.indexOf('unread'), 'unread after the welcome');
    const query = unreadOf(effects);
    assert.deepEqual(query, {
      user: 'bob',
      targets: [
        { name: '#general', conversation: '#general', lastId: 0, read: 0 },
        {
          name: '#ops',
          conversation: '#ops',
          lastId: 1,
          read: 0,
          topic: { text: 'new', by: 'alice', ts: goneAt + 1000 },
        },
        { name: '@alice', conversation: 'dm:alice:bob', lastId: 1, read: 0 },
      ],
      since: goneAt,
      // Capped at limits.maxHistory.
      backlog: 50,
      backlogRooms: ['#general', '#ops'],
      resumed: [],
    });
  });

  it('gives no since while another connection of the user is open, and no backlog for resumed rooms', () => {
    const h = new Harness();
    h.hello(1, 'bob', { join: ['#general', '#ops'] });
    h.disconnect(1);
    h.hello(2, 'bob');
    const query = unreadOf(h.hello(3, 'bob', { resume: { '#ops': 0, '@alice': 0 }, backlog: 10 }));
    assert.equal(query.since, undefined);
    assert.deepEqual(query.backlogRooms, []);
    assert.deepEqual(query.resumed, ['#ops', 'dm:alice:bob']);
    assert.equal(query.backlog, 10);
  });
});
