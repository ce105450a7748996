import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { runUsersPasswd } from '../../src/commands/users.ts';
import { ChatError } from '../../src/errors.ts';
import type { ServerFrameOf } from '../../src/net/protocol/frames.ts';
import { RedisUsers } from '../../src/server/users-redis.ts';
import { passwordLogin, type Started, startServer } from '../helpers/chat-server.ts';
import { clusterOnRedis, nodeStore } from '../helpers/cluster-nodes.ts';
import { usersTable } from '../helpers/users.ts';

/**
 * `chat serve --redis --require-password` on two nodes of one Redis, over
 * real TLS: both take the passwords from the table in Redis, and a change
 * made there after they started counts at the next login on each.
 */

const TEST = { timeout: 30_000 };
const PASSWORDS = { alice: 'pw-alice-Qx7!', bob: 'pw-bob-Zr2?' };
const NEW = 'pw-new-Kk4%';
const WRONG = 'guess-Wv9#';

type Cluster = Awaited<ReturnType<typeof clusterOnRedis>>;

describe('passwords in Redis for a cluster', () => {
  let cluster: Cluster;

  before(async () => {
    cluster = await clusterOnRedis(['alice', 'bob', 'carol'], [], 2, {
      config: { requirePassword: true, authFailDelayMs: 30 },
      // The table is there before the nodes start, as `chat users add --redis` leaves it.
      beforeNodes: async (redis, team) => {
        const store = await nodeStore(redis.url, team.ctx.layout.historyKey);
        const table = await usersTable(PASSWORDS);
        await new RedisUsers(store.place()).change((users) => {
          for (const [name, entry] of table) users.set(name, entry);
        });
        await store.close();
      },
    });
  });
  after(async () => {
    const logs = JSON.stringify(cluster.nodes.flatMap((node) => node.logs));
    await cluster.stop();
    for (const secret of [...Object.values(PASSWORDS), NEW, WRONG])
      assert.ok(!logs.includes(secret), `the log holds the password ${secret}`);
  });

  async function answer(node: Started, user: string, password: string): Promise<string> {
    const { raw, answer } = await passwordLogin(cluster.team, node, user, password);
    raw.socket.end();
    await raw.closed;
    return answer.type === 'error' ? (answer as ServerFrameOf<'error'>).code : answer.type;
  }

  it('both nodes welcome the password set in Redis and refuse a wrong one', TEST, async () => {
    for (const node of cluster.nodes) {
      assert.equal(await answer(node, 'alice', PASSWORDS.alice), 'welcome');
      assert.equal(await answer(node, 'bob', WRONG), 'auth_failed');
      assert.equal(await answer(node, 'carol', WRONG), 'auth_failed', 'carol has none');
      assert.ok(node.logs.some((r) => r.msg === 'listening' && r.users === 2));
    }
  });

  it(
    'takes a password changed with chat users passwd --redis from the next login on, on both',
    TEST,
    async () => {
      const { team, redis } = cluster;
      const lines: string[] = [];
      await runUsersPasswd(
        {
          data: team.dir.path,
          certs: team.certsDir,
          redis: redis.url,
          name: 'alice',
          passwordStdin: true,
        },
        {
          out: (line) => lines.push(line),
          stdin: Readable.from([Buffer.from(`${NEW}\n`)]),
          prompt: process.stderr,
          now: () => new Date(),
        },
      );
      assert.deepEqual(lines, ['changed the password of alice (from their next login on)']);
      for (const node of cluster.nodes) {
        assert.equal(await answer(node, 'alice', PASSWORDS.alice), 'auth_failed', 'the old one');
        assert.equal(await answer(node, 'alice', NEW), 'welcome');
        assert.ok(
          node.logs.some((r) => r.msg === 'users table in Redis reloaded' && r.users === 2),
        );
      }
    },
  );

  it('refuses to start a node on a Redis without a users table, in one line', TEST, async () => {
    const { team, redis } = cluster;
    // Database 1 of the same Redis: a store, but no table.
    const store = await nodeStore(`${redis.url}/1`, team.ctx.layout.historyKey);
    try {
      await assert.rejects(startServer(team, { requirePassword: true }, store), (error) => {
        assert.ok(error instanceof ChatError);
        assert.equal(error.code, 'USERS_TABLE_MISSING');
        assert.match(error.message, /holds no users table/);
        assert.match(error.hint ?? '', /chat users add NAME --redis URL/);
        return true;
      });
    } finally {
      await store.close();
    }
  });

  it(
    'keeps the passwords read before while Redis is unreachable, and says so once',
    TEST,
    async () => {
      const [node] = cluster.nodes as [Started];
      await cluster.redis.stop();
      assert.equal(await answer(node, 'alice', NEW), 'welcome');
      assert.equal(await answer(node, 'alice', WRONG), 'auth_failed');
      const said = node.logs.filter((r) =>
        String(r.msg).startsWith('users table in Redis not reloaded'),
      );
      assert.equal(said.length, 1);
    },
  );
});
