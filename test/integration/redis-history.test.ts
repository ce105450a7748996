import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { StoredMessage } from '../../src/net/protocol/frames.ts';
import { pkiLayout } from '../../src/pki/layout.ts';
import { historyForServer } from '../../src/server/history/history-for-server.ts';
import type { HistoryKeySource } from '../../src/server/history/history-key-source.ts';
import { RedisHistory, type RedisHistoryOptions } from '../../src/server/history/redis-history.ts';
import { emptyKeptState, type KeptState } from '../../src/server/kept-state.ts';
import { DEFAULT_SERVER_CONFIG } from '../../src/server/server-config.ts';
import { rejectsWith } from '../helpers/errors.ts';
import { tempDir } from '../helpers/pki.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';

const T0 = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;

function roomMessage(id: number, room = '#general', text = `the quick brown fox ${id}`) {
  return { type: 'msg', id, ts: T0 + id * 1000, room, from: 'alice', text } as StoredMessage;
}

describe('the history store in Redis', () => {
  let redis: TestRedis;
  let tmp: { path: string; cleanup: () => Promise<void> };
  let key: HistoryKeySource;
  let n = 0;
  const stores: RedisHistory[] = [];
  const warnings: string[] = [];

  before(async () => {
    [redis, tmp] = await Promise.all([startRedis(), tempDir()]);
    const path = join(tmp.path, 'history.key');
    await writeFile(path, randomBytes(32), { mode: 0o600 });
    key = { kind: 'key-file', path };
  });
  after(async () => {
    for (const store of stores) await store.close();
    await redis.cleanup();
    await tmp.cleanup();
  });

  // Each test its own prefix: one Redis, separate stores.
  const fresh = () => `t${++n}:`;
  async function open(prefix: string, options: Partial<RedisHistoryOptions> = {}) {
    const store = await RedisHistory.open({
      url: redis.url,
      key,
      durability: 'always',
      limits: { keepDays: 0, keepMessages: 0 },
      warn: (_fields, message) => warnings.push(message),
      prefix,
      ...options,
    });
    stores.push(store);
    return store;
  }

  it('keeps appends in id order, pages with since and before, and keeps a stale id as the next', async () => {
    const prefix = fresh();
    const store = await open(prefix);
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => store.append('#general', roomMessage(i + 1))),
    );
    const page = await store.since('#general', 0, 10);
    assert.deepEqual(
      page.messages.map((m) => m.id),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.equal(page.gap, false);
    assert.deepEqual(
      (await store.since('#general', 25, 100)).messages.map((m) => m.id),
      [26, 27, 28, 29, 30],
    );
    const newest = await store.before('#general', undefined, 5);
    assert.deepEqual(
      newest.messages.map((m) => m.id),
      [26, 27, 28, 29, 30],
    );
    assert.equal(newest.more, true);
    const oldest = await store.before('#general', 4, 10);
    assert.deepEqual(
      oldest.messages.map((m) => m.id),
      [1, 2, 3],
    );
    assert.equal(oldest.more, false);
    assert.deepEqual(newest.messages[0], roomMessage(26));
    // Another node took 30 meanwhile (so this node's 12 is stale): kept as 31, sealed as 31.
    const other = await open(prefix);
    assert.deepEqual(await other.append('#general', roomMessage(12), 'late'), {
      kind: 'kept',
      message: { ...roomMessage(12), id: 31 },
    });
    assert.deepEqual(
      (await store.since('#general', 29, 10)).messages.map((m) => m.id),
      [30, 31],
    );
    assert.deepEqual(await store.since('#nowhere', 0, 10), { messages: [], gap: false });
  });

  it('two nodes appending at once: ids dense, each node in its own order, a resend answered as its original', async () => {
    const prefix = fresh();
    const [one, two] = [await open(prefix), await open(prefix)];
    // Both start from the same last id, as two nodes' cores would.
    const sends = (store: RedisHistory, who: string) =>
      Array.from({ length: 40 }, (_, i) =>
        store.append(
          '#general',
          { ...roomMessage(i + 1), from: who, text: `${who} ${i}` },
          `${who}${i}`,
        ),
      );
    const outcomes = await Promise.all([...sends(one, 'ann'), ...sends(two, 'ben')]);
    const kept = (await one.since('#general', 0, 100)).messages;
    assert.deepEqual(
      kept.map((m) => m.id),
      Array.from({ length: 80 }, (_, i) => i + 1),
    );
    for (const who of ['ann', 'ben'])
      assert.deepEqual(
        kept.filter((m) => m.from === who).map((m) => m.text),
        Array.from({ length: 40 }, (_, i) => `${who} ${i}`),
        `${who}'s messages in the order sent`,
      );
    // What each append was told is what was kept.
    for (const outcome of outcomes) {
      assert.equal(outcome?.kind, 'kept');
      if (outcome?.kind === 'kept') assert.deepEqual(kept[outcome.message.id - 1], outcome.message);
    }
    // ann's send 3 again, through the other node: the original, nothing new kept.
    const original = kept.find((m) => m.text === 'ann 3') as StoredMessage;
    assert.deepEqual(await two.append('#general', { ...roomMessage(81), from: 'ann' }, 'ann3'), {
      kind: 'duplicate',
      id: original.id,
      ts: original.ts,
    });
    assert.equal((await one.lastIds()).get('#general'), 80);
  });

  it('lastIds, refs, state and the epoch survive a reopen, and a second node sees the same', async () => {
    const prefix = fresh();
    const first = await open(prefix);
    await first.append('#general', roomMessage(1), 'r1');
    await first.append('#general', roomMessage(2), 'r2');
    await first.append('#ops', roomMessage(1, '#ops'), 'o1');
    const dm = { type: 'dm', id: 1, ts: T0, from: 'bob', to: 'carol', text: 'psst' } as const;
    await first.append('dm:bob:carol', dm, 'd1');
    const state = {
      ...emptyKeptState(),
      topics: [['#general', { text: 'hello', by: 'alice', ts: T0 }]],
    } as KeptState;
    await first.writeState(state);
    const second = await open(prefix);
    assert.equal(second.epoch, first.epoch);
    assert.deepEqual(
      await second.lastIds(),
      new Map([
        ['#general', 2],
        ['#ops', 1],
        ['dm:bob:carol', 1],
      ]),
    );
    const refs = await second.recentRefs(1);
    assert.deepEqual(refs.map((r) => [r.user, r.ref]).sort(), [
      ['alice', 'r2'],
      ['bob', 'd1'],
    ]);
    assert.equal((await second.recentRefs(10)).length, 4);
    assert.deepEqual(await second.readState(), state);
    await first.close();
    const third = await open(prefix);
    assert.equal(third.epoch, first.epoch);
    assert.deepEqual((await third.since('#general', 0, 10)).messages, [
      roomMessage(1),
      roomMessage(2),
    ]);
    assert.notEqual((await open(fresh())).epoch, first.epoch);
  });

  it('replace keeps the id, reads show the replacement, and an unknown id is refused', async () => {
    const store = await open(fresh());
    for (let id = 1; id <= 5; id += 1) await store.append('#general', roomMessage(id));
    const edited = { ...roomMessage(3), text: 'edited', edited: T0 + 99 } as StoredMessage;
    await store.replace('#general', edited);
    const deleted = { ...roomMessage(5), text: '', deleted: { ts: T0 + 5 } } as StoredMessage;
    await store.replace('#general', deleted);
    await store.replace('#general', { ...edited, text: 'edited twice' } as StoredMessage);
    const all = (await store.since('#general', 0, 10)).messages;
    assert.deepEqual(
      all.map((m) => [m.id, m.text]),
      [
        [1, 'the quick brown fox 1'],
        [2, 'the quick brown fox 2'],
        [3, 'edited twice'],
        [4, 'the quick brown fox 4'],
        [5, ''],
      ],
    );
    assert.deepEqual(
      (await store.before('#general', 5, 2)).messages.map((m) => m.text),
      ['edited twice', 'the quick brown fox 4'],
    );
    assert.deepEqual(
      (await store.since('#general', 2, 1)).messages.map((m) => m.id),
      [3],
    );
    await assert.rejects(store.replace('#general', roomMessage(9)), /CHATMISSING/);
    await store.append('#general', roomMessage(6));
    assert.deepEqual(await store.lastIds(), new Map([['#general', 6]]));
  });

  it('a deleted message stays deleted: an edit another node checked before the deletion is refused', async () => {
    const prefix = fresh();
    const [one, two] = [await open(prefix), await open(prefix)];
    await one.append('#general', roomMessage(1));
    const deleted = { ...roomMessage(1), text: '', deleted: { ts: T0 + 5_000, by: 'alice' } };
    await one.replace('#general', deleted);
    const edited = { ...roomMessage(1), text: 'second thoughts', edited: T0 + 6_000 };
    await assert.rejects(two.replace('#general', edited), /CHATMISSING message 1 was deleted/);
    assert.deepEqual((await two.since('#general', 0, 10)).messages, [deleted]);
  });

  it('--keep-messages trims each Stream exactly, since reports the gap, ids go on', async () => {
    const store = await open(fresh(), { limits: { keepDays: 0, keepMessages: 5 } });
    for (let id = 1; id <= 12; id += 1) await store.append('#general', roomMessage(id));
    const kept = await store.since('#general', 0, 100);
    assert.deepEqual(
      kept.messages.map((m) => m.id),
      [8, 9, 10, 11, 12],
    );
    assert.equal(kept.gap, true);
    assert.equal((await store.since('#general', 7, 100)).gap, false);
    assert.equal((await store.before('#general', 9, 10)).more, false);
    assert.deepEqual(await store.lastIds(), new Map([['#general', 12]]));
  });

  it('--keep-days trims what is older by its sealed time and remembers where ids stopped', async () => {
    const prefix = fresh();
    const writer = await open(prefix);
    for (let id = 1; id <= 6; id += 1)
      await writer.append('#old', { ...roomMessage(id, '#old'), ts: T0 + id * DAY });
    await writer.append('#quiet', roomMessage(1, '#quiet'));
    // 3 days from day 6: ids 3..6 (days 3 to 6) are kept, #quiet (day 0) goes.
    const store = await open(prefix, {
      limits: { keepDays: 3, keepMessages: 0 },
      now: () => T0 + 6 * DAY,
    });
    const kept = await store.since('#old', 0, 100);
    assert.deepEqual(
      kept.messages.map((m) => m.id),
      [3, 4, 5, 6],
    );
    assert.equal(kept.gap, true);
    assert.deepEqual(await store.since('#quiet', 0, 10), { messages: [], gap: true });
    assert.deepEqual(
      await store.lastIds(),
      new Map([
        ['#old', 6],
        ['#quiet', 1],
      ]),
    );
  });

  it('a wrong key is refused without a change', async () => {
    const prefix = fresh();
    await open(prefix);
    const other = join(tmp.path, 'other.key');
    await writeFile(other, randomBytes(32), { mode: 0o600 });
    await rejectsWith(
      open(prefix, { key: { kind: 'key-file', path: other } }),
      'HISTORY_KEY_WRONG',
    );
  });

  it('puts no plaintext in Redis: no text, room or user name in any key or value', async () => {
    const prefix = fresh();
    const store = await open(prefix);
    const secrets = ['zebrafinch', 'quokkaroom', 'wombatuser', 'platypususer', 'axolotltopic'];
    await store.append('#quokkaroom', {
      type: 'msg',
      id: 1,
      ts: T0,
      room: '#quokkaroom',
      from: 'wombatuser',
      text: 'the zebrafinch sings',
    });
    await store.append(
      'dm:platypususer:wombatuser',
      { type: 'dm', id: 1, ts: T0, from: 'wombatuser', to: 'platypususer', text: 'zebrafinch' },
      'ref-1',
    );
    await store.replace('#quokkaroom', {
      type: 'msg',
      id: 1,
      ts: T0,
      room: '#quokkaroom',
      from: 'wombatuser',
      text: 'zebrafinch edited',
      edited: T0 + 1,
    });
    await store.writeState({
      ...emptyKeptState(),
      topics: [['#quokkaroom', { text: 'axolotltopic', by: 'wombatuser', ts: T0 }]],
    } as KeptState);
    const client = new Redis(redis.url);
    try {
      const dump: Buffer[] = [];
      let cursor = '0';
      do {
        const [next, found] = await client.scanBuffer(cursor, 'MATCH', `${prefix}*`);
        cursor = next.toString();
        for (const name of found) {
          dump.push(name);
          const type = await client.type(name);
          const raw = await client.dumpBuffer(name);
          if (raw) dump.push(raw);
          if (type === 'string') dump.push((await client.getBuffer(name)) ?? Buffer.alloc(0));
          if (type === 'hash') dump.push(...Object.values(await client.hgetallBuffer(name)));
          if (type === 'stream')
            for (const [id, fields] of await client.xrangeBuffer(name, '-', '+'))
              dump.push(id, ...fields);
        }
      } while (cursor !== '0');
      assert.ok(dump.length >= 10, `found ${dump.length} keys and values`);
      const all = Buffer.concat(dump);
      for (const secret of secrets)
        assert.equal(all.indexOf(secret), -1, `${secret} is in Redis in the clear`);
    } finally {
      await client.quit();
    }
  });

  it('fails appends and reads at once while Redis is down, and works again once it is back', async () => {
    const store = await open(fresh());
    await store.append('#general', roomMessage(1));
    await redis.kill9();
    await assert.rejects(store.append('#general', roomMessage(2)));
    await assert.rejects(store.since('#general', 0, 10));
    await redis.restart();
    await waitForReconnect(store);
    // Nothing of the failed append was kept: ids stay dense, the next is 2.
    await store.append('#general', roomMessage(3));
    assert.deepEqual(
      (await store.since('#general', 0, 10)).messages.map((m) => [m.id, m.text]),
      [
        [1, roomMessage(1).text],
        [2, roomMessage(3).text],
      ],
    );
  });
});

