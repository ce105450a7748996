import type { Logger } from 'pino';
import type { HistoryStore } from './history/history-store.ts';
import { UsersBook, type UsersSource } from './users-book.ts';
import { usersFileOrigin, usersPath } from './users-file.ts';
import { type RedisUsers, redisUsersOrigin } from './users-redis.ts';

/** A store that also keeps the users table (RedisHistory): every node of a cluster reads the same. */
interface StoreWithUsers {
  users(): RedisUsers;
}

function keepsUsers(store: HistoryStore): store is HistoryStore & StoreWithUsers {
  return typeof (store as Partial<StoreWithUsers>).users === 'function';
}

/**
 * Where `--require-password` finds the passwords: the table in Redis when
 * the history is there (`--redis`), else `<dataDir>/users.json`.
 */
export function usersFor(dataDir: string, store: HistoryStore, logger: Logger): UsersSource {
  const origin = keepsUsers(store)
    ? redisUsersOrigin(store.users())
    : usersFileOrigin(usersPath(dataDir));
  return new UsersBook(origin, logger);
}
