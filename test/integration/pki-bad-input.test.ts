import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeFilesAtomically } from '../../src/fs/atomic-write.ts';
import { issueClient, revokeClient } from '../../src/pki/client-certs.ts';
import { initPki } from '../../src/pki/init-pki.ts';
import { reissueServer } from '../../src/pki/server-cert.ts';
import { pkiContext, snapshot, tempDir } from '../helpers/pki.ts';

type Ctx = ReturnType<typeof pkiContext>;

/** Runs `action`, expects it to fail with `code`, and checks no file changed. */
async function failsCleanly(
  dir: string,
  action: () => Promise<unknown>,
  code: string,
): Promise<void> {
  const before = await snapshot(dir);
  await assert.rejects(action(), (error: { code?: string; message?: string; hint?: string }) => {
    assert.equal(error.code, code, error.message);
    assert.ok(error.hint, 'every user error says how to fix it');
    assert.ok(!`${error.message}${error.hint}`.includes('\n'), 'one line');
    return true;
  });
  assert.deepEqual(await snapshot(dir), before, 'nothing was written or removed');
}

describe('bad input to chat certs', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let ctx: Ctx;
  let other: Ctx;

  before(async () => {
    dir = await tempDir();
    ctx = pkiContext(dir.path);
    other = pkiContext(join(dir.path, 'other'));
    await initPki(ctx, { user: 'root' });
    await initPki(other, { user: 'root' });
  });
  after(() => dir.cleanup());

  it('refuses to issue a client certificate when there is no CA', async () => {
    const empty = pkiContext(join(dir.path, 'empty'));
    await failsCleanly(dir.path, () => issueClient(empty, { name: 'alice' }), 'NO_CA');
    await failsCleanly(dir.path, () => revokeClient(empty, { name: 'alice' }), 'NO_CA');
    await failsCleanly(dir.path, () => reissueServer(empty, {}), 'NO_CA');
  });

  it('refuses invalid names everywhere', async () => {
    for (const name of ['', 'Alice', 'a'.repeat(33), '../etc', 'al ice', 'bob.smith', 'ünï']) {
      await failsCleanly(dir.path, () => issueClient(ctx, { name }), 'INVALID_NAME');
      await failsCleanly(dir.path, () => revokeClient(ctx, { name }), 'INVALID_NAME');
      await failsCleanly(dir.path, () => initPki(ctx, { user: name }), 'INVALID_NAME');
    }
  });

  it('refuses bad host names, addresses and day counts', async () => {
    await failsCleanly(
      dir.path,
      () => reissueServer(ctx, { hosts: ['*.example.com'] }),
      'INVALID_HOST',
    );
    await failsCleanly(
      dir.path,
      () => reissueServer(ctx, { hosts: ['-bad.example'] }),
      'INVALID_HOST',
    );
    await failsCleanly(dir.path, () => reissueServer(ctx, { ips: ['300.1.1.1'] }), 'INVALID_HOST');
    await failsCleanly(
      dir.path,
      () => issueClient(ctx, { name: 'alice', days: 0 }),
      'INVALID_DAYS',
    );
    await failsCleanly(
      dir.path,
      () => issueClient(ctx, { name: 'alice', days: 1.5 }),
      'INVALID_DAYS',
    );
  });

  it('refuses a missing, unreadable or mismatched CA key', async () => {
    const keyPath = ctx.layout.caKey;
    const saved = await readFile(keyPath);
    try {
      await rm(keyPath);
      await failsCleanly(dir.path, () => issueClient(ctx, { name: 'alice' }), 'CA_KEY_MISSING');
      await writeFile(
        keyPath,
        '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n',
        { mode: 0o600 },
      );
      await failsCleanly(dir.path, () => issueClient(ctx, { name: 'alice' }), 'CA_KEY_UNREADABLE');
      await failsCleanly(dir.path, () => revokeClient(ctx, { name: 'root' }), 'CA_KEY_UNREADABLE');
      await copyFile(other.layout.caKey, keyPath);
      await failsCleanly(dir.path, () => issueClient(ctx, { name: 'alice' }), 'CA_KEY_MISMATCH');
      await failsCleanly(dir.path, () => reissueServer(ctx, {}), 'CA_KEY_MISMATCH');
    } finally {
      await writeFile(keyPath, saved, { mode: 0o600 });
    }
  });

  it('needs no CA key when nothing needs signing', async () => {
    const keyPath = ctx.layout.caKey;
    const saved = await readFile(keyPath);
    try {
      await rm(keyPath);
      const report = await initPki(ctx, { user: 'root' });
      assert.ok(report.every((line) => line.status === 'exists'));
    } finally {
      await writeFile(keyPath, saved, { mode: 0o600 });
    }
  });

  it('refuses an unreadable CA certificate and an unreadable CRL', async () => {
    const saved = await readFile(ctx.layout.crl);
    try {
      await writeFile(ctx.layout.crl, 'garbage');
      await failsCleanly(dir.path, () => revokeClient(ctx, { name: 'root' }), 'CRL_UNREADABLE');
    } finally {
      await writeFile(ctx.layout.crl, saved);
    }
    const broken = pkiContext(join(dir.path, 'broken'));
    await initPki(broken, { user: 'root' });
    await writeFile(broken.layout.caCert, 'garbage');
    await failsCleanly(
      dir.path,
      () => issueClient(broken, { name: 'alice' }),
      'CA_CERT_UNREADABLE',
    );
  });

  it('refuses to make a new CA over certificates whose CA is gone', async () => {
    const orphan = pkiContext(join(dir.path, 'orphan'));
    await initPki(orphan, { user: 'root' });
    await rm(orphan.layout.caCert);
    await failsCleanly(dir.path, () => initPki(orphan, { user: 'root' }), 'NO_CA');
  });

  it('says a certs directory under a file is not a directory', async () => {
    await writeFile(join(dir.path, 'plain-file'), 'x');
    const under = pkiContext(join(dir.path, 'plain-file', 'sub'));
    await failsCleanly(dir.path, () => initPki(under, { user: 'root' }), 'NOT_A_DIRECTORY');
  });
});

describe('writeFilesAtomically', () => {
  it('leaves every existing file as it was when one of the set cannot be written', async () => {
    const dir = await tempDir();
    try {
      const first = join(dir.path, 'first.key');
      await writeFile(first, 'old');
      const attempt = writeFilesAtomically([
        { path: first, data: 'new', mode: 0o600 },
        { path: join(dir.path, 'missing', 'second.crt'), data: 'new', mode: 0o644 },
      ]);
      await assert.rejects(attempt, { code: 'ENOENT' });
      assert.equal(await readFile(first, 'utf8'), 'old');
      assert.deepEqual(await readdir(dir.path), ['first.key'], 'no staged file left behind');
    } finally {
      await dir.cleanup();
    }
  });

  it('replaces the whole set with the modes asked for', async () => {
    const dir = await tempDir();
    try {
      await mkdir(join(dir.path, 'sub'));
      await writeFilesAtomically([
        { path: join(dir.path, 'a.key'), data: 'secret', mode: 0o600 },
        { path: join(dir.path, 'sub', 'b.crt'), data: 'public', mode: 0o644 },
      ]);
      const snap = await snapshot(dir.path);
      assert.match(snap['a.key'] ?? '', /^600 /);
      assert.match(snap['sub/b.crt'] ?? '', /^644 /);
    } finally {
      await dir.cleanup();
    }
  });
});
