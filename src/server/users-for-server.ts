import type { Logger } from 'pino';
import type { HistoryStore } from './history/history-store.ts';
import type { RedisPlace } from './history/redis-history.ts';
import { UsersBook, type UsersSource } from './users-book.ts';
import { usersFileOrigin, usersPath } from './users-file.ts';
import { RedisUsers, redisUsersOrigin } from './users-redis.ts';

/** A store in Redis, beside which the users table is kept: every node of a cluster reads the same. */
interface StoreWithPlace {
  place(): RedisPlace;
}

function keepsUsers(store: HistoryStore): store is HistoryStore & StoreWithPlace {
  return typeof (store as Partial<StoreWithPlace>).place === 'function';
}

/**
 * Where `--require-password` finds the passwords: the table in Redis when
 * the history is there (`--redis`), else `<dataDir>/users.json`.
 */
export function usersFor(dataDir: string, store: HistoryStore, logger: Logger): UsersSource {
  const origin = keepsUsers(store)
    ? redisUsersOrigin(new RedisUsers(store.place()))
    : usersFileOrigin(usersPath(dataDir));
  return new UsersBook(origin, logger);
}
