import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';
import {
  assertServed,
  captureClientHello,
  closeServer,
  connectPeer,
  disconnected,
  helloPeer,
  type Peer,
  summary,
  TEST,
  tcpPeer,
  WAIT_MS,
  withDeadline,
} from '../helpers/hostile.ts';
import { until } from '../helpers/ink.ts';

/**
 * Peers that start and then stall (issue 8): a TCP connection that never
 * begins TLS, one that sends half a ClientHello, and one that finishes TLS
 * but never says hello. The server (handshake timeout 300 ms) closes each at
 * its deadline, not before and not much after, and a well-behaved client is
 * served within a second after each.
 */

/** The servers' TLS handshake plus hello timeout (ms). */
const HANDSHAKE_MS = 300;
/** How late a timeout close may come, on a shared 2-core machine (ms). */
const LATE_MS = 1_000;

let team: Team;
let started: Started;
let witness: Peer;
let clientHello: Buffer;

before(async () => {
  team = await makeTeam(['alice', 'bob', 'carol']);
  clientHello = await captureClientHello(await team.credentials('alice'));
  started = await startServer(team, { handshakeTimeoutMs: HANDSHAKE_MS, handshakeLogMs: 50 });
  witness = await helloPeer(started, await team.credentials('bob'));
});

after(async () => {
  await witness?.end();
  await closeServer(started);
  await team?.dir.cleanup();
});

/** Asserts a close came at the handshake deadline: not early, and bounded late. */
function assertAtDeadline(elapsed: number): void {
  assert.ok(elapsed >= HANDSHAKE_MS * 0.9, `closed after ${Math.round(elapsed)} ms: too early`);
  assert.ok(elapsed < HANDSHAKE_MS + LATE_MS, `closed after ${Math.round(elapsed)} ms: too late`);
}

describe('stalled TLS handshakes: destroyed at the handshake timeout, no frame', () => {
  const cases: Array<{ name: string; bytes: () => Buffer | undefined }> = [
    { name: 'a TCP connection that never starts the handshake', bytes: () => undefined },
    {
      name: 'half a ClientHello',
      bytes: () => clientHello.subarray(0, Math.floor(clientHello.length / 2)),
    },
  ];

  for (const { name, bytes } of cases) {
    it(name, TEST, async () => {
      const quietSince = witness.frames.length;
      const logMark = started.logs.length;
      const start = performance.now();
      const tcp = await tcpPeer(started);
      const half = bytes();
      if (half) {
        assert.equal(half[0], 22, 'a TLS handshake record');
        tcp.socket.write(half);
      }
      await withDeadline(tcp.closed, HANDSHAKE_MS + LATE_MS, 'close at the handshake timeout');
      assertAtDeadline(performance.now() - start);
      assert.equal(Buffer.concat(tcp.received).length, 0, 'the server said nothing');
      const failures = () => started.logs.slice(logMark);
      await until(() => failures().length > 0, 'the timeout logged', WAIT_MS);
      assert.deepEqual(
        failures().map((r) => [r.msg, r.address, r.reasons]),
        [['handshakes failed', '127.0.0.1', { timeout: 1 }]],
      );
      await assertServed(team, started, witness, { quietSince });
    });
  }
});

describe('a TLS client that never says hello', () => {
  it('gets the fatal hello_timeout at the deadline, counted from accept', TEST, async () => {
    const quietSince = witness.frames.length;
    const gone = disconnected(started, (info) => info.user === 'alice');
    const start = performance.now();
    const peer = await connectPeer(started, await team.credentials('alice'));
    await withDeadline(peer.closed, HANDSHAKE_MS + LATE_MS, 'close at the hello timeout');
    assertAtDeadline(performance.now() - start);
    assert.deepEqual(summary(peer.frames), ['hello_timeout fatal=true']);
    const info = await withDeadline(gone, WAIT_MS, 'disconnect event');
    assert.equal(info.reason, 'hello_timeout');
    await assertServed(team, started, witness, { quietSince });
  });
});
