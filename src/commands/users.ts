import { ChatError } from '../errors.ts';
import { passwordProblem } from '../net/password-rules.ts';
import { MAX_PASSWORD_BYTES } from '../net/protocol/frames.ts';
import { validateUserName } from '../pki/names.ts';
import { hashPassword } from '../server/password-hash.ts';
import { readUsers, usersPath } from '../server/users-file.ts';
import { formatTable } from './format-table.ts';
import { readFirstLine, readHiddenLine, type TtyInput } from './read-password.ts';
import { withRedisFromEnv } from './store-args.ts';
import { type UsersPlace, type UsersPlaceArgs, withUsersPlace } from './users-place.ts';

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

/** `chat users add|passwd|remove NAME` options: the table is users.json in `data`, or in Redis with `redis`. */
export interface UserArgs extends UsersPlaceArgs {
  name: string;
  passwordStdin?: boolean | undefined;
}

/**
 * `chat users add NAME`: sets a password for a user who has none yet.
 * The password is asked before the table is changed: typing may take a while.
 */
export async function runUsersAdd(args: UserArgs, io: UsersIo): Promise<void> {
  const name = validateUserName(args.name);
  await withUsersPlace(args, true, async (place) => {
    if ((await place.read())?.has(name)) throw exists(name, place);
    const hash = await hashPassword(await newPassword(name, args, io));
    await place.change((table) => {
      if (table.has(name)) throw exists(name, place);
      const now = io.now().toISOString();
      table.set(name, { hash, created: now, changed: now });
    });
    io.out(`added ${name}: their password is set in ${place.where}`);
  });
}

/** `chat users passwd NAME`: sets a new password for a user who has one. */
export async function runUsersPasswd(args: UserArgs, io: UsersIo): Promise<void> {
  const name = validateUserName(args.name);
  await withUsersPlace(args, true, async (place) => {
    if (!(await place.read())?.has(name)) throw notFound(name, place);
    const hash = await hashPassword(await newPassword(name, args, io));
    await place.change((table) => {
      const entry = table.get(name);
      if (entry === undefined) throw notFound(name, place);
      table.set(name, { ...entry, hash, changed: io.now().toISOString() });
    });
  });
  io.out(`changed the password of ${name} (from their next login on)`);
}

/** `chat users remove NAME`: forgets a user's password. */
export async function runUsersRemove(args: UserArgs, io: UsersIo): Promise<void> {
  const name = validateUserName(args.name);
  await withUsersPlace(args, true, (place) =>
    place.change((table) => {
      if (!table.delete(name)) throw notFound(name, place);
    }),
  );
  io.out(`removed ${name}: a server run with --require-password no longer lets them log in`);
}

/** `chat users list`: the users with a password, when each was added and last changed; never a hash. */
export async function runUsersList(
  args: UsersPlaceArgs & { json?: boolean | undefined },
  io: UsersIo,
): Promise<void> {
  const {
    table = new Map(),
    where,
    via,
  } = await withUsersPlace(args, false, async (place) => ({
    table: await place.read(),
    where: place.where,
    via: place.via,
  }));
  const names = [...table.keys()].sort();
  if (args.json) {
    for (const user of names) {
      const { created, changed } = table.get(user) as { created: string; changed: string };
      io.out(JSON.stringify({ user, created, changed }));
    }
    return;
  }
  if (names.length === 0) {
    io.out(`no passwords are set in ${where} (add one with \`chat users add NAME${via}\`)`);
    return;
  }
  const rows = names.map((user) => {
    const { created, changed } = table.get(user) as { created: string; changed: string };
    return [user, minute(created), minute(changed)];
  });
  io.out(formatTable([['USER', 'ADDED', 'CHANGED'], ...rows]));
}

/**
 * `chat users import --redis URL`: copies the users file of `data` into the
 * table in Redis, so a team on one server can move to a cluster. A user the
 * table has already keeps the password set there.
 */
export async function runUsersImport(args: UsersPlaceArgs, io: UsersIo): Promise<void> {
  const { redis } = withRedisFromEnv(args);
  if (redis === undefined) {
    throw new ChatError('USAGE', 'chat users import copies users.json into Redis: say which', {
      hint: 'give --redis URL (or set CHAT_REDIS), as chat serve --redis takes it',
    });
  }
  const path = usersPath(args.data);
  const file = await readUsers(path);
  if (file === undefined) {
    throw new ChatError('FILE_UNREADABLE', `there is no users file at ${path}`, {
      hint: "point --data at the server's data directory (where chat serve kept users.json)",
    });
  }
  let kept: string[] = [];
  const where = await withUsersPlace({ ...args, redis }, true, async (place) => {
    await place.change((table) => {
      kept = [...file.keys()].filter((name) => table.has(name));
      for (const [name, entry] of file) if (!table.has(name)) table.set(name, entry);
    });
    return place.where;
  });
  const copied = file.size - kept.length;
  io.out(`copied ${copied} user${copied === 1 ? '' : 's'} from ${path} into ${where}`);
  if (kept.length > 0)
    io.out(`kept the password already set in Redis for ${kept.sort().join(', ')}`);
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

function exists(name: string, place: UsersPlace): ChatError {
  return new ChatError('USER_EXISTS', `${name} already has a password in ${place.where}`, {
    hint: `change it with \`chat users passwd ${name}${place.via}\``,
  });
}

function notFound(name: string, place: UsersPlace): ChatError {
  return new ChatError('USER_NOT_FOUND', `${name} has no password in ${place.where}`, {
    hint: `set one with \`chat users add ${name}${place.via}\` (\`chat users list${place.via}\` shows who has one)`,
  });
}

// `2026-11-26T01:23:45.678Z` as `2026-11-26 01:23 UTC`; anything else as it is.
function minute(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}
