import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { issueClient, revokeClient } from '../../src/net/pki/client-certs.ts';
import { makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';
import {
  assertServed,
  type Credentials,
  closeServer,
  connectPeer,
  disconnected,
  HELLO,
  helloPeer,
  type Peer,
  summary,
  TEST,
  tcpPeer,
  WAIT_MS,
  withDeadline,
} from '../helpers/hostile.ts';
import { pkiContext } from '../helpers/pki.ts';

/**
 * Peers the TLS layer must keep out (issue 8): plain TCP garbage, and TLS
 * with no, a foreign, an expired or a revoked client certificate. Each is
 * followed by a well-behaved client that is served within a second, and a
 * witness in #general that got nothing from the refused peer.
 */

const DAY_MS = 86_400_000;
/** Long enough that a close well before it is the server's answer to the bytes, not the timer (ms). */
const HANDSHAKE_MS = 3_000;

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
  started = await startServer(team, { handshakeTimeoutMs: HANDSHAKE_MS });
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
      const records = started.logs.slice(logMark).filter((r) => r.msg === 'handshake failed');
      assert.equal(records.length, 1, 'one log line says why');
      await assertServed(team, started, witness, { quietSince });
    },
  );
});

describe('refused client certificates: one fatal cert_rejected, no welcome, nothing relayed', () => {
  const cases: Array<{ name: string; credentials: () => Promise<Credentials>; why: RegExp }> = [
    {
      name: 'no client certificate',
      credentials: async () => ({ ca: (await team.credentials('alice')).ca }),
      why: /no client certificate/,
    },
    {
      name: 'a certificate from another team CA',
      credentials: async () => ({
        ...(await stranger.credentials('alice')),
        ca: (await team.credentials('alice')).ca,
      }),
      // Both CAs have the same name, so OpenSSL may find ours and fail its signature.
      why: /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|CERT_SIGNATURE_FAILURE/,
    },
    {
      name: 'an expired certificate from the team CA',
      credentials: () => team.credentials('dave'),
      why: /CERT_HAS_EXPIRED/,
    },
    {
      name: 'a revoked certificate from the team CA',
      credentials: () => team.credentials('eve'),
      why: /CERT_REVOKED/,
    },
  ];

  for (const { name, credentials, why } of cases) {
    it(name, TEST, async () => {
      const quietSince = witness.frames.length;
      // Not the close of the client served after the previous case.
      const gone = disconnected(started, (info) => info.user !== 'carol');
      const peer = await connectPeer(started, await credentials());
      // It says hello anyway: the server must neither answer nor relay it.
      peer.socket.write(HELLO);
      await withDeadline(peer.closed, WAIT_MS, 'close of the refused peer');
      const info = await withDeadline(gone, WAIT_MS, 'disconnect event');
      assert.equal(info.reason, 'cert_rejected');
      assert.equal(info.user, undefined, 'it never became a user');
      assert.deepEqual(summary(peer.frames), ['cert_rejected fatal=true']);
      const [refusal] = peer.frames;
      assert.ok(refusal?.type === 'error');
      assert.match(refusal.message, why);
      await assertServed(team, started, witness, { quietSince });
    });
  }
});
