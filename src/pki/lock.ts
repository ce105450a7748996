import { ChatError } from '../errors.ts';
import { acquireLock, type LockSpec, releaseLock } from '../fs/pid-lock.ts';
import type { PkiLayout } from './layout.ts';

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
