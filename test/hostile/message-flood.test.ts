import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RoomMessage, ServerFrame } from '../../src/net/protocol/frames.ts';
import { client, makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';
import {
  assertServed,
  closeServer,
  disconnected,
  drainOrClose,
  helloPeer,
  type Peer,
  sendLine,
  TEST,
  WAIT_MS,
  withDeadline,
} from '../helpers/hostile.ts';

/**
 * A sender flooding thousands of messages (issue 8), against the default
 * limits (5 frames/s per user, burst 20, 20 dropped frames tolerated): the
 * burst is stored, then each frame is refused with `rate_limited`, then the
 * connection is closed with the fatal `flood`, and what follows is never
 * read. Meanwhile carol sends at an ordinary pace and bob, a witness, gets
 * every stored message in order and none of the dropped ones.
 */

const FLOOD = 2_000;
/** Lines written per write, so the flood keeps coming after the server has given up. */
const BATCH = 100;

let team: Team;
let started: Started;
let witness: Peer;

before(async () => {
  team = await makeTeam(['alice', 'bob', 'carol', 'dave']);
  started = await startServer(team);
  witness = await helloPeer(started, await team.credentials('bob'));
});

after(async () => {
  await witness?.end();
  await closeServer(started);
  await team?.dir.cleanup();
});

function errorsOf(frames: readonly ServerFrame[]) {
  return frames.filter((f): f is Extract<ServerFrame, { type: 'error' }> => f.type === 'error');
}

describe('a sender flooding thousands of messages', () => {
  it(
    'rate_limited, then fatal flood; others keep sending and receiving in order',
    TEST,
    async (t) => {
      const carol = await client(team, started, 'carol', { reconnect: false });
      await carol.connect();
      // It keeps writing after the server's half-close: thousands of frames in all.
      const flooder = await helloPeer(started, await team.credentials('alice'), {
        allowHalfOpen: true,
      });
      const witnessFrom = witness.frames.length;
      const gone = disconnected(started, (info) => info.user === 'alice');
      const refs = Array.from({ length: FLOOD }, (_, i) => `f${i + 1}`);
      const carolTexts = Array.from({ length: 5 }, (_, i) => `carol meanwhile ${i + 1}`);
      try {
        const carolAcks = Promise.all(carolTexts.map((text) => carol.send('#general', text)));
        let written = 0;
        while (written < FLOOD && !flooder.socket.destroyed) {
          const batch = refs.slice(written, written + BATCH);
          written += batch.length;
          const more = flooder.socket.write(
            batch.map((ref) => sendLine(`flood ${ref}`, ref)).join(''),
          );
          if (more) await new Promise((resolve) => setImmediate(resolve));
          else await drainOrClose(flooder.socket);
        }
        flooder.socket.end();
        await withDeadline(flooder.closed, WAIT_MS, 'the flooder closed');
        const info = await withDeadline(gone, WAIT_MS, 'disconnect event');
        assert.equal(info.reason, 'flood');
        for (const ack of await withDeadline(carolAcks, WAIT_MS, "carol's acks"))
          assert.ok(ack.id > 0, 'carol is acked meanwhile');

        const frames = flooder.frames.slice(1);
        const errors = errorsOf(frames);
        const acked = frames.flatMap((f) => (f.type === 'ack' ? [f.ref] : []));
        const limited = errors.filter((f) => f.code === 'rate_limited');
        t.diagnostic(
          `flooder wrote ${written} frames; ${acked.length} stored, ${limited.length} rate_limited, then ${errors.at(-1)?.code}`,
        );
        assert.ok(acked.length >= 20, `the burst is stored: ${acked.length}`);
        assert.deepEqual(acked, refs.slice(0, acked.length), 'the first ones, in order');
        assert.deepEqual(
          frames.flatMap((f) => (f.type === 'msg' && f.from === 'alice' ? [f.text] : [])),
          acked.map((ref) => `flood ${ref}`),
          'each stored one echoed to the flooder before the close',
        );
        assert.ok(limited.length >= 20, `dropped frames tolerated first: ${limited.length}`);
        assert.ok(
          limited.every((f) => f.fatal === undefined),
          'rate_limited is not fatal',
        );
        assert.deepEqual(
          limited.map((f) => f.ref),
          refs.slice(acked.length, acked.length + limited.length),
          'each rate_limited error names the frame it dropped',
        );
        assert.deepEqual(
          errors.filter((f) => f.fatal).map((f) => f.code),
          ['flood'],
        );
        assert.equal(frames.at(-1), errors.at(-1), 'flood is the last word');
        assert.ok(
          acked.length + limited.length < FLOOD / 10,
          'closed on persistent abuse: the rest was never read',
        );

        await assertServed(team, started, witness, { user: 'dave' });
        const heard = witness.frames
          .slice(witnessFrom)
          .filter((f): f is RoomMessage => f.type === 'msg');
        const fromAlice = heard.filter((m) => m.from === 'alice');
        assert.deepEqual(
          fromAlice.map((m) => m.text),
          acked.map((ref) => `flood ${ref}`),
          'bob got every stored message of the flood and none of the dropped ones',
        );
        assert.deepEqual(
          heard.filter((m) => m.from === 'carol').map((m) => m.text),
          carolTexts,
          "bob got carol's messages, in order",
        );
        const ids = heard.map((m) => m.id);
        assert.deepEqual(
          ids,
          [...ids].sort((a, b) => a - b),
          'in id order',
        );
        assert.ok(
          (await carol.send('#general', 'carol after the flood')).id > 0,
          'carol still sends',
        );
      } finally {
        flooder.socket.destroy();
        await flooder.closed;
        await carol.close();
      }
    },
  );
});
