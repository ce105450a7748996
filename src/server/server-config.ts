/**
 * Everything `chat serve` can be told, declared once: SERVE_FLAGS is a zod
 * schema of its flags (as yargs hands them over, camelCased) with their
 * types, defaults, help text and checks. The CLI builds its option table from
 * it (src/cli/schema-options.ts), `parseServeFlags` checks what was given,
 * and `configFromFlags` turns the flags into the ServerConfig the server
 * runs with (times in ms). The defaults are those of DESIGN.md's limits table.
 */
import { z } from 'zod';
import { ChatError } from '../errors.ts';
import { flagName } from '../format/flag-name.ts';
import { MAX_HISTORY_LIMIT, MAX_TEXT_CHARS, USER_PATTERN } from '../net/protocol/frames.ts';
import { LOG_LEVELS } from './log-levels.ts';

/** The room everyone lands in when they ask for none. */
export const DEFAULT_ROOM = '#general';

/** Where `chat serve --dashboard` logs when no --log-file is given. */
export const DEFAULT_DASHBOARD_LOG = 'chat-serve.log';

/** Log records the dashboard's log pane keeps (count). */
export const DASHBOARD_LOG_RECORDS = 1_000;

/** Longest time a flag may set, in seconds: 24 days, under node's timer limit. */
const MAX_TIMER_SECONDS = 24 * 24 * 3600;

/**
 * A zod error option whose message is the hint of a usage error, naming the
 * flag the issue is about (zod gives the key in `path`).
 */
function hint(say: (flag: string) => string) {
  return {
    error: (issue: { path?: PropertyKey[] | undefined }) =>
      say(flagName(String(issue.path?.[0] ?? ''))),
  };
}

// Counts and sizes: a fraction or 0 is refused here, not met as a RangeError on the first connection.
const WHOLE = hint((flag) => `give a whole number of 1 or more for ${flag}`);
const isWhole = (value: number) => Number.isSafeInteger(value) && value >= 1;

/** A count or a size (bytes): a whole number of 1 or more. */
function count(fallback: number, describe: string) {
  return z.number(WHOLE).refine(isWhole, WHOLE).default(fallback).describe(describe);
}

/** A count where 0 means no limit; anything else as for {@link count}. */
function countOrNone(fallback: number, describe: string) {
  return z
    .number(WHOLE)
    .refine((value) => value === 0 || isWhole(value), WHOLE)
    .default(fallback)
    .describe(describe);
}

const ABOVE_ZERO = hint((flag) => `give a number above 0 for ${flag}`);

/** A rate: any number above 0, fractions included. */
function positive(fallback: number, describe: string) {
  return z
    .number(ABOVE_ZERO)
    .refine((value) => value > 0, ABOVE_ZERO)
    .default(fallback)
    .describe(describe);
}

// Node timers cannot wait longer than 2^31-1 ms (about 24.8 days); a longer one fires at once.
const TIMER_MAX = hint((flag) => `give at most ${MAX_TIMER_SECONDS} seconds for ${flag}`);

/** A time in seconds, fractions included: above 0 and at most 24 days. */
function seconds(fallback: number, describe: string) {
  return z
    .number(ABOVE_ZERO)
    .refine((value) => value > 0, { ...ABOVE_ZERO, abort: true })
    .refine((value) => value <= MAX_TIMER_SECONDS, TIMER_MAX)
    .default(fallback)
    .describe(describe);
}

/** A Redis URL `chat serve --redis` takes: redis:// or rediss://, a host, no password in it. */
export function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'redis:' || url.protocol === 'rediss:') &&
      url.hostname !== '' &&
      url.password === ''
    );
  } catch {
    return false;
  }
}

const PORT = { error: () => 'give a port from 1 to 65535 (0 picks a free one)' };

const USER_NAME = {
  error: () =>
    'a user name is 1 to 32 of a-z 0-9 _ - (as in its certificate), e.g. --operator alice',
};

/**
 * `chat serve`'s flags, in the order of `--help`: their types, defaults (in
 * the flags' units: seconds, bytes), help text and checks. `certs` and `data`
 * have no default here: their options are shared with other commands and
 * default to the team profile's (src/cli/shared-options.ts).
 */
