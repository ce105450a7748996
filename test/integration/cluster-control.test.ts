import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerFrame, ServerFrameOf } from '../../src/net/protocol/frames.ts';
import { revokeClient } from '../../src/pki/client-certs.ts';
import { RedisHistory } from '../../src/server/history/redis-history.ts';
import { loadServerTls } from '../../src/server/tls-options.ts';
import {
  makeTeam,
  rawConnection,
  type Started,
  startServer,
  type Team,
} from '../helpers/chat-server.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';

type Raw = Awaited<ReturnType<typeof rawConnection>>;

/**
 * Issue 18, control across nodes: two ChatServers on one Redis. alice, a
 * server operator, acts on node A; bob, carol and dave are on node B, which
 * hears of each act from the store's feed and does it to its own users.
 */
describe('moderation and revocation across two nodes on one Redis', () => {
  let team: Team;
  let redis: TestRedis;
  const nodes: Started[] = [];
  const open: Raw[] = [];

  async function connect(node: Started, user: string, join: string[] = []) {
    const raw = await rawConnection(node, await team.credentials(user));
    open.push(raw);
    say(raw, { type: 'hello', v: 1, client: 'test/1', join });
    const welcome = await raw.nextFrame();
    assert.equal(welcome.type, 'welcome', JSON.stringify(welcome));
    return raw;
  }
  function say(raw: Raw, frame: Record<string, unknown>): void {
    raw.socket.write(`${JSON.stringify(frame)}\n`);
  }
  async function next<T extends ServerFrame['type']>(raw: Raw, type: T): Promise<ServerFrameOf<T>> {
    return (await raw.nextFrame(type)) as ServerFrameOf<T>;
  }

  before(async () => {
    [team, redis] = await Promise.all([
      makeTeam(['alice', 'bob', 'carol', 'dave', 'erin']),
      startRedis(),
    ]);
    for (let i = 0; i < 2; i++) {
      const store = await RedisHistory.open({
        url: redis.url,
        key: { kind: 'key-file', path: team.ctx.layout.historyKey },
        durability: 'always',
        limits: { keepDays: 0, keepMessages: 0 },
        warn: () => {},
      });
      nodes.push(await startServer(team, { operators: ['alice'] }, store));
    }
  });
  after(async () => {
    for (const raw of open) raw.socket.destroy();
    await Promise.all(nodes.map((node) => node.server.close()));
    await redis.cleanup();
    await team.dir.cleanup();
  });

  it('a room ban on one node takes the user out of the room on the other, and keeps them out', async () => {
    const [a, b] = nodes as [Started, Started];
    const alice = await connect(a, 'alice', ['#ops']);
    const bob = await connect(b, 'bob', ['#ops']);
    const dave = await connect(b, 'dave', ['#ops']);
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
    assert.equal((await next(bob, 'moderated')).action, 'ban');
    say(bob, { type: 'send', room: '#ops', text: 'still here?', ref: 's1' });
    assert.equal((await next(bob, 'error')).code, 'not_member');
    say(bob, { type: 'join', room: '#ops' });
    assert.equal((await next(bob, 'error')).code, 'banned');
  });

  it('a server ban on one node closes the user on the other', async () => {
    const [a, b] = nodes as [Started, Started];
    const carol = await connect(b, 'carol');
    const alice = open[0] as Raw;
    assert.ok(a);
    say(alice, { type: 'moderate', action: 'ban', user: 'carol', reason: 'gone', ref: 'm2' });
    const closing = await next(carol, 'error');
    assert.equal(closing.code, 'server_banned');
    assert.equal(closing.fatal, true);
    await carol.closed;
  });

  it("a topic set on one node is shown and kept on the other; a user's read position follows her devices across nodes", async () => {
    const [a, b] = nodes as [Started, Started];
    const alice = open[0] as Raw;
    const dave = open[2] as Raw;
    say(alice, { type: 'topic', room: '#ops', text: 'deploy at noon' });
    const topic = await next(dave, 'topic');
    assert.deepEqual(
      { room: topic.room, text: topic.text, by: topic.by },
      { room: '#ops', text: 'deploy at noon', by: 'alice' },
    );
    // A newcomer to #ops on b is welcomed with it.
    const erinB = await rawConnection(b, await team.credentials('erin'));
    open.push(erinB);
    say(erinB, { type: 'hello', v: 1, client: 'test/1', join: ['#ops'] });
    const welcome = (await erinB.nextFrame()) as ServerFrameOf<'welcome'>;
    assert.equal(welcome.rooms.find((r) => r.room === '#ops')?.topic, 'deploy at noon');
    // erin's other device, on a: she reads there, and b's device is told.
    const erinA = await connect(a, 'erin', ['#ops']);
    say(alice, { type: 'send', room: '#ops', text: 'ship it', ref: 's2' });
    const shipped = await next(erinA, 'msg');
    say(erinA, { type: 'read', room: '#ops', id: shipped.id });
    const read = await next(erinB, 'read');
    assert.deepEqual({ room: read.room, id: read.id }, { room: '#ops', id: shipped.id });
  });

  it("a node's CRL reload closes the revoked user's session on a node that has not reloaded", async () => {
    const [a] = nodes as [Started, Started];
    const dave = open[2] as Raw;
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
