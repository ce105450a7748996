import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ChatError } from '../errors.ts';

/** One file to write: its final path, contents and permission bits (e.g. 0o600). */
export interface FileToWrite {
  path: string;
  data: string | Uint8Array;
  mode: number;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** A staged file and the target it replaces, kept together so neither can pair with another. */
interface Staged {
  temp: string;
  target: string;
}

/**
 * Writes a set of files so that each one is either its old self or complete,
 * and the set lands together. A certificate and its key must never be half
 * replaced, which a single-file atomic writer cannot promise for two files.
 *
 * Every file is staged next to its target (created with its final mode, so a
 * key is never readable by others even for an instant), flushed to disk, and
 * only then renamed into place, all renames in one synchronous block. Node
 * runs signal handlers only between ticks, so a signal is seen either before
 * that block or after it. One seen before it cancels the write: the staged
 * files are removed, every target is left as it was, and the promise rejects
 * with INTERRUPTED. The signal is then raised again if nothing else in the
 * process listens for it, so Ctrl+C still ends a command-line run. Only a
 * crash of the machine can fall between two renames (see docs/PKI.md).
 */
export async function writeFilesAtomically(files: readonly FileToWrite[]): Promise<void> {
  const staged: Staged[] = [];
  let cancelledBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    cancelledBy ??= signal;
  };
  // Called after every await: the only places a signal can have been seen.
  const stopIfCancelled = () => {
    if (cancelledBy !== undefined) throw interrupted(cancelledBy);
  };
  for (const s of SIGNALS) process.on(s, onSignal);

  try {
    for (const file of files) {
      stopIfCancelled();
      // Renaming onto a directory fails, and would fail half way through the set.
      if ((await lstat(file.path).catch(() => undefined))?.isDirectory()) {
        throw new ChatError(
          'DIR_UNWRITABLE',
          `cannot write ${file.path}: a directory is in its place`,
          {
            hint: `move the directory ${file.path} away, then run the command again`,
          },
        );
      }
      stopIfCancelled();
      const temp = join(
        dirname(file.path),
        `.${basename(file.path)}.${randomBytes(6).toString('hex')}.tmp`,
      );
      const handle = await open(temp, 'wx', file.mode);
      staged.push({ temp, target: file.path });
      try {
        stopIfCancelled();
        await handle.chmod(file.mode); // the umask may have taken bits the caller asked for
        stopIfCancelled();
        await handle.writeFile(file.data);
        stopIfCancelled();
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    stopIfCancelled();
    for (const { temp, target } of staged) renameSync(temp, target);
    staged.length = 0;
    for (const dir of new Set(files.map((f) => dirname(f.path)))) syncDirectory(dir);
  } catch (error) {
    removeStaged(staged);
    throw error;
  } finally {
    for (const s of SIGNALS) process.off(s, onSignal);
    // Another listener (a server's graceful close, say) owns the signal then;
    // otherwise its default action, ending the process, is what the user asked for.
    if (cancelledBy !== undefined && process.listenerCount(cancelledBy) === 0) {
      process.kill(process.pid, cancelledBy);
    }
  }
}

function removeStaged(staged: Staged[]): void {
  for (const { temp } of staged.splice(0)) {
    try {
      unlinkSync(temp);
    } catch {
      // Already renamed into place or never created: nothing to clean.
    }
  }
}

function interrupted(signal: NodeJS.Signals): ChatError {
  return new ChatError(
    'INTERRUPTED',
    `interrupted by ${signal}: the files being written were left as they were`,
    {
      hint: 'run the command again',
    },
  );
}

// Makes the renames themselves durable: without it a power cut can undo them.
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
