/**
 * The dashboard's worker thread: Ink renders here, into a stdout that posts
 * its bytes to the server's thread, from snapshots the server's thread
 * sends; keys come the other way. Kick and shutdown are asked of the
 * server's thread, which alone touches the server.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { render } from 'ink';
import { LogBuffer } from '../server/log-buffer.ts';
import { DASHBOARD_LOG_RECORDS } from '../server/server-config.ts';
import type { ServerStats } from '../server/server-stats.ts';
import { ColorContext } from '../ui/hooks/use-color.ts';
import { DiffingStdout } from '../ui/screen/diffing-stdout.ts';
import { Dashboard } from './Dashboard.tsx';
import type { DashboardWorkerData, FromDashboard, ToDashboard } from './dashboard-protocol.ts';
import type { DashboardSource } from './use-server-snapshot.ts';

const port = parentPort;
if (port === null) throw new Error('dashboard-thread runs in a worker');
const start = workerData as DashboardWorkerData;
const post = (message: FromDashboard) => port.postMessage(message);

/** Keys from the server's thread, as the raw-mode stdin Ink expects. */
class PostedStdin extends PassThrough {
  isTTY = true;
  setRawMode(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

/** The server as the dashboard sees it from here: the last snapshot, and requests. */
class RemoteServer extends EventEmitter implements DashboardSource {
  private nextRequest = 1;
  private readonly waiting = new Map<number, (done: boolean) => void>();
  constructor(private latest: ServerStats) {
    super();
  }
  stats(): ServerStats {
    return this.latest;
  }
  update(stats: ServerStats): void {
    this.latest = stats;
    // Any change may be a connection come or gone: the snapshot hook redraws, bounded.
    this.emit('connect');
  }
  kick(id: number, reason: string): Promise<boolean> {
    const request = this.nextRequest++;
    post({ type: 'kick', request, id, reason });
    return new Promise((resolve) => this.waiting.set(request, resolve));
  }
  kicked(request: number, done: boolean): void {
    this.waiting.get(request)?.(done);
    this.waiting.delete(request);
  }
}

// Ink's frames become the cells that changed here, so the server's thread writes little.
const stdout = new DiffingStdout({
  write: (data) => post({ type: 'output', data }),
  columns: start.columns,
  rows: start.rows,
});
const stdin = new PostedStdin();
const server = new RemoteServer(start.stats);
// As many as the server's thread keeps for the pane.
const logs = new LogBuffer(DASHBOARD_LOG_RECORDS);
logs.adopt(start.records);
let closed: (() => void) | undefined;

port.on('message', (message: ToDashboard) => {
  switch (message.type) {
    case 'snapshot':
      server.update(message.stats);
      break;
    case 'records':
      logs.adopt(message.records);
      break;
    case 'input':
      stdin.write(message.data);
      break;
    case 'resize':
      stdout.resize(message.columns, message.rows);
      break;
    case 'kicked':
      server.kicked(message.request, message.done);
      break;
    case 'closed':
      closed?.();
      break;
  }
});

const instance = render(
  <ColorContext value={start.color}>
    <Dashboard
      source={server}
      logs={logs}
      onShutdown={() =>
        new Promise<void>((resolve) => {
          closed = resolve;
          post({ type: 'shutdown' });
        })
      }
    />
  </ColorContext>,
  {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: 10,
  },
);
instance.waitUntilExit().then(
  () => post({ type: 'exit' }),
  (error: unknown) =>
    post({ type: 'exit', error: error instanceof Error ? error.message : String(error) }),
);
