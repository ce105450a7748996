import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { revokeClient } from '../../src/pki/client-certs.ts';
import { loadServerTls } from '../../src/server/tls-options.ts';
import type { Started } from '../helpers/chat-server.ts';
import { clusterOnRedis, next, type Raw, say } from '../helpers/cluster-nodes.ts';

/**
 * Issue 18, control across nodes: two ChatServers on one Redis. alice, a
 * server operator, acts on node A; bob, carol and dave are on node B, which
 * hears of each act from the store's feed and does it to its own users.
 */
describe('moderation and revocation across two nodes on one Redis', () => {
  let cluster: Awaited<ReturnType<typeof clusterOnRedis>>;
  let alice: Raw;
  let dave: Raw;

  before(async () => {
    cluster = await clusterOnRedis(['alice', 'bob', 'carol', 'dave', 'erin'], ['alice']);
  });
  after(() => cluster.stop());

  it('a room ban on one node takes the user out of the room on the other, and keeps them out', async () => {
    const [a, b] = cluster.nodes;
    assert.ok(a && b);
    alice = await cluster.connect(a, 'alice', ['#ops']);
    const bob = await cluster.connect(b, 'bob', ['#ops']);
    dave = await cluster.connect(b, 'dave', ['#ops']);
    say(alice, {
      type: 'moderate',
      action: 'ban',
      room: '#ops',
      user: 'bob',
      reason: 'spam',
      ref: 'm1',
    });
    const seen = await next(dave, 'moderated');
    assert.deepEqual(
      { action: seen.action, room: seen.room, user: seen.user, by: seen.by, reason: seen.reason },
      { action: 'ban', room: '#ops', user: 'bob', by: 'alice', reason: 'spam' },
    );
    // bob may have joined node B before alice's running of #ops reached it from
    // node A (the cluster's feed is asynchronous): then he is told of that
    // op first. Nothing else may come before the ban.
    let toBob = await next(bob, 'moderated');
    while (toBob.action === 'op') toBob = await next(bob, 'moderated');
    assert.equal(toBob.action, 'ban');
    say(bob, { type: 'send', room: '#ops', text: 'still here?', ref: 's1' });
    assert.equal((await next(bob, 'error')).code, 'not_member');
    say(bob, { type: 'join', room: '#ops' });
    assert.equal((await next(bob, 'error')).code, 'banned');
  });

  it('a server ban on one node closes the user on the other', async () => {
    const carol = await cluster.connect(cluster.nodes[1] as Started, 'carol');
    say(alice, { type: 'moderate', action: 'ban', user: 'carol', reason: 'gone', ref: 'm2' });
    const closing = await next(carol, 'error');
    assert.equal(closing.code, 'server_banned');
    assert.equal(closing.fatal, true);
    await carol.closed;
  });

  it("a topic set on one node is shown and kept on the other; a user's read position follows her devices across nodes", async () => {
    const [a, b] = cluster.nodes;
    assert.ok(a && b);
    say(alice, { type: 'topic', room: '#ops', text: 'deploy at noon' });
    const topic = await next(dave, 'topic');
    assert.deepEqual(
      { room: topic.room, text: topic.text, by: topic.by },
      { room: '#ops', text: 'deploy at noon', by: 'alice' },
    );
    // A newcomer to #ops on b is welcomed with it.
    const erinB = await cluster.connect(b, 'erin', ['#ops']);
    assert.equal(erinB.welcome.rooms.find((r) => r.room === '#ops')?.topic, 'deploy at noon');
    // erin's other device, on a: she reads there, and b's device is told.
    const erinA = await cluster.connect(a, 'erin', ['#ops']);
    say(alice, { type: 'send', room: '#ops', text: 'ship it', ref: 's2' });
    const shipped = await next(erinA, 'msg');
    say(erinA, { type: 'read', room: '#ops', id: shipped.id });
    const read = await next(erinB, 'read');
    assert.deepEqual({ room: read.room, id: read.id }, { room: '#ops', id: shipped.id });
  });

  it("a node's CRL reload closes the revoked user's session on a node that has not reloaded", async () => {
    const [a] = cluster.nodes as [Started];
    const { team } = cluster;
    await revokeClient(team.ctx, { name: 'dave' });
    assert.equal(
      a.server.reloadTls(await loadServerTls(team.certsDir, '1.3')),
      0,
      'dave is not on A',
    );
    const closing = await next(dave, 'error');
    assert.equal(closing.code, 'cert_rejected');
    await dave.closed;
  });
});
