import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROTOCOL_VERSION } from '../../src/net/protocol/frames.ts';
import { ChatCore } from '../../src/server/chat-core.ts';
import type { ClusterEvent } from '../../src/server/cluster-events.ts';
import type { Effect } from '../../src/server/core-effects.ts';
import { NodeRoster } from '../../src/server/node-roster.ts';
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
    assert.deepEqual(presence(core.setRemoteUsers([{ user: 'ben', status: 'online' }])), [
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
        core.setRemoteUsers([
          { user: 'ben', status: 'away', text: 'lunch' },
          { user: 'ann', status: 'online' },
        ]),
      ),
      ['ben away to 1,2'],
      'ann is seen here: this node says what it sees of her',
    );
    assert.deepEqual(presence(core.setRemoteUsers([{ user: 'ann', status: 'online' }])), [
      'ben offline to 1,2',
    ]);
    // ann leaves this node but is still on another: not offline, as the other node shows her.
    assert.deepEqual(presence(core.disconnect(1, 1)), ['ann online to 2']);
    assert.deepEqual(presence(core.setRemoteUsers([])), ['ann offline to 2']);
  });

  it('takes a DM to a user seen only on another node', () => {
    const core = new ChatCore(testCoreOptions());
    core.hello(1, 'ann', hello, 0);
    core.setRemoteUsers([{ user: 'zed', status: 'online' }]);
    const effects = core.receive(1, { type: 'dm', to: 'zed', text: 'hi', ref: 'r1' }, 1);
    assert.ok(effects.some((e) => e.kind === 'message'));
  });
});

describe('ChatCore, what the other nodes of a cluster are told', () => {
  const replicated = (effects: Effect[]) =>
    effects.flatMap((effect) => (effect.kind === 'replicate' ? [effect.event] : []));

  it('the creator of a room, a topic, an away and a back, a read', () => {
    const core = new ChatCore(testCoreOptions());
    const created = core.hello(1, 'ann', { ...hello, join: ['#quiet'] }, 5);
    assert.deepEqual(replicated(created), [
      { kind: 'act', act: { action: 'op', room: '#quiet', user: 'ann', by: 'ann', ts: 5 } },
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
