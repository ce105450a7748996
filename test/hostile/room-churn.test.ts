import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerFrame } from '../../src/net/protocol/frames.ts';
import { makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';
import {
  assertServed,
  type Credentials,
  closeServer,
  connectPeer,
  disconnected,
  helloPeer,
  line,
  type Peer,
  SERVED_WITHIN_MS,
  TEST,
  WAIT_MS,
  withDeadline,
} from '../helpers/hostile.ts';

/**
 * Room churn (issue 13, finding 2), against the default limits: one member
 * reconnects 25 times, each hello asking for rooms nobody has made (50, or 5
 * every other time, which fits its join tokens), and each connection that
 * is let in asks for more with `join` frames. Before,
 * that made 1,000 rooms in seconds and every new room (`#general` on a fresh
 * server included) was refused until a restart. Now joins cost join tokens
 * (a hello that needs more than the user has is refused whole, fatal), a
 * user creates at most `--rooms-per-hour` (20) rooms an hour, and an empty
 * room with no topic and no history is forgotten; so another member, from
 * another address, gets into `#general` and a fresh room within a second.
 */

const ROUNDS = 25;
/** Fresh rooms in the hello of each round: many, and every other round few enough to be let in. */
const roomsInHello = (round: number) => (round % 2 === 0 ? 50 : 5);
const JOINS_PER_CONNECTION = 10;
/** Rooms one user may create per hour by default (`--rooms-per-hour`). */
const CREATED_PER_HOUR = 20;
/** The served member's address: another machine as far as per-address caps go. */
const OTHER_ADDRESS = '127.0.0.2';

/** What the churn met. */
interface Churn {
  welcomed: number;
  /** Fatal codes that ended a hello, counted. */
  refusedHellos: Map<string, number>;
  /** Non-fatal error codes, counted. */
  errors: Map<string, number>;
  /** One message per code (fatal or not), to show and check they name the cap. */
  messages: Map<string, string>;
  /** Most rooms of the attacker the server held at once. */
  peakRooms: number;
  ms: number;
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function churnRooms(started: Started): string[] {
  return started.server
    .stats()
    .rooms.map((r) => r.room)
    .filter((room) => room.startsWith('#churn'));
}

/**
 * Reconnects `ROUNDS` times as `user`, one connection at a time; each hello
 * joins roomsInHello(round) fresh rooms and a welcomed connection then sends
 * JOINS_PER_CONNECTION joins of more fresh rooms, waits for their answers
 * (a ping after them) and closes. Each round waits until the server has let
 * the connection go, so every hello is a reconnect the server has seen.
 */
async function churn(started: Started, credentials: Credentials, user: string): Promise<Churn> {
  const result: Churn = {
    welcomed: 0,
    refusedHellos: new Map(),
    errors: new Map(),
    messages: new Map(),
    peakRooms: 0,
    ms: 0,
  };
  const start = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    const gone = disconnected(started, (info) => info.user === user);
    const peer = await connectPeer(started, credentials);
    const join = Array.from({ length: roomsInHello(round) }, (_, i) => `#churn-${round}-${i}`);
    peer.socket.write(line({ type: 'hello', v: 1, client: 'hostile/1', join }));
    const first = await peer.waitFrame(
      (f) => f.type === 'welcome' || (f.type === 'error' && f.fatal === true),
      'welcome or a fatal refusal',
    );
    if (first.type === 'welcome') {
      result.welcomed++;
      result.peakRooms = Math.max(result.peakRooms, churnRooms(started).length);
      const more = Array.from({ length: JOINS_PER_CONNECTION }, (_, i) =>
        line({ type: 'join', room: `#churn-${round}-j${i}` }),
      );
      peer.socket.write(`${more.join('')}${line({ type: 'ping', ref: 'sync' })}`);
      // Frames are answered in order: the ping's answer comes after every join's.
      await peer.waitFrame(
        (f) => (f.type === 'pong' || f.type === 'error') && f.ref === 'sync',
        'the answer to the ping after the joins',
      );
      result.peakRooms = Math.max(result.peakRooms, churnRooms(started).length);
      peer.socket.end();
    } else if (first.type === 'error') {
      count(result.refusedHellos, first.code);
    }
    await withDeadline(peer.closed, WAIT_MS, 'the attacker connection closed');
    await withDeadline(gone, WAIT_MS, 'the server let the attacker connection go');
    for (const f of peer.frames as ServerFrame[]) {
      if (f.type !== 'error') continue;
      if (f.fatal !== true) count(result.errors, f.code);
      result.messages.set(f.code, f.message);
    }
  }
  result.ms = performance.now() - start;
  return result;
}

/**
 * `user`, from OTHER_ADDRESS, joins `#general` and `fresh` in its hello, is
 * welcomed in both, sends to both, gets both acks and both echoes, and the
 * `witness` in #general gets the #general message: all within SERVED_WITHIN_MS.
 */
async function assertJoinsAndServed(
  team: Team,
  started: Started,
  witness: Peer,
  user: string,
  fresh: string,
): Promise<void> {
  const from = witness.frames.length;
  let peer: Peer | undefined;
  try {
    await withDeadline(
      (async () => {
        peer = await connectPeer(started, await team.credentials(user), {
          localAddress: OTHER_ADDRESS,
        });
        peer.socket.write(
          line({ type: 'hello', v: 1, client: 'test/1', join: ['#general', fresh] }),
        );
        const welcome = await peer.waitFrame((f) => f.type === 'welcome', 'welcome');
        assert.ok(welcome.type === 'welcome');
        assert.deepEqual(
          welcome.rooms.map((r) => r.room),
          ['#general', fresh].sort(),
          `${user} is in #general and ${fresh}`,
        );
        for (const room of ['#general', fresh])
          peer.socket.write(line({ type: 'send', room, text: `hi ${room}`, ref: room }));
        for (const room of ['#general', fresh]) {
          const ack = await peer.waitFrame((f) => f.type === 'ack' && f.ref === room, 'ack');
          assert.ok(ack.type === 'ack' && ack.id > 0, `acknowledged in ${room}`);
          await peer.waitFrame(
            (f) => f.type === 'msg' && f.room === room && f.from === user,
            `echo in ${room}`,
          );
        }
        await witness.waitFrame(
          (f) => f.type === 'msg' && f.room === '#general' && f.from === user,
          'delivery to the witness',
          { from },
        );
      })(),
      SERVED_WITHIN_MS,
      `${user} from ${OTHER_ADDRESS} welcomed in #general and ${fresh}, acked and delivered`,
    );
  } finally {
    await peer?.end();
  }
}

let team: Team;

before(async () => {
  team = await makeTeam(['alice', 'bob', 'carol', 'dave']);
});

after(async () => {
  await team?.dir.cleanup();
});

describe('one member churning rooms by reconnecting', () => {
  it(
    'creates at most the hourly cap of rooms; #general and a fresh room stay joinable; empty rooms are forgotten',
    TEST,
    async (t) => {
      const started = await startServer(team);
      const witness = await helloPeer(started, await team.credentials('bob'));
      try {
        const result = await churn(started, await team.credentials('alice'), 'alice');
        t.diagnostic(
          `${ROUNDS} reconnects in ${Math.round(result.ms)} ms: ${result.welcomed} welcomed, ` +
            `refused ${JSON.stringify(Object.fromEntries(result.refusedHellos))}, ` +
            `errors ${JSON.stringify(Object.fromEntries(result.errors))}, ` +
            `at most ${result.peakRooms} of its rooms held`,
        );
        assert.ok(
          result.peakRooms <= CREATED_PER_HOUR,
          `the server held ${result.peakRooms} rooms of the attacker, at most ${CREATED_PER_HOUR} allowed`,
        );
        assert.ok(result.welcomed >= 1, 'the first connection is let in');
        assert.ok(
          (result.refusedHellos.get('reconnect_too_fast') ?? 0) >= 1,
          'hellos that need more join tokens than the user has are refused',
        );
        assert.ok((result.errors.get('too_many_rooms') ?? 0) >= 1, 'rooms past the cap refused');
        for (const [code, message] of result.messages) t.diagnostic(`${code}: ${message}`);
        assert.match(
          result.messages.get('too_many_rooms') ?? '',
          new RegExp(`created ${CREATED_PER_HOUR} rooms within the hour`),
          'too_many_rooms names the cap that was hit',
        );
        assert.match(
          result.messages.get('reconnect_too_fast') ?? '',
          /^joining \d+ rooms at once needs \d+ join tokens .*: try again in \d+ s$/,
          'the refused hello says what it needed and how long to wait',
        );
        assert.deepEqual(churnRooms(started), [], 'its empty rooms are forgotten once it left');

        await assertJoinsAndServed(team, started, witness, 'carol', '#fresh-after-churn');
        await assertServed(team, started, witness, { user: 'dave' });
        assert.deepEqual(
          started.server.stats().rooms.map((r) => r.room),
          ['#fresh-after-churn', '#general'],
          'the fresh room has history, so it is kept; nothing else',
        );
      } finally {
        await witness.end();
        await closeServer(started);
      }
    },
  );

  it('leaves #general joinable on a fresh server that never had it', TEST, async () => {
    const started = await startServer(team);
    let witness: Peer | undefined;
    try {
      await churn(started, await team.credentials('alice'), 'alice');
      assert.equal(
        started.server.stats().rooms.length,
        0,
        'nothing is left of the churn, and nobody made #general yet',
      );
      witness = await withDeadline(
        helloPeer(started, await team.credentials('bob'), { localAddress: OTHER_ADDRESS }),
        SERVED_WITHIN_MS,
        'bob welcomed into #general after the churn',
      );
      await assertJoinsAndServed(team, started, witness, 'carol', '#another-fresh');
    } finally {
      await witness?.end();
      await closeServer(started);
    }
  });
});
