import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ChatClient } from '../../src/net/chat-client.ts';
import { RedisHistory } from '../../src/server/history/redis-history.ts';
import { client, makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';

describe('a ChatServer whose history is in Redis, through a Redis kill -9', () => {
  let team: Team;
  let redis: TestRedis;
  let store: RedisHistory;
  let started: Started;
  let alice: ChatClient;
  const said: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  const warned = (pattern: RegExp) =>
    new Promise<void>((resolve) => {
      if (said.some((line) => pattern.test(line))) resolve();
      else waiters.push({ pattern, resolve });
    });

  before(async () => {
    [team, redis] = await Promise.all([makeTeam(['alice']), startRedis()]);
    const keyFile = join(team.dir.path, 'redis-history.key');
    await writeFile(keyFile, randomBytes(32), { mode: 0o600 });
    store = await RedisHistory.open({
      url: redis.url,
      key: { kind: 'key-file', path: keyFile },
      durability: 'always',
      limits: { keepDays: 0, keepMessages: 0 },
      warn: (_fields, message) => {
        said.push(message);
        for (const waiter of waiters.filter((w) => w.pattern.test(message))) waiter.resolve();
      },
    });
    started = await startServer(team, {}, store);
    alice = await client(team, started, 'alice');
    await alice.connect();
  });
  after(async () => {
    alice.close();
    await started.server.close();
    await redis.cleanup();
    await team.dir.cleanup();
  });

  it('acks only what Redis kept, fails a send while it is down, and sends again once it is back', async () => {
    const acked = [];
    for (const text of ['one', 'two', 'three']) acked.push((await alice.send('#general', text)).id);
    await redis.kill9();
    await warned(/Redis is unreachable/);
    await assert.rejects(alice.send('#general', 'lost'), /store/);
    await redis.restart();
    await warned(/Redis is back/);
    const after = await alice.send('#general', 'four');
    const kept = (await store.since('#general', 0, 100)).messages;
    assert.deepEqual(
      kept.map((m) => [m.id, m.text]),
      [
        [acked[0], 'one'],
        [acked[1], 'two'],
        [acked[2], 'three'],
        [after.id, 'four'],
      ],
    );
  });
});
