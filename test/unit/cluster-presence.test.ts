import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROTOCOL_VERSION } from '../../src/net/protocol/frames.ts';
import { ChatCore } from '../../src/server/chat-core.ts';
import type { ClusterEvent } from '../../src/server/cluster-events.ts';
import { type Effect, PERSIST } from '../../src/server/core-effects.ts';
import { type HeldThere, isSnapshot, NodeRoster } from '../../src/server/node-roster.ts';
import { testCoreOptions } from '../helpers/core-options.ts';

/** The presence frames in `effects`, as `user status` lines, with who they go to. */
function presence(effects: Effect[]): string[] {
  return effects.flatMap((effect) =>
    effect.kind === 'frames' && effect.frame.type === 'presence'
      ? [`${effect.frame.user} ${effect.frame.status} to ${effect.to.join(',')}`]
      : [],
  );
}

const hello = { type: 'hello', v: PROTOCOL_VERSION, client: 'test/1' } as const;
/** No user holds anything on the other nodes (presence alone). */
const NONE = new Map<string, HeldThere>();

describe('NodeRoster', () => {
  it('merges the users of every node, each as present as its most present node, and forgets silent nodes', () => {
    const roster = new NodeRoster(15_000);
    roster.heard(
      'a',
      {
        users: [{ user: 'ann', status: 'away', text: 'lunch' }],
        connections: 2,
        messagesPerSecond: 1,
      },
      0,
    );
    roster.heard(
      'b',
      {
        users: [
          { user: 'ann', status: 'online' },
          { user: 'ben', status: 'online' },
        ],
        connections: 3,
        messagesPerSecond: 2,
      },
      10_000,
    );
    assert.deepEqual(roster.users(), [
      { user: 'ann', status: 'online' },
      { user: 'ben', status: 'online' },
    ]);
    assert.deepEqual(roster.summary({ users: [], connections: 1, messagesPerSecond: 0.5 }), {
      nodes: 3,
      connections: 6,
      messagesPerSecond: 3.5,
    });
    assert.equal(roster.expire(15_000), false, 'a is at its TTL, not past it');
    assert.equal(roster.expire(15_001), true);
    roster.left('b');
    assert.deepEqual(roster.users(), []);
    assert.equal(roster.summary({ users: [], connections: 1, messagesPerSecond: 0 }).nodes, 1);
  });
});

describe('ChatCore with users on other nodes', () => {
  it('lists them in welcome, tells everyone when they come, change and go, and not for users it sees itself', () => {
    const core = new ChatCore(testCoreOptions());
    core.hello(1, 'ann', hello, 0);
    assert.deepEqual(presence(core.setRemoteUsers([{ user: 'ben', status: 'online' }], NONE, 0)), [
      'ben online to 1',
    ]);
    const welcome = core
      .hello(2, 'cat', hello, 0)
      .find((e) => e.kind === 'frames' && e.frame.type === 'welcome');
    assert.ok(welcome?.kind === 'frames' && welcome.frame.type === 'welcome');
    assert.deepEqual(
      welcome.frame.users.map((u) => u.user),
      ['ann', 'ben', 'cat'],
    );
    assert.deepEqual(
      presence(
        core.setRemoteUsers(
          [
            { user: 'ben', status: 'away', text: 'lunch' },
            { user: 'ann', status: 'online' },
          ],
          NONE,
          0,
        ),
      ),
      ['ben away to 1,2'],
      'ann is seen here: this node says what it sees of her',
    );
    assert.deepEqual(presence(core.setRemoteUsers([{ user: 'ann', status: 'online' }], NONE, 0)), [
      'ben offline to 1,2',
    ]);
    // ann leaves this node but is still on another: not offline, as the other node shows her.
    assert.deepEqual(presence(core.disconnect(1, 1)), ['ann online to 2']);
    assert.deepEqual(presence(core.setRemoteUsers([], NONE, 0)), ['ann offline to 2']);
  });

  it('takes a DM to a user seen only on another node', () => {
    const core = new ChatCore(testCoreOptions());
    core.hello(1, 'ann', hello, 0);
    core.setRemoteUsers([{ user: 'zed', status: 'online' }], NONE, 0);
    const effects = core.receive(1, { type: 'dm', to: 'zed', text: 'hi', ref: 'r1' }, 1);
    assert.ok(effects.some((e) => e.kind === 'message'));
  });
});

