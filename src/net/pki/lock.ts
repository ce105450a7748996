import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { ChatError } from '../../errors.ts';
import type { PkiLayout } from './layout.ts';
import { errorCode, fileError } from './pki-files.ts';

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
  const held = await acquire(layout);
  try {
    return await work();
  } finally {
    if (held) await unlink(layout.lock).catch(() => undefined);
  }
}

/** The pid in a lock file's text, or undefined for anything else (being written, garbage). */
export function parseLockPid(text: string): number | undefined {
  const match = /^(\d{1,10})\n?$/.exec(text);
  const pid = match ? Number(match[1]) : Number.NaN;
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

async function acquire(layout: PkiLayout): Promise<boolean> {
  const first = await tryCreate(layout);
  if (first !== 'exists') return first === 'created';
  const text = await readFile(layout.lock, 'utf8').catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') return undefined; // released meanwhile: try again
    throw fileError(error, layout.lock, lockHint(layout), 'read');
  });
  if (text !== undefined) {
    const pid = parseLockPid(text);
    // No pid yet may be a lock being written this instant: busy, not dead.
    if (pid === undefined || isAlive(pid)) throw busy(layout);
    await removeDeadLock(layout, text);
  }
  if ((await tryCreate(layout)) !== 'created') throw busy(layout);
  return true;
}

/**
 * Removes a lock whose process is gone. It is first moved aside, which only
 * one command can do to the same file, and read again: when a racing command
 * has already put its own live lock there, that one is what moved, and it
 * goes back before this command reports busy.
 */
async function removeDeadLock(layout: PkiLayout, deadText: string): Promise<void> {
  const aside = `${layout.lock}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(layout.lock, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return; // someone else removed it: race for it below
    throw fileError(error, layout.dir, lockHint(layout));
  }
  const moved = await readFile(aside, 'utf8');
  if (moved !== deadText) await link(aside, layout.lock).catch(() => undefined);
  await unlink(aside);
  if (moved !== deadText) throw busy(layout);
}

async function tryCreate(layout: PkiLayout): Promise<'created' | 'exists' | 'no directory'> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(layout.lock, 'wx', 0o600);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return 'exists';
    if (errorCode(error) === 'ENOENT') return 'no directory';
    throw fileError(
      error,
      layout.dir,
      `make ${layout.dir} writable for you, or choose another --dir`,
    );
  }
  try {
    await handle.writeFile(`${process.pid}\n`);
  } catch (error) {
    await handle.close();
    await unlink(layout.lock).catch(() => undefined);
    throw fileError(error, layout.dir, lockHint(layout));
  }
  await handle.close();
  return 'created';
}

// Signal 0 only asks whether the process exists; EPERM means it does, as another user's.
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

function busy(layout: PkiLayout): ChatError {
  return new ChatError('BUSY', `another chat certs is working in ${layout.dir}`, {
    hint: lockHint(layout),
  });
}

function lockHint(layout: PkiLayout): string {
  return `wait for it to finish and run the command again, or remove ${layout.lock} if no other chat certs is running`;
}
