import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatError } from '../../src/errors.ts';
import type { ClientState } from '../../src/net/client-types.ts';
import type { ServerFrameOf } from '../../src/net/protocol/frames.ts';
import { client, makeTeam, nextEvent, startServer } from '../helpers/chat-server.ts';
import { closeServer, withDeadline } from '../helpers/hostile.ts';

/**
 * A ChatClient in 50 rooms that reconnects twice in a row (issue 13): each
 * resume rejoins 50 rooms, which costs 50 join tokens, and the bucket holds
 * 50, refilled at the frame rate. The server refuses the hello that comes
 * too soon, whole, with the fatal `reconnect_too_fast`; the client explains
 * it, backs off, tries again and gets every room back, in one piece.
 */

const ROOMS = Array.from({ length: 50 }, (_, i) => `#room-${i}`);
/** Frames (and join tokens) per second: 50 tokens come back in 2 s, to keep the test short. */
const RATE = 25;

describe('a client in 50 rooms reconnecting twice in a row', () => {
  it('is refused with reconnect_too_fast, backs off, and gets all its rooms back', async (t) => {
    const team = await makeTeam(['alice', 'bob']);
    // bob makes the rooms and stays in them: rooms alice alone was in would be forgotten.
    const started = await startServer(team, {
      ratePerSecond: RATE,
      maxRoomsCreatedPerHour: ROOMS.length,
    });
    const bob = await client(team, started, 'bob', { rooms: ROOMS, reconnect: false });
    const alice = await client(team, started, 'alice', { rooms: ROOMS });
    const refusals: ChatError[] = [];
    alice.on('state', (state: ClientState, detail: { error?: ChatError }) => {
      if (state === 'reconnecting' && detail.error?.message.includes('join tokens'))
        refusals.push(detail.error);
    });
    try {
      await bob.connect();
      const first = await alice.connect();
      assert.equal(first.rooms.length, ROOMS.length);
      const start = performance.now();
      for (let round = 1; round <= 2; round++) {
        const back = nextEvent<[ServerFrameOf<'welcome'>]>(alice, 'welcome');
        alice.reconnectNow();
        const [welcome] = await withDeadline(back, 10_000, `welcome after reconnect ${round}`);
        assert.deepEqual(
          welcome.rooms.map((r) => r.room).sort(),
          [...ROOMS].sort(),
          `every room back after reconnect ${round}`,
        );
      }
      t.diagnostic(
        `two reconnects took ${Math.round(performance.now() - start)} ms, ${refusals.length} hellos refused`,
      );
      assert.ok(refusals.length >= 2, `a refusal per reconnect, got ${refusals.length}`);
      const [refusal] = refusals;
      assert.equal(refusal?.code, 'SERVER_ERROR');
      assert.match(
        refusal?.message ?? '',
        /^server: joining 50 rooms at once needs 50 join tokens and you have \d+ \(50 rooms at once, then 25 a second\): try again in \d s$/,
      );
      assert.equal(
        refusal?.hint,
        'you reconnected too often for the rooms you are in; chat retries by itself',
      );
      // In one piece: alice gets what bob says in the last room.
      const heard = nextEvent<[{ room: string; text: string }]>(
        alice,
        'message',
        (m) => m.room === '#room-49',
      );
      await bob.send('#room-49', 'still here?');
      const [message] = await withDeadline(heard, 5_000, 'delivery after the reconnects');
      assert.equal(message.text, 'still here?');
    } finally {
      await alice.close();
      await bob.close();
      await closeServer(started);
      await team.dir.cleanup();
    }
  });
});
