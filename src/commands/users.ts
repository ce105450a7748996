import { ChatError } from '../errors.ts';
import { passwordProblem } from '../net/password-rules.ts';
import { MAX_PASSWORD_BYTES } from '../net/protocol/frames.ts';
import { validateUserName } from '../pki/names.ts';
import { hashPassword } from '../server/password-hash.ts';
import {
  readUsers,
  type UsersTable,
  usersPath,
  withUsersLock,
  writeUsers,
} from '../server/users-file.ts';
import { formatTable } from './format-table.ts';
import { readFirstLine, readHiddenLine, type TtyInput } from './read-password.ts';

/** Where `chat users` reads the password from and writes what it did. */
export interface UsersIo {
  /** One line of output (stdout). */
  out: (line: string) => void;
  /** The password comes from here: typed without echo on a terminal, or a line with --password-stdin. */
  stdin: TtyInput;
  /** Prompts go here (stderr), so stdout stays clean. */
  prompt: NodeJS.WritableStream;
  now: () => Date;
}

/** `chat users add|passwd|remove NAME` options. */
export interface UserArgs {
  data: string;
  name: string;
  passwordStdin?: boolean | undefined;
}

/**
 * `chat users add NAME`: sets a password for a user who has none yet.
 * The password is asked before the file is locked: typing may take a while.
 */
export async function runUsersAdd(args: UserArgs, io: UsersIo): Promise<void> {
  const name = validateUserName(args.name);
  const path = usersPath(args.data);
  if ((await readUsers(path))?.has(name)) throw exists(name, path);
  const hash = await hashPassword(await newPassword(name, args, io));
  await change(args.data, (table) => {
    if (table.has(name)) throw exists(name, path);
    const now = io.now().toISOString();
    table.set(name, { hash, created: now, changed: now });
  });
  io.out(`added ${name}: their password is set in ${path}`);
}

/** `chat users passwd NAME`: sets a new password for a user who has one. */
export async function runUsersPasswd(args: UserArgs, io: UsersIo): Promise<void> {
  const name = validateUserName(args.name);
  const path = usersPath(args.data);
  if (!(await readUsers(path))?.has(name)) throw notFound(name, path);
  const hash = await hashPassword(await newPassword(name, args, io));
  await change(args.data, (table) => {
    const entry = table.get(name);
    if (entry === undefined) throw notFound(name, path);
    table.set(name, { ...entry, hash, changed: io.now().toISOString() });
  });
  io.out(`changed the password of ${name} (from their next login on)`);
}

/** `chat users remove NAME`: forgets a user's password. */
export async function runUsersRemove(args: UserArgs, io: UsersIo): Promise<void> {
  const name = validateUserName(args.name);
  const path = usersPath(args.data);
  await change(args.data, (table) => {
    if (!table.delete(name)) throw notFound(name, path);
  });
  io.out(`removed ${name}: a server run with --require-password no longer lets them log in`);
}

/** `chat users list`: the users with a password, when each was added and last changed; never a hash. */
export async function runUsersList(
  args: { data: string; json?: boolean | undefined },
  io: UsersIo,
): Promise<void> {
  const path = usersPath(args.data);
  const table = (await readUsers(path)) ?? new Map();
  const names = [...table.keys()].sort();
  if (args.json) {
    for (const user of names) {
      const { created, changed } = table.get(user) as { created: string; changed: string };
      io.out(JSON.stringify({ user, created, changed }));
    }
    return;
  }
  if (names.length === 0) {
    io.out(`no passwords are set in ${path} (add one with \`chat users add NAME\`)`);
    return;
  }
  const rows = names.map((user) => {
    const { created, changed } = table.get(user) as { created: string; changed: string };
    return [user, minute(created), minute(changed)];
  });
  io.out(formatTable([['USER', 'ADDED', 'CHANGED'], ...rows]));
}

// Reads, changes and writes the file under the lock, so that two commands
// never lose each other's change.
async function change(dataDir: string, edit: (table: UsersTable) => void): Promise<void> {
  await withUsersLock(dataDir, async () => {
    const table = (await readUsers(usersPath(dataDir))) ?? new Map();
    edit(table);
    await writeUsers(dataDir, table);
  });
}

// The new password: one line from stdin with --password-stdin, else typed
// twice without echo on the terminal.
async function newPassword(name: string, args: UserArgs, io: UsersIo): Promise<string> {
  let password: string;
  if (args.passwordStdin) {
    password = await readFirstLine(io.stdin, MAX_PASSWORD_BYTES);
  } else {
    if (!io.stdin.isTTY || io.stdin.setRawMode === undefined) {
      throw new ChatError('USAGE', 'stdin is not a terminal, so the password cannot be typed', {
        hint: 'pipe it in with --password-stdin (one line)',
      });
    }
    password = await readHiddenLine(`new password for ${name}: `, io.stdin, io.prompt);
    checked(password);
    const again = await readHiddenLine('the same again: ', io.stdin, io.prompt);
    if (again !== password) {
      throw new ChatError('INVALID_PASSWORD', 'the two passwords differ: nothing was changed', {
        hint: 'run the command again',
      });
    }
  }
  return checked(password);
}

function checked(password: string): string {
  const problem = passwordProblem(password);
  if (problem !== undefined) {
    throw new ChatError('INVALID_PASSWORD', `${problem}: nothing was changed`, {
      hint: `give 1 to ${MAX_PASSWORD_BYTES} bytes`,
    });
  }
  return password;
}

function exists(name: string, path: string): ChatError {
  return new ChatError('USER_EXISTS', `${name} already has a password in ${path}`, {
    hint: `change it with \`chat users passwd ${name}\``,
  });
}

function notFound(name: string, path: string): ChatError {
  return new ChatError('USER_NOT_FOUND', `${name} has no password in ${path}`, {
    hint: `set one with \`chat users add ${name}\` (\`chat users list\` shows who has one)`,
  });
}

// `2026-11-26T01:23:45.678Z` as `2026-11-26 01:23 UTC`; anything else as it is.
function minute(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}
