import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChatClient } from '../../src/net/chat-client.ts';
import type { RoomMessage } from '../../src/net/protocol/frames.ts';
import {
  client,
  collect,
  makeTeam,
  type Started,
  startServer,
  type Team,
} from '../helpers/chat-server.ts';
import {
  assertServed,
  closeServer,
  disconnected,
  helloPeer,
  MIB,
  type Peer,
  TEST,
  WAIT_MS,
  withDeadline,
} from '../helpers/hostile.ts';

/**
 * A reader that never reads while others broadcast (issue 8). With a 64 KiB
 * queue cap, the server drops it (`slow_consumer`, no frame: there is no
 * room for one) once the kernel buffers and then its queue are full; the
 * queue never holds much more than the cap; and the readers that do read
 * get every message that was acked, in order.
 */

const MAX_QUEUE = 64 * 1024;
/** Characters per message (about 8 KiB frames). */
const TEXT_CHARS = 8_000;
/** Most messages broadcast before the test gives up on the drop. */
const MAX_MESSAGES = 2_000;
/**
 * Sends in flight at once: their frames (32 KiB) reach every reader in one
 * tick, within the cap, so only a reader that does not read falls behind.
 */
const BATCH = 4;

let team: Team;
let started: Started;
let witness: Peer;

before(async () => {
  team = await makeTeam(['alice', 'bob', 'carol', 'dave', 'erin']);
  started = await startServer(team, {
    maxQueueBytes: MAX_QUEUE,
    maxTextChars: TEXT_CHARS,
    // The broadcast must outrun the slow reader, not the rate limit.
    ratePerSecond: 10_000,
    rateBurst: 10_000,
  });
  witness = await helloPeer(started, await team.credentials('bob'));
});

after(async () => {
  await witness?.end();
  await closeServer(started);
  await team?.dir.cleanup();
});

describe('a reader that never reads', () => {
  it('is dropped at its queue cap; the others lose nothing', TEST, async (t) => {
    const slow = await helloPeer(started, await team.credentials('dave'));
    slow.socket.pause();
    const dropped = disconnected(started, (info) => info.user === 'dave');
    let drop: { reason: string } | undefined;
    void dropped.then((info) => {
      drop = info;
    });
    const alice = await client(team, started, 'alice', { reconnect: false });
    const carol = await client(team, started, 'carol', { reconnect: false });
    const carolGot = collect<RoomMessage>(carol, 'message');
    const chats: ChatClient[] = [alice, carol];
    const witnessFrom = witness.frames.length;
    let maxQueued = 0;
    const acked: number[] = [];
    try {
      await alice.connect();
      await carol.connect();
      const carolFrom = carolGot.length;
      let sent = 0;
      while (!drop && sent < MAX_MESSAGES) {
        const batch = Array.from({ length: BATCH }, (_, i) =>
          alice.send('#general', `${sent + i} `.padEnd(TEXT_CHARS, 'x')),
        );
        sent += BATCH;
        for (const ack of await withDeadline(Promise.all(batch), WAIT_MS, 'acks of a batch'))
          acked.push(ack.id);
        const dave = started.server.stats().connections.find((c) => c.user === 'dave');
        maxQueued = Math.max(maxQueued, dave?.queuedBytes ?? 0);
      }
      const info = await withDeadline(dropped, WAIT_MS, 'the slow reader dropped');
      t.diagnostic(
        `dropped after ${sent} messages of ${TEXT_CHARS} characters (${((sent * TEXT_CHARS) / MIB).toFixed(1)} MiB); its queue held at most ${maxQueued} bytes; sampled from server.stats() after each batch`,
      );
      assert.equal(info.reason, 'slow_consumer');
      assert.ok(
        maxQueued <= MAX_QUEUE + TEXT_CHARS + 200,
        `the queue stayed within the cap and one frame: ${maxQueued} bytes`,
      );
      // It sees the close once it reads again; slow_consumer is never a frame on the wire.
      slow.socket.resume();
      await withDeadline(slow.closed, WAIT_MS, 'the slow reader closed');
      assert.equal(slow.frames.filter((f) => f.type === 'error').length, 0, 'no error frame');

      // A few more after the drop, and a newcomer is served at once.
      for (let i = 0; i < 5; i += 1) acked.push((await alice.send('#general', `after ${i}`)).id);
      await assertServed(team, started, witness, { user: 'erin' });

      const last = acked.at(-1) ?? 0;
      await carol.history('#general', { limit: 1 }); // a round trip: carol has all before it
      const witnessIds = witness.frames
        .slice(witnessFrom)
        .flatMap((f) => (f.type === 'msg' && f.from === 'alice' ? [f.id] : []));
      assert.deepEqual(witnessIds, acked, 'bob got every acked message, in order');
      assert.deepEqual(
        carolGot
          .slice(carolFrom)
          .flatMap((m) => (m.from === 'alice' && m.id <= last ? [m.id] : [])),
        acked,
        'carol too',
      );
    } finally {
      slow.socket.destroy();
      await slow.closed;
      for (const chat of chats) await chat.close();
    }
  });
});
