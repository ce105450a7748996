import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { runHistoryExport, runHistoryVerify } from '../../src/commands/history.ts';
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

/** Words said through the cluster that must never be readable in Redis. */
const SECRETS = ['quokka', 'wombat', 'platypus', 'echidna', 'kookaburra', 'dingo', 'koala'];

/**
 * Review 2: everything two nodes put in Redis (keys, values, what they
 * publish) is sealed; the operator's read tools write nothing there.
 */
describe('two nodes: no plaintext in Redis, and the tools only read', () => {
  let team: Team;
  let redis: TestRedis;
  let spy: Redis;
  const published: Buffer[] = [];
  const nodes: Started[] = [];
  const open: Raw[] = [];

  async function connect(node: Started, user: string, join: string[] = []) {
    const raw = await rawConnection(node, await team.credentials(user));
    open.push(raw);
    say(raw, { type: 'hello', v: 1, client: 'test/1', join });
    assert.equal((await raw.nextFrame()).type, 'welcome');
    return raw;
  }
  function say(raw: Raw, frame: Record<string, unknown>): void {
    raw.socket.write(`${JSON.stringify(frame)}\n`);
  }
  async function next<T extends ServerFrame['type']>(raw: Raw, type: T): Promise<ServerFrameOf<T>> {
    return (await raw.nextFrame(type)) as ServerFrameOf<T>;
  }
  async function presenceOf(raw: Raw, user: string, status: string) {
    for (;;) {
      const frame = await next(raw, 'presence');
      if (frame.user === user && frame.status === status) return frame;
    }
  }

  before(async () => {
    [team, redis] = await Promise.all([makeTeam(['quokka', 'wombat', 'erin']), startRedis()]);
    spy = new Redis(redis.url);
    await spy.psubscribe('*');
    spy.on('pmessageBuffer', (_pattern: Buffer, _channel: Buffer, payload: Buffer) =>
      published.push(payload),
    );
    for (let i = 0; i < 2; i++) {
      const store = await RedisHistory.open({
        url: redis.url,
        key: { kind: 'key-file', path: team.ctx.layout.historyKey },
        durability: 'always',
        limits: { keepDays: 0, keepMessages: 0 },
        warn: () => {},
        node: `127.0.0.1:${4000 + i}`,
      });
      nodes.push(await startServer(team, { operators: ['erin'] }, store));
    }
  });
  after(async () => {
    for (const raw of open) raw.socket.destroy();
    spy.disconnect();
    await Promise.all(nodes.map((node) => node.server.close()));
    await redis.cleanup();
    await team.dir.cleanup();
  });

  it('keeps and publishes nothing readable of users, rooms, texts, topics, reasons or away texts', async () => {
    const [a, b] = nodes as [Started, Started];
    const wombat = await connect(b, 'wombat', ['#platypus']);
    const quokka = await connect(a, 'quokka', ['#platypus']);
    const erin = await connect(a, 'erin', ['#platypus']);
    await presenceOf(wombat, 'quokka', 'online');
    say(quokka, { type: 'topic', room: '#platypus', text: 'echidna day' });
    await next(wombat, 'topic');
    say(quokka, { type: 'send', room: '#platypus', text: 'kookaburra laughs', ref: 's1' });
    const sent = await next(wombat, 'msg');
    say(wombat, { type: 'read', room: '#platypus', id: sent.id });
    say(quokka, { type: 'dm', to: 'wombat', text: 'kookaburra whispers', ref: 'd1' });
    await next(wombat, 'dm');
    say(quokka, { type: 'away', text: 'koala nap' });
    await presenceOf(wombat, 'quokka', 'away');
    say(erin, {
      type: 'moderate',
      action: 'mute',
      room: '#platypus',
      user: 'wombat',
      reason: 'dingo',
      ref: 'm1',
    });
    await next(wombat, 'moderated');
    // Each node's kept state is written.
    await Promise.all(nodes.map((node) => node.server.close()));
    nodes.length = 0;

    const client = new Redis(redis.url);
    const seen: Buffer[] = [...published];
    let cursor = '0';
    do {
      const [nextCursor, keys] = await client.scan(cursor, 'COUNT', 500);
      cursor = nextCursor;
      for (const key of keys) {
        seen.push(Buffer.from(key));
        const type = await client.type(key);
        if (type === 'string') seen.push((await client.getBuffer(key)) ?? Buffer.alloc(0));
        else if (type === 'hash')
          for (const [field, value] of Object.entries(await client.hgetallBuffer(key)))
            seen.push(Buffer.from(field), value);
        else if (type === 'stream')
          for (const [id, fields] of await client.xrangeBuffer(key, '-', '+'))
            seen.push(id, ...fields);
        else seen.push(Buffer.from(`unexpected ${type} ${key}`));
      }
    } while (cursor !== '0');
    client.disconnect();
    const all = Buffer.concat(seen).toString('latin1').toLowerCase();
    assert.ok(published.length > 0 && seen.length > 10, 'the spy saw what was kept');
    assert.ok(all.includes('chat:last'), 'the scan reads what Redis holds as it is');
    for (const secret of SECRETS)
      assert.equal(all.includes(secret), false, `${secret} is readable in Redis`);
  });

  it('history verify and export --redis send Redis no command that writes', async () => {
    const base = new Redis(redis.url);
    const monitor = await base.monitor();
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) =>
      commands.push(String(args[0]).toLowerCase()),
    );
    const args = { data: team.dir.path, certs: team.certsDir, redis: redis.url };
    const out: string[] = [];
    await runHistoryVerify(args, { out: (line) => out.push(line) });
    await runHistoryExport({ ...args, room: '#platypus' }, { out: (line) => out.push(line) });
    assert.ok(
      out.some((line) => line.includes('kookaburra laughs')),
      out.join('\n'),
    );
    // The monitor hears its own commands until the tools' are through: one more to know.
    const marker = new Redis(redis.url);
    await marker.echo('done');
    while (!commands.includes('echo')) await new Promise((resolve) => setImmediate(resolve));
    marker.disconnect();
    monitor.disconnect();
    base.disconnect();
    assert.ok(commands.includes('xrange'), `the monitor heard the tools: ${commands.join(' ')}`);
    const writes = commands.filter((command) =>
      /^(set|del|hset|hdel|xadd|xtrim|xdel|expire|pexpire|publish|evalsha|eval|incr|hincrby|setnx|unlink|flushdb|flushall|multi|exec|fcall)$/.test(
        command,
      ),
    );
    assert.deepEqual(
      writes.filter((c) => c !== 'multi' && c !== 'exec'),
      [],
      commands.join(' '),
    );
  });
});
