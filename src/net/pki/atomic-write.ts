import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** One file to write: its final path, contents and permission bits (e.g. 0o600). */
export interface FileToWrite {
  path: string;
  data: string | Uint8Array;
  mode: number;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Writes a set of files so that each one is either its old self or complete,
 * and the set lands together. A certificate and its key must never be half
 * replaced, which a single-file atomic writer cannot promise for two files.
 *
 * Every file is staged next to its target (created with its final mode, so a
 * key is never readable by others even for an instant), flushed to disk, and
 * only then renamed into place, all renames in one synchronous block: Node
 * runs signal handlers between ticks, so Ctrl+C lands before or after the
 * block, never inside it. A signal or error before that removes the staged
 * files and leaves every existing file untouched.
 */
export async function writeFilesAtomically(files: readonly FileToWrite[]): Promise<void> {
  const staged: string[] = [];
  const removeStaged = () => {
    for (const path of staged.splice(0)) {
      try {
        unlinkSync(path);
      } catch {
        // Already renamed into place or never created: nothing to clean.
      }
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    removeStaged();
    detach();
    process.kill(process.pid, signal);
  };
  const detach = () => {
    for (const s of SIGNALS) process.off(s, onSignal);
  };
  for (const s of SIGNALS) process.on(s, onSignal);

  try {
    for (const file of files) {
      const temp = join(
        dirname(file.path),
        `.${basename(file.path)}.${randomBytes(6).toString('hex')}.tmp`,
      );
      const handle = await open(temp, 'wx', file.mode);
      staged.push(temp);
      try {
        await handle.chmod(file.mode); // the umask may have taken bits the caller asked for
        await handle.writeFile(file.data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    files.forEach((file, i) => {
      renameSync(staged[i] as string, file.path);
    });
    staged.length = 0;
    for (const dir of new Set(files.map((f) => dirname(f.path)))) syncDirectory(dir);
  } catch (error) {
    removeStaged();
    throw error;
  } finally {
    detach();
  }
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
