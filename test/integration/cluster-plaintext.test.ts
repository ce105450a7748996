import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { runHistoryExport, runHistoryVerify } from '../../src/commands/history.ts';
import { clusterOnRedis, next, presenceOf, say } from '../helpers/cluster-nodes.ts';

/** Words said through the cluster that must never be readable in Redis. */
const SECRETS = ['quokka', 'wombat', 'platypus', 'echidna', 'kookaburra', 'dingo', 'koala'];

/**
 * Everything two nodes put in Redis (keys, values, what they
 * publish) is sealed; the operator's read tools write nothing there.
 */
describe('two nodes: no plaintext in Redis, and the tools only read', () => {
  let cluster: Awaited<ReturnType<typeof clusterOnRedis>>;
  let spy: Redis;
  const published: Buffer[] = [];

  before(async () => {
    cluster = await clusterOnRedis(['quokka', 'wombat', 'erin'], ['erin']);
    spy = new Redis(cluster.redis.url);
    await spy.psubscribe('*');
    spy.on('pmessageBuffer', (_pattern: Buffer, _channel: Buffer, payload: Buffer) =>
      published.push(payload),
    );
  });
  after(async () => {
    spy.disconnect();
    await cluster.stop();
  });

  it('keeps and publishes nothing readable of users, rooms, texts, topics, reasons or away texts', async () => {
    const { nodes, redis } = cluster;
    const [a, b] = nodes;
    assert.ok(a && b);
    const wombat = await cluster.connect(b, 'wombat', ['#platypus']);
    const quokka = await cluster.connect(a, 'quokka', ['#platypus']);
    const erin = await cluster.connect(a, 'erin', ['#platypus']);
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
    const { redis, team } = cluster;
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
