import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { initPki } from '../../src/pki/init-pki.ts';
import { clientPaths } from '../../src/pki/layout.ts';
import {
  openssl,
  opensslSan,
  opensslVerify,
  pkiContext,
  snapshot,
  tempDir,
} from '../helpers/pki.ts';

const KEY_FILES = [
  'certs/ca.key',
  'certs/server.key',
  'certs/clients/root.key',
  'certs/history.key',
];

function extension<T extends x509.Extension>(
  cert: x509.X509Certificate,
  type: new (raw: ArrayBuffer) => T,
): T {
  const found = cert.getExtension(type);
  assert.ok(found, `missing ${type.name}`);
  return found;
}

/** The signature algorithm as openssl names it, e.g. ecdsa-with-SHA256. */
async function signatureAlgorithm(path: string): Promise<string> {
  const out = await openssl(['x509', '-noout', '-text', '-in', path]);
  return /Signature Algorithm: (\S+)/.exec(out.out)?.[1] ?? '';
}

describe('chat certs on an empty directory (EC P-256)', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let ctx: ReturnType<typeof pkiContext>;
  const pem = (name: string) => readFile(`${dir.path}/certs/${name}`, 'utf8');

  before(async () => {
    dir = await tempDir();
    ctx = pkiContext(dir.path);
    await initPki(ctx, { user: 'root', hosts: ['chat.example.com'], ips: ['192.0.2.7'] });
  });
  after(() => dir.cleanup());

  it('writes every file of the PKI', async () => {
    const files = Object.keys(await snapshot(dir.path)).sort();
    assert.deepEqual(files, [
      'certs/',
      'certs/ca.crt',
      'certs/ca.key',
      'certs/clients/',
      'certs/clients/root.crt',
      'certs/clients/root.key',
      'certs/crl.pem',
      'certs/history.key',
      'certs/server.crt',
      'certs/server.key',
    ]);
  });

  it('keeps private keys 0600 and directories 0700', async () => {
    const snap = await snapshot(dir.path);
    for (const key of KEY_FILES) assert.match(snap[key] ?? '', /^600 /, key);
    assert.equal(snap['certs/'], '700');
    assert.equal(snap['certs/clients/'], '700');
    assert.match(snap['certs/ca.crt'] ?? '', /^644 /);
  });

  it('makes a history key of 32 bytes', async () => {
    assert.equal((await stat(ctx.layout.historyKey)).size, 32);
  });

  it('builds a chain that openssl verifies', async () => {
    const result = await opensslVerify(ctx.layout, [
      ctx.layout.serverCert,
      clientPaths(ctx.layout, 'root').cert,
    ]);
    assert.equal(result.code, 0, result.out);
    assert.match(result.out, /server\.crt: OK/);
    assert.match(result.out, /root\.crt: OK/);
  });

  it('makes the CA a critical CA:true with keyCertSign and cRLSign only', async () => {
    const ca = new x509.X509Certificate(await pem('ca.crt'));
    const basic = extension(ca, x509.BasicConstraintsExtension);
    assert.equal(basic.ca, true);
    assert.equal(basic.critical, true);
    const usage = extension(ca, x509.KeyUsagesExtension);
    assert.equal(usage.usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    assert.equal(ca.subject, 'CN=chat team CA');
    assert.equal(await signatureAlgorithm(ctx.layout.caCert), 'ecdsa-with-SHA256');
    assert.equal(await signatureAlgorithm(ctx.layout.serverCert), 'ecdsa-with-SHA256');
  });

  it('names localhost, the loopback addresses and the extra names in the server SAN', async () => {
    const san = await opensslSan(ctx.layout.serverCert);
    for (const name of [
      'DNS:localhost',
      'DNS:chat.example.com',
      'IP Address:127.0.0.1',
      'IP Address:0:0:0:0:0:0:0:1',
      'IP Address:192.0.2.7',
    ]) {
      assert.ok(san.includes(name), `${name} in ${san}`);
    }
    const server = new X509Certificate(await pem('server.crt'));
    assert.equal(server.subject, 'CN=localhost');
    assert.equal(server.checkHost('localhost'), 'localhost');
    assert.equal(server.checkIP('::1'), '::1');
  });

  it('gives the server serverAuth and the client clientAuth, neither a CA', async () => {
    const server = new x509.X509Certificate(await pem('server.crt'));
    const client = new x509.X509Certificate(await pem('clients/root.crt'));
    assert.deepEqual(
      [...extension(server, x509.ExtendedKeyUsageExtension).usages],
      [x509.ExtendedKeyUsage.serverAuth],
    );
    assert.deepEqual(
      [...extension(client, x509.ExtendedKeyUsageExtension).usages],
      [x509.ExtendedKeyUsage.clientAuth],
    );
    for (const leaf of [server, client]) {
      assert.equal(extension(leaf, x509.BasicConstraintsExtension).ca, false);
      assert.equal(
        extension(leaf, x509.KeyUsagesExtension).usages,
        x509.KeyUsageFlags.digitalSignature,
      );
    }
    assert.equal(client.subject, 'CN=root');
  });

  it('uses EC P-256 keys', async () => {
    const key = new X509Certificate(await pem('server.crt')).publicKey;
    assert.equal(key.asymmetricKeyType, 'ec');
    assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  });

  it('lets the CA outlive the leaves', async () => {
    const ca = new X509Certificate(await pem('ca.crt'));
    const server = new X509Certificate(await pem('server.crt'));
    assert.ok(new Date(ca.validTo) > new Date(server.validTo));
    const days = (new Date(server.validTo).getTime() - ctx.now.getTime()) / 86_400_000;
    assert.ok(Math.round(days) === 825, `server valid ${days} days`);
  });

  it('starts an empty CRL that openssl accepts', async () => {
    const out = await opensslVerify(ctx.layout, [ctx.layout.serverCert], { crl: true });
    assert.equal(out.code, 0, out.out);
  });

  it('changes nothing when run again, and says what exists', async () => {
    const before = await snapshot(dir.path);
    const report = await initPki(ctx, { user: 'root' });
    assert.deepEqual(await snapshot(dir.path), before);
    assert.deepEqual(
      report.map((line) => line.status),
      ['exists', 'exists', 'exists', 'exists', 'exists'],
    );
  });

  it('notes names the existing server certificate lacks, and changes nothing', async () => {
    const before = await snapshot(dir.path);
    const report = await initPki(ctx, {
      user: 'root',
      hosts: ['chat.example.com', 'new.example'],
      ips: ['::1', '0:0::1', '192.0.2.7'],
    });
    assert.deepEqual(await snapshot(dir.path), before);
    const notes = report.filter((l) => l.status === 'note').map((l) => l.text);
    assert.equal(notes.length, 1);
    assert.match(notes[0] ?? '', /does not name new\.example:/);
  });

  it('re-creates the CA and certificates with force, keeping the history key', async () => {
    const before = await snapshot(dir.path);
    await initPki(ctx, { user: 'root', force: true });
    const afterForce = await snapshot(dir.path);
    for (const file of [
      'certs/ca.crt',
      'certs/ca.key',
      'certs/server.crt',
      'certs/server.key',
      'certs/clients/root.crt',
      'certs/crl.pem',
    ]) {
      assert.notEqual(afterForce[file], before[file], file);
    }
    assert.equal(afterForce['certs/history.key'], before['certs/history.key']);
    for (const key of KEY_FILES) assert.match(afterForce[key] ?? '', /^600 /, key);
    const verify = await opensslVerify(ctx.layout, [ctx.layout.serverCert]);
    assert.equal(verify.code, 0, verify.out);
  });
});

