import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ChatError } from '../errors.ts';
import { errorCode, fileError, writeFiles } from '../fs/files.ts';
import { DIR_MODE, SECRET_MODE } from '../fs/modes.ts';
import { acquireLock, type LockSpec, releaseLock } from '../fs/pid-lock.ts';
import type { UsersOrigin } from './users-book.ts';
import { formatUsers, parseUsers, type UsersTable } from './users-table.ts';

/** The users file's name in the server's data directory. */
export const USERS_FILE = 'users.json';
/** Held by the `chat users` command that is changing the file. */
const LOCK_FILE = '.users.lock';

/** Where the users file of a data directory is. */
export function usersPath(dataDir: string): string {
  return join(dataDir, USERS_FILE);
}

/**
 * The users file at `path`, or undefined when there is none. A file that
 * cannot be read or parsed is a one-line ChatError saying how to fix it.
 */
export async function readUsers(path: string): Promise<UsersTable | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw fileError(error, path, 'run chat as the user who owns it, or `chmod 600` it', 'read');
  }
  try {
    return parseUsers(text);
  } catch (error) {
    throw new ChatError(
      'FILE_UNREADABLE',
      `${path} is not a valid users file: ${(error as Error).message}`,
      {
        hint: 'restore it from your backup, or remove it and set the passwords again with `chat users add`',
        cause: error,
      },
    );
  }
}

/**
 * The users file a server started with --require-password needs: a missing
 * one is a ChatError that says how to make it (see {@link readUsers} for the rest).
 */
export async function requireUsers(path: string): Promise<UsersTable> {
  const table = await readUsers(path);
  if (table === undefined) {
    throw new ChatError('FILE_UNREADABLE', `--require-password, but ${path} does not exist`, {
      hint: 'set the first password with `chat users add NAME` (same --data), then start the server',
    });
  }
  return table;
}

/**
 * Replaces the users file of `dataDir` at once (a 0600 file staged beside it,
 * then renamed), creating the directory, 0700, when it does not exist.
 */
export async function writeUsers(dataDir: string, table: UsersTable): Promise<void> {
  const hint = 'make the data directory writable for you, or choose another with --data';
  try {
    const made = await mkdir(dataDir, { recursive: true, mode: DIR_MODE });
    if (made !== undefined) await chmod(dataDir, DIR_MODE); // the umask may have taken bits
  } catch (error) {
    throw fileError(error, dataDir, hint);
  }
  await writeFiles(
    [{ path: usersPath(dataDir), data: formatUsers(table), mode: SECRET_MODE }],
    hint,
  );
}

/**
 * Runs `work` holding `<dataDir>/.users.lock`, so that two `chat users`
 * commands never both read the file and each write it without the other's
 * change. A lock left by a process that is gone is taken over.
 */
export async function withUsersLock<T>(dataDir: string, work: () => Promise<T>): Promise<T> {
  const path = join(dataDir, LOCK_FILE);
  const hint = `wait for it and run the command again, or remove ${path} if no other chat users is running`;
  const spec: LockSpec = {
    path,
    dir: dataDir,
    hint,
    busy: () =>
      new ChatError('BUSY', `another chat users is changing ${usersPath(dataDir)}`, { hint }),
  };
  try {
    await mkdir(dataDir, { recursive: true, mode: DIR_MODE });
  } catch (error) {
    throw fileError(
      error,
      dataDir,
      'make the data directory writable for you, or choose another with --data',
    );
  }
  await acquireLock(spec);
  try {
    return await work();
  } finally {
    await releaseLock(spec);
  }
}

/**
 * The users file as a UsersBook reads it: stamped by a stat (a rename gives
 * a new inode), warned about when others may read it.
 */
export function usersFileOrigin(path: string): UsersOrigin {
  return {
    what: 'users file',
    fields: { path },
    async stamp() {
      const info = await stat(path);
      return `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
    },
    read: () => requireUsers(path),
    async warning() {
      const mode = (await stat(path).catch(() => undefined))?.mode ?? 0;
      if ((mode & 0o077) === 0) return undefined;
      return {
        fields: { mode: (mode & 0o777).toString(8) },
        message: 'the users file is readable by others: chmod 600 it',
      };
    },
  };
}