export const SERVE_FLAGS = z
  .object({
    certs: z.string(),
    data: z.string(),
    host: z
      .string()
      .default('127.0.0.1')
      .describe('address to listen on (0.0.0.0 for every interface)'),
    port: z
      .number(PORT)
      .refine((port) => Number.isInteger(port) && port >= 0 && port <= 65_535, PORT)
      .default(8443)
      .describe('TCP port'),
    ircPort: z
      .number(PORT)
      .refine((port) => Number.isInteger(port) && port >= 0 && port <= 65_535, PORT)
      .optional()
      .describe(
        'a second port, for IRC clients: TLS with a client certificate, as the chat port (docs/IRC.md); none without it',
      ),
    tlsMin: z
      .enum(['1.3', '1.2'], { error: () => 'use 1.3 (the default) or 1.2 for old peers' })
      .default('1.3')
      .describe('oldest TLS version offered'),
    handshakeTimeout: seconds(10, 'seconds for TLS handshake + hello'),
    // Each handshake costs up to ~60 KiB while it runs: 1000 keep a flood under ~100 MiB.
    maxHandshakes: count(1_000, 'sockets in their TLS handshake at once, in all'),
    maxHandshakesPerAddress: count(
      10,
      'sockets in their TLS handshake at once per IP address (IPv6: per /64)',
    ),
    maxFrame: count(64 * 1024, 'longest line read, in bytes'),
    maxText: count(4_000, 'longest message, in characters'),
    rate: positive(5, 'frames per second per user'),
    burst: count(20, 'frames a user may send at once'),
    maxQueue: count(1024 * 1024, 'bytes queued to a slow client before it is dropped'),
    stallTimeout: seconds(
      60,
      'seconds a client may read nothing of what waits for it before it is dropped',
    ),
    readBudget: count(
      32 * 1024 * 1024,
      'bytes of replays and history pages in flight, server-wide',
    ),
    maxConnections: count(10_000, 'connections in all'),
    maxPerAddress: count(50, 'connections per IP address'),
    maxPerUser: count(8, 'connections per user (devices)'),
    idlePing: seconds(60, 'seconds of silence before a ping'),
    idleTimeout: seconds(120, 'seconds of silence before closing'),
    store: z
      .enum(['disk', 'memory'], { error: () => 'use disk (the default) or memory' })
      .default('disk')
      .describe('keep history encrypted in <data>/history, or in memory only (lost at exit)'),
    historyPassphraseEnv: z
      .string()
      .optional()
      .describe(
        'seal history with the passphrase in this environment variable instead of certs/history.key',
      ),
    redis: z
      .string()
      .refine(isRedisUrl, {
        error: () =>
          'give redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB] (TLS), the password in --redis-password-env',
      })
      .optional()
      .describe(
        'keep history in this Redis (redis://HOST:PORT[/DB], rediss:// for TLS) instead of <data>/history',
      ),
    redisPasswordEnv: z
      .string()
      .optional()
      .describe('the Redis password is in this environment variable (never on the command line)'),
    redisDurability: z
      .enum(['always', 'everysec'], {
        error: () => 'use always (the default) or everysec',
      })
      .default('always')
      .describe(
        'always: refuse a Redis without appendfsync always; everysec: accept it (acked messages may be lost)',
      ),
    keepDays: countOrNone(0, 'days a message is kept on disk (0: for ever)'),
    keepMessages: countOrNone(0, 'messages kept per room on disk (0: all)'),
    historySize: count(
      1_000,
      'newest messages per room held in memory (all that --store memory keeps)',
    ),
    maxHistory: count(200, 'most messages one history request returns (up to 200)'),
    maxErrors: count(10, 'invalid lines tolerated in a burst before closing'),
    maxRoomsPerUser: count(50, 'rooms one user may be in at once'),
    maxRooms: count(1_000, 'rooms the server keeps in all'),
    roomsPerHour: count(20, 'rooms one user may create per hour'),
    motd: z
      .string()
      .default('Welcome to chat. Type /help for commands.')
      .describe('message of the day shown on connect'),
    logLevel: z.enum(LOG_LEVELS).default('info').describe('least severe log level written'),
    logFile: z
      .string()
      .optional()
      .describe(
        `write the log to this file instead of stderr (with --dashboard: ${DEFAULT_DASHBOARD_LOG})`,
      ),
    dashboard: z
      .boolean()
      .default(false)
      .describe('show a live full-screen dashboard (needs a terminal)'),
    requirePassword: z
      .boolean()
      .default(false)
      .describe(
        'clients must also send their password, set with `chat users add` in --data (with --redis: in that Redis, `chat users add --redis URL`)',
      ),
    authTimeout: seconds(60, 'seconds a client has to send its password once asked'),
    operator: z.array(z.string(USER_NAME).regex(USER_PATTERN, USER_NAME)).default([]).meta({
      description:
        'a server operator: may moderate every room and ban from the server (repeatable)',
      env: 'CHAT_OPERATORS',
    }),
  })
  .superRefine((flags, context) => {
    if (flags.redis !== undefined && flags.store === 'memory') {
      context.addIssue({
        code: 'custom',
        path: ['store'],
        message:
          'leave out --store memory to keep history in Redis, or --redis to keep it in memory',
        params: { line: '--store memory and --redis do not go together' },
      });
    }
    if (flags.idleTimeout > flags.idlePing) return;
    context.addIssue({
      code: 'custom',
      path: ['idleTimeout'],
      message: `e.g. --idle-ping ${flags.idlePing} --idle-timeout ${flags.idlePing * 2}`,
      params: { line: '--idle-timeout must be longer than --idle-ping' },
    });
  });

