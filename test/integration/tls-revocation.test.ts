import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { issueClient, revokeClient } from '../../src/pki/client-certs.ts';
import { initPki } from '../../src/pki/init-pki.ts';
import { clientPaths } from '../../src/pki/layout.ts';
import { pkiContext, tempDir } from '../helpers/pki.ts';

/** What the server made of the handshake: whom it accepted, or why not. */
type Outcome = string;

/**
 * A real mutual-TLS server on loopback loaded with the team's CA and CRL, as
 * `chat serve` will be, and one connection from `user`'s certificate.
 */
describe('a node:tls server loaded with the CRL', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let ctx: ReturnType<typeof pkiContext>;

  before(async () => {
    dir = await tempDir();
    ctx = pkiContext(dir.path);
    await initPki(ctx, { user: 'root' });
    await issueClient(ctx, { name: 'alice' });
    await revokeClient(ctx, { name: 'alice' });
  });
  after(() => dir.cleanup());

  /**
   * With `reject` (as `chat serve` runs), node ends an unauthorized
   * handshake itself and reports only a hang-up; without it, the server
   * sees the verification error, and the client a completed handshake.
   */
  async function connectAs(user: string, reject: boolean): Promise<Outcome> {
    const read = (path: string) => readFile(path);
    const [ca, cert, key, crl] = await Promise.all([
      read(ctx.layout.caCert),
      read(ctx.layout.serverCert),
      read(ctx.layout.serverKey),
      read(ctx.layout.crl),
    ]);
    const server = tls.createServer({
      ca,
      cert,
      key,
      crl,
      requestCert: true,
      rejectUnauthorized: reject,
      minVersion: 'TLSv1.3',
    });
    const serverSaw = new Promise<string>((resolve) => {
      server.once('secureConnection', (socket) => {
        const peer = socket.getPeerCertificate();
        resolve(
          socket.authorized
            ? `accepted ${peer.subject.CN}`
            : `unauthorized ${String(socket.authorizationError)}`,
        );
        socket.end();
      });
      server.once('tlsClientError', () => resolve('refused'));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const paths = clientPaths(ctx.layout, user);
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca,
      cert: await read(paths.cert),
      key: await read(paths.key),
    });
    // Under TLS 1.3 the client finishes its side before the server judges its
    // certificate, so a refusal reaches it as an end or a reset, never here.
    socket.on('error', () => {});
    socket.resume();
    const result = await serverSaw;
    await once(socket, 'close');
    server.close();
    await once(server, 'close');
    return result;
  }

  it('accepts a valid client certificate', async () => {
    assert.equal(await connectAs('root', true), 'accepted root');
  });

  it("refuses the revoked alice's handshake", async () => {
    assert.equal(await connectAs('alice', true), 'refused');
  });

  it('refuses alice because her certificate is revoked', async () => {
    assert.equal(await connectAs('alice', false), 'unauthorized CERT_REVOKED');
    assert.equal(await connectAs('root', false), 'accepted root');
  });
});
