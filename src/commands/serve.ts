import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import closeWithGrace from 'close-with-grace';
import { type DestinationStream, type Level, pino, type StreamEntry } from 'pino';
import pkg from '../../package.json' with { type: 'json' };
import { ChatError } from '../errors.ts';
import { MAX_HISTORY_LIMIT, MAX_TEXT_CHARS } from '../net/protocol/frames.ts';
import { crlSignedBy } from '../pki/crl.ts';
import { pkiLayout } from '../pki/layout.ts';
import { ChatServer } from '../server/chat-server.ts';
import { watchCrl } from '../server/crl-watch.ts';
import { historyForServer } from '../server/history/history-for-server.ts';
import { certNames, listenWarning } from '../server/listen-names.ts';
import { LogBuffer } from '../server/log-buffer.ts';
import { openLogFile } from '../server/log-file.ts';
import { createLogger, type LogLevel } from '../server/logger.ts';
import {
  DASHBOARD_LOG_RECORDS,
  DEFAULT_DASHBOARD_LOG,
  DEFAULT_SERVER_CONFIG,
  type ServerConfig,
} from '../server/server-config.ts';
import { loadServerTls } from '../server/tls-options.ts';
import { requireUsers, usersPath } from '../server/users-file.ts';
import { colorEnabled } from '../ui/text/color-choice.ts';

/** `chat serve` options as yargs parses them: times in seconds, sizes in bytes. */
export interface ServeArgs {
  host: string;
  port: number;
  certs: string;
  data: string;
  tlsMin: string;
  handshakeTimeout: number;
  maxHandshakes: number;
  maxHandshakesPerAddress: number;
  maxFrame: number;
  maxText: number;
  rate: number;
  burst: number;
  maxQueue: number;
  stallTimeout: number;
  readBudget: number;
  maxConnections: number;
  maxPerAddress: number;
  maxPerUser: number;
  idlePing: number;
  idleTimeout: number;
  store: string;
  historyPassphraseEnv?: string | undefined;
  keepDays: number;
  keepMessages: number;
  historySize: number;
  maxHistory: number;
  maxErrors: number;
  maxRoomsPerUser: number;
  maxRooms: number;
  roomsPerHour: number;
  motd: string;
  requirePassword: boolean;
  authTimeout: number;
  logLevel: LogLevel;
  logFile?: string | undefined;
  dashboard: boolean;
  /** `--color` (true), `--no-color` (false), or neither: then NO_COLOR decides (the dashboard's). */
  color?: boolean | undefined;
}

/** How long a graceful shutdown may take before the process exits anyway, in ms. */
const SHUTDOWN_BUDGET_MS = 2_000;
/** Longest time a flag may set, in seconds: 24 days, under node's timer limit. */
const MAX_TIMER_SECONDS = 24 * 24 * 3600;

/**
 * Turns `chat serve` flags into a checked ServerConfig: counts and sizes must
 * be whole numbers of 1 or more, times (seconds) and the rate above 0, the
 * port 0 to 65535. Throws a USAGE ChatError naming the flag otherwise.
 */
