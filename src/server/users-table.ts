import { USER_PATTERN } from '../net/protocol/frames.ts';
import { checkPasswordHash } from './password-hash.ts';

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
