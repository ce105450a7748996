import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { ClientFrame, ServerFrame, StoredMessage } from '../../src/net/protocol/frames.ts';
import type { HistoryStore } from '../../src/server/history/history-store.ts';
import type { RedisHistory } from '../../src/server/history/redis-history.ts';
import {
  makeTeam,
  rawConnection,
  type Started,
  startServer,
  type Team,
} from '../helpers/chat-server.ts';
import { nodeStore } from '../helpers/cluster-nodes.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';

type Raw = Awaited<ReturnType<typeof rawConnection>>;

const T0 = Date.UTC(2026, 10, 1);
const msg = (id: number, room = '#general', from = 'alice', text = `text ${id}`) =>
  ({ type: 'msg', id, ts: T0 + id, room, from, text }) as StoredMessage;

function write(raw: Raw, frame: ClientFrame): void {
  raw.socket.write(`${JSON.stringify(frame)}\n`);
}

async function waitFor(raw: Raw, match: (frame: ServerFrame) => boolean): Promise<ServerFrame> {
  for (;;) {
    const frame = await raw.nextFrame();
    if (match(frame)) return frame;
  }
}

/** `store`, but its first append fails as a Redis timeout does; the others go through. */
function failingFirstAppend(store: RedisHistory): RedisHistory {
  let failNext = true;
  return new Proxy(store, {
    get(target, name, receiver) {
      if (name === 'append')
        return (conversation: string, message: StoredMessage, ref?: string) => {
          if (failNext) {
            failNext = false;
            return Promise.reject(new Error('Command timed out'));
          }
          return target.append(conversation, message, ref);
        };
      const value = Reflect.get(target, name, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Several nodes on one Redis, at the edges a review found: refs across
 * conversations, read positions and reacks across a renumber or a
 * duplicate, an append whose answer never came, and three nodes contending
 * for one room's ids.
 */
describe('several nodes on one Redis, at the edges', () => {
  let redis: TestRedis;
  let team: Team;
  let n = 0;
  const stores: RedisHistory[] = [];
  const servers: Started[] = [];
  const raws: Raw[] = [];

  before(async () => {
    [redis, team] = await Promise.all([startRedis(), makeTeam(['alice', 'bob'])]);
  });
  after(async () => {
    for (const raw of raws) raw.socket.destroy();
    for (const started of servers) await started.server.close().catch(() => {});
    for (const store of stores) await store.close();
    await redis.cleanup();
    await team.dir.cleanup();
  });

  const fresh = () => `edge${++n}:`;
  async function open(prefix: string, node: string) {
    const store = await nodeStore(redis.url, team.ctx.layout.historyKey, { prefix, node });
    stores.push(store);
    return store;
  }
  async function serve(store: HistoryStore) {
    const started = await startServer(team, {}, store);
    servers.push(started);
    return started;
  }
  async function connect(started: Started, user: string, hello: Record<string, unknown> = {}) {
    const raw = await rawConnection(started, await team.credentials(user));
    raws.push(raw);
    write(raw, { type: 'hello', v: 1, client: 'test/1', ...hello } as ClientFrame);
    const welcome = await raw.nextFrame();
    assert.equal(welcome.type, 'welcome', JSON.stringify(welcome));
    return raw;
  }

  // Closes `raw`, then says hello as `user` again on `node`: where #general's read position and unread count stand.
  async function unreadOnReturn(raw: Raw, node: Started, user: string) {
    raw.socket.destroy();
    await raw.closed;
    const back = await rawConnection(node, await team.credentials(user));
    raws.push(back);
    write(back, { type: 'hello', v: 1, client: 'test/1', backlog: 50 } as ClientFrame);
    await waitFor(back, (f) => f.type === 'welcome');
    const unread = await waitFor(back, (f) => f.type === 'unread');
    const general = unread.type === 'unread' ? unread.conversations[0] : undefined;
    return general && { read: general.read, lastId: general.lastId, unread: general.unread };
  }

  it('a ref reused in another conversation is kept there, as on a single server (not acked as the other message)', async () => {
    const store = await open(fresh(), 'a');
    const first = await store.append('#general', msg(1), 'r1');
    assert.equal(first?.kind, 'kept');
    // The core only treats a ref as a resend within the same conversation
    // (core-messages.ts `resent`); the Redis ref key ignores the conversation.
    const second = await store.append('#other', msg(1, '#other'), 'r1');
    assert.deepEqual(
      second,
      { kind: 'kept', message: msg(1, '#other') },
      'the message to #other was dropped and answered as #general 1',
    );
  });

  it("a resend acked as a duplicate does not move the sender's read position past messages they never saw", async () => {
    const prefix = fresh();
    const a = await serve(await open(prefix, 'a'));
    const b = await serve(await open(prefix, 'b'));
    const aliceA = await connect(a, 'alice');
    write(aliceA, { type: 'send', room: '#general', text: 'one', ref: 'r1' });
    const ack1 = await waitFor(aliceA, (f) => f.type === 'ack' && f.ref === 'r1');
    assert.equal(ack1.type === 'ack' && ack1.id, 1);
    // The ack was lost with the connection: the client resends through node b.
    const aliceB = await connect(b, 'alice');
    write(aliceB, { type: 'send', room: '#general', text: 'one', ref: 'r1' });
    const again = await waitFor(aliceB, (f) => f.type === 'ack' && f.ref === 'r1');
    assert.equal(again.type === 'ack' && again.id, 1);
    // bob says something alice has not seen.
    const bobA = await connect(a, 'bob');
    write(bobA, { type: 'send', room: '#general', text: 'two', ref: 'b1' });
    await waitFor(bobA, (f) => f.type === 'ack' && f.ref === 'b1');
    // Node b has heard of 2 (alice's connection there got it).
    await waitFor(aliceB, (f) => f.type === 'msg' && f.id === 2);
    // alice comes back to node b: message 2 must be unread for her.
    assert.deepEqual(await unreadOnReturn(aliceB, b, 'alice'), { read: 1, lastId: 2, unread: 1 });
  });

  it("a renumbered send leaves the sender's read position on it, not on the next message", async () => {
    const store = await open(fresh(), 'a');
    // Redis failing one append (a timeout): the core has used the id, the store has not.
    const flaky = failingFirstAppend(store);
    const a = await serve(flaky);
    const alice = await connect(a, 'alice');
    const bob = await connect(a, 'bob');
    write(alice, { type: 'send', room: '#general', text: 'lost', ref: 'x0' });
    await waitFor(alice, (f) => f.type === 'error' && f.ref === 'x0');
    write(bob, { type: 'send', room: '#general', text: 'from bob', ref: 'b1' });
    const ackBob = await waitFor(bob, (f) => f.type === 'ack' && f.ref === 'b1');
    assert.equal(ackBob.type === 'ack' && ackBob.id, 1);
    write(alice, { type: 'send', room: '#general', text: 'from alice', ref: 'a1' });
    const ackAlice = await waitFor(alice, (f) => f.type === 'ack' && f.ref === 'a1');
    assert.equal(ackAlice.type === 'ack' && ackAlice.id, 2);
    await waitFor(bob, (f) => f.type === 'msg' && f.id === 2);
    // bob never saw alice's message 2.
    assert.deepEqual(await unreadOnReturn(bob, a, 'bob'), { read: 1, lastId: 2, unread: 1 });
  });

  it('a resend that arrives while its renumbered original is being kept is acked, not refused', async () => {
    const store = await open(fresh(), 'a');
    const flaky = failingFirstAppend(store);
    const a = await serve(flaky);
    const alice = await connect(a, 'alice');
    write(alice, { type: 'send', room: '#general', text: 'lost', ref: 'x0' });
    await waitFor(alice, (f) => f.type === 'error' && f.ref === 'x0');
    // The send and its resend (a client that reconnected before the ack) in one write.
    const frame = { type: 'send', room: '#general', text: 'kept', ref: 'a1' } as ClientFrame;
    alice.socket.write(`${JSON.stringify(frame)}\n${JSON.stringify(frame)}\n`);
    const answers: ServerFrame[] = [];
    answers.push(
      await waitFor(alice, (f) => (f.type === 'ack' || f.type === 'error') && f.ref === 'a1'),
    );
    answers.push(
      await waitFor(alice, (f) => (f.type === 'ack' || f.type === 'error') && f.ref === 'a1'),
    );
    assert.deepEqual(
      answers.map((f) => [f.type, f.type === 'ack' ? f.id : f.type === 'error' ? f.code : '']),
      [
        ['ack', 1],
        ['ack', 1],
      ],
    );
  });

  it('an append told store_failed (the script timed out) is not kept and delivered anyway', async () => {
    const store = await open(fresh(), 'a');
    const heard: StoredMessage[] = [];
    let heardOne = () => {};
    const feedHasIt = new Promise<void>((resolve) => {
      heardOne = resolve;
    });
    await store.follow({
      kept: (_c, m) => {
        heard.push(m);
        heardOne();
      },
      replaced: () => {},
      interrupted: () => {},
      reconnected: () => {},
      control: () => {},
      event: () => {},
      announced: () => {},
    });
    const admin = new Redis(redis.url);
    try {
      // A Redis slow to answer for just over the 10 s command timeout (a slow fsync, a pause).
      await admin.client('PAUSE', 10_500, 'WRITE');
      const outcome = await store.append('#general', msg(1), 'r1').then(
        () => 'kept',
        (error: unknown) => `failed: ${String(error)}`,
      );
      // Kept: the feed brings it; refused: nothing was kept (the read below says).
      if (outcome === 'kept') await feedHasIt;
      const kept = (await store.since('#general', 0, 10)).messages.map((m) => m.id);
      assert.deepEqual(
        {
          outcome: outcome.startsWith('failed') ? 'store_failed' : outcome,
          kept,
          heard: heard.length,
        },
        outcome === 'kept'
          ? { outcome: 'kept', kept: [1], heard: 1 }
          : { outcome: 'store_failed', kept: [], heard: 0 },
        'the sender is told store_failed (and sends it again: a new ref, a second copy) while every member got it',
      );
    } finally {
      admin.disconnect();
    }
  });

  it('three nodes sending steadily to one room are not told store_failed while Redis is healthy', async () => {
    const prefix = fresh();
    const nodes = await Promise.all(['a', 'b', 'c'].map((node) => open(prefix, node)));
    const failures: string[] = [];
    let kept = 0;
    await Promise.all(
      nodes.map(async (store, n) => {
        for (let i = 0; i < 300; i++) {
          const message = msg(1, '#hot', `u${n}`);
          await store.append('#hot', message, `r${n}-${i}`).then(
            () => kept++,
            (error: unknown) => failures.push(String(error)),
          );
        }
      }),
    );
    // A node whose batch was behind reseals it and tries again; the node that
    // just won already sends its next one with the right id, and wins again.
    assert.deepEqual(
      {
        kept,
        failed: failures.length,
        why: [...new Set(failures)].map((f) => f.replace(/of \w+/, 'of TAG')),
      },
      { kept: 900, failed: 0, why: [] },
    );
  });
});
