import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { writeFilesAtomically } from '../../src/fs/atomic-write.ts';
import { tempDir } from '../helpers/pki.ts';

const ATOMIC_WRITE = new URL('../../src/fs/atomic-write.ts', import.meta.url).href;

/** Large enough that writing it takes several turns of the event loop. */
const BIG = new Uint8Array(32 * 1024 * 1024).fill(0x61);

/** Turns the event loop until a staged (.tmp) file shows up in `dir`. */
async function untilStaged(dir: string): Promise<void> {
  while (!(await readdir(dir)).some((name) => name.endsWith('.tmp'))) await turn();
}

describe('writeFilesAtomically and signals', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  const keep = () => {
    // Stands for another part of the process (a server's graceful close) that
    // handles SIGINT itself, so the signal does not end the process.
  };
  before(async () => {
    dir = await tempDir();
    process.on('SIGINT', keep);
  });
  after(async () => {
    process.off('SIGINT', keep);
    await dir.cleanup();
  });

  for (const when of ['right after the call', 'between two staged files'] as const) {
    it(`stops, cleans up and rejects on a signal ${when}, when the process survives it`, async () => {
      const key = join(dir.path, 'ca.key');
      const cert = join(dir.path, 'ca.crt');
      await writeFile(key, 'old key');
      await writeFile(cert, 'old cert');
      const attempt = writeFilesAtomically([
        { path: key, data: BIG, mode: 0o600 },
        { path: cert, data: 'new cert', mode: 0o644 },
      ]);
      const outcome = attempt.then(
        () => undefined,
        (error: unknown) => error,
      );
      if (when === 'between two staged files') await untilStaged(dir.path);
      process.emit('SIGINT', 'SIGINT');
      const error = (await outcome) as { code?: string; hint?: string } | undefined;
      assert.equal(error?.code, 'INTERRUPTED');
      assert.ok(error?.hint);
      assert.equal(await readFile(key, 'utf8'), 'old key');
      assert.equal(await readFile(cert, 'utf8'), 'old cert');
      assert.deepEqual((await readdir(dir.path)).sort(), ['ca.crt', 'ca.key']);
      assert.deepEqual(process.listeners('SIGINT'), [keep], 'its own listener is gone');
    });
  }

  it('re-raises the signal when nothing else listens for it, leaving no staged file', async () => {
    const target = join(dir.path, 'alone.key');
    await writeFile(target, 'old');
    const script = `
      import { writeFilesAtomically } from ${JSON.stringify(ATOMIC_WRITE)};
      const big = new Uint8Array(32 * 1024 * 1024);
      const attempt = writeFilesAtomically([
        { path: ${JSON.stringify(target)}, data: big, mode: 0o600 },
        { path: ${JSON.stringify(`${target}.2`)}, data: big, mode: 0o600 },
      ]);
      attempt.then(() => process.exit(3), () => process.exit(4));
      setImmediate(() => process.kill(process.pid, 'SIGINT'));
    `;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { stdio: 'inherit' },
    );
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    assert.deepEqual([code, signal], [null, 'SIGINT']);
    assert.equal(await readFile(target, 'utf8'), 'old');
    assert.deepEqual(
      (await readdir(dir.path)).filter((n) => n.includes('alone')),
      ['alone.key'],
    );
  });
});
