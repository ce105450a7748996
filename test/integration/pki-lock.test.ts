import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ChatError } from '../../src/errors.ts';
import { acquireLock, type LockSpec, releaseLock } from '../../src/fs/pid-lock.ts';
import { parseStatState } from '../../src/fs/process-alive.ts';
import { issueClient, revokeClient } from '../../src/pki/client-certs.ts';
import { readCrl } from '../../src/pki/crl.ts';
import { initPki } from '../../src/pki/init-pki.ts';
import { normalizeSerial } from '../../src/pki/keys.ts';
import { clientPaths } from '../../src/pki/layout.ts';
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

/** Polls `check` every 10 ms (a process changing state has no event to await); bounded. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const stateOf = async (pid: number) =>
  parseStatState(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''));

/**
 * A real zombie, as a server killed with -9 is until its parent reaps it: sh
 * starts a child that waits for a line, then becomes `sleep`, which never
 * reaps; the child exits once told. Returns its pid and the parent to kill.
 */
async function zombie(): Promise<{ pid: number; parent: ChildProcess }> {
  // An asynchronous list reads /dev/null unless told otherwise: fd 3 is the pipe.
  const parent = spawn('sh', ['-c', 'exec 3<&0; (read line <&3) & echo $!; exec sleep 30'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const [first] = (await once(parent.stdout, 'data')) as [Buffer];
  const pid = Number(first.toString().trim());
  assert.ok(Number.isSafeInteger(pid) && pid > 0, first.toString());
  await until(
    async () => (await readFile(`/proc/${parent.pid}/comm`, 'utf8')).trim() === 'sleep',
    'sh to become sleep',
  );
  parent.stdin?.write('go\n');
  await until(async () => (await stateOf(pid)) === 'Z', `${pid} to be a zombie`);
  return { pid, parent };
}

describe('a pid lock held by a zombie', {
  skip: !existsSync('/proc/self/stat') && 'no /proc',
}, () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let undead: { pid: number; parent: ChildProcess };
  let spec: LockSpec;

  before(async () => {
    dir = await tempDir();
    undead = await zombie();
    spec = {
      path: join(dir.path, '.lock'),
      dir: dir.path,
      busy: () => new ChatError('BUSY', `busy: ${dir.path}`),
      hint: 'remove the lock',
    };
  });
  after(async () => {
    const exited = once(undead.parent, 'exit');
    undead.parent.kill('SIGKILL');
    await exited;
    await dir.cleanup();
  });

  it('is taken over: signal 0 says the zombie is there, /proc says it is not running', async () => {
    assert.doesNotThrow(() => process.kill(undead.pid, 0), 'kill(pid, 0) counts a zombie alive');
    await writeFile(spec.path, `${undead.pid}\n`);
    assert.equal(await acquireLock(spec), true);
    assert.equal((await readFile(spec.path, 'utf8')).trim(), String(process.pid));
    await releaseLock(spec);
  });

  it('is not taken from its parent, which still runs', async () => {
    await writeFile(spec.path, `${undead.parent.pid}\n`);
    try {
      await assert.rejects(acquireLock(spec), { code: 'BUSY' });
      assert.equal((await readFile(spec.path, 'utf8')).trim(), String(undead.parent.pid));
    } finally {
      await rm(spec.path, { force: true });
    }
  });
});