/** The flags as yargs hands them over: times in seconds, sizes in bytes; unset ones take their default. */
export type ServeArgs = z.input<typeof SERVE_FLAGS>;
/** The flags once checked, every default filled in. */
export type ServeFlags = z.output<typeof SERVE_FLAGS>;

/**
 * Checks `chat serve`'s flags: counts and sizes must be whole numbers of 1
 * or more, times (seconds) and the rate above 0, the port 0 to 65535. Throws
 * a USAGE ChatError (one line naming the flag, a hint) for the first that is not.
 */
export function parseServeFlags(args: ServeArgs): ServeFlags {
  const parsed = SERVE_FLAGS.safeParse(args);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = String(issue?.path[0] ?? '');
  const value = (args as Record<string, unknown>)[key];
  // One of a repeatable flag's values: name that one.
  const index = issue?.path[1];
  const given = Array.isArray(value) && typeof index === 'number' ? value[index] : value;
  const line =
    issue?.code === 'custom' && typeof issue.params?.line === 'string'
      ? issue.params.line
      : `invalid ${flagName(key)} ${key === 'redis' ? String(given).replace(/:[^/@:]*@/, ':***@') : String(given)}`;
  throw new ChatError('USAGE', line, { hint: issue?.message ?? 'see chat serve --help' });
}

/**
 * The server's settings that are not flags: how often failed handshakes are
 * logged, one line per address (ms); the wait before a wrong password is
 * answered (ms); wrong passwords from one address that lock it out (count),
 * and for how long (ms).
 */
const FIXED = {
  handshakeLogMs: 10_000,
  authFailDelayMs: 1_000,
  maxAuthFailures: 5,
  authLockMs: 5 * 60_000,
};

