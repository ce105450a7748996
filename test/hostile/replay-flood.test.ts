import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StoredMessage } from '../../src/net/protocol/frames.ts';
import { pkiLayout } from '../../src/pki/layout.ts';
import { DiskHistory } from '../../src/server/history/disk-history.ts';
import { historyDir } from '../../src/server/history/history-for-server.ts';
import { historyKeySource } from '../../src/server/history/history-key-source.ts';
import { DEFAULT_SERVER_CONFIG as D } from '../../src/server/server-config.ts';
import { makeTeam, type Started, type Team } from '../helpers/chat-server.ts';
import { type Serving, startServe, stop } from '../helpers/cli.ts';
import {
  connectPeer,
  helloPeer,
  line,
  MIB,
  type Peer,
  SERVED_WITHIN_MS,
  sendLine,
  WAIT_MS,
  withDeadline,
} from '../helpers/hostile.ts';
import { rssOf, sampleRss } from '../helpers/process-memory.ts';

/**
 * Finding 1 of issue 13, as found: one teammate's 8 devices resume 40 rooms
 * of 1,000 messages of 4,000 characters each from id 0 and never read, on a
 * `chat serve` with default limits in its own process. Before, the server
 * materialised every replay (410 to 1,674 MiB) and other users' sends timed
 * out; now its RSS grows by less than 64 MiB and a normal client from
 * another address is served within 1 s throughout.
 */

const ROOMS = 40;
const PER_ROOM = 1_000;
const CHARS = 4_000;
const DEVICES = D.maxPerUser;
const MAX_GROWTH = 64 * MIB;
/** How long the normal client keeps sending while the attack holds. */
const SENDS = 20;

let team: Team;
let server: Serving | undefined;
let started: Started;
const attackers: Peer[] = [];

before(async () => {
  team = await makeTeam(['mallory', 'bob', 'carol']);
  const dataDir = join(team.dir.path, 'data');
  // The history as the attacker will find it, written with the server's own store.
  const { store } = await DiskHistory.open({
    dir: historyDir(dataDir),
    key: historyKeySource(pkiLayout(team.certsDir).historyKey, undefined),
    limits: { cache: PER_ROOM, keepDays: 0, keepMessages: 0 },
  });
  const text = 'x'.repeat(CHARS);
  for (let room = 0; room < ROOMS; room += 1) {
    const name = `#room${room}`;
    const appends: Promise<void>[] = [];
    for (let id = 1; id <= PER_ROOM; id += 1) {
      const message: StoredMessage = {
        type: 'msg',
        id,
        ts: 1_700_000_000_000 + id,
        room: name,
        from: 'bob',
        text,
      };
      appends.push(store.append(name, message));
    }
    await Promise.all(appends);
  }
  await store.close();
  server = await startServe(['--certs', team.certsDir, '--data', dataDir], team.dir.path);
  // The helpers take a started server for its port only.
  started = { port: server.port } as Started;
});

after(async () => {
  for (const peer of attackers) peer.socket.destroy();
  if (server) await stop(server.child);
  await team?.dir.cleanup();
});

describe('a member who resumes everything and never reads', () => {
  it('costs the server under 64 MiB; a normal client is served within 1 s throughout', {
    timeout: 90_000,
  }, async (t) => {
    const pid = server?.pid ?? 0;
    const witness = await helloPeer(started, await team.credentials('carol'), {
      localAddress: '127.0.0.3',
    });
    // A well-behaved client from another address, raw so that its address can be chosen.
    const bob = await helloPeer(started, await team.credentials('bob'), {
      localAddress: '127.0.0.2',
    });
    try {
      const start = await rssOf(pid);
      const resume = Object.fromEntries(
        Array.from({ length: ROOMS }, (_, room) => [`#room${room}`, 0]),
      );
      const hello = line({ type: 'hello', v: 1, client: 'hostile/1', resume });
      for (let device = 0; device < DEVICES; device += 1) {
        const peer = await connectPeer(started, await team.credentials('mallory'));
        peer.socket.pause(); // never reads
        peer.socket.write(hello);
        attackers.push(peer);
      }
      const rss = sampleRss(pid, 50);
      const slowest: number[] = [];
      for (let i = 0; i < SENDS; i += 1) {
        const text = `during the replay flood ${i}`;
        const from = witness.frames.length;
        const began = performance.now();
        await withDeadline(
          (async () => {
            const ref = `r${i}`;
            const at = bob.frames.length;
            bob.socket.write(sendLine(text, ref));
            await bob.waitFrame((f) => f.type === 'ack' && f.ref === ref, 'ack', { from: at });
            await witness.waitFrame((f) => f.type === 'msg' && f.text === text, 'delivery', {
              from,
            });
          })(),
          SERVED_WITHIN_MS,
          `send ${i} acked and delivered`,
        );
        slowest.push(performance.now() - began);
        // The rate limit's pace, so the normal client is never the one refused.
        await new Promise<void>((resolve) => setTimeout(resolve, 1_000 / D.ratePerSecond));
      }
      const peak = await rss.stop();
      const growth = peak - start;
      t.diagnostic(
        `server RSS ${(start / MIB).toFixed(0)} MiB before, ${(peak / MIB).toFixed(0)} MiB at the peak (+${(growth / MIB).toFixed(1)} MiB, ${rss.samples.length} samples); slowest send ${Math.max(...slowest).toFixed(0)} ms`,
      );
      assert.ok(growth < MAX_GROWTH, `RSS grew ${(growth / MIB).toFixed(1)} MiB`);
      for (const peer of attackers)
        assert.ok(!peer.socket.destroyed, 'the attackers were still connected');
    } finally {
      await bob.end();
      await withDeadline(witness.end(), WAIT_MS, 'witness closed');
    }
  });
});
