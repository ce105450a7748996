import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it } from 'node:test';
import type { ChatClient } from '../../src/net/chat-client.ts';
import type { DirectMessage, RoomMessage, StoredMessage } from '../../src/net/protocol/frames.ts';
import { MemoryHistory } from '../../src/server/history/memory-history.ts';
import {
  client,
  collect,
  makeTeam,
  nextEvent,
  rawConnection,
  startServer,
} from '../helpers/chat-server.ts';

/**
 * A store whose appends take a while to become durable, each a seeded
 * pseudo-random time: kept in the order made (as HistoryStore promises),
 * resolved in any order.
 */
class SlowStore extends MemoryHistory {
  private seed = 7;
  override async append(conversation: string, message: StoredMessage): Promise<void> {
    this.seed = (this.seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const kept = super.append(conversation, message);
    await new Promise((resolve) => setTimeout(resolve, this.seed % 15));
    return kept;
  }
}

async function closeAll(...clients: ChatClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
}

describe('resilience of delivery', () => {
  it('resumes with no gap or duplicate while messages are still being stored', async () => {
    const team = await makeTeam(['alice', 'bob']);
    const started = await startServer(
      team,
      { ratePerSecond: 1000, rateBurst: 1000 },
      new SlowStore(1000),
    );
    const alice = await client(team, started, 'alice', { rooms: ['#slow'] });
    const bob = await client(team, started, 'bob', {
      rooms: ['#slow'],
      backoff: { baseMs: 10, maxMs: 10 },
    });
    try {
      await Promise.all([alice.connect(), bob.connect()]);
      const seen = collect<RoomMessage>(bob, 'message');
      const sends: Array<Promise<unknown>> = [];
      for (let i = 1; i <= 60; i++) {
        sends.push(alice.send('#slow', `m${i}`));
        if (i % 15 === 0) bob.reconnectNow(); // drop mid-flight, several times
        await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(sends);
      if (bob.state !== 'connected')
        await nextEvent(bob, 'state', (s: string) => s === 'connected');
      await bob.history('#slow', { limit: 1 });
      await alice.history('#slow', { limit: 1 });
      // Messages stored after bob's last resume may still be on their way: wait for id 60.
      if (!seen.some((m) => m.id === 60))
        await nextEvent(bob, 'message', (m: RoomMessage) => m.id === 60);
      assert.deepEqual(
        seen.map((m) => m.id),
        Array.from({ length: 60 }, (_, i) => i + 1),
      );
    } finally {
      await closeAll(alice, bob);
      await started.server.close();
      await team.dir.cleanup();
    }
  });

  it('paces sends queued while offline instead of being rate limited or closed for flooding', async () => {
    const team = await makeTeam(['alice']);
    const started = await startServer(team, { ratePerSecond: 50, rateBurst: 10 });
    const alice = await client(team, started, 'alice', { backoff: { baseMs: 50, maxMs: 50 } });
    try {
      await alice.connect();
      const dropped = nextEvent(alice, 'state', (s: string) => s === 'reconnecting');
      alice.reconnectNow();
      await dropped;
      const acks = await Promise.all(
        Array.from({ length: 45 }, (_, i) => alice.send('#general', `queued ${i}`)),
      );
      assert.equal(new Set(acks.map((a) => a.id)).size, 45);
      assert.equal(alice.state, 'connected');
      assert.ok(!started.logs.some((l) => l.reason === 'flood'));
    } finally {
      await closeAll(alice);
      await started.server.close();
      await team.dir.cleanup();
    }
  });

  it('shows what was said after a server restart, DMs included (a new epoch)', async () => {
    const team = await makeTeam(['alice', 'bob']);
    let started = await startServer(team);
    const port = started.port;
    const alice = await client(team, started, 'alice', { backoff: { baseMs: 20, maxMs: 40 } });
    const bob = await client(team, started, 'bob', { backoff: { baseMs: 20, maxMs: 40 } });
    try {
      await Promise.all([alice.connect(), bob.connect()]);
      for (let i = 1; i <= 3; i++) await alice.dm('bob', `before ${i}`);
      await bob.history('@alice', { limit: 1 });
      const bobDms = collect<DirectMessage>(bob, 'dm');
      const bobBack = nextEvent(bob, 'state', (s: string) => s === 'connected');
      const aliceBack = nextEvent(alice, 'state', (s: string) => s === 'connected');
      await started.server.close();
      started = await startServer(team, { port });
      await Promise.all([bobBack, aliceBack]);
      for (let i = 1; i <= 3; i++) await alice.dm('bob', `after ${i}`);
      await bob.history('@alice', { limit: 1 });
      assert.deepEqual(
        bobDms.map((m) => m.text),
        ['after 1', 'after 2', 'after 3'],
      );
    } finally {
      await closeAll(alice, bob);
      await started.server.close();
      await team.dir.cleanup();
    }
  });
});

describe('resilience of the server', () => {
  it('keeps verifying the host name whatever NODE_TLS_REJECT_UNAUTHORIZED says', async () => {
    const team = await makeTeam(['alice']);
    const started = await startServer(team, { host: '127.0.0.2' });
    const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const alice = await client(team, started, 'alice', { host: '127.0.0.2', reconnect: false });
    try {
      await assert.rejects(alice.connect(), { code: 'SERVER_IDENTITY' });
    } finally {
      if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
      await alice.close();
      await started.server.close();
      await team.dir.cleanup();
    }
  });

  it('charges unasked pongs, so a pong flood is closed like any other', async () => {
    const team = await makeTeam(['alice']);
    const started = await startServer(team, { ratePerSecond: 5, rateBurst: 5 });
    const gone = nextEvent(started.server, 'disconnect');
    const raw = await rawConnection(started, await team.credentials('alice'));
    raw.closed.catch(() => {}); // a reset after the fatal frame is expected
    try {
      raw.socket.write(`${JSON.stringify({ type: 'hello', v: 1, client: 'test' })}\n`);
      await raw.nextFrame('welcome');
      raw.socket.write(`${JSON.stringify({ type: 'pong', ref: 'x' })}\n`.repeat(200));
      const fatal = await raw.nextFrame('error');
      const codes = [fatal, ...raw.frames].map((f) => (f.type === 'error' ? f.code : f.type));
      assert.ok(codes.includes('rate_limited') || codes.includes('flood'), codes.join());
      const [info] = (await gone) as [{ reason: string }];
      assert.equal(info.reason, 'flood');
    } finally {
      raw.socket.destroy();
      await started.server.close();
      await team.dir.cleanup();
    }
  });

  it('closes at once even while a TCP client sits in its handshake', async () => {
    const team = await makeTeam(['alice']);
    const started = await startServer(team);
    const idle = net.connect(started.port, '127.0.0.1');
    idle.on('error', () => {});
    await once(idle, 'connect');
    const t0 = performance.now();
    await started.server.close();
    assert.ok(performance.now() - t0 < 500, 'no wait for the handshake timeout');
    await once(idle, 'close');
    await team.dir.cleanup();
  });
});
