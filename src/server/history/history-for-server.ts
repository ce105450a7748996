import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ChatError } from '../../errors.ts';
import { pkiLayout } from '../../pki/layout.ts';
import type { ServerConfig } from '../server-config.ts';
import { DiskHistory } from './disk-history.ts';
import { historyKeySource } from './history-key-source.ts';
import type { HistoryStore } from './history-store.ts';
import { MemoryHistory } from './memory-history.ts';
import { redisLabel } from './redis-label.ts';

/** The history directory inside a data directory. */
export function historyDir(dataDir: string): string {
  return join(dataDir, 'history');
}

/**
 * The history store `config` asks for, opened, with what start-up found
 * logged: a torn tail cut (and where its bytes went), a sequence file that
 * could not be read. `summary` is what is kept, to log once the server listens.
 */
export async function historyForServer(
  config: ServerConfig,
  logger: Logger,
): Promise<{ store: HistoryStore; summary: Record<string, unknown> }> {
  if (config.store === 'memory') {
    return { store: new MemoryHistory(config.historyPerRoom), summary: { store: 'memory' } };
  }
  const key = historyKeySource(pkiLayout(config.certsDir).historyKey, config.historyPassphraseEnv);
  if (config.redis !== undefined) {
    // Loaded only here: a server on disk or an embedded one never pays for ioredis.
    const { RedisHistory } = await import('./redis-history.ts');
    const store = await RedisHistory.open({
      url: config.redis,
      password: redisPassword(config.redisPasswordEnv),
      key,
      durability: config.redisDurability,
      limits: { keepDays: config.keepDays, keepMessages: config.keepMessages },
      warn: (fields, message) => logger.warn(fields, message),
      node: `${hostname()}:${config.port}`,
    });
    return {
      store,
      summary: {
        store: 'redis',
        redis: redisLabel(config.redis),
        durability: config.redisDurability,
      },
    };
  }
  const dir = historyDir(config.dataDir);
  const { store, report } = await DiskHistory.open({
    dir,
    key,
    limits: {
      cache: config.historyPerRoom,
      keepDays: config.keepDays,
      keepMessages: config.keepMessages,
    },
    warn: (fields, message) => logger.warn(fields, message),
  });
  if (report.cut) {
    logger.warn(
      { file: report.cut.file, bytes: report.cut.bytes, savedAs: report.cut.savedAs },
      `history: cut ${report.cut.bytes} bytes of an unfinished record from the end (never acknowledged; saved aside)`,
    );
  }
  if (report.stateSetAside) {
    logger.warn(
      report.stateSetAside,
      'history: the state file (topics, read positions, remembered rooms) does not open with this key: moved aside, starting with none',
    );
  }
  return { store, summary: { store: 'disk', dir, ...store.counts() } };
}

/** The Redis password from the variable `--redis-password-env` names, which must be set. */
export function redisPassword(variable: string | undefined, env = process.env): string | undefined {
  if (variable === undefined) return undefined;
  const password = env[variable];
  if (password === undefined || password === '')
    throw new ChatError('USAGE', `--redis-password-env names ${variable}, which is not set`, {
      hint: `export ${variable} with the Redis password, then run it again`,
    });
  return password;
}