describe('ChatCore, what the other nodes of a cluster are told', () => {
  const replicated = (effects: Effect[]) =>
    effects.flatMap((effect) => (effect.kind === 'replicate' ? [effect.event] : []));

  it('the creator of a room, a join and a part, a topic, an away and a back, a read', () => {
    const core = new ChatCore(testCoreOptions());
    const created = core.hello(1, 'ann', { ...hello, join: ['#quiet'] }, 5);
    assert.deepEqual(replicated(created), [
      { kind: 'act', act: { action: 'op', room: '#quiet', user: 'ann', by: 'ann', ts: 5 } },
      { kind: 'member', user: 'ann', room: '#quiet', joined: true },
    ]);
    assert.deepEqual(
      replicated(core.receive(1, { type: 'topic', room: '#quiet', text: 'hush' }, 6)),
      [{ kind: 'topic', room: '#quiet', text: 'hush', by: 'ann', ts: 6 }],
    );
    assert.deepEqual(replicated(core.receive(1, { type: 'away', text: 'tea' }, 7)), [
      { kind: 'away', user: 'ann', text: 'tea' },
    ]);
    assert.deepEqual(replicated(core.receive(1, { type: 'back' }, 8)), [
      { kind: 'away', user: 'ann' },
    ]);
    assert.deepEqual(replicated(core.receive(1, { type: 'part', room: '#quiet' }, 9)), [
      { kind: 'member', user: 'ann', room: '#quiet', joined: false },
    ]);
    // A quit is one node's: her devices elsewhere stay.
    core.hello(2, 'ann', { ...hello, join: ['#quiet'] }, 10);
    assert.deepEqual(replicated(core.disconnect(2, 11)), []);
  });

  it("an act from a first joiner elsewhere is not done in a room this node's operator runs", () => {
    const a = new ChatCore(testCoreOptions());
    const b = new ChatCore(testCoreOptions());
    // ann makes #quiet on A; B never heard of it (it started later), so mallory runs it there.
    a.hello(1, 'ann', { ...hello, join: ['#quiet'] }, 1);
    b.hello(1, 'mallory', { ...hello, join: ['#quiet'] }, 2);
    const ban = b.receive(
      1,
      { type: 'moderate', action: 'ban', room: '#quiet', user: 'ann', ref: 'm1' },
      3,
    );
    const acts = replicated(ban);
    assert.equal(acts.length, 1);
    const done = a.remoteEvent(acts[0] as ClusterEvent, 4);
    assert.deepEqual(
      done.map((e) => e.kind),
      ['log'],
      'refused on A: logged, nothing shown or changed',
    );
    // ann still runs #quiet on A and is still in it: her own act goes through.
    const topic = a.receive(1, { type: 'topic', room: '#quiet', text: 'still mine' }, 5);
    assert.ok(topic.some((e) => e.kind === 'frames' && e.frame.type === 'topic'));
    // And an act by ann, heard on a node where nobody runs #quiet yet, is done there.
    const c = new ChatCore(testCoreOptions());
    c.hello(1, 'zed', hello, 6);
    const opped = c.remoteEvent(
      { kind: 'act', act: { action: 'op', room: '#quiet', user: 'ann', by: 'ann', ts: 1 } },
      7,
    );
    assert.deepEqual(opped, [], 'remembered, nothing to show: nobody here is in #quiet');
    const joined = c.receive(1, { type: 'join', room: '#quiet' }, 8);
    const state = joined.find(
      (e) => e.kind === 'frames' && e.frame.type === 'joined' && e.frame.state !== undefined,
    );
    assert.ok(state?.kind === 'frames' && state.frame.type === 'joined');
    assert.deepEqual(
      state.frame.state?.ops,
      ['ann'],
      'zed joins a room ann runs, and does not run it',
    );
  });
});

