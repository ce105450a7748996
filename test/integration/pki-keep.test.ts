import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { issueClient } from '../../src/pki/client-certs.ts';
import { readCrl } from '../../src/pki/crl.ts';
import { initPki } from '../../src/pki/init-pki.ts';
import { normalizeSerial } from '../../src/pki/keys.ts';
import { clientPaths } from '../../src/pki/layout.ts';
import { opensslVerify, pkiContext, signalWhenOpened, snapshot, tempDir } from '../helpers/pki.ts';

type Ctx = ReturnType<typeof pkiContext>;

const serialOf = async (path: string) =>
  normalizeSerial(new X509Certificate(await readFile(path, 'utf8')).serialNumber);
const revoked = async (ctx: Ctx) =>
  readCrl(await readFile(ctx.layout.crl, 'utf8')).revocations.map((r) => [r.serial, r.reason]);

describe('what chat certs keeps', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let ctx: Ctx;
  let other: Ctx;
  const keep = () => {
    // The process must survive the SIGINTs these tests send.
  };

  before(async () => {
    dir = await tempDir();
    ctx = pkiContext(join(dir.path, 'team'));
    other = pkiContext(join(dir.path, 'other'));
    await initPki(ctx, { user: 'root' });
    await initPki(other, { user: 'root' });
    process.on('SIGINT', keep);
  });
  after(async () => {
    process.off('SIGINT', keep);
    await dir.cleanup();
  });

  it('leaves the old CA and all it signed when --force is interrupted half way', async () => {
    const before = await snapshot(ctx.layout.dir);
    // Interrupted while the client key is staged: after the CA and server were made.
    const restore = signalWhenOpened(/clients\/\.root\.key\..*\.tmp$/);
    try {
      await assert.rejects(initPki(ctx, { user: 'root', force: true }), { code: 'INTERRUPTED' });
    } finally {
      restore();
    }
    assert.deepEqual(await snapshot(ctx.layout.dir), before);
  });

  it('re-issues a kept server certificate that another CA signed, and says why', async () => {
    await copyFile(other.layout.serverCert, ctx.layout.serverCert);
    await copyFile(other.layout.serverKey, ctx.layout.serverKey);
    const report = await initPki(ctx, { user: 'root' });
    const server = report.filter((l) => l.path === ctx.layout.serverCert);
    assert.deepEqual(
      server.map((l) => l.status),
      ['created'],
    );
    assert.ok(
      report.some(
        (l) => l.status === 'note' && /server\.crt was not signed by the current CA/.test(l.text),
      ),
      JSON.stringify(report),
    );
    const verify = await opensslVerify(ctx.layout, [ctx.layout.serverCert]);
    assert.equal(verify.code, 0, verify.out);
  });

  it('re-issues a kept client certificate whose key is not its own, revoking the old one', async () => {
    const root = clientPaths(ctx.layout, 'root');
    const oldSerial = await serialOf(root.cert);
    await copyFile(clientPaths(other.layout, 'root').key, root.key);
    const report = await initPki(ctx, { user: 'root' });
    assert.deepEqual(
      report.filter((l) => l.path === root.cert).map((l) => l.status),
      ['created'],
    );
    assert.ok(report.some((l) => l.status === 'note' && /does not match its key/.test(l.text)));
    assert.notEqual(await serialOf(root.cert), oldSerial);
    assert.deepEqual(await revoked(ctx), [[oldSerial, 'superseded']]);
    const verify = await opensslVerify(ctx.layout, [root.cert], { crl: true });
    assert.equal(verify.code, 0, verify.out);
    const again = await initPki(ctx, { user: 'root' });
    assert.ok(
      again.every((l) => l.status === 'exists'),
      JSON.stringify(again),
    );
  });

  it('refuses a new CA when ca.crt is gone but ca.key or a client certificate is there', async () => {
    const lost = pkiContext(join(dir.path, 'lost'));
    await initPki(lost, { user: 'root' });
    await issueClient(lost, { name: 'alice' });
    await rm(lost.layout.caCert);
    await rm(lost.layout.serverCert);
    await rm(clientPaths(lost.layout, 'root').cert);
    const before = await snapshot(lost.layout.dir);
    await assert.rejects(initPki(lost, { user: 'root' }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'NO_CA');
      assert.match(error.message, /ca\.key exists but .*ca\.crt is missing/);
      return true;
    });
    await rm(lost.layout.caKey);
    await assert.rejects(initPki(lost, { user: 'root' }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'NO_CA');
      assert.match(error.message, /alice\.crt exists but/);
      return true;
    });
    delete before['ca.key'];
    assert.deepEqual(await snapshot(lost.layout.dir), before);
  });

  it('revokes nothing when the certificate replacing it cannot be written (client --force)', async () => {
    await issueClient(ctx, { name: 'bob' });
    const bob = clientPaths(ctx.layout, 'bob');
    await rm(bob.key);
    await mkdir(bob.key); // renaming the new key onto a directory fails
    const before = await snapshot(ctx.layout.dir);
    await assert.rejects(
      issueClient(ctx, { name: 'bob', force: true }),
      (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, 'DIR_UNWRITABLE');
        assert.match(error.message, /bob\.key/);
        assert.ok(error.hint);
        return true;
      },
    );
    assert.deepEqual(await snapshot(ctx.layout.dir), before);
  });
});
