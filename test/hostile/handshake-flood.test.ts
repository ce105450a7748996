import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SERVER_CONFIG } from '../../src/server/server-config.ts';
import { type Serving, startServe, stop, teamMadeByCli } from '../helpers/cli.ts';
import {
  assertServedFrom,
  type Credentials,
  captureClientHello,
  closeOf,
  credentialsIn,
  MIB,
  WAIT_MS,
} from '../helpers/hostile.ts';
import { until } from '../helpers/ink.ts';
import { rssOf, sampleRss } from '../helpers/process-memory.ts';

/**
 * The handshake flood of issue 13 (finding 3) against a real `chat serve` in
 * a child process, with its default limits: 5,000 sockets from 50 addresses
 * (127.0.1.1 to 127.0.1.50), each sending a ClientHello or nothing and then
 * stalling. The server lets at most --max-handshakes-per-address (10) of
 * each address into its handshake and resets the rest at accept; a normal
 * client from another address is welcomed, acked and delivered within a
 * second meanwhile; the refusals are logged once per address, with counts;
 * and the server's RSS comes back within 20% of its start after the flood
 * has gone (alone in about 30 s, when V8's memory reducer runs).
 */

const ADDRESSES = 50;
const SOCKETS = 5_000;
const PER_ADDRESS = DEFAULT_SERVER_CONFIG.maxHandshakesPerAddress;
/** RSS may end at most this much above where it started (fraction). */
const RSS_SLACK = 0.2;
/**
 * How long after the flood has gone RSS may take to come back (ms). Alone the
 * server is back within the issue's 30 s; with the whole suite on two cores
 * V8's memory reducer, which runs on idle time, can come later.
 */
const SETTLE_MS = 50_000;
/**
 * Connects begun before waiting for the server to refuse them (two per
 * address): the listen backlog (511) is never overrun, so the kernel never
 * keeps a connection the server did not see.
 */
const BATCH = 100;

/** One socket of the flood and what became of it. */
interface Half {
  socket: net.Socket;
  address: string;
  /** It sends a ClientHello (else nothing). */
  hello: boolean;
  /** Bytes the server sent back (its handshake flight, for a ClientHello). */
  received: number;
  closed: boolean;
}

