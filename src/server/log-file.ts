import { closeSync, fchmodSync, fstatSync, openSync } from 'node:fs';
import { ChatError } from '../errors.ts';
import { SECRET_MODE } from '../fs/modes.ts';

/** Permission bits of a log file: it names users, addresses and fingerprints (owner only). */
export const LOG_FILE_MODE = SECRET_MODE;

/**
 * What to do with the permission bits of an opened log file: `keep` them, or
 * `tighten` them to {@link LOG_FILE_MODE}. Only a regular file is ever changed:
 * `--log-file /dev/stdout` or a FIFO is the operator's own plumbing, and
 * chmod on /dev/null as root would break the machine.
 */
export function logFileModeFix(stat: { mode: number; isFile: boolean }): 'keep' | 'tighten' {
  if (!stat.isFile) return 'keep';
  return (stat.mode & 0o777 & ~LOG_FILE_MODE) === 0 ? 'keep' : 'tighten';
}

/** An open log file, and the bits it had when they were more open than 0600 (e.g. 0o644), else undefined. */
export interface OpenedLogFile {
  fd: number;
  tightenedFrom: number | undefined;
}

/**
 * Opens `path` for appending, created 0600 whatever the umask; an existing
 * regular file with any bit beyond 0600 (group, others, execute) is
 * tightened to 0600. Throws open's
 * errno error as it is, and a USAGE {@link ChatError} when the file is more
 * open than 0600 and not ours to tighten (the fd is closed then).
 */
export function openLogFile(path: string): OpenedLogFile {
  // The umask can only take bits away from 0600: a new file is never more open.
  const fd = openSync(path, 'a', LOG_FILE_MODE);
  let mode: number | undefined;
  try {
    const stat = fstatSync(fd);
    mode = stat.mode & 0o777;
    if (logFileModeFix({ mode, isFile: stat.isFile() }) === 'keep') {
      return { fd, tightenedFrom: undefined };
    }
    fchmodSync(fd, LOG_FILE_MODE);
    return { fd, tightenedFrom: mode };
  } catch (cause) {
    closeSync(fd);
    if (mode === undefined) throw cause;
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new ChatError(
      'USAGE',
      `the log file ${path} is mode ${mode.toString(8)}, more open than 600, and could not be made 600 (${code})`,
      { hint: `\`chmod 600 ${path}\` as its owner, or choose another path with --log-file`, cause },
    );
  }
}
