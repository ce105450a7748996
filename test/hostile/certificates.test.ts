import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { issueClient, revokeClient } from '../../src/pki/client-certs.ts';
import type { ConnectionInfo } from '../../src/server/connection.ts';
import { makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';
import {
  assertServed,
  type Credentials,
  closeOf,
  closeServer,
  HELLO,
  helloPeer,
  type Peer,
  TEST,
  tcpPeer,
  WAIT_MS,
  withDeadline,
} from '../helpers/hostile.ts';
import { until } from '../helpers/ink.ts';
import { pkiContext } from '../helpers/pki.ts';

/**
 * Peers the TLS layer must keep out (issues 8 and 13): plain TCP garbage,
 * and TLS with no, a foreign, an expired or a revoked client certificate.
 * Mutual TLS is enforced in the handshake: a refused peer gets no session
 * (no ticket) and not one application byte, and never becomes a
 * connection. Each is followed by a well-behaved client that is served
 * within a second, and a witness in #general that got nothing from it.
 */

const DAY_MS = 86_400_000;
/** Long enough that a close well before it is the server's answer to the bytes, not the timer (ms). */
const HANDSHAKE_MS = 3_000;
/** Failed handshakes are logged this often, aggregated per address (ms). */
const LOG_MS = 100;

/** The aggregated failure lines logged since `from`, as address and reasons. */
function failureLines(started: Started, from: number) {
  return started.logs
    .slice(from)
    .filter((r) => r.msg === 'handshakes failed')
    .map((r) => ({ address: r.address, reasons: r.reasons as { [reason: string]: number } }));
}

let team: Team;
let stranger: Team;
let started: Started;
let witness: Peer;

before(async () => {
  [team, stranger] = await Promise.all([
    makeTeam(['alice', 'bob', 'carol', 'eve']),
    makeTeam(['alice']),
  ]);
  // The server starts after this, so it loads the CRL that names eve.
  await revokeClient(team.ctx, { name: 'eve' });
  // Signed by the team CA ten days ago for one day: expired nine days ago.
  await issueClient(pkiContext(team.dir.path, new Date(Date.now() - 10 * DAY_MS)), {
    name: 'dave',
    days: 1,
  });
  started = await startServer(team, { handshakeTimeoutMs: HANDSHAKE_MS, handshakeLogMs: LOG_MS });
  witness = await helloPeer(started, await team.credentials('bob'));
});

after(async () => {
  await witness?.end();
  await closeServer(started);
  await team?.dir.cleanup();
  await stranger?.dir.cleanup();
});

describe('plain TCP', () => {
  it(
    'garbage instead of a ClientHello: cut at once, no frame, then others served',
    TEST,
    async () => {
      const quietSince = witness.frames.length;
      const logMark = started.logs.length;
      const start = performance.now();
      const tcp = await tcpPeer(started);
      tcp.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
      tcp.socket.write(randomBytes(4096));
      await withDeadline(tcp.closed, WAIT_MS, 'close after garbage');
      const elapsed = performance.now() - start;
      assert.ok(
        elapsed < HANDSHAKE_MS / 2,
        `closed after ${Math.round(elapsed)} ms, on the garbage rather than at the handshake timeout`,
      );
      const bytes = Buffer.concat(tcp.received);
      // At most a TLS alert record (content type 21), never a chat frame.
      assert.ok(bytes.length === 0 || bytes[0] === 21, `got ${bytes.toString('hex').slice(0, 40)}`);
      await until(() => failureLines(started, logMark).length > 0, 'the failure logged', WAIT_MS);
      const lines = failureLines(started, logMark);
      assert.equal(lines.length, 1, 'one log line says why');
      assert.equal(lines[0]?.address, '127.0.0.1', 'with the peer address');
      assert.equal(Object.values(lines[0]?.reasons ?? {}).join(), '1', 'one failure');
      await assertServed(team, started, witness, { quietSince });
    },
  );
});

describe('refused client certificates: refused in the handshake, no session, not a byte', () => {
  const cases: Array<{
    name: string;
    credentials: () => Promise<Credentials>;
    /** The client's error: a TLS alert, or (a node server cuts without one) a reset or nothing. */
    clientError: RegExp;
    /** The reason the server logs. */
    why: RegExp;
  }> = [
    {
      name: 'no client certificate',
      credentials: async () => ({ ca: (await team.credentials('alice')).ca }),
      clientError: /^ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED$/,
      why: /^ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE$/,
    },
    {
      name: 'a certificate from another team CA',
      credentials: async () => ({
        ...(await stranger.credentials('alice')),
        ca: (await team.credentials('alice')).ca,
      }),
      clientError: /^(none|ECONNRESET|EPIPE)$/,
      // Both CAs have the same name, so OpenSSL may find ours and fail its signature.
      why: /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|CERT_SIGNATURE_FAILURE|ERR_SSL_EVP_LIB)$/,
    },
    {
      name: 'an expired certificate from the team CA',
      credentials: () => team.credentials('dave'),
      clientError: /^(none|ECONNRESET|EPIPE)$/,
      why: /^CERT_HAS_EXPIRED$/,
    },
    {
      name: 'a revoked certificate from the team CA',
      credentials: () => team.credentials('eve'),
      clientError: /^(none|ECONNRESET|EPIPE)$/,
      why: /^CERT_REVOKED$/,
    },
  ];

  for (const { name, credentials, clientError, why } of cases) {
    it(name, TEST, async () => {
      const quietSince = witness.frames.length;
      const logMark = started.logs.length;
      const events: string[] = [];
      const onConnect = (info: ConnectionInfo) => events.push(`connect ${info.user}`);
      const onDisconnect = (info: ConnectionInfo) => events.push(`disconnect ${info.user}`);
      started.server.on('connect', onConnect).on('disconnect', onDisconnect);
      try {
        const socket = tls.connect({
          host: '127.0.0.1',
          port: started.port,
          servername: 'localhost',
          ...(await credentials()),
        });
        let error = 'none';
        let bytes = 0;
        let sessions = 0;
        socket.on('error', (e: NodeJS.ErrnoException) => {
          error = e.code ?? e.message;
        });
        socket.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        socket.on('session', () => {
          sessions += 1;
        });
        // Under TLS 1.3 the client is through before the server's verdict: it says hello anyway.
        socket.once('secureConnect', () => socket.write(HELLO));
        await withDeadline(closeOf(socket), WAIT_MS, 'close of the refused peer');
        assert.match(error, clientError);
        assert.equal(bytes, 0, 'not one application byte');
        assert.equal(sessions, 0, 'no session ticket');
      } finally {
        started.server.off('connect', onConnect).off('disconnect', onDisconnect);
      }
      assert.deepEqual(events, [], 'it never became a connection');
      await until(() => failureLines(started, logMark).length > 0, 'the failure logged', WAIT_MS);
      const [line] = failureLines(started, logMark);
      assert.equal(line?.address, '127.0.0.1');
      assert.deepEqual(Object.values(line?.reasons ?? {}), [1]);
      assert.match(Object.keys(line?.reasons ?? {})[0] ?? '', why);
      await assertServed(team, started, witness, { quietSince });
    });
  }
});
