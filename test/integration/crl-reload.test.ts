import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ChatError } from '../../src/errors.ts';
import type { ChatClient } from '../../src/net/chat-client.ts';
import type { ClientState } from '../../src/net/client-types.ts';
import { revokeClient } from '../../src/pki/client-certs.ts';
import { watchCrl } from '../../src/server/crl-watch.ts';
import { loadServerTls } from '../../src/server/tls-options.ts';
import {
  client,
  makeTeam,
  nextEvent,
  type Started,
  startServer,
  type Team,
} from '../helpers/chat-server.ts';
import { tempDir } from '../helpers/pki.ts';

describe('revocation that bites: a new CRL cuts off live sessions', () => {
  let team: Team;
  let started: Started;
  const clients: ChatClient[] = [];

  before(async () => {
    team = await makeTeam(['alice', 'bob', 'carol']);
    started = await startServer(team);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await started.server.close();
    await team.dir.cleanup();
  });

  async function connected(user: string): Promise<ChatClient> {
    const c = await client(team, started, user);
    clients.push(c);
    await c.connect();
    return c;
  }

  it('closes the revoked user with a reason, keeps the others, refuses the next handshake', async () => {
    const before = await loadServerTls(team.certsDir, '1.3');
    const alice = await connected('alice');
    const bob = await connected('bob');
    const told = nextEvent<[ClientState, { error?: ChatError }]>(
      bob,
      'state',
      (_state, detail) => detail.error !== undefined,
    );
    await revokeClient(team.ctx, { name: 'bob' });
    const closed = started.server.reloadTls(await loadServerTls(team.certsDir, '1.3'));
    assert.equal(closed, 1);
    const [state, detail] = await told;
    assert.equal(state, 'offline', 'a revoked client does not retry');
    assert.match(String(detail.error?.message), /your certificate was revoked/);
    assert.ok(started.logs.some((r) => r.msg === 'crl reloaded' && r.closed === 1));
    // alice is still served.
    const ack = await alice.send('#general', 'still here');
    assert.ok(ack.id > 0);
    // bob's next connection is refused at the handshake.
    const again = await client(team, started, 'bob', { reconnect: false });
    clients.push(again);
    await assert.rejects(again.connect(), /revoked|refused/i);

    // Never a step back: a CRL gone, or an older one, is refused and the revocation holds.
    const now = await loadServerTls(team.certsDir, '1.3');
    const { crl: _, ...withoutCrl } = now.options;
    assert.throws(() => started.server.reloadTls({ ...now, options: withoutCrl }), /gone/);
    assert.throws(() => started.server.reloadTls(before), /older/);
    const stillOut = await client(team, started, 'bob', { reconnect: false });
    clients.push(stillOut);
    await assert.rejects(stillOut.connect(), /revoked|refused/i);
  });
});

/**
 * A TCP relay to the server that passes the client's first flight (its
 * ClientHello) and holds everything after it (its certificate and Finished)
 * until released: a handshake caught halfway.
 */
async function holdingRelay(port: number) {
  let holding: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    holding = resolve;
  });
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const sockets: net.Socket[] = [];
  const relay = net.createServer((inbound) => {
    const outbound = net.connect({ host: '127.0.0.1', port });
    sockets.push(inbound, outbound);
    for (const socket of [inbound, outbound]) {
      socket.on('error', () => {});
      socket.on('close', () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    outbound.on('data', (chunk: Buffer) => inbound.write(chunk));
    let flights = 0;
    inbound.on('data', (chunk: Buffer) => {
      flights += 1;
      if (flights === 1) {
        outbound.write(chunk);
        return;
      }
      holding();
      void released.then(() => outbound.write(chunk));
    });
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const { port: relayPort } = relay.address() as net.AddressInfo;
  const close = async () => {
    release();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => relay.close(() => resolve()));
  };
  return { port: relayPort, held, release, close };
}

describe('a handshake begun before a CRL reload', () => {
  it('is checked against the new CRL once it completes: told why, then closed', async () => {
    const team = await makeTeam(['alice', 'carol']);
    const started = await startServer(team);
    const relay = await holdingRelay(started.port);
    const carol = await client(team, started, 'carol', { port: relay.port, reconnect: false });
    try {
      const refused = carol.connect();
      refused.catch(() => {});
      // carol's ClientHello went through, under the old CRL: now she is revoked and it reloads.
      await relay.held;
      await revokeClient(team.ctx, { name: 'carol' });
      assert.equal(started.server.reloadTls(await loadServerTls(team.certsDir, '1.3')), 0);
      relay.release();
      await assert.rejects(refused, /your certificate was revoked/);
      assert.equal(carol.state, 'offline', 'a revoked client does not retry');
      assert.ok(started.logs.some((r) => r.msg === 'certificate refused: revoked'));
    } finally {
      await carol.close();
      await relay.close();
      await started.server.close();
      await team.dir.cleanup();
    }
  });
});

describe('watchCrl', () => {
  it('sees crl.pem replaced by a rename, and ignores other files', async () => {
    const dir = await tempDir();
    try {
      const crl = join(dir.path, 'crl.pem');
      await writeFile(crl, 'one');
      let changes = 0;
      let seen: () => void = () => {};
      const stop = watchCrl(crl, () => {
        changes += 1;
        seen();
      });
      try {
        const changed = new Promise<void>((resolve) => {
          seen = resolve;
        });
        await writeFile(join(dir.path, 'other.txt'), 'x');
        await writeFile(join(dir.path, 'crl.pem.tmp'), 'two');
        await rename(join(dir.path, 'crl.pem.tmp'), crl);
        await changed;
        assert.equal(changes, 1, 'one change for the rename, none for other files');
      } finally {
        stop();
      }
    } finally {
      await dir.cleanup();
    }
  });
});
