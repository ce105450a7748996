import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROTOCOL_VERSION } from '../../src/net/protocol/frames.ts';
import { ChatCore } from '../../src/server/chat-core.ts';
import type { Effect } from '../../src/server/core-effects.ts';
import type { NodeSnapshot } from '../../src/server/node-roster.ts';
import { testCoreOptions } from '../helpers/core-options.ts';
import { nodeFeedOver, quietSharedStore } from '../helpers/node-feed-harness.ts';

const hello = { type: 'hello', v: PROTOCOL_VERSION, client: 'test/1' } as const;

/** Each joined or left line told to someone, as "USER joined|left ROOM to CONNS". */
const lines = (effects: Effect[]) =>
  effects.flatMap((e) =>
    e.kind === 'frames' && e.to.length > 0 && (e.frame.type === 'joined' || e.frame.type === 'left')
      ? [`${e.frame.user} ${e.frame.type} ${e.frame.room} to ${e.to.join(',')}`]
      : [],
  );

/**
 * A kick done here of a user on another node: every announcement rebuilds
 * what the other nodes hold from the last word of each, and the kicked
 * user's node's last word (alice in #dev) is older than the kick until it
 * speaks again. An announcement of a third node in between must not show
 * her joining the room again, nor her node's next one show her leaving.
 */
describe('a kick here, then a third node announces before the kicked user’s node', () => {
  it('shows no joined line for the kicked user', async () => {
    const core = new ChatCore(testCoreOptions({ operators: new Set(['bob']), cluster: true }));
    core.hello(1, 'bob', { ...hello, join: ['#dev'] }, 0);
    core.hello(2, 'carol', { ...hello, join: ['#dev'] }, 0);
    const { store, feed } = quietSharedStore();
    const applied: Effect[] = [];
    const node = nodeFeedOver(store, {
      core,
      apply: (effects) => applied.push(...effects),
      load: () => ({ connections: 2, messagesPerSecond: 0 }),
      now: () => 10,
    });
    await node.start();
    await node.seed(new Map(), undefined);
    const nodeB: NodeSnapshot = {
      users: [{ user: 'alice', status: 'online' }],
      connections: 1,
      messagesPerSecond: 0,
      held: [['alice', { rooms: ['#dev'], devices: 1, fingerprints: [] }]],
    };
    feed().announced('node-b', nodeB);
    assert.deepEqual(lines(applied.splice(0)), ['alice joined #dev to 1,2']);
    // bob kicks alice (on node B) from #dev here.
    const kick = core.receive(
      1,
      { type: 'moderate', action: 'kick', room: '#dev', user: 'alice', ref: 'k1' },
      20,
    );
    assert.ok(kick.some((e) => e.kind === 'frames' && e.frame.type === 'moderated'));
    // Node C says something (its own user came) before node B's next tick.
    feed().announced('node-c', {
      users: [{ user: 'dave', status: 'online' }],
      connections: 1,
      messagesPerSecond: 0,
      held: [['dave', { rooms: [], devices: 1, fingerprints: [] }]],
    });
    const afterC = lines(applied.splice(0));
    // Then node B, which did the kick, says alice is in no room.
    feed().announced('node-b', {
      ...nodeB,
      held: [['alice', { rooms: [], devices: 1, fingerprints: [] }]],
    });
    const afterB = lines(applied.splice(0));
    await node.stop();
    assert.deepEqual(afterC, [], 'the kicked alice was shown joining #dev again');
    assert.deepEqual(afterB, [], 'the kicked alice was shown leaving #dev after the kick');
  });
});

describe('a user kicked on another node who joins the room again', () => {
  it('is shown in it again here once her node says so, not hidden for good', () => {
    const core = new ChatCore(testCoreOptions({ operators: new Set(['bob']), cluster: true }));
    core.hello(1, 'bob', { ...hello, join: ['#dev'] }, 0);
    const alice = [{ user: 'alice', status: 'online' as const }];
    const inDev = new Map([['alice', { rooms: ['#dev'], devices: 1, fingerprints: [] }]]);
    core.setRemoteUsers(alice, inDev, 1);
    core.receive(1, { type: 'moderate', action: 'kick', room: '#dev', user: 'alice', ref: 'k' }, 2);
    // She joins again on her node before it spoke since the kick: the join is heard first.
    core.remoteEvent({ kind: 'member', user: 'alice', room: '#dev', joined: true }, 3);
    assert.deepEqual(lines(core.setRemoteUsers(alice, inDev, 4)), ['alice joined #dev to 1']);
    const again = core.receive(1, { type: 'join', room: '#dev' }, 5);
    const state = again.find((e) => e.kind === 'frames' && e.frame.type === 'joined');
    assert.ok(state?.kind === 'frames' && state.frame.type === 'joined');
    assert.deepEqual(state.frame.state?.members, ['alice', 'bob']);
  });
});
