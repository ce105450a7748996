import { redisPassword } from '../server/history/history-for-server.ts';
import { readUsers, usersPath, withUsersLock, writeUsers } from '../server/users-file.ts';
import { RedisUsers } from '../server/users-redis.ts';
import type { UsersTable } from '../server/users-table.ts';
import { checkedRedisUrl, type StoreArgs, storeKeySource, withRedisFromEnv } from './store-args.ts';

/** Where `chat users` finds the table: `--data`'s users.json, or Redis with --redis (or CHAT_REDIS). */
export interface UsersPlaceArgs extends StoreArgs {
  data: string;
}

/** The users table a `chat users` command reads and changes. */
export interface UsersPlace {
  /** Where it is, as messages name it: `data/users.json`, `Redis at redis://HOST:PORT`. */
  readonly where: string;
  /** What a later `chat users` command adds to reach this table again: ` --redis URL`, or nothing. */
  readonly via: string;
  /** The table, or undefined when there is none yet. */
  read(): Promise<UsersTable | undefined>;
  /**
   * Applies `edit` to the table as it is now (an empty one when there is
   * none) and keeps it; never loses a change another command made
   * meanwhile. `edit` may throw to change nothing.
   */
  change(edit: (table: UsersTable) => void): Promise<void>;
}

/**
 * Runs `work` on the table `args` names, then lets it go. `writing`: a
 * Redis without a store yet gets one (as the first `chat serve --redis`
 * would make it), so the table can be sealed with its key.
 */
export async function withUsersPlace<T>(
  args: UsersPlaceArgs,
  writing: boolean,
  work: (place: UsersPlace) => Promise<T>,
): Promise<T> {
  const { redis } = withRedisFromEnv(args);
  if (redis === undefined) return work(filePlace(args.data));
  // Loaded only here: the file's commands never pay for ioredis.
  const { RedisHistory } = await import('../server/history/redis-history.ts');
  const store = await RedisHistory.open({
    url: checkedRedisUrl(redis),
    password: redisPassword(args.redisPasswordEnv),
    key: storeKeySource(args),
    // Durability is the server's to insist on: these are a few rare writes.
    durability: 'everysec',
    limits: { keepDays: 0, keepMessages: 0 },
    warn: () => {},
    readOnly: !writing,
  });
  try {
    const users = new RedisUsers(store.place());
    return await work({
      where: users.where,
      via: ' --redis URL',
      read: async () => (await users.read()).table,
      change: (edit) => users.change(edit),
    });
  } finally {
    await store.close();
  }
}

/** The users file of a data directory; changes are made holding its lock. */
export function filePlace(dataDir: string): UsersPlace {
  const path = usersPath(dataDir);
  return {
    where: path,
    via: '',
    read: () => readUsers(path),
    change: (edit) =>
      withUsersLock(dataDir, async () => {
        const table = (await readUsers(path)) ?? new Map();
        edit(table);
        await writeUsers(dataDir, table);
      }),
  };
}
