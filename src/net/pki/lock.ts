import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { ChatError } from '../../errors.ts';
import type { PkiLayout } from './layout.ts';
import { errorCode, fileError } from './pki-files.ts';
import { isRunning } from './process-alive.ts';

/**
 * Runs `work` holding the certs directory's lock file (`.lock`, holding the
 * pid), so that two `chat certs` never read, change and write the same files
 * at once: two revokes would each write a CRL without the other's entry, two
 * inits would mix two CAs. While a live process holds the lock this fails
 * with BUSY at once; a lock whose process is gone (killed, a crash) is taken
 * over. A directory that does not exist yet has nothing to protect: `work`
 * then runs unlocked, and fails for want of a CA (init, the one command
 * that creates the directory, does so before it takes the lock).
 */
export async function withPkiLock<T>(layout: PkiLayout, work: () => Promise<T>): Promise<T> {
  const spec = pkiLockSpec(layout);
  const held = await acquireLock(spec);
  try {
    return await work();
  } finally {
    if (held) await releaseLock(spec);
  }
}

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
    handle = await open(spec.path, 'wx', 0o600);
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

function pkiLockSpec(layout: PkiLayout): LockSpec {
  return {
    path: layout.lock,
    dir: layout.dir,
    hint: lockHint(layout),
    busy: () =>
      new ChatError('BUSY', `another chat certs is working in ${layout.dir}`, {
        hint: lockHint(layout),
      }),
  };
}

function lockHint(layout: PkiLayout): string {
  return `wait for it to finish and run the command again, or remove ${layout.lock} if no other chat certs is running`;
}
