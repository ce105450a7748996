import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { ChatError } from '../../src/errors.ts';
import { issueClient, revokeClient } from '../../src/pki/client-certs.ts';
import { readCrl } from '../../src/pki/crl.ts';
import { initPki } from '../../src/pki/init-pki.ts';
import { normalizeSerial } from '../../src/pki/keys.ts';
import { clientPaths } from '../../src/pki/layout.ts';
import { listCertificates } from '../../src/pki/list-certs.ts';
import { reissueServer } from '../../src/pki/server-cert.ts';
import {
  openssl,
  opensslSan,
  opensslVerify,
  pkiContext,
  snapshot,
  tempDir,
} from '../helpers/pki.ts';

const DAY = 86_400_000;

async function serialOf(path: string): Promise<string> {
  return normalizeSerial(new X509Certificate(await readFile(path, 'utf8')).serialNumber);
}

describe('client certificates, revocation and listing', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let ctx: ReturnType<typeof pkiContext>;
  let alice: { cert: string; key: string };

  before(async () => {
    dir = await tempDir();
    ctx = pkiContext(dir.path);
    alice = clientPaths(ctx.layout, 'alice');
    await initPki(ctx, { user: 'root' });
  });
  after(() => dir.cleanup());

  it('issues a client certificate with CN = name that openssl verifies', async () => {
    const report = await issueClient(ctx, { name: 'alice' });
    assert.deepEqual(
      report.map((l) => [l.status, l.path]),
      [['created', alice.cert]],
    );
    const cert = new X509Certificate(await readFile(alice.cert, 'utf8'));
    assert.equal(cert.subject, 'CN=alice');
    const snap = await snapshot(dir.path);
    assert.match(snap['certs/clients/alice.key'] ?? '', /^600 /);
    const out = await opensslVerify(ctx.layout, [alice.cert]);
    assert.equal(out.code, 0, out.out);
  });

  it('refuses to replace an existing certificate without force, changing nothing', async () => {
    const before = await snapshot(dir.path);
    await assert.rejects(issueClient(ctx, { name: 'alice' }), { code: 'CERT_EXISTS' });
    assert.deepEqual(await snapshot(dir.path), before);
  });

  it('replaces it with force and revokes the one it replaces', async () => {
    const oldSerial = await serialOf(alice.cert);
    const report = await issueClient(ctx, { name: 'alice', force: true });
    assert.deepEqual(
      report.map((l) => l.status),
      ['created', 'revoked'],
    );
    const newSerial = await serialOf(alice.cert);
    assert.notEqual(newSerial, oldSerial);
    const crl = readCrl(await readFile(ctx.layout.crl, 'utf8'));
    assert.deepEqual(
      crl.revocations.map((r) => [r.serial, r.reason]),
      [[oldSerial, 'superseded']],
    );
    assert.equal(crl.number, 2);
  });

  it('revokes by name so that openssl reports "certificate revoked"', async () => {
    const report = await revokeClient(ctx, { name: 'alice' });
    assert.equal(report[0]?.status, 'revoked');
    const out = await opensslVerify(ctx.layout, [alice.cert], { crl: true });
    assert.notEqual(out.code, 0);
    assert.match(out.out, /certificate revoked/);
    const root = await opensslVerify(ctx.layout, [clientPaths(ctx.layout, 'root').cert], {
      crl: true,
    });
    assert.equal(root.code, 0, root.out);
  });

  it('says so, and changes nothing, when revoking twice', async () => {
    const before = await snapshot(dir.path);
    const report = await revokeClient(ctx, { name: 'alice' });
    assert.equal(report[0]?.status, 'exists');
    assert.deepEqual(await snapshot(dir.path), before);
  });

  it('lists every certificate with its status and fingerprint', async () => {
    await issueClient(ctx, { name: 'bob', days: 10 });
    const { certs, warnings } = await listCertificates(ctx);
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      certs.map((c) => [c.kind, c.commonName, c.status]),
      [
        ['ca', 'chat team CA', 'valid'],
        ['server', 'localhost', 'valid'],
        ['client', 'alice', 'revoked'],
        ['client', 'bob', 'expires soon'],
        ['client', 'root', 'valid'],
      ],
    );
    const root = certs.find((c) => c.commonName === 'root');
    const pem = await readFile(clientPaths(ctx.layout, 'root').cert, 'utf8');
    const fingerprint = await openssl([
      'x509',
      '-noout',
      '-fingerprint',
      '-sha256',
      '-in',
      clientPaths(ctx.layout, 'root').cert,
    ]);
    assert.equal(`sha256 Fingerprint=${root?.fingerprint}`, fingerprint.out.trim());
    assert.equal(root?.serial, normalizeSerial(new X509Certificate(pem).serialNumber));
  });

  it('lists a certificate past its date as expired', async () => {
    const later = { ...ctx, now: new Date(ctx.now.getTime() + 11 * DAY) };
    const { certs } = await listCertificates(later);
    assert.equal(certs.find((c) => c.commonName === 'bob')?.status, 'expired');
  });

  it('re-issues the server certificate with exactly the names given', async () => {
    const before = await serialOf(ctx.layout.serverCert);
    await reissueServer(ctx, { hosts: ['Chat.Example.org'], ips: ['198.51.100.4'] });
    assert.notEqual(await serialOf(ctx.layout.serverCert), before);
    const san = await opensslSan(ctx.layout.serverCert);
    assert.match(
      san,
      /DNS:localhost, DNS:chat\.example\.org, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1, IP Address:198\.51\.100\.4/,
    );
  });

  it('shows certificates of a replaced CA as untrusted', async () => {
    await initPki(ctx, { user: 'root', force: true });
    const { certs, warnings } = await listCertificates(ctx);
    assert.equal(certs.find((c) => c.commonName === 'bob')?.status, 'untrusted');
    assert.equal(certs.find((c) => c.commonName === 'root')?.status, 'valid');
    assert.deepEqual(warnings, []);
  });

  it('rejects errors as ChatError with a hint', async () => {
    const error = await revokeClient(ctx, { name: 'ghost' }).catch((e: unknown) => e);
    assert.ok(error instanceof ChatError);
    assert.equal(error.code, 'CERT_NOT_FOUND');
    assert.match(error.hint ?? '', /chat certs client ghost/);
  });
});

