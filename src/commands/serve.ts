import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import closeWithGrace from 'close-with-grace';
import { type DestinationStream, type Level, type Logger, pino, type StreamEntry } from 'pino';
import pkg from '../../package.json' with { type: 'json' };
import { ChatError } from '../errors.ts';
import { pkiLayout } from '../pki/layout.ts';
import { ChatServer } from '../server/chat-server.ts';
import { crlReloader } from '../server/crl-reloader.ts';
import { watchCrl } from '../server/crl-watch.ts';
import { historyForServer } from '../server/history/history-for-server.ts';
import { certNames, listenWarning } from '../server/listen-names.ts';
import { LogBuffer } from '../server/log-buffer.ts';
import { openLogFile } from '../server/log-file.ts';
import { createLogger, type LogLevel } from '../server/logger.ts';
import {
  configFromFlags,
  DASHBOARD_LOG_RECORDS,
  DEFAULT_DASHBOARD_LOG,
  parseServeFlags,
  type ServeArgs,
} from '../server/server-config.ts';
import { loadServerTls } from '../server/tls-options.ts';
import { requireUsers, usersPath } from '../server/users-file.ts';
import { colorEnabled } from '../ui/text/color-choice.ts';

/** How long a graceful shutdown may take before the process exits anyway, in ms. */
const SHUTDOWN_BUDGET_MS = 2_000;

/**
 * `chat serve`: runs the server until SIGINT or SIGTERM (or, with the
 * dashboard, until the operator quits it), then closes gracefully (clients
 * are told, the process exits 0 within 2 s; a second signal exits at once).
 */
export async function runServe(args: ServeArgs & { color?: boolean | undefined }): Promise<void> {
  const flags = parseServeFlags(args);
  const config = configFromFlags(flags);
  const dashboard = flags.dashboard && dashboardPossible();
  const logs = dashboard ? new LogBuffer(DASHBOARD_LOG_RECORDS) : undefined;
  const logFile = flags.logFile ?? (dashboard ? DEFAULT_DASHBOARD_LOG : undefined);
  const logger = createLogger(flags.logLevel, logDestination(flags.logLevel, logFile, logs));
  const tls = await loadServerTls(config.certsDir, config.tlsMin);
  // Before the history opens: without a usable users file nothing starts (one
  // line says why). The table in Redis (--redis) is read once Redis is open, first thing in listen.
  if (config.requirePassword && config.redis === undefined)
    await requireUsers(usersPath(config.dataDir));
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
  const reloadCrl = crlReloader(server, config, logger);
  stopWatching = watchCrl(pkiLayout(config.certsDir).crl, () => {
    void reloadCrl('crl.pem changed');
  });
  const interactive = process.stdin.isTTY === true;
  if (!interactive) process.on('SIGHUP', () => void reloadCrl('SIGHUP'));
  const hangup = interactive ? closeOnHangup(logger, shutDown) : { happened: () => false };
  // Only now: a signal from the moment the port is open closes gracefully.
  try {
    await server.listen();
  } catch (error) {
    // Its connection to Redis would keep the process alive after the one line is said.
    await history.store.close();
    throw error;
  }
  logger.info(history.summary, 'history');
  // Said once the server runs, where the operator looks: the log (and the dashboard's pane).
  const unnamed = listenWarning(config.host, certNames(String(tls.options.cert)));
  if (unnamed !== undefined) logger.warn({ host: config.host }, unnamed);
  if (logs === undefined) {
    await new Promise(() => {});
    return;
  }
  await dashboardUntilQuit(server, logs, {
    color: colorEnabled(process.env, args.color),
    logger,
    logFile,
    shutDown,
    hungUp: hangup.happened,
  });
}

/**
 * Runs the dashboard until the operator quits it (or a signal, or a
 * failure, ends it), closes the server gracefully, then ends the process.
 */
async function dashboardUntilQuit(
  server: ChatServer,
  logs: LogBuffer,
  how: {
    color: boolean;
    logger: Logger;
    logFile: string | undefined;
    shutDown: () => Promise<void>;
    hungUp: () => boolean;
  },
): Promise<void> {
  const { logger, shutDown } = how;
  // Loaded only with --dashboard.
  const { runDashboard } = await import('../dashboard/dashboard-host.ts');
  let failure: unknown;
  try {
    await runDashboard({
      server,
      logs,
      color: how.color,
      onShutdown: async () => {
        logger.info({ by: 'dashboard' }, 'shutting down');
        await shutDown();
      },
    });
  } catch (error) {
    // Writing to a terminal that hung up fails too: that is no failure of the dashboard.
    if (!how.hungUp()) {
      failure = error;
      logger.error({ err: error }, 'the dashboard failed; closing');
    }
  } finally {
    // A signal or a failure also ends the dashboard: the server still closes gracefully.
    await shutDown();
  }
  if (how.hungUp()) return; // the SIGHUP handler ends the process
  if (failure !== undefined) {
    process.stderr.write(
      `chat serve: the dashboard failed (${failure instanceof Error ? failure.message : String(failure)}); the server was closed, see ${how.logFile}\n`,
    );
    process.exit(1);
  }
  process.exit(0);
}

/**
 * With a terminal, SIGHUP means it went away (ssh dropped, tmux window
 * killed). Node 20's process.exit() then spins forever restoring a terminal
 * that is gone (nodejs/node#51519): close gracefully, then die of the signal.
 */
function closeOnHangup(logger: Logger, shutDown: () => Promise<void>): { happened: () => boolean } {
  let hungUp = false;
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
  return { happened: () => hungUp };
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
