import { execFile } from 'node:child_process';
import { chmod, cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CHAT_BIN } from './cli.ts';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What a copy of the built CLI holds: what `files` in package.json ships to run. */
const SHIPPED = ['bin/chat.js', 'dist', 'package.json'];

/**
 * A copy of the built CLI (the launcher, dist/ and package.json, as an
 * installed package has them) in a fresh temporary folder that every user
 * can read. A test that runs `chat` as another user (nobody) runs this copy:
 * that user may not read the checkout (a clone under a 0700 folder), and the
 * copy, having no src/, never builds. dist/ is brought up to date first.
 */
export async function builtCopy(): Promise<{ bin: string; cleanup: () => Promise<void> }> {
  // The checkout's launcher rebuilds dist/ when a source changed.
  await exec(process.execPath, [CHAT_BIN, '--version']);
  const dir = await mkdtemp(join(tmpdir(), 'chat-built-'));
  for (const path of SHIPPED) {
    await cp(join(ROOT, path), join(dir, path), {
      recursive: true,
      // A build's key and staging folders are not part of what ships.
      filter: (source) => !basename(source).startsWith('.'),
    });
  }
  await readableByAll(dir);
  return { bin: join(dir, 'bin', 'chat.js'), cleanup: () => rm(dir, { recursive: true }) };
}

/** chmod a+rX, recursively: mkdtemp makes 0700 folders. */
async function readableByAll(path: string): Promise<void> {
  await chmod(path, 0o755);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await readableByAll(child);
    else await chmod(child, 0o644);
  }
}
