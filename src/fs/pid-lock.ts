import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import type { ChatError } from '../errors.ts';
import { errorCode, fileError } from './files.ts';
import { SECRET_MODE } from './modes.ts';
import { isRunning } from './process-alive.ts';

/**
 * A pid lock file: one process at a time works in a directory (chat certs in
 * a certs folder, chat serve on a history). A lock whose process is gone
 * (killed, crashed, a zombie) is taken over.
 */

/** A pid lock file: where it is, and what to say when another process holds it. */
export interface LockSpec {
  /** The lock file. */
  path: string;
  /** The directory it protects. */
  dir: string;
  /** The error for a lock a live process holds. */
  busy: () => ChatError;
  /** What to do when the lock file cannot be read or moved. */
  hint: string;
}

/**
 * Takes the lock: true when taken, false when the directory does not exist
 * (nothing to protect). A live holder fails with `spec.busy()`; a lock
 * whose process is gone is taken over.
 */
export async function acquireLock(spec: LockSpec): Promise<boolean> {
  const first = await tryCreate(spec);
  if (first === 'created') held.add(spec.path);
  if (first !== 'exists') return first === 'created';
  const text = await readFile(spec.path, 'utf8').catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') return undefined; // released meanwhile: try again
    throw fileError(error, spec.path, spec.hint, 'read');
  });
  if (text !== undefined) {
    if (!(await isDead(spec.path, text))) throw spec.busy();
    await removeDeadLock(spec, text);
  }
  if ((await tryCreate(spec)) !== 'created') throw spec.busy();
  held.add(spec.path);
  return true;
}

/** Lock files this process holds, so its own pid in one it does not hold reads as a dead holder's. */
const held = new Set<string>();
/** A lock with no pid yet is being written; one still without after this long was left by a crash. */
const EMPTY_LOCK_GRACE_MS = 5_000;

// Dead: the pid is gone or a zombie (a server killed with -9 whose parent
// has not reaped it yet), or it is ours and the lock is not (after a crash a
// restart often gets the same pid, always in a container), or no pid was
// ever written and the file is old.
async function isDead(path: string, text: string): Promise<boolean> {
  const pid = parseLockPid(text);
  if (pid === undefined) {
    const age = await stat(path).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    );
    return age > EMPTY_LOCK_GRACE_MS;
  }
  if (pid === process.pid) return !held.has(path);
  return !(await isRunning(pid));
}

/** Gives the lock back. */
export async function releaseLock(spec: LockSpec): Promise<void> {
  held.delete(spec.path);
  await unlink(spec.path).catch(() => undefined);
}

/** The pid in a lock file's text, or undefined for anything else (being written, garbage). */
export function parseLockPid(text: string): number | undefined {
  const match = /^(\d{1,10})\n?$/.exec(text);
  const pid = match ? Number(match[1]) : Number.NaN;
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Removes a lock whose process is gone. It is first moved aside, which only
 * one command can do to the same file, and read again: when a racing command
 * has already put its own live lock there, that one is what moved, and it
 * goes back before this command reports busy.
 */
async function removeDeadLock(spec: LockSpec, deadText: string): Promise<void> {
  const aside = `${spec.path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(spec.path, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return; // someone else removed it: race for it below
    throw fileError(error, spec.dir, spec.hint);
  }
  const moved = await readFile(aside, 'utf8');
  if (moved !== deadText) await link(aside, spec.path).catch(() => undefined);
  await unlink(aside);
  if (moved !== deadText) throw spec.busy();
}

async function tryCreate(spec: LockSpec): Promise<'created' | 'exists' | 'no directory'> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(spec.path, 'wx', SECRET_MODE);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return 'exists';
    if (errorCode(error) === 'ENOENT') return 'no directory';
    throw fileError(error, spec.dir, `make ${spec.dir} writable for you`);
  }
  try {
    await handle.writeFile(`${process.pid}\n`);
  } catch (error) {
    await handle.close();
    await unlink(spec.path).catch(() => undefined);
    throw fileError(error, spec.dir, spec.hint);
  }
  await handle.close();
  return 'created';
}
