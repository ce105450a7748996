import { constants } from 'node:fs';
import { access, chmod, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { ChatError } from '../../errors.ts';
import { DIR_MODE } from './layout.ts';

/**
 * Creates `dir` (and parents) owner-only, or checks that an existing one is a
 * writable directory. A directory of ours that others can read is tightened
 * to 0700; a shared one (sticky, or someone else's, like /tmp) is left alone.
 */
export async function ensurePrivateDir(dir: string, fixHint: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    const info = await stat(dir);
    if (!info.isDirectory()) throw notADirectory(dir, fixHint);
    const ours = typeof process.getuid !== 'function' || info.uid === process.getuid();
    const sticky = (info.mode & 0o1000) !== 0;
    if ((info.mode & 0o077) !== 0 && ours && !sticky) await chmod(dir, DIR_MODE);
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw fileError(error, dir, fixHint);
  }
}

/** The file's text, or undefined when there is no such file. */
export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw fileError(error, path, 'check the file and its permissions');
  }
}

/** True when something exists at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw fileError(error, path, 'check the file and its permissions');
  }
}

/** Names of the entries of `dir` that end in `suffix`, sorted; none when it does not exist. */
export async function listBySuffix(dir: string, suffix: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
    return names.filter((n) => n.endsWith(suffix) && !n.startsWith('.')).sort();
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw fileError(error, dir, 'check the directory and its permissions');
  }
}

/** Turns a file-system error into a one-line ChatError; passes ChatErrors through. */
export function fileError(error: unknown, path: string, fixHint: string): ChatError {
  if (error instanceof ChatError) return error;
  const code = errorCode(error);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new ChatError('DIR_UNWRITABLE', `cannot write to ${path}: permission denied`, {
      hint: fixHint,
      cause: error,
    });
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') return notADirectory(path, fixHint, error);
  if (code === 'ENOSPC') {
    return new ChatError('DIR_UNWRITABLE', `cannot write to ${path}: the disk is full`, {
      hint: 'free some space and run the command again',
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new ChatError('DIR_UNWRITABLE', `cannot use ${path}: ${reason}`, {
    hint: fixHint,
    cause: error,
  });
}

function notADirectory(path: string, fixHint: string, cause?: unknown): ChatError {
  return new ChatError('NOT_A_DIRECTORY', `${path} is not a directory (or lies under a file)`, {
    hint: fixHint,
    cause,
  });
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}
