import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import type { ServerFrame } from '../../src/net/protocol/frames.ts';
import type { ConnectionInfo } from '../../src/server/connection.ts';
import { makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';
import {
  assertServed,
  closeOf,
  closeServer,
  helloPeer,
  type Peer,
  summary,
  TEST,
  WAIT_MS,
  withDeadline,
} from '../helpers/hostile.ts';
import { until } from '../helpers/ink.ts';

/**
 * A hundred connections opened at once from one address (issues 8 and 13).
 * With room for all of them in the handshake, the per-address cap keeps 20
 * and refuses the excess with the fatal `too_many_connections`. With the
 * handshake cap per address at 10, no more than 10 are in their TLS
 * handshake at once and the rest are reset at accept, before TLS, without a
 * byte. Meanwhile a client from the same machine, with another address and
 * certificate, is served within a second, and once the flood is gone the
 * address gets in again.
 */

const MAX_PER_ADDRESS = 20;
const FLOOD = 100;
/** Sockets of one address in their handshake at once, in the second case. */
const HANDSHAKES_PER_ADDRESS = 10;
/** The flood's source address: another machine as far as the caps go. */
const FLOOD_ADDRESS = '127.0.0.2';
/** Long enough that the flood's held connections outlive the test (ms). */
const HANDSHAKE_MS = 10_000;

/** What became of one socket of the flood. */
interface Fate {
  socket: tls.TLSSocket;
  /** It finished the TLS handshake. */
  secured: boolean;
  frames: ServerFrame[];
  closed: boolean;
}

let team: Team;
let started: Started;
let witness: Peer;

before(async () => {
  team = await makeTeam(['alice', 'bob', 'carol']);
});

after(async () => {
  await team?.dir.cleanup();
});

/** Starts the server of one case, with the witness in #general. */
async function serve(maxHandshakesPerAddress: number): Promise<void> {
  started = await startServer(team, {
    handshakeTimeoutMs: HANDSHAKE_MS,
    maxPerAddress: MAX_PER_ADDRESS,
    maxHandshakesPerAddress,
  });
  witness = await helloPeer(started, await team.credentials('bob'));
}

async function stopServing(): Promise<void> {
  await witness?.end();
  await closeServer(started);
}

/** Opens `count` TLS connections at once from FLOOD_ADDRESS with `user`'s certificate, none saying hello. */
async function flood(count: number, user = 'alice'): Promise<Fate[]> {
  // One context for all: parsing the PEM a hundred times would spread the flood out.
  const secureContext = tls.createSecureContext(await team.credentials(user));
  return Array.from({ length: count }, () => {
    // localAddress goes through to net.connect; node's typings leave it out.
    const options: tls.ConnectionOptions & { localAddress: string } = {
      host: '127.0.0.1',
      port: started.port,
      servername: 'localhost',
      localAddress: FLOOD_ADDRESS,
      secureContext,
    };
    const socket = tls.connect(options);
    const fate: Fate = { socket, secured: false, frames: [], closed: false };
    socket.on('error', () => {});
    socket.once('secureConnect', () => {
      fate.secured = true;
    });
    socket.once('close', () => {
      fate.closed = true;
    });
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        fate.frames.push(JSON.parse(buffer.slice(0, i)) as ServerFrame);
        buffer = buffer.slice(i + 1);
      }
    });
    return fate;
  });
}

