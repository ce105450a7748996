import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { issueClient, revokeClient } from '../../src/net/pki/client-certs.ts';
import { readCrl } from '../../src/net/pki/crl.ts';
import { initPki } from '../../src/net/pki/init-pki.ts';
import { normalizeSerial } from '../../src/net/pki/keys.ts';
import { clientPaths } from '../../src/net/pki/layout.ts';
import { pkiContext, snapshot, tempDir } from '../helpers/pki.ts';

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  assert.ok(child.pid);
  return child.pid;
}

describe('the certs directory lock', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let ctx: ReturnType<typeof pkiContext>;
  const users = ['alice', 'bob', 'carol', 'dave'];
  const revokedSerials = async () =>
    readCrl(await readFile(ctx.layout.crl, 'utf8')).revocations.map((r) => r.serial);
  const serialOf = async (user: string) =>
    normalizeSerial(
      new X509Certificate(await readFile(clientPaths(ctx.layout, user).cert, 'utf8')).serialNumber,
    );

  before(async () => {
    dir = await tempDir();
    ctx = pkiContext(dir.path);
    await initPki(ctx, { user: 'root' });
    for (const user of users) await issueClient(ctx, { name: user });
  });
  after(() => dir.cleanup());

  it('loses no revocation when two revokes run at once: each lands or fails with BUSY', async () => {
    const results = await Promise.allSettled(
      ['alice', 'bob'].map((name) => revokeClient(ctx, { name })),
    );
    const serials = await revokedSerials();
    for (const [i, result] of results.entries()) {
      const user = ['alice', 'bob'][i] ?? '';
      if (result.status === 'fulfilled') {
        assert.ok(serials.includes(await serialOf(user)), `${user} said revoked but is not`);
      } else {
        assert.equal((result.reason as { code?: string }).code, 'BUSY');
      }
    }
    assert.ok(results.some((r) => r.status === 'fulfilled'));
    assert.ok(!(await readdir(ctx.layout.dir)).includes('.lock'), 'the lock is released');
  });

  it('refuses to work while a live process holds the lock, changing nothing', async () => {
    // Another live process: our own pid in a lock we do not hold reads as left by a crash.
    await writeFile(join(ctx.layout.dir, '.lock'), `${process.ppid}\n`);
    try {
      const before = await snapshot(dir.path);
      await assert.rejects(
        revokeClient(ctx, { name: 'carol' }),
        (error: Error & { code?: string; hint?: string }) => {
          assert.equal(error.code, 'BUSY');
          assert.match(error.message, /another chat certs is working in/);
          assert.match(error.hint ?? '', /\.lock/);
          return true;
        },
      );
      await assert.rejects(issueClient(ctx, { name: 'erin' }), { code: 'BUSY' });
      await assert.rejects(initPki(ctx, { user: 'root', force: true }), { code: 'BUSY' });
      assert.deepEqual(await snapshot(dir.path), before);
    } finally {
      await rm(join(ctx.layout.dir, '.lock'), { force: true });
    }
  });

  it('takes over a lock whose process is gone', async () => {
    await writeFile(join(ctx.layout.dir, '.lock'), `${await deadPid()}\n`);
    const report = await revokeClient(ctx, { name: 'dave' });
    assert.equal(report[0]?.status, 'revoked');
    assert.ok((await revokedSerials()).includes(await serialOf('dave')));
    assert.ok(!(await readdir(ctx.layout.dir)).includes('.lock'));
  });
});