/** Checked flags as the server's settings: times in ms, text and history capped at the protocol's limits. */
export function configFromFlags(flags: ServeFlags) {
  return {
    /** Address to listen on. */
    host: flags.host,
    /** TCP port; 0 picks a free one. */
    port: flags.port,
    /** The IRC gateway's TCP port (0 picks a free one); undefined: no gateway. */
    ircPort: flags.ircPort,
    certsDir: flags.certs,
    /** Where the history and the users file live. */
    dataDir: flags.data,
    /** Oldest TLS version offered. */
    tlsMin: flags.tlsMin,
    /** TLS handshake plus hello, from the first byte, in ms. */
    handshakeTimeoutMs: flags.handshakeTimeout * 1000,
    /** Sockets accepted and not yet through TLS, in all (count). */
    maxHandshakes: flags.maxHandshakes,
    /** Sockets accepted and not yet through TLS from one address or IPv6 /64 (count). */
    maxHandshakesPerAddress: flags.maxHandshakesPerAddress,
    /** Longest line read, in bytes, newline excluded. */
    maxFrameBytes: flags.maxFrame,
    /** Longest message text, in characters. */
    maxTextChars: Math.min(MAX_TEXT_CHARS, flags.maxText),
    /** Frames per second per user, sustained. */
    ratePerSecond: flags.rate,
    /** Frames a user may send at once before the rate applies. */
    rateBurst: flags.burst,
    /** Bytes queued to one client before it is dropped as too slow. */
    maxQueueBytes: flags.maxQueue,
    /** Time a client may leave what waits for it unread (not one byte of it going out) before it is dropped, in ms. */
    stallTimeoutMs: flags.stallTimeout * 1000,
    /** Bytes of resume replays and history pages not yet written, server-wide; readers past it wait their turn. */
    readBudgetBytes: flags.readBudget,
    maxConnections: flags.maxConnections,
    maxPerAddress: flags.maxPerAddress,
    /** Connections (devices) per user. */
    maxPerUser: flags.maxPerUser,
    /** Silence after which the server pings, in ms. */
    idlePingMs: flags.idlePing * 1000,
    /** Silence after which the server closes the connection, in ms. */
    idleTimeoutMs: flags.idleTimeout * 1000,
    /** Where history is kept: encrypted files in dataDir, or memory (gone at exit). */
    store: flags.store,
    /** Environment variable holding the history passphrase; unset: the key file in certsDir. */
    historyPassphraseEnv: flags.historyPassphraseEnv,
    /** Redis URL (`--redis`, CHAT_REDIS) holding the history instead of dataDir; unset: the disk or memory store. */
    redis: flags.redis,
    /** Environment variable holding the Redis password (its value is read at start, never logged). */
    redisPasswordEnv: flags.redisPasswordEnv,
    /** `always`: Redis must fsync every write before it replies; `everysec`: accept less, with a warning. */
    redisDurability: flags.redisDurability,
    /** Days a message is kept on disk; 0 keeps it for ever. */
    keepDays: flags.keepDays,
    /** Messages kept per conversation on disk; 0 keeps all. */
    keepMessages: flags.keepMessages,
    /** Messages per conversation held in memory: all of the in-memory store, the newest of the disk one. */
    historyPerRoom: flags.historySize,
    /** Most messages one history request returns. */
    maxHistory: Math.min(MAX_HISTORY_LIMIT, flags.maxHistory),
    /** Invalid frames tolerated in a burst before the connection is closed. */
    maxErrors: flags.maxErrors,
    /** Rooms one user may be in at once. */
    maxRoomsPerUser: flags.maxRoomsPerUser,
    /** Rooms the server keeps in all (each holds up to historyPerRoom messages). */
    maxRooms: flags.maxRooms,
    /** Rooms one user may create per hour (a burst of that many, then one every 3600 / n s); the default room is never counted. */
    maxRoomsCreatedPerHour: flags.roomsPerHour,
    motd: flags.motd,
    /** Whether a client must send its user's password (`<dataDir>/users.json`, or the table in Redis with `redis`) after hello. */
    requirePassword: flags.requirePassword,
    /** Time a client has to send its password once asked, in ms. */
    authTimeoutMs: flags.authTimeout * 1000,
    /** Server operators (`--operator`, CHAT_OPERATORS): they operate every room and alone ban from the server. */
    operators: [...new Set(flags.operator)].sort(),
    ...FIXED,
  };
}

/** Everything the server runs with; see {@link configFromFlags} for each field. */
export type ServerConfig = ReturnType<typeof configFromFlags>;

/** `chat serve` flags turned into a checked ServerConfig; throws as {@link parseServeFlags}. */
export function serverConfigFrom(args: ServeArgs): ServerConfig {
  return configFromFlags(parseServeFlags(args));
}

/** Every flag's default, with `certs` and `data` in the working directory (tests, the embedded server). */
export const DEFAULT_SERVER_CONFIG: ServerConfig = serverConfigFrom({
  certs: 'certs',
  data: 'data',
});