describe('a connection flood from one address, all let into TLS', () => {
  before(() => serve(FLOOD));
  after(stopServing);

  it('keeps 20, refuses the excess, serves a client from the same machine', TEST, async () => {
    // Settled when every socket of the flood is either closed or taken by the server.
    const accepted: ConnectionInfo[] = [];
    let closed = 0;
    let settle = () => {};
    const settled = new Promise<void>((resolve) => {
      settle = () => {
        if (closed + accepted.length >= FLOOD) resolve();
      };
    });
    const onConnect = (info: ConnectionInfo) => {
      if (info.address !== FLOOD_ADDRESS) return;
      accepted.push(info);
      settle();
    };
    started.server.on('connect', onConnect);
    let fates: Fate[] = [];
    try {
      fates = await flood(FLOOD);
      for (const fate of fates) {
        fate.socket.once('close', () => {
          closed += 1;
          settle();
        });
      }
      await withDeadline(settled, WAIT_MS, 'every flood socket closed or accepted');
      const held = fates.filter((f) => !f.closed);
      const refused = fates.filter((f) => f.closed && f.secured);
      const cut = fates.filter((f) => f.closed && !f.secured);

      assert.equal(accepted.length, MAX_PER_ADDRESS, 'the server took exactly the cap');
      assert.ok(
        accepted.every((info) => info.address === FLOOD_ADDRESS),
        'all from the flood address',
      );
      assert.equal(held.length, MAX_PER_ADDRESS, 'and those stay open');
      assert.ok(
        held.every((f) => f.secured && f.frames.length === 0),
        'the held ones are waiting for their hello',
      );
      // Every socket got through to TLS: the excess is told why.
      assert.equal(refused.length, FLOOD - MAX_PER_ADDRESS, `${cut.length} cut before TLS`);
      for (const fate of refused) {
        assert.deepEqual(summary(fate.frames), ['too_many_connections fatal=true']);
        const [error] = fate.frames;
        assert.ok(error?.type === 'error');
        assert.equal(
          error.message,
          `too many connections from ${FLOOD_ADDRESS} (limit ${MAX_PER_ADDRESS})`,
        );
      }
      assert.ok(
        cut.every((f) => f.frames.length === 0),
        'sockets cut before TLS get no frame',
      );
      assert.equal(held.length + refused.length + cut.length, FLOOD);

      // The same machine, another address (127.0.0.1) and certificate: served at once.
      await assertServed(team, started, witness);

      // Any certificate from the flooded address is refused while the flood holds its 20.
      const more = await flood(1, 'carol');
      await withDeadline(closeOf(more[0]?.socket as tls.TLSSocket), WAIT_MS, 'refusal');
      assert.deepEqual(summary(more[0]?.frames ?? []), ['too_many_connections fatal=true']);
    } finally {
      started.server.off('connect', onConnect);
      // The server must have seen the held ones go before the address counts as free.
      let open = accepted.length;
      const released = new Promise<void>((resolve) => {
        const onDisconnect = (info: ConnectionInfo & { reason: string }) => {
          if (info.address !== FLOOD_ADDRESS || info.reason === 'too_many_connections') return;
          open -= 1;
          if (open > 0) return;
          started.server.off('disconnect', onDisconnect);
          resolve();
        };
        if (open === 0) resolve();
        else started.server.on('disconnect', onDisconnect);
      });
      for (const fate of fates) fate.socket.destroy();
      await Promise.all(fates.map((f) => closeOf(f.socket)));
      await withDeadline(released, WAIT_MS, 'the server releasing the flood');
    }

    // The flood gone, its address gets in again.
    const back = await withDeadline(
      helloPeer(started, await team.credentials('carol'), { localAddress: FLOOD_ADDRESS }),
      WAIT_MS,
      'welcome from the flood address once the flood is gone',
    );
    await back.end();
  });
});

describe('a connection flood from one address, past the handshake cap', () => {
  before(() => serve(HANDSHAKES_PER_ADDRESS));
  after(stopServing);

  /** Sockets of the flood address the server lists as in their handshake. */
  const handshaking = () =>
    started.server
      .stats()
      .connections.filter((c) => c.state === 'handshaking' && c.address === FLOOD_ADDRESS).length;

  it('resets every socket past the cap at accept, without a byte', TEST, async () => {
    // Ten silent sockets hold the address's places, as a slow flood would.
    const silent = Array.from({ length: HANDSHAKES_PER_ADDRESS }, () => {
      const socket = net.connect({
        host: '127.0.0.1',
        port: started.port,
        localAddress: FLOOD_ADDRESS,
      });
      socket.on('error', () => {});
      return socket;
    });
    let fates: Fate[] = [];
    try {
      await until(() => handshaking() === HANDSHAKES_PER_ADDRESS, 'the places taken', WAIT_MS);
      fates = await flood(FLOOD);
      await withDeadline(
        Promise.all(fates.map((f) => closeOf(f.socket))),
        WAIT_MS,
        'every flood socket reset',
      );
      assert.equal(fates.filter((f) => f.secured).length, 0, 'none got through TLS');
      assert.ok(
        fates.every((f) => f.frames.length === 0),
        'sockets cut before TLS get no frame',
      );
      assert.equal(handshaking(), HANDSHAKES_PER_ADDRESS, 'never more than the cap');
      await assertServed(team, started, witness);
    } finally {
      for (const socket of silent) socket.destroy();
      await Promise.all(silent.map(closeOf));
      for (const fate of fates) fate.socket.destroy();
    }
    // The places given back, the address gets in again.
    await until(() => handshaking() === 0, 'the places given back', WAIT_MS);
    const back = await withDeadline(
      helloPeer(started, await team.credentials('carol'), { localAddress: FLOOD_ADDRESS }),
      WAIT_MS,
      'welcome from the flood address once the flood is gone',
    );
    await back.end();
  });
});