describe('a handshake flood against chat serve', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let server: Serving;
  let port = 0;
  let pid = 0;
  let credentials: (user: string) => Promise<Credentials>;

  before(async () => {
    dir = await teamMadeByCli(['ada', 'bob']);
    credentials = (user) => credentialsIn(join(dir.path, 'certs'), user);
    server = await startServe(['--store', 'memory'], dir.path);
    ({ port, pid } = server);
  });

  after(async () => {
    await stop(server.child);
    await dir.cleanup();
  });

  /** ada (from 127.0.0.2) is welcomed, acked and delivered to bob (127.0.0.3) within a second. */
  async function assertServed(): Promise<void> {
    await assertServedFrom(port, await credentials('ada'), await credentials('bob'));
  }

  it('holds at most the caps, serves others, and gives the memory back', {
    timeout: 80_000,
  }, async (t) => {
    const clientHello = await captureClientHello(await credentials('ada'));
    // Warm: the paths a normal session takes are loaded before the start is read.
    await assertServed();
    const start = await rssOf(pid);
    const sampler = sampleRss(pid, 50);

    const halves: Half[] = [];
    for (let i = 0; i < SOCKETS; i += 1) {
      const address = `127.0.1.${(i % ADDRESSES) + 1}`;
      const socket = net.connect({ host: '127.0.0.1', port, localAddress: address });
      const half: Half = { socket, address, hello: i % 2 === 0, received: 0, closed: false };
      socket.on('error', () => {});
      socket.once('connect', () => {
        if (half.hello) socket.write(clientHello);
      });
      socket.on('data', (chunk: Buffer) => {
        half.received += chunk.length;
      });
      socket.once('close', () => {
        half.closed = true;
      });
      halves.push(half);
      const created = i + 1;
      if (created % BATCH === 0) {
        // The first 10 of each address are kept; every later one is reset at accept.
        const refusedSoFar = Math.max(0, created - ADDRESSES * PER_ADDRESS);
        await until(
          () => halves.filter((h) => h.closed).length >= refusedSoFar,
          `the server refusing the flood past its caps (${created} sockets)`,
          WAIT_MS,
        );
      }
    }
    const refused = SOCKETS - ADDRESSES * PER_ADDRESS;
    assert.equal(halves.filter((h) => h.closed).length, refused, 'all the others reset at accept');
    const open = halves.filter((h) => !h.closed);
    const openPer = new Map<string, number>();
    for (const h of open) openPer.set(h.address, (openPer.get(h.address) ?? 0) + 1);
    assert.equal(open.length, ADDRESSES * PER_ADDRESS, 'the server holds the cap and no more');
    assert.ok(
      [...openPer.values()].every((n) => n === PER_ADDRESS),
      `${PER_ADDRESS} per address`,
    );
    const refusedPer = new Map<string, number>();
    for (const h of halves.filter((x) => x.closed)) {
      assert.equal(h.received, 0, 'a refused socket gets not a byte');
      refusedPer.set(h.address, (refusedPer.get(h.address) ?? 0) + 1);
    }
    // Those that sent a ClientHello are in TLS: they got the server's flight.
    await until(
      () => open.filter((h) => h.hello).every((h) => h.received > 0),
      'the server answering the ClientHellos it took',
      WAIT_MS,
    );

    await assertServed();
    const peak = await sampler.stop();

    for (const h of halves) h.socket.destroy();
    await Promise.all(halves.map((h) => closeOf(h.socket)));
    // The measure is RSS after the sockets have gone: read until it is back or time is up.
    const gone = Date.now();
    let settled = await rssOf(pid);
    while (settled > start * (1 + RSS_SLACK) && Date.now() - gone < SETTLE_MS) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      settled = await rssOf(pid);
    }
    const seconds = ((Date.now() - gone) / 1000).toFixed(1);
    const mib = (bytes: number) => (bytes / MIB).toFixed(1);
    t.diagnostic(
      `RSS start ${mib(start)} MiB, peak ${mib(peak)} MiB, ${mib(settled)} MiB ${seconds} s after`,
    );
    assert.ok(
      settled <= start * (1 + RSS_SLACK),
      `RSS ${mib(settled)} MiB ${seconds} s after, more than ${RSS_SLACK * 100}% over its start ${mib(start)} MiB`,
    );

    // The refusals were logged per address with counts, never one line
    // each: a summary every handshakeLogMs (10 s) from the first, which a
    // fast run reaches only after the memory is back. Wait for them.
    const summaries = () =>
      server.lines.stderr
        .filter((l) => l.includes('"msg":"handshakes failed"'))
        .map((l) => JSON.parse(l) as { address: string; reasons: { [r: string]: number } });
    const refusedCount = [...refusedPer.values()].reduce((a, b) => a + b, 0);
    const loggedCount = () =>
      summaries().reduce((sum, l) => sum + (l.reasons.max_handshakes_per_address ?? 0), 0);
    await until(
      () => loggedCount() >= refusedCount,
      'the refusals logged',
      DEFAULT_SERVER_CONFIG.handshakeLogMs + WAIT_MS,
    );
    const lines = summaries();
    const logged = new Map<string, number>();
    for (const line of lines) {
      const n = line.reasons.max_handshakes_per_address ?? 0;
      logged.set(line.address, (logged.get(line.address) ?? 0) + n);
    }
    assert.deepEqual(logged, refusedPer, 'every refusal counted under its address');
    assert.ok(lines.length <= ADDRESSES * 2, `${lines.length} lines for ${SOCKETS} sockets`);
    assert.ok(!lines.some((l) => l.address === '127.0.0.2' || l.address === '127.0.0.3'));

    await assertServed();
  });
});
