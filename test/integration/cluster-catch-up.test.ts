import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Started } from '../helpers/chat-server.ts';
import { clusterOnRedis, next, type Raw, say } from '../helpers/cluster-nodes.ts';

/**
 * Issue 18, one kept state for the cluster: what is done while a node is
 * down (a server ban, a topic, a room's operators, a user's rooms and read
 * positions) is there when it comes back under its own name, and on a new
 * node that never ran before.
 */
describe('a node down while the cluster changes', () => {
  let cluster: Awaited<ReturnType<typeof clusterOnRedis>>;
  let alice: Raw;
  let readId = 0;

  before(async () => {
    cluster = await clusterOnRedis(['alice', 'bob', 'mallory'], ['alice']);
    const [a, b] = cluster.nodes as [Started, Started];
    // b runs, hears of #dev's making (alice runs it), then stops.
    alice = await cluster.connect(a, 'alice', ['#dev']);
    const bob = await cluster.connect(b, 'bob', ['#dev']);
    // b leaves #dev when bob goes: who runs it outlives its record there.
    if (!bob.welcome.rooms[0]?.members.includes('alice'))
      await next(bob, 'joined').then((line) => assert.equal(line.user, 'alice'));
    bob.socket.destroy();
    await b.server.close();
    // Meanwhile, on a: a server ban, a topic, bob's rooms and his read position.
    say(alice, { type: 'moderate', action: 'ban', user: 'mallory', reason: 'spam', ref: 'm1' });
    await next(alice, 'moderated');
    say(alice, { type: 'topic', room: '#dev', text: 'release friday' });
    await next(alice, 'topic');
    say(alice, { type: 'send', room: '#dev', text: 'notes are up', ref: 's1' });
    readId = (await next(alice, 'ack')).id;
    const bobA = await cluster.connect(a, 'bob', ['#dev', '#ops']);
    say(bobA, { type: 'read', room: '#dev', id: readId });
    say(bobA, { type: 'part', room: '#ops' });
    await next(bobA, 'left');
    bobA.socket.destroy();
  });
  after(() => cluster.stop());

  for (const [which, name] of [
    ['the node, back under its own name,', '127.0.0.1:4001'],
    ['a node that never ran before', '127.0.0.1:4009'],
  ] as const) {
    it(`${which} refuses the user banned meanwhile, shows the topic, and knows who runs the room`, async () => {
      const node = await cluster.startNode(name);
      const mallory = await cluster.connect(node, 'mallory').catch((error: Error) => error);
      assert.ok(mallory instanceof Error, 'mallory was welcomed on a node that missed her ban');
      const bob = await cluster.connect(node, 'bob', ['#dev']);
      const dev = bob.welcome.rooms.find((r) => r.room === '#dev');
      assert.equal(dev?.topic, 'release friday');
      assert.deepEqual(dev?.ops, ['alice']);
      bob.socket.destroy();
      await node.server.close();
    });

    it(`${which} joins a user's rooms and read positions as they were left on another node`, async () => {
      const node = await cluster.startNode(name);
      const bob = await cluster.connect(node, 'bob', 'remembered');
      assert.deepEqual(
        bob.welcome.rooms.map((r) => r.room),
        ['#dev'],
      );
      const unread = await next(bob, 'unread');
      assert.equal(unread.conversations.find((c) => c.room === '#dev')?.read, readId);
      bob.socket.destroy();
      await node.server.close();
    });
  }
});
