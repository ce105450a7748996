import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { portAnswers } from '../../src/net/port-probe.ts';
import type { ServerConfig } from '../../src/server/server-config.ts';
import { makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';
import {
  assertServed,
  closeOf,
  closeServer,
  connectPeer,
  helloPeer,
  type Peer,
  summary,
  TEST,
  WAIT_MS,
  withDeadline,
} from '../helpers/hostile.ts';
import { until } from '../helpers/ink.ts';

/**
 * The accept/handshake shell in front of TLS (issue 13, findings 3 and 7):
 * caps on sockets not yet through TLS checked at accept, failed handshakes
 * logged once per address per interval with a count and the reasons, and a
 * plain port probe (`chat tui` checking whether a server runs) logged not at
 * all. Each case ends with a well-behaved client served within a second.
 */

/** Long enough that a socket closed well before it was refused, not timed out (ms). */
const HANDSHAKE_MS = 10_000;
/** A refusal at accept comes at once; this much leaves room for a busy machine (ms). */
const AT_ONCE_MS = 1_000;

let team: Team;

before(async () => {
  team = await makeTeam(['alice', 'bob', 'carol']);
});

after(async () => {
  await team?.dir.cleanup();
});

/** A server for one case, with a witness in #general; closed with `done`. */
async function serve(overrides: Partial<ServerConfig>) {
  const started = await startServer(team, { handshakeTimeoutMs: HANDSHAKE_MS, ...overrides });
  const witness = await helloPeer(started, await team.credentials('bob'));
  const done = async () => {
    await witness.end();
    await closeServer(started);
  };
  return { started, witness, done };
}

/** A plain TCP socket from `localAddress`; it records what it gets. */
function tcpTry(started: Started, localAddress: string) {
  const socket = net.connect({ host: '127.0.0.1', port: started.port, localAddress });
  socket.on('error', () => {});
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  return { socket, received, closed: closeOf(socket) };
}

/** As tcpTry, once connected. */
async function tcpFrom(started: Started, localAddress: string) {
  const tcp = tcpTry(started, localAddress);
  await withDeadline(
    new Promise<void>((resolve, reject) => {
      tcp.socket.once('connect', () => resolve());
      void tcp.closed.then(() => reject(new Error('closed before connecting')));
    }),
    WAIT_MS,
    'TCP connect',
  );
  return tcp;
}

/** Sends an HTTP request where a ClientHello belongs and waits for the server to cut it. */
async function garbage(started: Started, localAddress: string): Promise<void> {
  const tcp = await tcpFrom(started, localAddress);
  tcp.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
  await withDeadline(tcp.closed, WAIT_MS, 'the server cutting garbage');
}

/** Sockets of `address` the server lists as still in their handshake. */
function handshaking(started: Started, address: string): number {
  return started.server
    .stats()
    .connections.filter((c) => c.state === 'handshaking' && c.address === address).length;
}

type Record = { [key: string]: unknown };

/** The aggregated failure lines logged since `from`. */
function failureLines(started: Started, from: number): Record[] {
  return started.logs.slice(from).filter((r) => r.msg === 'handshakes failed');
}

describe("chat tui's port probe (finding 7)", () => {
  it('leaves no server log line, even once the failure log is flushed', TEST, async () => {
    const { started, witness, done } = await serve({ handshakeLogMs: 100 });
    let closed = false;
    try {
      const mark = started.logs.length;
      assert.equal(await portAnswers('127.0.0.1', started.port), true, 'the probe saw a server');
      await until(() => handshaking(started, '127.0.0.1') === 0, 'the server seeing the probe go');
      // A canary from another address: a logged probe would come out in the same flush.
      await garbage(started, '127.0.0.4');
      await until(() => failureLines(started, mark).length > 0, 'the canary logged', WAIT_MS);
      await assertServed(team, started, witness);
      await done();
      closed = true;
      // Besides the connections of the served client and the witness.
      const sessions = new Set(['connection open', 'connection closed']);
      assert.deepEqual(
        started.logs
          .slice(mark)
          .filter((r) => !sessions.has(String(r.msg)))
          .map((r) => `${r.msg} ${r.address ?? ''}`.trim()),
        ['handshakes failed 127.0.0.4', 'stopped'],
        'the canary and the stop, nothing about the probe',
      );
    } finally {
      if (!closed) await done();
    }
  });
});

describe('portAnswers', () => {
  it('is false where nothing listens', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    assert.equal(await portAnswers('127.0.0.1', port), false);
  });
});

