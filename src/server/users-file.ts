import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ChatError } from '../errors.ts';
import { errorCode, fileError, fsReason, writeFiles } from '../fs/files.ts';
import { DIR_MODE, SECRET_MODE } from '../fs/modes.ts';
import { acquireLock, type LockSpec, releaseLock } from '../fs/pid-lock.ts';
import { USER_PATTERN } from '../net/protocol/frames.ts';
import { checkPasswordHash, verifyNobody, verifyPassword } from './password-hash.ts';

/** The users file's name in the server's data directory. */
export const USERS_FILE = 'users.json';
/** Mode of a data directory `chat users` creates. */
/** Held by the `chat users` command that is changing the file. */
const LOCK_FILE = '.users.lock';

/** One user's password, as kept in the users file. */
export interface UserEntry {
  /** `scrypt$N$r$p$salt$hash` (see password-hash.ts); never the password. */
  hash: string;
  /** When the user was added, ISO 8601. */
  created: string;
  /** When the password was last set, ISO 8601. */
  changed: string;
}

/** Every user with a password, by name. */
export type UsersTable = Map<string, UserEntry>;

/** Where the users file of a data directory is. */
export function usersPath(dataDir: string): string {
  return join(dataDir, USERS_FILE);
}

/**
 * Reads a users file's text: `{"version":1,"users":{NAME:{hash,created,changed}}}`.
 * Throws an Error saying what is wrong (not JSON, an unknown version, an
 * invalid name, a malformed hash), never a partial table.
 */
export function parseUsers(text: string): UsersTable {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('it is not JSON');
  }
  const root = value as { version?: unknown; users?: unknown } | null;
  if (typeof root !== 'object' || root === null || root.version !== 1) {
    throw new Error('it is not a version 1 users file');
  }
  const users = root.users;
  if (typeof users !== 'object' || users === null || Array.isArray(users)) {
    throw new Error('"users" is not an object');
  }
  const table: UsersTable = new Map();
  for (const [name, raw] of Object.entries(users)) {
    if (!USER_PATTERN.test(name)) throw new Error(`${JSON.stringify(name)} is not a user name`);
    const entry = raw as Partial<UserEntry> | null;
    if (
      typeof entry !== 'object' ||
      entry === null ||
      typeof entry.hash !== 'string' ||
      typeof entry.created !== 'string' ||
      typeof entry.changed !== 'string'
    ) {
      throw new Error(`the entry of ${name} is not {hash, created, changed}`);
    }
    const problem = checkPasswordHash(entry.hash);
    if (problem !== undefined) throw new Error(`the hash of ${name} is malformed: ${problem}`);
    table.set(name, { hash: entry.hash, created: entry.created, changed: entry.changed });
  }
  return table;
}

/** A users table as the file's text, names sorted. */
export function formatUsers(table: UsersTable): string {
  const users: Record<string, UserEntry> = {};
  for (const name of [...table.keys()].sort()) users[name] = table.get(name) as UserEntry;
  return `${JSON.stringify({ version: 1, users }, null, 2)}\n`;
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

/** What a password check found. `unknown`: the user has no password in the file. */
export type PasswordCheck = 'ok' | 'wrong' | 'unknown';

/**
 * The server's view of the users file: read at start, then read again
 * whenever it changed (a stat before each check, cheap next to scrypt), so
 * `chat users add/passwd/remove` count from the next login on. A file that
 * is gone or unreadable later keeps the passwords read before, with a warning.
 */
export class UsersBook {
  private table: UsersTable = new Map();
  private version = '';
  private refreshing: Promise<void> | undefined;

  constructor(
    /** The users file. */
    readonly path: string,
    private readonly logger: Logger,
  ) {}

  /** Reads the file; a ChatError when it is missing, unreadable or garbled. */
  async load(): Promise<void> {
    const version = await this.stamp().catch(() => '');
    this.table = await requireUsers(this.path);
    this.version = version;
    await this.warnIfOpen();
  }

  /** Users with a password, as last read. */
  get size(): number {
    return this.table.size;
  }

  /** Checks `user`'s password; takes as long for a user without one. */
  async verify(user: string, password: string): Promise<PasswordCheck> {
    await this.refresh();
    const entry = this.table.get(user);
    if (entry === undefined) return verifyNobody(password).then(() => 'unknown');
    return (await verifyPassword(password, entry.hash)) ? 'ok' : 'wrong';
  }

  private refresh(): Promise<void> {
    this.refreshing ??= this.refreshNow().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshNow(): Promise<void> {
    let version: string;
    try {
      version = await this.stamp();
    } catch (error) {
      this.keepOld(error);
      return;
    }
    if (version === this.version) return;
    try {
      const table = await readUsers(this.path);
      if (table === undefined) throw Object.assign(new Error('gone'), { code: 'ENOENT' });
      this.table = table;
      this.version = version;
      this.logger.info({ path: this.path, users: table.size }, 'users file reloaded');
      await this.warnIfOpen();
    } catch (error) {
      this.keepOld(error);
    }
  }

  // What identifies one version of the file: a rename gives a new inode.
  private async stamp(): Promise<string> {
    const info = await stat(this.path);
    return `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
  }

  private keepOld(error: unknown): void {
    const why =
      errorCode(error) === 'ENOENT'
        ? 'it is gone'
        : error instanceof ChatError
          ? error.message
          : fsReason(error);
    // Said once per version seen, not at every login.
    const version = `failed: ${why}`;
    if (this.version === version) return;
    this.version = version;
    this.logger.warn(
      { path: this.path, why },
      'users file not reloaded: the passwords read before stay in force',
    );
  }

  private async warnIfOpen(): Promise<void> {
    const mode = (await stat(this.path).catch(() => undefined))?.mode ?? 0;
    if ((mode & 0o077) !== 0) {
      this.logger.warn(
        { path: this.path, mode: (mode & 0o777).toString(8) },
        'the users file is readable by others: chmod 600 it',
      );
    }
  }
}