describe('chat certs with RSA keys', () => {
  it('issues RSA 2048 keys signed with SHA-256 and keyEncipherment on leaves', async () => {
    const dir = await tempDir();
    try {
      const ctx = pkiContext(dir.path);
      await initPki(ctx, { user: 'root', key: { type: 'rsa', size: 2048 }, days: 30, caDays: 60 });
      const server = new x509.X509Certificate(await readFile(ctx.layout.serverCert, 'utf8'));
      const node = new X509Certificate(await readFile(ctx.layout.serverCert, 'utf8'));
      assert.equal(node.publicKey.asymmetricKeyType, 'rsa');
      assert.equal(node.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
      assert.equal(await signatureAlgorithm(ctx.layout.serverCert), 'sha256WithRSAEncryption');
      assert.equal(
        extension(server, x509.KeyUsagesExtension).usages,
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      );
      const days = (new Date(node.validTo).getTime() - ctx.now.getTime()) / 86_400_000;
      assert.equal(Math.round(days), 30);
      const verify = await opensslVerify(ctx.layout, [ctx.layout.serverCert]);
      assert.equal(verify.code, 0, verify.out);
    } finally {
      await dir.cleanup();
    }
  });

  it('never lets a leaf outlive its CA', async () => {
    const dir = await tempDir();
    try {
      const ctx = pkiContext(dir.path);
      await initPki(ctx, { user: 'root', days: 400, caDays: 100 });
      const ca = new X509Certificate(await readFile(ctx.layout.caCert, 'utf8'));
      const server = new X509Certificate(await readFile(ctx.layout.serverCert, 'utf8'));
      assert.equal(server.validTo, ca.validTo);
    } finally {
      await dir.cleanup();
    }
  });
});
