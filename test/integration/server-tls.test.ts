import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';

/** One TLS handshake against the server; resolves with what it agreed on, or the error code. */
async function handshake(
  started: Started,
  team: Team,
  options: tls.ConnectionOptions,
): Promise<{ version?: string; cipher?: string; error?: string; socket?: tls.TLSSocket }> {
  const socket = tls.connect({
    host: '127.0.0.1',
    port: started.port,
    servername: 'localhost',
    ...(await team.credentials('alice')),
    ...options,
  });
  try {
    await once(socket, 'secureConnect');
    return { version: socket.getProtocol() ?? '', cipher: socket.getCipher().name, socket };
  } catch (error) {
    socket.destroy();
    return { error: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
}

async function closeSocket(socket: tls.TLSSocket | undefined): Promise<void> {
  if (!socket || socket.destroyed) return;
  const closed = once(socket, 'close');
  socket.destroy();
  await closed;
}

describe('TLS settings of the server', () => {
  let team: Team;
  let strict: Started;
  let legacy: Started;

  before(async () => {
    team = await makeTeam(['alice']);
    strict = await startServer(team);
    legacy = await startServer(team, { tlsMin: '1.2' });
  });
  after(async () => {
    await strict.server.close();
    await legacy.server.close();
    await team.dir.cleanup();
  });

  it('speaks TLS 1.3 by default and refuses a TLS 1.2 client', async () => {
    const modern = await handshake(strict, team, {});
    assert.equal(modern.version, 'TLSv1.3');
    await closeSocket(modern.socket);
    const old = await handshake(strict, team, { maxVersion: 'TLSv1.2' });
    assert.ok(old.error, 'a TLS 1.2 handshake must fail');
  });

  it('with --tls-min 1.2 offers only ECDHE with AEAD ciphers', async () => {
    const ok = await handshake(legacy, team, { maxVersion: 'TLSv1.2' });
    assert.equal(ok.version, 'TLSv1.2');
    assert.match(
      ok.cipher ?? '',
      /^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/,
    );
    await closeSocket(ok.socket);
    for (const weak of [
      'ECDHE-ECDSA-AES128-SHA',
      'ECDHE-ECDSA-AES256-SHA384',
      'AES128-GCM-SHA256',
    ]) {
      const refused = await handshake(legacy, team, { maxVersion: 'TLSv1.2', ciphers: weak });
      assert.ok(refused.error, `${weak} must be refused`);
    }
  });

  it('refuses a client renegotiation under TLS 1.2', async () => {
    const ok = await handshake(legacy, team, { maxVersion: 'TLSv1.2' });
    const socket = ok.socket as tls.TLSSocket;
    socket.on('error', () => {});
    const outcome = await new Promise<Error | null>((resolve) => {
      const asked = socket.renegotiate({}, (error) => resolve(error));
      if (!asked) resolve(new Error('renegotiate() refused locally'));
      socket.once('close', () => resolve(new Error('closed')));
    });
    assert.ok(outcome instanceof Error, 'renegotiation must not succeed');
    await closeSocket(socket);
  });
});
