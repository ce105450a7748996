/**
 * The server's side of `chat serve --dashboard`: it owns the terminal (the
 * alternate screen, raw keys, resizes) and the server, and runs the
 * dashboard itself in a worker thread (see `dashboard-thread.tsx`), so a
 * frame never takes the server's event loop. All this thread does is take a
 * snapshot now and then, pass keys in and bytes out, and carry out a kick
 * or a shutdown when the worker asks.
 */
import { Worker } from 'node:worker_threads';
import type { LogBuffer, LogRecord } from '../server/log-buffer.ts';
import type { ServerStats } from '../server/server-stats.ts';
import { ENTER_ALT_SCREEN, LEAVE_ALT_SCREEN } from '../ui/tui/run-fullscreen.ts';
import type { DashboardWorkerData, FromDashboard, ToDashboard } from './dashboard-protocol.ts';
import { MIN_REFRESH_GAP_MS, REFRESH_EVERY_MS } from './use-server-snapshot.ts';

const SHOW_CURSOR = '\u001b[?25h';

/** What the dashboard needs of the server. */
export interface DashboardServer {
  stats(): ServerStats;
  kick(id: number, reason: string): boolean;
  on(event: 'connect' | 'disconnect', listener: () => void): unknown;
  off(event: 'connect' | 'disconnect', listener: () => void): unknown;
}

/** Options of {@link runDashboard}. */
export type DashboardHostOptions = {
  server: DashboardServer;
  logs: LogBuffer;
  /** Shuts the server down gracefully (the operator confirmed `q`). */
  onShutdown: () => Promise<void>;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** Whether the dashboard may use colour (see `colorEnabled`); default true. */
  color?: boolean;
};

/**
 * Shows the dashboard full-screen until the operator quits it (after the
 * shutdown it asked for) and gives the terminal back as it was, also on a
 * crash or a signal. Rejects if the dashboard fails.
 */
export async function runDashboard(options: DashboardHostOptions): Promise<void> {
  const { server, logs, onShutdown } = options;
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const data: DashboardWorkerData = {
    columns: stdout.columns || 80,
    rows: stdout.rows || 24,
    color: options.color ?? true,
    stats: server.stats(),
    records: [...logs.records()],
  };
  const worker = new Worker(new URL('./dashboard-worker.js', import.meta.url), {
    workerData: data,
  });
  const send = (message: ToDashboard) => worker.postMessage(message);
  const terminal = takeTerminal(stdin, stdout, send);
  const stopFeed = feedSnapshots(server, logs, send);
  try {
    await untilWorkerEnds(worker, { stdout, server, send, onShutdown });
  } finally {
    stopFeed();
    await worker.terminate();
    terminal.giveBack();
  }
}

/**
 * Snapshots: every REFRESH_EVERY_MS, and soon after a connection or a log
 * line, never closer than MIN_REFRESH_GAP_MS: bounded whatever the load.
 * Returns what stops them.
 */
function feedSnapshots(
  server: DashboardServer,
  logs: LogBuffer,
  send: (message: ToDashboard) => void,
): () => void {
  let pending: LogRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  let last = 0;
  const refresh = () => {
    timer = undefined;
    last = Date.now();
    if (pending.length > 0) send({ type: 'records', records: pending });
    pending = [];
    send({ type: 'snapshot', stats: server.stats() });
  };
  const soon = () => {
    timer ??= setTimeout(refresh, Math.max(0, last + MIN_REFRESH_GAP_MS - Date.now()));
  };
  const onRecord = (record: LogRecord) => {
    pending.push(record);
    soon();
  };
  const tick = setInterval(soon, REFRESH_EVERY_MS);
  server.on('connect', soon);
  server.on('disconnect', soon);
  logs.on('record', onRecord);
  return () => {
    clearInterval(tick);
    clearTimeout(timer);
    server.off('connect', soon);
    server.off('disconnect', soon);
    logs.off('record', onRecord);
  };
}

/**
 * Takes the terminal for the dashboard: the alternate screen, raw keys
 * passed to the worker, resizes told to it. `giveBack` puts it back as it
 * was, also on the way out of a crash (process 'exit').
 */
function takeTerminal(
  stdin: NodeJS.ReadStream,
  stdout: NodeJS.WriteStream,
  send: (message: ToDashboard) => void,
): { giveBack: () => void } {
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      if (stdin.isTTY) stdin.setRawMode(false);
      stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
    } catch {
      // The terminal is gone (it hung up): nothing to give back.
    }
  };
  stdout.write(ENTER_ALT_SCREEN);
  process.once('exit', restore);
  const onKeys = (chunk: string) => send({ type: 'input', data: chunk });
  const onResize = () =>
    send({ type: 'resize', columns: stdout.columns || 80, rows: stdout.rows || 24 });
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.on('data', onKeys);
  stdin.resume();
  stdout.on('resize', onResize);
  return {
    giveBack: () => {
      stdin.off('data', onKeys);
      stdin.pause();
      stdout.off('resize', onResize);
      restore();
      process.off('exit', restore);
    },
  };
}

// Carries out what the worker asks (write a frame, kick, shut down) until it ends.
function untilWorkerEnds(
  worker: Worker,
  to: {
    stdout: NodeJS.WriteStream;
    server: DashboardServer;
    send: (message: ToDashboard) => void;
    onShutdown: () => Promise<void>;
  },
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', () => resolve());
    worker.on('message', (message: FromDashboard) => {
      switch (message.type) {
        case 'output':
          to.stdout.write(message.data);
          break;
        case 'kick':
          to.send({
            type: 'kicked',
            request: message.request,
            done: to.server.kick(message.id, message.reason),
          });
          break;
        case 'shutdown':
          void to.onShutdown().finally(() => to.send({ type: 'closed' }));
          break;
        case 'exit':
          if (message.error === undefined) resolve();
          else reject(new Error(message.error));
          break;
      }
    });
  });
}
