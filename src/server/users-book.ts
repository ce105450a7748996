import type { Logger } from 'pino';
import { ChatError } from '../errors.ts';
import { errorCode, fsReason } from '../fs/files.ts';
import { verifyNobody, verifyPassword } from './password-hash.ts';
import type { UsersTable } from './users-table.ts';

/** What a password check found. `unknown`: the user has no password set. */
export type PasswordCheck = 'ok' | 'wrong' | 'unknown';

/** The passwords of `--require-password`, as a login checks them. */
export interface UsersSource {
  /** Reads the table; a ChatError (one line and its fix) when there is none or it is unreadable. */
  load(): Promise<void>;
  /** Checks `user`'s password against the table as it is now; as slow for a user without one. */
  verify(user: string, password: string): Promise<PasswordCheck>;
  /** Users with a password, as last read. */
  readonly size: number;
}

/** Where a UsersBook reads its table: the users file, or the sealed table in Redis. */
export interface UsersOrigin {
  /** What the log calls it: `users file`, `users table in Redis`. */
  readonly what: string;
  /** The fields naming it in the log: `{path}` or `{redis}` (never a password). */
  readonly fields: Record<string, string>;
  /** A cheap token that changes whenever the table does (one stat, one GET); rejects when it cannot be had. */
  stamp(): Promise<string>;
  /** The table; a ChatError saying how to fix it when there is none, or it is unreadable. */
  read(): Promise<UsersTable>;
  /** A warning about the table just read (a file others may read), or undefined. */
  warning?(): Promise<{ fields: Record<string, string>; message: string } | undefined>;
}

/**
 * The server's view of a users table: read at start, then read again
 * whenever its stamp changed (checked before each password check, cheap
 * next to scrypt), so `chat users add/passwd/remove` count from the next
 * login on. A table that cannot be read later (a file gone or garbled,
 * Redis unreachable) keeps the passwords read before, with one warning.
 */
export class UsersBook implements UsersSource {
  private table: UsersTable = new Map();
  private version = '';
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly origin: UsersOrigin,
    private readonly logger: Logger,
  ) {}

  async load(): Promise<void> {
    const version = await this.origin.stamp().catch(() => '');
    this.table = await this.origin.read();
    this.version = version;
    await this.warnIf();
  }

  get size(): number {
    return this.table.size;
  }

  async verify(user: string, password: string): Promise<PasswordCheck> {
    await this.refresh();
    const entry = this.table.get(user);
    if (entry === undefined) return verifyNobody(password).then(() => 'unknown');
    return (await verifyPassword(password, entry.hash)) ? 'ok' : 'wrong';
  }

  // One read at a time: logins arriving together wait for the same one.
  private refresh(): Promise<void> {
    this.refreshing ??= this.refreshNow().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshNow(): Promise<void> {
    let version: string;
    try {
      version = await this.origin.stamp();
    } catch (error) {
      this.keepOld(error);
      return;
    }
    if (version === this.version) return;
    try {
      const table = await this.origin.read();
      this.table = table;
      this.version = version;
      this.logger.info(
        { ...this.origin.fields, users: table.size },
        `${this.origin.what} reloaded`,
      );
      await this.warnIf();
    } catch (error) {
      this.keepOld(error);
    }
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
      { ...this.origin.fields, why },
      `${this.origin.what} not reloaded: the passwords read before stay in force`,
    );
  }

  private async warnIf(): Promise<void> {
    const warning = await this.origin.warning?.();
    if (warning !== undefined)
      this.logger.warn({ ...this.origin.fields, ...warning.fields }, warning.message);
  }
}