export function serverConfigFrom(args: ServeArgs): ServerConfig {
  const positive = (value: number, flag: string) => {
    if (!Number.isFinite(value) || value <= 0) {
      throw new ChatError('USAGE', `invalid ${flag} ${String(value)}`, {
        hint: `give a number above 0 for ${flag}`,
      });
    }
    return value;
  };
  // Node timers cannot wait longer than 2^31-1 ms (about 24.8 days); a longer one fires at once.
  const seconds = (value: number, flag: string) => {
    if (positive(value, flag) > MAX_TIMER_SECONDS) {
      throw new ChatError('USAGE', `invalid ${flag} ${String(value)}`, {
        hint: `give at most ${MAX_TIMER_SECONDS} seconds for ${flag}`,
      });
    }
    return value;
  };
  // Counts and sizes: a fraction or 0 is refused here, not met as a RangeError on the first connection.
  const whole = (value: number, flag: string) => {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ChatError('USAGE', `invalid ${flag} ${String(value)}`, {
        hint: `give a whole number of 1 or more for ${flag}`,
      });
    }
    return value;
  };
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
  if (args.store !== 'disk' && args.store !== 'memory') {
    throw new ChatError('USAGE', `invalid --store ${args.store}`, {
      hint: 'use disk (the default) or memory',
    });
  }
  // 0 means no limit; anything else is a whole number, as for the other counts.
  const orNone = (value: number, flag: string) => (value === 0 ? 0 : whole(value, flag));
  const idlePingMs = seconds(args.idlePing, '--idle-ping') * 1000;
  const idleTimeoutMs = seconds(args.idleTimeout, '--idle-timeout') * 1000;
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
    dataDir: args.data,
    tlsMin: args.tlsMin,
    handshakeTimeoutMs: seconds(args.handshakeTimeout, '--handshake-timeout') * 1000,
    maxHandshakes: whole(args.maxHandshakes, '--max-handshakes'),
    maxHandshakesPerAddress: whole(args.maxHandshakesPerAddress, '--max-handshakes-per-address'),
    maxFrameBytes: whole(args.maxFrame, '--max-frame'),
    maxTextChars: Math.min(MAX_TEXT_CHARS, whole(args.maxText, '--max-text')),
    ratePerSecond: positive(args.rate, '--rate'),
    rateBurst: whole(args.burst, '--burst'),
    maxQueueBytes: whole(args.maxQueue, '--max-queue'),
    stallTimeoutMs: seconds(args.stallTimeout, '--stall-timeout') * 1000,
    readBudgetBytes: whole(args.readBudget, '--read-budget'),
    maxConnections: whole(args.maxConnections, '--max-connections'),
    maxPerAddress: whole(args.maxPerAddress, '--max-per-address'),
    maxPerUser: whole(args.maxPerUser, '--max-per-user'),
    idlePingMs,
    idleTimeoutMs,
    store: args.store,
    historyPassphraseEnv: args.historyPassphraseEnv,
    keepDays: orNone(args.keepDays, '--keep-days'),
    keepMessages: orNone(args.keepMessages, '--keep-messages'),
    historyPerRoom: whole(args.historySize, '--history-size'),
    maxHistory: Math.min(MAX_HISTORY_LIMIT, whole(args.maxHistory, '--max-history')),
    maxErrors: whole(args.maxErrors, '--max-errors'),
    maxRoomsPerUser: whole(args.maxRoomsPerUser, '--max-rooms-per-user'),
    maxRooms: whole(args.maxRooms, '--max-rooms'),
    maxRoomsCreatedPerHour: whole(args.roomsPerHour, '--rooms-per-hour'),
    motd: args.motd,
    requirePassword: args.requirePassword,
    authTimeoutMs: seconds(args.authTimeout, '--auth-timeout') * 1000,
  };
}

/**
 * `chat serve`: runs the server until SIGINT or SIGTERM (or, with the
 * dashboard, until the operator quits it), then closes gracefully (clients
 * are told, the process exits 0 within 2 s; a second signal exits at once).
 */
