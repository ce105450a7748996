import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { revokeClient } from '../../src/pki/client-certs.ts';
import { buildCrl, readCrl } from '../../src/pki/crl.ts';
import { initPki } from '../../src/pki/init-pki.ts';
import { clientPaths } from '../../src/pki/layout.ts';
import { openssl, opensslVerify, pkiContext, tempDir } from '../helpers/pki.ts';

// A serial whose first byte has the top bit set: DER needs a leading 00 byte
// for it, or the INTEGER reads as negative.
const HIGH_SERIAL = 'ff0011223344556677';

describe('CRL serial numbers', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let ctx: ReturnType<typeof pkiContext>;

  before(async () => {
    dir = await tempDir();
    ctx = pkiContext(dir.path);
    await initPki(ctx, { user: 'root' });
  });
  after(() => dir.cleanup());

  it('writes a serial with the top bit set as a positive number, and reads it back', async () => {
    const ca = {
      cert: await readFile(ctx.layout.caCert, 'utf8'),
      key: await readFile(ctx.layout.caKey, 'utf8'),
    };
    const pem = await buildCrl({
      ca,
      number: 7,
      revocations: [
        { serial: HIGH_SERIAL, revokedAt: ctx.now, reason: 'key-compromise' },
        { serial: 'abc', revokedAt: ctx.now, reason: 'superseded' },
        { serial: '7f01', revokedAt: ctx.now, reason: 'superseded' },
      ],
      thisUpdate: ctx.now,
      nextUpdate: new Date(ctx.now.getTime() + 86_400_000),
    });
    const path = join(dir.path, 'high.pem');
    await writeFile(path, pem);
    const text = await openssl(['crl', '-noout', '-text', '-in', path]);
    assert.equal(text.code, 0, text.out);
    assert.match(text.out, /Serial Number: FF0011223344556677\n/);
    assert.match(text.out, /Serial Number: 0ABC\n/);
    assert.match(text.out, /Serial Number: 7F01\n/);
    assert.doesNotMatch(text.out, /Serial Number: -/);
    assert.deepEqual(
      readCrl(pem).revocations.map((r) => r.serial),
      [HIGH_SERIAL, 'abc', '7f01'],
    );
  });

  it('revokes a real certificate with such a serial so that openssl says "certificate revoked"', async () => {
    const eve = clientPaths(ctx.layout, 'eve');
    const csr = join(dir.path, 'eve.csr');
    const made = await openssl([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      eve.key,
      '-subj',
      '/CN=eve',
      '-out',
      csr,
    ]);
    assert.equal(made.code, 0, made.out);
    const signed = await openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ctx.layout.caCert,
      '-CAkey',
      ctx.layout.caKey,
      '-set_serial',
      `0x${HIGH_SERIAL}`,
      '-days',
      '2',
      '-out',
      eve.cert,
    ]);
    assert.equal(signed.code, 0, signed.out);
    assert.equal((await opensslVerify(ctx.layout, [eve.cert], { crl: true })).code, 0);

    const report = await revokeClient(ctx, { name: 'eve' });
    assert.equal(report[0]?.status, 'revoked');
    const out = await opensslVerify(ctx.layout, [eve.cert], { crl: true });
    assert.notEqual(out.code, 0);
    assert.match(out.out, /certificate revoked/);
    const again = await revokeClient(ctx, { name: 'eve' });
    assert.equal(again[0]?.status, 'exists', 'the serial read back matches the certificate');
  });
});
