import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Started } from '../helpers/chat-server.ts';
import { clusterOnRedis, next, nodeStore, say } from '../helpers/cluster-nodes.ts';

/**
 * A node back after a while reads the cluster's events since its kept
 * state (1,000 a page) before its port opens: until it has, the events it
 * missed are not done, and a user banned from the server meanwhile would be
 * welcomed. Here 30,000 events of other users (Redis keeps 100,000) come
 * before the ban, so the read takes a while.
 */
describe('a node back after many events, one of them a server ban', () => {
  let cluster: Awaited<ReturnType<typeof clusterOnRedis>>;

  before(async () => {
    cluster = await clusterOnRedis(['alice', 'bob', 'mallory'], ['alice']);
  });
  after(() => cluster.stop());

  it('refuses the banned user from the moment its port opens', async () => {
    const [a, b] = cluster.nodes as [Started, Started];
    const alice = await cluster.connect(a, 'alice', ['#dev']);
    await b.server.close();
    // Meanwhile: many events (as any users' aways would make), then a ban.
    const other = await nodeStore(cluster.redis.url, cluster.team.ctx.layout.historyKey, {
      node: 'filler',
    });
    for (let batch = 0; batch < 30; batch++)
      await Promise.all(
        Array.from({ length: 1_000 }, (_, i) =>
          other.record({
            kind: 'event',
            event: { kind: 'away', user: `user${batch}-${i}`, text: 'x' },
          }),
        ),
      );
    await other.close();
    say(alice, { type: 'moderate', action: 'ban', user: 'mallory', reason: 'spam', ref: 'm1' });
    await next(alice, 'moderated');
    const node = await cluster.startNode('127.0.0.1:4001');
    const mallory = await cluster.connect(node, 'mallory').catch((error: Error) => error);
    assert.ok(mallory instanceof Error, 'mallory, banned meanwhile, was welcomed');
  });
});