export async function runServe(args: ServeArgs): Promise<void> {
  const config = serverConfigFrom(args);
  const dashboard = args.dashboard && dashboardPossible();
  const logs = dashboard ? new LogBuffer(DASHBOARD_LOG_RECORDS) : undefined;
  const logFile = args.logFile ?? (dashboard ? DEFAULT_DASHBOARD_LOG : undefined);
  const logger = createLogger(args.logLevel, logDestination(args.logLevel, logFile, logs));
  const tls = await loadServerTls(config.certsDir, config.tlsMin);
  // Before the history opens: without a usable users file nothing starts (one line says why).
  if (config.requirePassword) await requireUsers(usersPath(config.dataDir));
  const history = await historyForServer(config, logger);
  const server = new ChatServer({
    config,
    tls,
    store: history.store,
    logger,
    serverName: `chat/${pkg.version}`,
  });
  // Once, whoever asks first: a signal, or the dashboard's quit.
  let closing: Promise<void> | undefined;
  let stopWatching = () => {};
  const shutDown = () => {
    closing ??= (async () => {
      stopWatching();
      await server.close();
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
    })();
    return closing;
  };
  closeWithGrace(
    // Not beforeExit: a server that failed to start must exit with its own code.
    { delay: SHUTDOWN_BUDGET_MS, logger: false, skip: ['SIGHUP', 'beforeExit'] },
    async ({ signal, err }) => {
      if (err) logger.error({ err }, 'crashed; closing');
      else logger.info({ signal }, 'shutting down');
      await shutDown();
    },
  );
  // A revoked certificate is cut off at once: the CRL is read again when the
  // file changes, and on SIGHUP when no terminal is attached (a daemon's
  // `kill -HUP`). Without a valid one the previous CRL stays in force.
  // One at a time, in order: an older read never lands after a newer one.
  let reloads = Promise.resolve();
  const reloadCrl = (why: string) => {
    reloads = reloads.then(() => reloadCrlNow(why));
    return reloads;
  };
  const reloadCrlNow = async (why: string) => {
    try {
      const next = await loadServerTls(config.certsDir, config.tlsMin);
      const { crl, ca } = next.options;
      // Another CA's CRL would make OpenSSL refuse every client: keep ours.
      if (typeof crl === 'string' && !(await crlSignedBy(crl, String(ca)))) {
        throw new Error('crl.pem is not signed by this CA');
      }
      server.reloadTls(next);
    } catch (error) {
      logger.warn(
        { why, err: error instanceof Error ? error.message : String(error) },
        'crl not reloaded: the previous one stays in force',
      );
    }
  };
  stopWatching = watchCrl(pkiLayout(config.certsDir).crl, () => {
    void reloadCrl('crl.pem changed');
  });
  const interactive = process.stdin.isTTY === true;
  if (!interactive) process.on('SIGHUP', () => void reloadCrl('SIGHUP'));
  // With a terminal, SIGHUP means it went away (ssh dropped, tmux window
  // killed). Node 20's process.exit() then spins forever restoring a terminal
  // that is gone (nodejs/node#51519): close gracefully, then die of the signal.
  let hungUp = false;
  if (interactive)
    process.once('SIGHUP', () => {
      hungUp = true;
      logger.info({ signal: 'SIGHUP' }, 'shutting down');
      process.stdout.on('error', () => {}); // writes to the gone terminal fail: nobody to tell
      const die = () => {
        process.removeAllListeners('SIGHUP');
        process.kill(process.pid, 'SIGHUP');
      };
      setTimeout(die, SHUTDOWN_BUDGET_MS).unref();
      void shutDown().finally(die);
    });
  // Only now: a signal from the moment the port is open closes gracefully.
  await server.listen();
  logger.info(history.summary, 'history');
  // Said once the server runs, where the operator looks: the log (and the dashboard's pane).
  const unnamed = listenWarning(config.host, certNames(String(tls.options.cert)));
  if (unnamed !== undefined) logger.warn({ host: config.host }, unnamed);
  if (logs === undefined) {
    await new Promise(() => {});
    return;
  }
  // Loaded only with --dashboard.
  const { runDashboard } = await import('../dashboard/dashboard-host.ts');
  let failure: unknown;
  try {
    await runDashboard({
      server,
      logs,
      color: colorEnabled(process.env, args.color),
      onShutdown: async () => {
        logger.info({ by: 'dashboard' }, 'shutting down');
        await shutDown();
      },
    });
  } catch (error) {
    // Writing to a terminal that hung up fails too: that is no failure of the dashboard.
    if (!hungUp) {
      failure = error;
      logger.error({ err: error }, 'the dashboard failed; closing');
    }
  } finally {
    // A signal or a failure also ends the dashboard: the server still closes gracefully.
    await shutDown();
  }
  if (hungUp) return; // the SIGHUP handler ends the process
  if (failure !== undefined) {
    process.stderr.write(
      `chat serve: the dashboard failed (${failure instanceof Error ? failure.message : String(failure)}); the server was closed, see ${logFile}\n`,
    );
    process.exit(1);
  }
  process.exit(0);
}

// The dashboard takes the terminal: without one (output to a file or a
// pipe) the server still runs, with plain logs, and says so once.
function dashboardPossible(): boolean {
  if (process.stdout.isTTY && process.stdin.isTTY) return true;
  process.stderr.write(
    'chat serve: --dashboard needs a terminal (stdin and stdout), running with plain logs instead\n',
  );
  return false;
}

// Plain logs go to stderr or --log-file; with the dashboard, to the file and
// to the dashboard's log pane, never across the screen.
function logDestination(
  level: LogLevel,
  file: string | undefined,
  logs: LogBuffer | undefined,
): DestinationStream | undefined {
  const toFile = file === undefined ? undefined : logFileDestination(file);
  if (logs === undefined || level === 'silent') return toFile;
  const streams: StreamEntry<Level>[] = [{ level, stream: logs }];
  if (toFile !== undefined) streams.push({ level, stream: toFile });
  return pino.multistream(streams);
}

// The file is opened here, before the server starts or the screen is taken,
// so a path that cannot be written is one clear line, not a stack trace. A
// write that fails later (a full disk) is said once on stderr; the server
// goes on. It names users, addresses and fingerprints: private (0600), and an
// existing file that was more open is tightened, said once.
function logFileDestination(file: string): DestinationStream {
  let fd: number;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const opened = openLogFile(file);
    fd = opened.fd;
    if (opened.tightenedFrom !== undefined) {
      process.stderr.write(
        `chat serve: the log file ${file} was mode ${opened.tightenedFrom.toString(8)}, more open than 600: it is now 600\n`,
      );
    }
  } catch (cause) {
    if (cause instanceof ChatError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new ChatError('USAGE', `cannot write the log file ${file} (${code})`, {
      hint: 'choose a writable path with --log-file',
      cause,
    });
  }
  // Written at once: records are few (connections, not messages), and none is
  // lost when the process dies of a signal right after.
  const destination = pino.destination({ fd, sync: true });
  let told = false;
  destination.on('error', (error: NodeJS.ErrnoException) => {
    if (told) return;
    told = true;
    process.stderr.write(
      `chat serve: writing the log file ${file} failed (${error.code ?? error.message})\n`,
    );
  });
  return destination;
}