describe('ChatCore, rooms held on other nodes', () => {
  const there = (rooms: string[], devices = 1): HeldThere => ({
    rooms,
    devices,
    fingerprints: [],
  });
  /** Each joined or left line told to someone, as "USER joined|left:REASON ROOM to CONNS". */
  const lines = (effects: Effect[]) =>
    effects.flatMap((e) =>
      e.kind === 'frames' &&
      e.to.length > 0 &&
      (e.frame.type === 'joined' || e.frame.type === 'left')
        ? [
            `${e.frame.user} ${e.frame.type === 'left' ? `left:${e.frame.reason}` : 'joined'} ${e.frame.room} to ${e.to.join(',')}`,
          ]
        : [],
    );

  it("shows another node's joins, parts and quits to the room's members here, once, and lists them", () => {
    const core = new ChatCore(testCoreOptions());
    core.hello(1, 'ann', { ...hello, join: ['#dev'] }, 0);
    const ben = [{ user: 'ben', status: 'online' as const }];
    assert.deepEqual(lines(core.setRemoteUsers(ben, new Map([['ben', there(['#dev'])]]), 1)), [
      'ben joined #dev to 1',
    ]);
    const welcome = core
      .hello(2, 'cat', { ...hello, join: ['#dev'] }, 2)
      .find((e) => e.kind === 'frames' && e.frame.type === 'welcome');
    assert.ok(welcome?.kind === 'frames' && welcome.frame.type === 'welcome');
    assert.deepEqual(welcome.frame.rooms[0]?.members, ['ann', 'ben', 'cat']);
    // Said again (every few seconds): nothing new.
    assert.deepEqual(lines(core.setRemoteUsers(ben, new Map([['ben', there(['#dev'])]]), 3)), []);
    assert.deepEqual(lines(core.setRemoteUsers(ben, new Map([['ben', there([])]]), 4)), [
      'ben left:part #dev to 1,2',
    ]);
    core.setRemoteUsers(ben, new Map([['ben', there(['#dev'])]]), 5);
    assert.deepEqual(lines(core.setRemoteUsers([], NONE, 6)), ['ben left:quit #dev to 1,2']);
  });

  it('leaves to this node what it shows itself: a user in the room here and elsewhere', () => {
    const core = new ChatCore(testCoreOptions());
    core.hello(1, 'ann', { ...hello, join: ['#dev'] }, 0);
    core.hello(2, 'ben', { ...hello, join: ['#dev'] }, 0);
    const ben = [{ user: 'ben', status: 'online' as const }];
    assert.deepEqual(lines(core.setRemoteUsers(ben, new Map([['ben', there(['#dev'])]]), 1)), []);
    // ben's device here quits; his other node still shows him in #dev: ann is told nothing.
    assert.deepEqual(lines(core.disconnect(2, 2)), []);
    // Until that node says he is gone.
    assert.deepEqual(lines(core.setRemoteUsers([], NONE, 3)), ['ben left:quit #dev to 1']);
  });

  it('forgets a user kicked elsewhere at once: the next announcement is no join', () => {
    const core = new ChatCore(testCoreOptions({ operators: new Set(['ann']) }));
    core.hello(1, 'ann', { ...hello, join: ['#dev'] }, 0);
    const ben = [{ user: 'ben', status: 'online' as const }];
    core.setRemoteUsers(ben, new Map([['ben', there(['#dev'])]]), 1);
    core.receive(1, { type: 'moderate', action: 'kick', room: '#dev', user: 'ben', ref: 'k' }, 2);
    assert.deepEqual(lines(core.setRemoteUsers(ben, new Map([['ben', there([])]]), 3)), []);
  });

  it("a join or part heard from another node moves the user's devices here, or remembers the room for their next hello", () => {
    const core = new ChatCore(testCoreOptions());
    assert.deepEqual(
      core.remoteEvent({ kind: 'member', user: 'ann', room: '#dev', joined: true }, 0),
      [PERSIST],
    );
    const welcome = core
      .hello(1, 'ann', hello, 1)
      .find((e) => e.kind === 'frames' && e.frame.type === 'welcome');
    assert.ok(welcome?.kind === 'frames' && welcome.frame.type === 'welcome');
    assert.deepEqual(
      welcome.frame.rooms.map((r) => r.room),
      ['#dev'],
    );
    const parted = core.remoteEvent(
      { kind: 'member', user: 'ann', room: '#dev', joined: false },
      2,
    );
    assert.deepEqual(lines(parted), ['ann left:part #dev to 1']);
    assert.ok(!parted.some((e) => e.kind === 'replicate'), 'done once, where it was asked');
  });
});

describe('NodeRoster, what users hold', () => {
  it('merges a user held on two nodes: rooms and certificates joined, devices summed, the latest frame', () => {
    const roster = new NodeRoster(15_000);
    const users = [{ user: 'ann', status: 'online' as const }];
    roster.heard(
      'a',
      {
        users,
        connections: 1,
        messagesPerSecond: 0,
        held: [['ann', { rooms: ['#b', '#a'], devices: 1, fingerprints: ['X'], lastFrame: 5 }]],
      },
      0,
    );
    roster.heard(
      'b',
      {
        users,
        connections: 2,
        messagesPerSecond: 0,
        held: [['ann', { rooms: ['#a', '#c'], devices: 2, fingerprints: ['Y', 'X'] }]],
      },
      0,
    );
    assert.deepEqual(roster.held().get('ann'), {
      rooms: ['#a', '#b', '#c'],
      devices: 3,
      fingerprints: ['X', 'Y'],
      lastFrame: 5,
    });
    assert.equal(
      isSnapshot({ users, connections: 1, messagesPerSecond: 0, held: [['ann']] }),
      false,
    );
    assert.equal(isSnapshot({ users, connections: 1, messagesPerSecond: 0 }), true);
  });
});
