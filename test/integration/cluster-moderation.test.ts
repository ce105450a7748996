import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerFrame, ServerFrameOf } from '../../src/net/protocol/frames.ts';
import { RedisHistory } from '../../src/server/history/redis-history.ts';
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
 * Review 2 of the cluster: two ChatServers on one Redis; erin is the only
 * server operator. Each test proves one finding.
 */
describe('moderation across two nodes: who runs a room, and kicks', () => {
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
  /** The first frame of one of `types`, others skipped. */
  async function firstOf(raw: Raw, types: string[]): Promise<ServerFrame> {
    for (;;) {
      const frame = await raw.nextFrame();
      if (types.includes(frame.type)) return frame;
    }
  }

  before(async () => {
    [team, redis] = await Promise.all([
      makeTeam(['alice', 'mallory', 'bob', 'erin']),
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
      nodes.push(await startServer(team, { operators: ['erin'] }, store));
    }
  });
  after(async () => {
    for (const raw of open) raw.socket.destroy();
    await Promise.all(nodes.map((node) => node.server.close()));
    await redis.cleanup();
    await team.dir.cleanup();
  });

  it('a room made on one node is run by its maker on every node: a later first joiner elsewhere runs nothing', async () => {
    const [a, b] = nodes as [Started, Started];
    const mallory = await connect(b, 'mallory', ['#lobby']);
    // alice makes #quiet on A; nobody has written in it yet.
    const alice = await connect(a, 'alice', ['#quiet']);
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
    const [a, b] = nodes as [Started, Started];
    const erin = await connect(a, 'erin', ['#ops']);
    const bob = await connect(b, 'bob', ['#ops']);
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
