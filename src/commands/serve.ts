import closeWithGrace from 'close-with-grace';
import pkg from '../../package.json' with { type: 'json' };
import { ChatError } from '../errors.ts';
import { MAX_HISTORY_LIMIT, MAX_TEXT_CHARS } from '../net/protocol/frames.ts';
import { ChatServer } from '../server/chat-server.ts';
import { createLogger, type LogLevel } from '../server/logger.ts';
import { MemoryHistory } from '../server/memory-history.ts';
import { DEFAULT_SERVER_CONFIG, type ServerConfig } from '../server/server-config.ts';
import { loadServerTls } from '../server/tls-options.ts';

/** `chat serve` options as yargs parses them: times in seconds, sizes in bytes. */
export interface ServeArgs {
  host: string;
  port: number;
  certs: string;
  tlsMin: string;
  handshakeTimeout: number;
  maxFrame: number;
  maxText: number;
  rate: number;
  burst: number;
  maxQueue: number;
  maxConnections: number;
  maxPerAddress: number;
  maxPerUser: number;
  idlePing: number;
  idleTimeout: number;
  historySize: number;
  maxHistory: number;
  maxErrors: number;
  motd: string;
  logLevel: LogLevel;
}

/** How long a graceful shutdown may take before the process exits anyway, in ms. */
const SHUTDOWN_BUDGET_MS = 2_000;

/** Turns `chat serve` flags into a checked ServerConfig. */
export function serverConfigFrom(args: ServeArgs): ServerConfig {
  const positive = (value: number, flag: string) => {
    if (!Number.isFinite(value) || value <= 0) {
      throw new ChatError('USAGE', `invalid ${flag} ${String(value)}`, {
        hint: `give a number above 0 for ${flag}`,
      });
    }
    return value;
  };
  const whole = (value: number, flag: string) => Math.floor(positive(value, flag));
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65_535) {
    throw new ChatError('USAGE', `invalid --port ${String(args.port)}`, {
      hint: 'give a port from 1 to 65535 (0 picks a free one)',
    });
  }
  if (args.tlsMin !== '1.2' && args.tlsMin !== '1.3') {
    throw new ChatError('USAGE', `invalid --tls-min ${args.tlsMin}`, {
      hint: 'use 1.3 (the default) or 1.2 for old peers',
    });
  }
  const idlePingMs = positive(args.idlePing, '--idle-ping') * 1000;
  const idleTimeoutMs = positive(args.idleTimeout, '--idle-timeout') * 1000;
  if (idleTimeoutMs <= idlePingMs) {
    throw new ChatError('USAGE', '--idle-timeout must be longer than --idle-ping', {
      hint: `e.g. --idle-ping ${args.idlePing} --idle-timeout ${args.idlePing * 2}`,
    });
  }
  return {
    ...DEFAULT_SERVER_CONFIG,
    host: args.host,
    port: args.port,
    certsDir: args.certs,
    tlsMin: args.tlsMin,
    handshakeTimeoutMs: positive(args.handshakeTimeout, '--handshake-timeout') * 1000,
    maxFrameBytes: whole(args.maxFrame, '--max-frame'),
    maxTextChars: Math.min(MAX_TEXT_CHARS, whole(args.maxText, '--max-text')),
    ratePerSecond: positive(args.rate, '--rate'),
    rateBurst: whole(args.burst, '--burst'),
    maxQueueBytes: whole(args.maxQueue, '--max-queue'),
    maxConnections: whole(args.maxConnections, '--max-connections'),
    maxPerAddress: whole(args.maxPerAddress, '--max-per-address'),
    maxPerUser: whole(args.maxPerUser, '--max-per-user'),
    idlePingMs,
    idleTimeoutMs,
    historyPerRoom: whole(args.historySize, '--history-size'),
    maxHistory: Math.min(MAX_HISTORY_LIMIT, whole(args.maxHistory, '--max-history')),
    maxErrors: whole(args.maxErrors, '--max-errors'),
    motd: args.motd,
  };
}

/**
 * `chat serve`: runs the server until SIGINT or SIGTERM, then closes
 * gracefully (clients are told, the process exits 0 within 2 s; a second
 * signal exits at once).
 */
export async function runServe(args: ServeArgs): Promise<void> {
  const config = serverConfigFrom(args);
  const logger = createLogger(args.logLevel);
  const tls = await loadServerTls(config.certsDir, config.tlsMin);
  const server = new ChatServer({
    config,
    tls,
    store: new MemoryHistory(config.historyPerRoom),
    logger,
    serverName: `chat/${pkg.version}`,
  });
  await server.listen();
  closeWithGrace({ delay: SHUTDOWN_BUDGET_MS, logger: false }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'crashed; closing');
    else logger.info({ signal }, 'shutting down');
    await server.close();
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
  });
  await new Promise(() => {});
}
