import { ChatError } from '../errors.ts';
import { pkiLayout } from '../pki/layout.ts';
import { type HistoryKeySource, historyKeySource } from '../server/history/history-key-source.ts';
import { isRedisUrl } from '../server/server-config.ts';

/** How the operator's tools (`chat history`, `chat users`) find the store and its key. */
export interface StoreArgs {
  certs: string;
  historyPassphraseEnv?: string | undefined;
  /** The store is in this Redis (as `chat serve --redis`), not in the data directory. */
  redis?: string | undefined;
  redisPasswordEnv?: string | undefined;
}

/** As chat serve does, the tools take CHAT_REDIS when --redis is not given. */
export function withRedisFromEnv<T extends StoreArgs>(args: T, env = process.env): T {
  const redis = args.redis ?? (env.CHAT_REDIS === '' ? undefined : env.CHAT_REDIS);
  return redis === undefined ? args : { ...args, redis };
}

/** `url` when it is a Redis URL `chat serve --redis` takes; else a usage error. */
export function checkedRedisUrl(url: string): string {
  if (isRedisUrl(url)) return url;
  throw new ChatError('USAGE', `--redis ${url} is not a Redis URL`, {
    hint: 'give redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB], the password in --redis-password-env',
  });
}

/** The history key as the server takes it: history.key in --certs, or --history-passphrase-env. */
export function storeKeySource(args: StoreArgs): HistoryKeySource {
  return historyKeySource(pkiLayout(args.certs).historyKey, args.historyPassphraseEnv);
}
