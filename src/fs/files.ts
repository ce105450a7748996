import { constants } from 'node:fs';
import { access, chmod, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ChatError } from '../errors.ts';
import { type FileToWrite, writeFilesAtomically } from '../fs/atomic-write.ts';
import { DIR_MODE } from './modes.ts';

/**
 * What ensurePrivateDir found or did: `created` and `tightened` end 0700,
 * `private` already was; `shared` (sticky, or another user's, like /tmp) and
 * `open` (it holds files that are not the PKI's) are left as they were.
 */
export type PrivateDirState = 'created' | 'private' | 'tightened' | 'shared' | 'open';

/**
 * Creates `dir` (and parents) owner-only, or checks that an existing one is a
 * writable directory. An existing directory that others can read is made
 * 0700 only when it is ours and every entry in it is one `ownsEntry` claims
 * (for certificates, see isPkiEntry): `--dir .` must not lock teammates out
 * of a project directory.
 */
export async function ensurePrivateDir(
  dir: string,
  fixHint: string,
  ownsEntry: (name: string) => boolean,
): Promise<{ state: PrivateDirState; mode: number }> {
  try {
    const made = await mkdir(dir, { recursive: true, mode: DIR_MODE });
    const info = await stat(dir);
    if (!info.isDirectory()) throw notADirectory(dir, fixHint);
    const state = made === undefined ? await judgeExisting(dir, info, ownsEntry) : 'created';
    // Made here, the umask may have taken bits; made tighter, the fix is ours to apply.
    if (state === 'created' || state === 'tightened') await chmod(dir, DIR_MODE);
    await access(dir, constants.W_OK | constants.X_OK);
    return {
      state,
      mode: state === 'created' || state === 'tightened' ? DIR_MODE : info.mode & 0o7777,
    };
  } catch (error) {
    throw fileError(error, dir, fixHint);
  }
}

async function judgeExisting(
  dir: string,
  info: { mode: number; uid: number },
  ownsEntry: (name: string) => boolean,
): Promise<PrivateDirState> {
  if ((info.mode & 0o077) === 0) return 'private';
  const ours = typeof process.getuid !== 'function' || info.uid === process.getuid();
  if (!ours || (info.mode & 0o1000) !== 0) return 'shared';
  const entries = await readdir(dir);
  return entries.every(ownsEntry) ? 'tightened' : 'open';
}

/**
 * Writes the files with writeFilesAtomically; a failure (a directory that is
 * not writable, a full disk) becomes a one-line ChatError naming the directory.
 */
export async function writeFiles(files: readonly FileToWrite[], fixHint: string): Promise<void> {
  try {
    await writeFilesAtomically(files);
  } catch (error) {
    // A rename names its target; anything else failed on a staged file,
    // whose directory is what could not be written.
    const target = fieldOf(error, 'dest');
    const where = target ?? dirname(fieldOf(error, 'path') ?? files[0]?.path ?? '.');
    throw fileError(error, where, fixHint);
  }
}

/** The file's text, or undefined when there is no such file. */
export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw fileError(error, path, 'check the file and its permissions', 'read');
  }
}

/** True when something exists at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw fileError(error, path, 'check the file and its permissions', 'read');
  }
}

/** Names of the entries of `dir` that end in `suffix`, sorted; none when it does not exist. */
export async function listBySuffix(dir: string, suffix: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
    return names.filter((n) => n.endsWith(suffix) && !n.startsWith('.')).sort();
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw fileError(error, dir, 'check the directory and its permissions', 'read');
  }
}

/**
 * Turns a file-system error into a one-line ChatError; passes ChatErrors
 * through. `action` says whether `path` was being read (FILE_UNREADABLE) or
 * written (DIR_UNWRITABLE), so the message says which.
 */
export function fileError(
  error: unknown,
  path: string,
  fixHint: string,
  action: 'read' | 'write' = 'write',
): ChatError {
  if (error instanceof ChatError) return error;
  const code = errorCode(error);
  if (code === 'ENOTDIR' || (code === 'EEXIST' && action === 'write')) {
    return notADirectory(path, fixHint, error);
  }
  const reason = fsReason(error);
  if (action === 'read') {
    return new ChatError('FILE_UNREADABLE', `cannot read ${path}: ${reason}`, {
      hint: fixHint,
      cause: error,
    });
  }
  if (code === 'ENOSPC') {
    return new ChatError('DIR_UNWRITABLE', `cannot write to ${path}: ${reason}`, {
      hint: 'free some space and run the command again',
      cause: error,
    });
  }
  const verb = reasonOf(code) ? 'cannot write to' : 'cannot use';
  return new ChatError('DIR_UNWRITABLE', `${verb} ${path}: ${reason}`, {
    hint: fixHint,
    cause: error,
  });
}

/** The code of a node error (ENOENT, EACCES…), if it has one. */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

/** Why a file-system call failed, in words: "permission denied", or node's own message. */
export function fsReason(error: unknown): string {
  return reasonOf(errorCode(error)) ?? (error instanceof Error ? error.message : String(error));
}

function reasonOf(code: string | undefined): string | undefined {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return undefined;
  }
}

function fieldOf(error: unknown, field: 'path' | 'dest'): string | undefined {
  return typeof error === 'object' && error !== null && field in error
    ? String((error as Record<string, unknown>)[field])
    : undefined;
}

function notADirectory(path: string, fixHint: string, cause?: unknown): ChatError {
  return new ChatError('NOT_A_DIRECTORY', `${path} is not a directory (or lies under a file)`, {
    hint: fixHint,
    cause,
  });
}
