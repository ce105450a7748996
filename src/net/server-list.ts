import { ChatError } from '../errors.ts';
import { formatServerAddress, parseServerAddress, type ServerAddress } from './server-address.ts';

/** Most addresses one list of a cluster's nodes may hold (a `--server` list, a profile). */
export const MAX_SERVERS = 16;

/**
 * Reads a comma-separated list of `HOST[:PORT]` (or several such texts, as
 * a repeated flag gives them), each as parseServerAddress reads it: a bad
 * entry is one USAGE error naming it and `flag`; empty entries are skipped,
 * a repeated address (same host and port) is kept once, in its first place.
 * More than MAX_SERVERS, or none at all, is a USAGE error. Pure.
 */
export function parseServerList(
  text: string | readonly string[],
  defaultPort: number,
  flag = '--server',
): ServerAddress[] {
  const entries = (typeof text === 'string' ? [text] : text)
    .flatMap((part) => part.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) {
    throw new ChatError('USAGE', `${flag} names no server`, {
      hint: `give HOST or HOST:PORT, several separated by commas, as in ${flag} a.example.com:8443,b.example.com:8443`,
    });
  }
  return uniqueServers(
    entries.map((entry) => parseServerAddress(entry, defaultPort, flag)),
    flag,
  );
}

/**
 * The addresses of `servers` once each (same host and port), in their first
 * order; a USAGE error naming `flag` beyond MAX_SERVERS or for none. Pure.
 */
export function uniqueServers(
  servers: readonly ServerAddress[],
  flag = '--server',
): ServerAddress[] {
  const unique: ServerAddress[] = [];
  for (const server of servers) {
    if (!unique.some((s) => sameServer(s, server))) unique.push(server);
  }
  if (unique.length === 0) throw new ChatError('USAGE', `${flag} names no server`);
  if (unique.length > MAX_SERVERS) {
    throw new ChatError(
      'USAGE',
      `${flag} names ${unique.length} servers, more than ${MAX_SERVERS}`,
      {
        hint: `give at most ${MAX_SERVERS} nodes of the cluster; any one that answers is enough`,
      },
    );
  }
  return unique;
}

/** True when both name the same host and port. */
export function sameServer(a: ServerAddress, b: ServerAddress): boolean {
  return a.host === b.host && a.port === b.port;
}

/** The list as it is typed and shown: `host:port` joined by commas. */
export function formatServerList(servers: readonly ServerAddress[]): string {
  return servers.map(formatServerAddress).join(',');
}

/**
 * The order one round of connection attempts tries `servers` in: a
 * Fisher-Yates shuffle drawn from `random` (a number in [0, 1), like
 * `Math.random`), fresh for every round so that the clients of a node that
 * died spread over the others instead of all landing on the same next one.
 * A new array; `servers` is left alone. Pure.
 */
export function roundOrder<T>(servers: readonly T[], random: () => number): T[] {
  const order = [...servers];
  for (let i = order.length - 1; i > 0; i--) {
    const r = Math.min(Math.max(0, random() || 0), 1 - Number.EPSILON);
    const j = Math.floor(r * (i + 1));
    const kept = order[i] as T;
    order[i] = order[j] as T;
    order[j] = kept;
  }
  return order;
}
