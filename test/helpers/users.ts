import { hashPassword } from '../../src/server/password-hash.ts';
import type { UsersTable } from '../../src/server/users-table.ts';

// Cheap scrypt parameters: the server verifies with what each hash says.
const FAST = { N: 1024, r: 8, p: 1 };

/** A users table with these passwords, hashed fast (tests only). */
export async function usersTable(passwords: Record<string, string>): Promise<UsersTable> {
  const now = new Date().toISOString();
  const entries = await Promise.all(
    Object.entries(passwords).map(async ([name, password]) => {
      const hash = await hashPassword(password, FAST);
      return [name, { hash, created: now, changed: now }] as const;
    }),
  );
  return new Map(entries);
}