describe('failed handshakes are logged aggregated, with the address', () => {
  it('five failures from one address make one line with the count and reasons', TEST, async () => {
    const { started, witness, done } = await serve({ handshakeLogMs: 1_000 });
    try {
      const mark = started.logs.length;
      await Promise.all(Array.from({ length: 5 }, () => garbage(started, '127.0.0.5')));
      await until(() => failureLines(started, mark).length > 0, 'the failure line', WAIT_MS);
      const lines = failureLines(started, mark);
      assert.equal(lines.length, 1, JSON.stringify(lines));
      const [line] = lines;
      assert.equal(line?.level, 30, 'info');
      assert.equal(line?.address, '127.0.0.5');
      assert.equal(line?.failures, 5);
      const reasons = line?.reasons as { [reason: string]: number };
      assert.equal(
        Object.values(reasons).reduce((a, b) => a + b, 0),
        5,
        JSON.stringify(reasons),
      );
      assert.ok(
        Object.keys(reasons).every((r) => r.startsWith('ERR_SSL_')),
        `TLS's own codes: ${JSON.stringify(reasons)}`,
      );
      await assertServed(team, started, witness);
    } finally {
      await done();
    }
  });

  it(
    'closing the server logs what was counted, without waiting for the interval',
    TEST,
    async () => {
      const { started, done } = await serve({ handshakeLogMs: 600_000 });
      const mark = started.logs.length;
      await garbage(started, '127.0.0.8');
      assert.deepEqual(failureLines(started, mark), [], 'nothing before the interval');
      await done();
      const tail = started.logs.slice(mark).map((r) => `${r.msg} ${r.address ?? ''}`.trim());
      assert.deepEqual(
        tail.filter((m) => m.startsWith('handshakes failed') || m === 'stopped'),
        ['handshakes failed 127.0.0.8', 'stopped'],
      );
    },
  );
});

describe('caps on sockets not yet through TLS, checked at accept', () => {
  it('refuses past the per-address and total caps at once, serves others', TEST, async () => {
    const { started, witness, done } = await serve({
      handshakeLogMs: 100,
      maxHandshakesPerAddress: 2,
      // The witness and the served client each need a place too.
      maxHandshakes: 3,
    });
    const held: Array<Awaited<ReturnType<typeof tcpFrom>>> = [];
    try {
      const mark = started.logs.length;
      held.push(await tcpFrom(started, '127.0.0.6'), await tcpFrom(started, '127.0.0.6'));
      await until(() => handshaking(started, '127.0.0.6') === 2, 'two sockets in their handshake');

      const start = performance.now();
      const third = tcpTry(started, '127.0.0.6');
      await withDeadline(third.closed, AT_ONCE_MS, 'the third socket of the address refused');
      assert.equal(Buffer.concat(third.received).length, 0, 'not a byte for it');
      assert.ok(performance.now() - start < AT_ONCE_MS);

      held.push(await tcpFrom(started, '127.0.0.9'));
      await until(() => handshaking(started, '127.0.0.9') === 1, 'another address admitted');
      const full = tcpTry(started, '127.0.0.10');
      await withDeadline(full.closed, AT_ONCE_MS, 'refused at the total cap');
      assert.equal(Buffer.concat(full.received).length, 0);

      await until(() => failureLines(started, mark).length >= 2, 'the refusals logged', WAIT_MS);
      const byAddress = Object.fromEntries(
        failureLines(started, mark).map((r) => [r.address, r.reasons]),
      );
      assert.deepEqual(byAddress, {
        '127.0.0.6': { max_handshakes_per_address: 1 },
        '127.0.0.10': { max_handshakes: 1 },
      });

      // A place frees as soon as a held socket goes; then a normal client is served.
      const gone = held.pop();
      gone?.socket.destroy();
      await gone?.closed;
      await until(() => handshaking(started, '127.0.0.9') === 0, 'the place given back');
      await assertServed(team, started, witness);
    } finally {
      for (const tcp of held) tcp.socket.destroy();
      await Promise.all(held.map((tcp) => tcp.closed));
      await done();
    }
  });

  it('keeps the place of a connection refused after TLS until it has closed', TEST, async () => {
    const { started, witness, done } = await serve({
      maxPerAddress: 2,
      maxHandshakesPerAddress: 1,
    });
    const from = { localAddress: '127.0.0.11' };
    const welcomed: Peer[] = [];
    let second: Peer | undefined;
    try {
      for (const user of ['alice', 'alice']) {
        welcomed.push(await helloPeer(started, await team.credentials(user), from));
      }
      // Over --max-per-address: told why, then it keeps its socket open as a hostile peer may.
      second = await connectPeer(started, await team.credentials('carol'), {
        ...from,
        allowHalfOpen: true,
      });
      await second.waitFrame((f) => f.type === 'error', 'the refusal');
      assert.deepEqual(summary(second.frames), ['too_many_connections fatal=true']);
      // Its place under the handshake cap is still taken: the next socket is refused at accept.
      const next = tcpTry(started, '127.0.0.11');
      await withDeadline(next.closed, AT_ONCE_MS, 'refused while the refused one lingers');

      second.socket.destroy();
      await second.closed;
      const later = await tcpFrom(started, '127.0.0.11');
      await until(() => handshaking(started, '127.0.0.11') === 1, 'admitted once it has gone');
      later.socket.destroy();
      await later.closed;
      await assertServed(team, started, witness);
    } finally {
      second?.socket.destroy();
      await Promise.all(welcomed.map((peer) => peer.end()));
      await done();
    }
  });
});