// ioredis reconnects on its own (50 ms, 100 ms, ... backoff): poll until a read goes through.
async function waitForReconnect(store: RedisHistory): Promise<void> {
  for (let tries = 0; ; tries += 1) {
    try {
      await store.lastIds();
      return;
    } catch (error) {
      if (tries > 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

describe('a Redis that does not fsync every write', () => {
  let redis: TestRedis;
  let tmp: { path: string; cleanup: () => Promise<void> };
  let key: HistoryKeySource;

  before(async () => {
    [redis, tmp] = await Promise.all([startRedis({ appendfsync: 'everysec' }), tempDir()]);
    const path = join(tmp.path, 'history.key');
    await writeFile(path, randomBytes(32), { mode: 0o600 });
    key = { kind: 'key-file', path };
  });
  after(async () => {
    await redis.cleanup();
    await tmp.cleanup();
  });

  it('is refused in one line unless --redis-durability everysec, which warns', async () => {
    const warnings: string[] = [];
    const options: RedisHistoryOptions = {
      url: redis.url,
      key,
      durability: 'always',
      limits: { keepDays: 0, keepMessages: 0 },
      warn: (_fields, message) => warnings.push(message),
    };
    const refused = await rejectsWith(RedisHistory.open(options), 'REDIS_NOT_DURABLE');
    assert.match(refused.message, /appendfsync everysec/);
    assert.match(refused.hint ?? '', /--redis-durability everysec/);
    assert.doesNotMatch(refused.message, /\n/);
    const store = await RedisHistory.open({ ...options, durability: 'everysec' });
    await store.close();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /may be lost/);
  });

  it('says it cannot reach a Redis that is not there', async () => {
    await rejectsWith(
      RedisHistory.open({
        url: 'redis://127.0.0.1:1',
        key,
        durability: 'always',
        limits: { keepDays: 0, keepMessages: 0 },
        warn: () => {},
      }),
      'REDIS_UNAVAILABLE',
    );
  });
});

describe('a Redis that wants a password', () => {
  let redis: TestRedis;
  let tmp: { path: string; cleanup: () => Promise<void> };

  before(async () => {
    [redis, tmp] = await Promise.all([startRedis({ password: 'open sesame' }), tempDir()]);
    await mkdir(join(tmp.path, 'certs'));
    await writeFile(pkiLayout(join(tmp.path, 'certs')).historyKey, randomBytes(32), {
      mode: 0o600,
    });
  });
  after(async () => {
    delete process.env.CHAT_TEST_REDIS_PASSWORD;
    await redis.cleanup();
    await tmp.cleanup();
  });

  const config = {
    ...DEFAULT_SERVER_CONFIG,
    redisPasswordEnv: 'CHAT_TEST_REDIS_PASSWORD',
  };
  const logger = pino({ level: 'silent' });

  it('takes it from --redis-password-env, says so when it is unset or wrong, never says it', async () => {
    const given = {
      ...config,
      certsDir: join(tmp.path, 'certs'),
      redis: redis.url,
    };
    const unset = await rejectsWith(historyForServer(given, logger), 'USAGE');
    assert.match(unset.message, /CHAT_TEST_REDIS_PASSWORD, which is not set/);
    process.env.CHAT_TEST_REDIS_PASSWORD = 'not it';
    const wrong = await rejectsWith(historyForServer(given, logger), 'REDIS_UNAVAILABLE');
    assert.match(wrong.message, /WRONGPASS/);
    assert.doesNotMatch(`${wrong.message} ${wrong.hint}`, /not it/);
    process.env.CHAT_TEST_REDIS_PASSWORD = 'open sesame';
    const { store, summary } = await historyForServer(given, logger);
    await store.close();
    assert.deepEqual(summary, { store: 'redis', redis: redis.url, durability: 'always' });
  });
});
