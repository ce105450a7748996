import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import {
  runUsersAdd,
  runUsersImport,
  runUsersList,
  runUsersPasswd,
  runUsersRemove,
  type UsersIo,
} from '../../src/commands/users.ts';
import { pkiLayout } from '../../src/pki/layout.ts';
import { RedisHistory } from '../../src/server/history/redis-history.ts';
import { writeUsers } from '../../src/server/users-file.ts';
import { RedisUsers } from '../../src/server/users-redis.ts';
import { rejectsWith } from '../helpers/errors.ts';
import { tempDir } from '../helpers/pki.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { usersTable } from '../helpers/users.ts';

/**
 * `chat users … --redis`: the users table of a cluster, sealed in a real
 * Redis (one database per test), changed atomically, never in plain text.
 */

// Names that occur nowhere else, so finding one in Redis means a leak.
const NAMES = ['zephyrine', 'quillonby', 'marguerix', 'obadiahq'] as const;
const [ZEPH, QUILL, MARG, OBAD] = NAMES;

describe('the users table in Redis', () => {
  let redis: TestRedis;
  let tmp: { path: string; cleanup: () => Promise<void> };
  let certs: string;
  let db = 0;

  before(async () => {
    [redis, tmp] = await Promise.all([startRedis(), tempDir()]);
    certs = join(tmp.path, 'certs');
    await mkdir(certs, { recursive: true });
    await writeFile(pkiLayout(certs).historyKey, randomBytes(32), { mode: 0o600 });
  });
  after(async () => {
    await redis.cleanup();
    await tmp.cleanup();
  });

  // Each test its own database: one Redis, separate stores.
  const fresh = () => `${redis.url}/${++db}`;
  const base = (url: string) => ({ data: join(tmp.path, `data${db}`), certs, redis: url });

  function io(password = ''): UsersIo & { lines: string[] } {
    const lines: string[] = [];
    return {
      lines,
      out: (line) => lines.push(line),
      stdin: Readable.from([Buffer.from(`${password}\n`)]),
      prompt: process.stderr,
      now: () => new Date('2026-11-26T01:23:45Z'),
    };
  }
  const add = (url: string, name: string, password: string) =>
    runUsersAdd({ ...base(url), name, passwordStdin: true }, io(password));
  async function listed(url: string): Promise<Array<{ user: string; changed: string }>> {
    const out = io();
    await runUsersList({ ...base(url), json: true }, out);
    return out.lines.map((line) => JSON.parse(line));
  }
  // The table as a server reads it, with the same key.
  async function table(url: string) {
    const store = await openStore(url, true);
    try {
      return await new RedisUsers(store.place()).read();
    } finally {
      await store.close();
    }
  }

  it('adds, changes, lists and removes passwords, and says where', async () => {
    const url = fresh();
    const first = io('pw-one-Qx7!');
    await runUsersAdd({ ...base(url), name: ZEPH, passwordStdin: true }, first);
    assert.deepEqual(first.lines, [`added ${ZEPH}: their password is set in Redis at ${url}`]);
    await add(url, QUILL, 'pw-two-Zr2?');
    await rejectsWith(add(url, ZEPH, 'again'), 'USER_EXISTS');
    const before = (await table(url)).table?.get(ZEPH)?.hash;
    await runUsersPasswd({ ...base(url), name: ZEPH, passwordStdin: true }, io('pw-new-Kk4%'));
    const after = await table(url);
    assert.notEqual(after.table?.get(ZEPH)?.hash, before);
    assert.equal(after.version, '3', 'each change counts once');
    await rejectsWith(
      runUsersPasswd({ ...base(url), name: MARG, passwordStdin: true }, io('x')),
      'USER_NOT_FOUND',
    );
    await runUsersRemove({ ...base(url), name: QUILL }, io());
    const gone = await rejectsWith(
      runUsersRemove({ ...base(url), name: QUILL }, io()),
      'USER_NOT_FOUND',
    );
    // The fix it names reaches the same table: Redis, not the data directory.
    assert.match(gone.hint ?? '', /`chat users add \S+ --redis URL`/);
    assert.deepEqual(await listed(url), [
      { user: ZEPH, created: '2026-11-26T01:23:45.000Z', changed: '2026-11-26T01:23:45.000Z' },
    ]);
    const shown = io();
    await runUsersList(base(url), shown);
    assert.match(shown.lines.join('\n'), new RegExp(`^USER +ADDED +CHANGED\\n${ZEPH} `));
    // No table where the data directory is: the file was never written.
    const file = io();
    await runUsersList({ data: base(url).data, certs }, file);
    assert.match(file.lines[0] ?? '', /no passwords are set in .*users\.json/);
  });

  it('takes CHAT_REDIS when --redis is not given', async () => {
    const url = fresh();
    await add(url, ZEPH, 'pw-one-Qx7!');
    const saved = process.env.CHAT_REDIS;
    process.env.CHAT_REDIS = url;
    try {
      const out = io();
      await runUsersList({ data: base(url).data, certs, json: true }, out);
      assert.equal(JSON.parse(out.lines[0] ?? '{}').user, ZEPH);
    } finally {
      if (saved === undefined) delete process.env.CHAT_REDIS;
      else process.env.CHAT_REDIS = saved;
    }
  });

  it('keeps every one of many adds made at once, each on its own connection', async () => {
    const url = fresh();
    await Promise.all(NAMES.map((name, i) => add(url, name, `pw-${i}-Wv9#`)));
    assert.deepEqual((await listed(url)).map((entry) => entry.user).sort(), [...NAMES].sort());
  });

  it('writes a change only onto the table it read: one made meanwhile is read again, not lost', async () => {
    const url = fresh();
    const one = await openStore(url);
    const two = await openStore(url);
    try {
      const [mine, theirs] = await Promise.all([
        usersTable({ [ZEPH]: 'a' }),
        usersTable({ [QUILL]: 'b' }),
      ]);
      let meanwhile: Promise<void> | undefined;
      await new RedisUsers(one.place()).change((users) => {
        for (const [name, entry] of mine) users.set(name, entry);
        // The other change reads before this one writes: its write must not win blindly.
        meanwhile ??= new RedisUsers(two.place()).change((others) => {
          for (const [name, entry] of theirs) others.set(name, entry);
        });
      });
      await meanwhile;
      const { table: kept, version } = await new RedisUsers(one.place()).read();
      assert.deepEqual([...(kept?.keys() ?? [])].sort(), [ZEPH, QUILL].sort());
      assert.equal(version, '2');
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('refuses a table that does not open with this key, in one line', async () => {
    const [url, other] = [fresh(), fresh()];
    await add(url, ZEPH, 'pw-one-Qx7!');
    await add(other, QUILL, 'pw-two-Zr2?');
    // The other store has its own salt, so its own sealing key: its table does not open here.
    const client = new Redis(redis.port, '127.0.0.1');
    try {
      await client.select(db);
      const foreign = await client.getBuffer('chat:users');
      await client.select(db - 1);
      await client.set('chat:users', foreign as Buffer);
      const error = await rejectsWith(listed(url), 'USERS_TABLE_DAMAGED');
      assert.match(error.message, /does not open with this history key/);
      assert.match(error.hint ?? '', /history\.key/);
      await client.set('chat:users', 'garbage');
      await rejectsWith(add(url, MARG, 'x'), 'USERS_TABLE_DAMAGED');
    } finally {
      client.disconnect();
    }
  });

  it('copies users.json into Redis, keeping a password Redis has already', async () => {
    const url = fresh();
    await add(url, ZEPH, 'set-in-redis');
    const before = (await table(url)).table?.get(ZEPH);
    await writeUsers(
      base(url).data,
      await usersTable({ [ZEPH]: 'from-file', [QUILL]: 'from-file-2' }),
    );
    const out = io();
    await runUsersImport(base(url), out);
    assert.match(out.lines[0] ?? '', /^copied 1 user from .*users\.json into Redis at /);
    assert.equal(out.lines[1], `kept the password already set in Redis for ${ZEPH}`);
    const after = await table(url);
    assert.deepEqual(after.table?.get(ZEPH), before);
    assert.ok(after.table?.has(QUILL));
    await rejectsWith(runUsersImport({ data: base(url).data, certs }, io()), 'USAGE');
  });

  it('keeps no user name in plain text anywhere in Redis', async () => {
    const url = fresh();
    for (const [i, name] of NAMES.entries()) await add(url, name, `pw-${i}`);
    await runUsersRemove({ ...base(url), name: OBAD }, io());
    const client = new Redis(redis.port, '127.0.0.1');
    try {
      const dumped: Buffer[] = [];
      const [, databases] = (await client.config('GET', 'databases')) as [string, string];
      for (let index = 0; index < Number(databases); index++) {
        await client.select(index);
        for (const key of await client.keysBuffer('*'))
          dumped.push(key, ...(await values(client, key)));
      }
      assert.ok(dumped.length > 0);
      const all = Buffer.concat(dumped).toString('latin1');
      for (const name of NAMES) assert.ok(!all.includes(name), `Redis holds ${name}`);
    } finally {
      client.disconnect();
    }
  });

  // The store as a node opens it, or (`readOnly`) as the operator's tools do.
  function openStore(url: string, readOnly = false) {
    return RedisHistory.open({
      url,
      key: { kind: 'key-file', path: pkiLayout(certs).historyKey },
      durability: 'everysec',
      limits: { keepDays: 0, keepMessages: 0 },
      warn: () => {},
      readOnly,
    });
  }
});

// Every value a key holds, whatever its type.
async function values(client: Redis, key: Buffer): Promise<Buffer[]> {
  const type = await client.type(key);
  if (type === 'string') return [(await client.getBuffer(key)) as Buffer];
  if (type === 'hash')
    return Object.entries(await client.hgetallBuffer(key)).flatMap(([k, v]) => [Buffer.from(k), v]);
  if (type === 'set') return client.smembersBuffer(key);
  if (type === 'list') return client.lrangeBuffer(key, 0, -1);
  if (type === 'stream')
    return (await client.xrangeBuffer(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields]);
  throw new Error(`a key of type ${type}`);
}
