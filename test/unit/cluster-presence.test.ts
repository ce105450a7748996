import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROTOCOL_VERSION } from '../../src/net/protocol/frames.ts';
import { ChatCore } from '../../src/server/chat-core.ts';
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
