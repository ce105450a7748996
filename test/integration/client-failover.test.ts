import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientState } from '../../src/net/client-types.ts';
import type { ServerFrameOf } from '../../src/net/protocol/frames.ts';
import { client, makeTeam, nextEvent, startServer } from '../helpers/chat-server.ts';
import { freePort } from '../helpers/cli.ts';
import { startImpostor } from '../helpers/impostors.ts';

/**
 * Issue 18, item 6: a client given several nodes of a cluster. These nodes
 * share nothing (two ChatServers on two ports, each its own history and
 * epoch): a resume on another node that keeps the positions needs the
 * shared store of the cluster, so here the test only checks that the client
 * reconnects to the other node by itself and can send there.
 */
describe('a client given several servers', () => {
  it('connects to one, fails over to the other when it stops, and skips one that refuses', async () => {
    const team = await makeTeam(['alice']);
    const one = await startServer(team);
    const two = await startServer(team);
    const refusing = await freePort();
    // Two names for the same loopback, each in the server's certificate:
    // hostname verification checks the host dialled, for every address.
    const nodes = [
      { host: 'localhost', port: one.port },
      { host: '127.0.0.1', port: two.port },
      { host: '127.0.0.1', port: refusing },
    ];
    const alice = await client(team, one, 'alice', {
      servers: nodes,
      rooms: ['#ops'],
      backoff: { baseMs: 20, maxMs: 100 },
      stepMs: 10,
    });
    const tried: string[] = [];
    alice.on('state', (_state: ClientState, detail) => {
      if (detail.server !== undefined) tried.push(detail.server);
    });
    const stopped: Array<Promise<void>> = [];
    try {
      const first = await alice.connect();
      const firstNode = alice.facts.server;
      assert.ok(
        firstNode === `localhost:${one.port}` || firstNode === `127.0.0.1:${two.port}`,
        `connected to ${firstNode}, a node that listens`,
      );
      await alice.send('#ops', 'on the first node');

      const [alive, dead] = firstNode === `localhost:${one.port}` ? [two, one] : [one, two];
      const back = nextEvent<[ServerFrameOf<'welcome'>]>(alice, 'welcome');
      stopped.push(dead.server.close());
      const [welcome] = await back;
      assert.equal(
        alice.facts.server,
        `${alive === one ? 'localhost' : '127.0.0.1'}:${alive.port}`,
      );
      assert.equal(alice.state, 'connected');
      // Another node sharing nothing: its own epoch (a cluster's nodes share theirs).
      assert.notEqual(welcome.epoch, first.epoch);
      const ack = await alice.send('#ops', 'on the other node');
      assert.ok(ack.id >= 1);
      // The rooms the client was in are joined again on the new node.
      assert.deepEqual(
        welcome.rooms.map((r) => r.room),
        ['#ops'],
      );

      // Stop the other node too: every round now tries every address, the refusing one included.
      const refused = nextEvent(
        alice,
        'state',
        (state: ClientState, detail: { error?: { message: string } }) =>
          state === 'reconnecting' &&
          detail.error?.message === `nothing is listening on 127.0.0.1:${refusing}`,
      );
      stopped.push(alive.server.close());
      await refused;
      assert.ok(tried.includes(`127.0.0.1:${refusing}`), tried.join(' '));
    } finally {
      await alice.close();
      await Promise.all(stopped);
      await one.server.close();
      await two.server.close();
      await team.dir.cleanup();
    }
  });

  it('skips an address that refuses connections on the first connect, in any order', async () => {
    const team = await makeTeam(['alice']);
    const node = await startServer(team);
    const refusing = await freePort();
    try {
      // Random draws that put the refusing address first, then last.
      for (const draw of [0, 0.99]) {
        const alice = await client(team, node, 'alice', {
          servers: [
            { host: 'localhost', port: node.port },
            { host: 'localhost', port: refusing },
          ],
          random: () => draw,
          stepMs: 10,
        });
        const states: string[] = [];
        alice.on('state', (state: ClientState, detail) => states.push(`${state} ${detail.server}`));
        try {
          await alice.connect();
          assert.equal(alice.facts.server, `localhost:${node.port}`);
          assert.equal(states[0], `connecting localhost:${draw === 0 ? refusing : node.port}`);
        } finally {
          await alice.close();
        }
      }
    } finally {
      await node.server.close();
      await team.dir.cleanup();
    }
  });

  it("passes over a node that is not the team's, and stops only when every node is such", async () => {
    const team = await makeTeam(['alice']);
    const other = await makeTeam(['mallory']);
    const node = await startServer(team);
    // Another team's certificate (SERVER_IDENTITY), and the team's on no chat server (NOT_A_CHAT_SERVER).
    const foreign = await startImpostor('https', other.certsDir);
    const https = await startImpostor('https', team.certsDir);
    const bad = [
      { host: 'localhost', port: foreign.port },
      { host: 'localhost', port: https.port },
    ];
    try {
      // Draws that keep the order: both impostors are tried before the node.
      const alice = await client(team, node, 'alice', {
        servers: [...bad, { host: 'localhost', port: node.port }],
        random: () => 0.999,
        stepMs: 10,
      });
      const errors: string[] = [];
      alice.on('state', (_state: ClientState, detail) => {
        if (detail.error) errors.push(detail.error.code);
      });
      try {
        await alice.connect();
        assert.equal(alice.facts.server, `localhost:${node.port}`);
        assert.deepEqual(errors, ['SERVER_IDENTITY', 'NOT_A_CHAT_SERVER']);
      } finally {
        await alice.close();
      }
      const lost = await client(team, node, 'alice', { servers: bad, stepMs: 10 });
      try {
        await assert.rejects(lost.connect(), (e: Error & { code?: string }) =>
          ['SERVER_IDENTITY', 'NOT_A_CHAT_SERVER'].includes(e.code ?? ''),
        );
        assert.equal(lost.state, 'offline');
      } finally {
        await lost.close();
      }
    } finally {
      await foreign.close();
      await https.close();
      await node.server.close();
      await team.dir.cleanup();
      await other.dir.cleanup();
    }
  });

  it('tries every address once without reconnect, then fails with the last reason', async () => {
    const team = await makeTeam(['alice']);
    const node = await startServer(team);
    const [a, b] = [await freePort(), await freePort()];
    await node.server.close();
    const alice = await client(team, node, 'alice', {
      servers: [
        { host: 'localhost', port: a },
        { host: '127.0.0.1', port: b },
      ],
      reconnect: false,
      stepMs: 10,
    });
    const tried: string[] = [];
    alice.on('state', (_state: ClientState, detail) => {
      if (detail.server !== undefined && !tried.includes(detail.server)) tried.push(detail.server);
    });
    try {
      await assert.rejects(alice.connect(), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'CONNECT_FAILED');
        return true;
      });
      assert.deepEqual([...tried].sort(), [`127.0.0.1:${b}`, `localhost:${a}`]);
      assert.equal(alice.state, 'offline');
    } finally {
      await alice.close();
      await team.dir.cleanup();
    }
  });
});
