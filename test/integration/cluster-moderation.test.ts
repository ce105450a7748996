import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clusterOnRedis, firstOf, next, say } from '../helpers/cluster-nodes.ts';

/**
 * Two ChatServers on one Redis; erin is the only server operator: who runs
 * a room made on one node, and a kick of a user in the room on the other.
 */
describe('moderation across two nodes: who runs a room, and kicks', () => {
  let cluster: Awaited<ReturnType<typeof clusterOnRedis>>;

  before(async () => {
    cluster = await clusterOnRedis(['alice', 'mallory', 'bob', 'erin'], ['erin']);
  });
  after(() => cluster.stop());

  it('a room made on one node is run by its maker on every node: a later first joiner elsewhere runs nothing', async () => {
    const [a, b] = cluster.nodes;
    assert.ok(a && b);
    const mallory = await cluster.connect(b, 'mallory', ['#lobby']);
    // alice makes #quiet on A; nobody has written in it yet.
    const alice = await cluster.connect(a, 'alice', ['#quiet']);
    // A says who runs it before it announces alice: once B shows her online, B knows.
    for (;;) {
      const seen = await next(mallory, 'presence');
      if (seen.user === 'alice' && seen.status === 'online') break;
    }
    say(mallory, { type: 'join', room: '#quiet' });
    const joined = await next(mallory, 'joined');
    assert.deepEqual(joined.state?.ops, ['alice']);
    say(mallory, { type: 'moderate', action: 'ban', room: '#quiet', user: 'alice', ref: 'm1' });
    assert.equal((await next(mallory, 'error')).code, 'not_operator');
    say(mallory, { type: 'topic', room: '#quiet', text: 'mine now' });
    const first = await firstOf(alice, ['moderated', 'topic']);
    assert.deepEqual(first.type === 'topic' && [first.text, first.by], ['mine now', 'mallory']);
  });

  it('a server operator kicks a user who is in the room on another node (docs: "a kick ... on one node is done on every node")', async () => {
    const [a, b] = cluster.nodes;
    assert.ok(a && b);
    const erin = await cluster.connect(a, 'erin', ['#ops']);
    const bob = await cluster.connect(b, 'bob', ['#ops']);
    // A hears of bob (B's announcement) before erin kicks him.
    for (;;) {
      const seen = await next(erin, 'presence');
      if (seen.user === 'bob' && seen.status === 'online') break;
    }
    say(erin, { type: 'moderate', action: 'kick', room: '#ops', user: 'bob', ref: 'k1' });
    const answer = await firstOf(erin, ['moderated', 'error']);
    assert.equal(answer.type, 'moderated', `erin's kick was refused: ${JSON.stringify(answer)}`);
    assert.equal((await next(bob, 'moderated')).action, 'kick');
  });
});
