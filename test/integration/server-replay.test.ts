import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerFrame, StoredMessage } from '../../src/net/protocol/frames.ts';
import { MemoryHistory } from '../../src/server/history/memory-history.ts';
import type { ServerConfig } from '../../src/server/server-config.ts';
import { client, makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';
import {
  assertServed,
  closeServer,
  connectPeer,
  disconnected,
  helloPeer,
  line,
  type Peer,
  WAIT_MS,
  withDeadline,
} from '../helpers/hostile.ts';

/**
 * Resume replays and history pages stream from the store at the reader's
 * pace (issue 13): in order, each message once, live messages sent during a
 * replay included, within the queue cap, and through a server-wide budget
 * that makes readers wait their turn instead of dropping them.
 */

const TIMEOUT = { timeout: 30_000 };
const MAX_QUEUE = 64 * 1024;

let team: Team;

before(async () => {
  team = await makeTeam(['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
});

after(async () => {
  await team?.dir.cleanup();
});

/** A memory store holding `count` messages of `chars` characters in each room, ids 1..count. */
async function filledStore(rooms: string[], count: number, chars: number): Promise<MemoryHistory> {
  const store = new MemoryHistory(count + 1_000);
  for (const room of rooms) {
    for (let id = 1; id <= count; id += 1) {
      const message: StoredMessage = {
        type: 'msg',
        id,
        ts: 1_700_000_000_000 + id,
        room,
        from: 'alice',
        text: `${room} ${id} `.padEnd(chars, '.'),
      };
      await store.append(room, message);
    }
  }
  return store;
}

async function serve(store: MemoryHistory, overrides: Partial<ServerConfig>): Promise<Started> {
  return startServer(
    team,
    { maxQueueBytes: MAX_QUEUE, ratePerSecond: 1_000, rateBurst: 1_000, ...overrides },
    store,
  );
}

/** A raw peer of `user` that resumes `rooms` from id 0 and does not wait for its welcome. */
async function resumingPeer(started: Started, user: string, rooms: string[]): Promise<Peer> {
  const peer = await connectPeer(started, await team.credentials(user));
  const resume = Object.fromEntries(rooms.map((room) => [room, 0]));
  peer.socket.write(line({ type: 'hello', v: 1, client: 'replay-test/1', resume }));
  return peer;
}

/** The ids of `room`'s messages a peer got, in the order it got them. */
function idsIn(frames: readonly ServerFrame[], room: string): number[] {
  return frames.flatMap((f) => (f.type === 'msg' && f.room === room ? [f.id] : []));
}

function oneTo(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** The queued bytes of `user`'s connection, sampled every tick until `stop` resolves; the largest seen. */
function sampleQueue(started: Started, user: string, stop: Promise<unknown>): Promise<number> {
  let max = 0;
  let done = false;
  const finish = () => {
    done = true;
  };
  stop.then(finish, finish);
  return new Promise((resolve) => {
    const look = () => {
      const conn = started.server.stats().connections.find((c) => c.user === user);
      max = Math.max(max, conn?.queuedBytes ?? 0);
      if (done) resolve(max);
      else setImmediate(look);
    };
    look();
  });
}

describe('resume replay', () => {
  it(
    'streams every kept message once, in order, live ones sent meanwhile included',
    TIMEOUT,
    async () => {
      const rooms = ['#a', '#b', '#c'];
      const kept = 2_000;
      const started = await serve(await filledStore(rooms, kept, 300), {});
      const alice = await client(team, started, 'alice', { reconnect: false, rooms });
      try {
        await alice.connect();
        const bob = await resumingPeer(started, 'bob', rooms);
        const lastIn = bob.waitFrame(
          (f) => f.type === 'msg' && f.room === '#c' && f.id === kept + 20,
          'the last live message of #c',
          { ms: 20_000 },
        );
        const queue = sampleQueue(started, 'bob', lastIn);
        // Live messages while the replay runs: they join each room's sequence.
        for (let i = 0; i < 20; i += 1)
          await Promise.all(rooms.map((room) => alice.send(room, `live ${i}`)));
        await lastIn;
        const maxQueued = await queue;
        for (const room of rooms) {
          await bob.waitFrame(
            (f) => f.type === 'msg' && f.room === room && f.id === kept + 20,
            room,
          );
          assert.deepEqual(idsIn(bob.frames, room), oneTo(kept + 20), `${room}: 1..${kept + 20}`);
        }
        assert.ok(maxQueued <= MAX_QUEUE, `bob's queue stayed within the cap: ${maxQueued} bytes`);
        await bob.end();
      } finally {
        await alice.close();
        await closeServer(started);
      }
    },
  );

  it(
    'drops a reader that stops reading at the stall timeout, within its cap; others are served',
    TIMEOUT,
    async () => {
      const started = await serve(await filledStore(['#general'], 1_000, 4_000), {
        stallTimeoutMs: 500,
        // Small enough that a budget the dropped reader kept would starve the next one.
        readBudgetBytes: 256 * 1024,
      });
      const witness = await helloPeer(started, await team.credentials('erin'), {
        localAddress: '127.0.0.2',
      });
      try {
        const dropped = disconnected(started, (info) => info.user === 'dave');
        const dave = await resumingPeer(started, 'dave', ['#general']);
        dave.socket.pause();
        const maxQueued = await sampleQueue(started, 'dave', dropped);
        const info = await withDeadline(dropped, WAIT_MS, 'the stalled reader dropped');
        assert.equal(info.reason, 'slow_consumer');
        assert.ok(
          maxQueued <= MAX_QUEUE + 4_200,
          `its queue stayed within the cap and one frame: ${maxQueued} bytes`,
        );
        dave.socket.destroy();
        await dave.closed;
        await assertServed(team, started, witness, { user: 'frank' });
        // Its budget came back: a full replay still goes through.
        const carol = await resumingPeer(started, 'carol', ['#general']);
        await carol.waitFrame((f) => f.type === 'msg' && f.id === 1_001, 'carol replayed', {
          ms: 10_000,
        });
        assert.deepEqual(idsIn(carol.frames, '#general'), oneTo(1_001));
        await carol.end();
      } finally {
        await witness.end();
        await closeServer(started);
      }
    },
  );

  it('lets readers wait their turn for a tiny budget; each gets everything', TIMEOUT, async () => {
    const started = await serve(await filledStore(['#general'], 500, 1_000), {
      readBudgetBytes: 8 * 1024,
    });
    try {
      const peers = await Promise.all(
        ['alice', 'bob', 'carol', 'dave'].map((user) => resumingPeer(started, user, ['#general'])),
      );
      for (const peer of peers) {
        await peer.waitFrame((f) => f.type === 'msg' && f.id === 500, 'replayed', { ms: 10_000 });
        assert.deepEqual(idsIn(peer.frames, '#general'), oneTo(500));
      }
      await Promise.all(peers.map((peer) => peer.end()));
    } finally {
      await closeServer(started);
    }
  });
});

describe('history pages', () => {
  it(
    'cuts a page that would not fit half the queue from its old end; paging gets the rest',
    TIMEOUT,
    async () => {
      const count = 200;
      const started = await serve(await filledStore(['#general'], count, 2_000), {});
      const bob = await client(team, started, 'bob', { reconnect: false });
      try {
        await bob.connect();
        const got: number[] = [];
        let before: number | undefined;
        let pages = 0;
        for (;;) {
          const page = await bob.history('#general', { limit: 200, ...(before ? { before } : {}) });
          pages += 1;
          const bytes = Buffer.byteLength(JSON.stringify(page));
          assert.ok(bytes <= MAX_QUEUE / 2 + 2_200, `a page of ${bytes} bytes`);
          got.unshift(...page.messages.map((m) => m.id));
          if (!page.more) break;
          before = page.messages[0]?.id;
        }
        assert.deepEqual(got, oneTo(count), 'every message, once, in order');
        assert.ok(pages > 1, `cut into ${pages} pages`);
      } finally {
        await bob.close();
        await closeServer(started);
      }
    },
  );
});