describe("a user's devices: one certificate each, the same name", () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let ctx: ReturnType<typeof pkiContext>;
  const paths = (device?: string) => clientPaths(ctx.layout, 'dana', device);
  const revokedSerials = async () =>
    readCrl(await readFile(ctx.layout.crl, 'utf8'))
      .revocations.map((r) => r.serial)
      .sort();

  before(async () => {
    dir = await tempDir();
    ctx = pkiContext(dir.path);
    await initPki(ctx, { user: 'root' });
    await issueClient(ctx, { name: 'dana' });
  });
  after(() => dir.cleanup());

  it('issues a second certificate for dana --device phone, CN dana, in files of its own', async () => {
    const first = await serialOf(paths().cert);
    const report = await issueClient(ctx, { name: 'dana', device: 'phone' });
    assert.deepEqual(
      report.map((l) => [l.status, l.path]),
      [['created', paths('phone').cert]],
    );
    const phone = new X509Certificate(await readFile(paths('phone').cert, 'utf8'));
    assert.equal(phone.subject, 'CN=dana');
    assert.equal(await serialOf(paths().cert), first, 'the first certificate is left alone');
    const snap = await snapshot(dir.path);
    assert.match(snap['certs/clients/dana@phone.key'] ?? '', /^600 /);
    assert.equal((await opensslVerify(ctx.layout, [paths('phone').cert])).code, 0);
  });

  it('refuses the same device twice, and a bad device name, with a hint', async () => {
    await assert.rejects(issueClient(ctx, { name: 'dana', device: 'phone' }), (e: unknown) => {
      assert.ok(e instanceof ChatError);
      assert.equal(e.code, 'CERT_EXISTS');
      assert.match(e.hint ?? '', /chat certs client dana --device phone --force/);
      return true;
    });
    await assert.rejects(issueClient(ctx, { name: 'dana', device: 'Pho/ne' }), {
      code: 'INVALID_NAME',
    });
  });

  it('replaces one device with force, revoking only that device', async () => {
    await issueClient(ctx, { name: 'dana', device: 'laptop' });
    const [old, laptop, first] = await Promise.all(
      [paths('phone'), paths('laptop'), paths()].map((p) => serialOf(p.cert)),
    );
    await issueClient(ctx, { name: 'dana', device: 'phone', force: true });
    assert.deepEqual(await revokedSerials(), [old]);
    assert.equal(await serialOf(paths('laptop').cert), laptop);
    assert.equal(await serialOf(paths().cert), first);
  });

  it('revokes one device with --device, and every one of the user without', async () => {
    const [phone, laptop, first] = await Promise.all(
      [paths('phone'), paths('laptop'), paths()].map((p) => serialOf(p.cert)),
    );
    const before = await revokedSerials();
    await revokeClient(ctx, { name: 'dana', device: 'laptop' });
    assert.deepEqual(await revokedSerials(), [...before, laptop].sort());
    const report = await revokeClient(ctx, { name: 'dana' });
    assert.deepEqual(
      report.map((l) => l.status),
      ['revoked', 'exists', 'revoked'],
    );
    assert.deepEqual(await revokedSerials(), [...before, laptop, first, phone].sort());
    const { certs } = await listCertificates(ctx);
    assert.deepEqual(
      certs.filter((c) => c.commonName === 'dana').map((c) => c.status),
      ['revoked', 'revoked', 'revoked'],
    );
  });
});
