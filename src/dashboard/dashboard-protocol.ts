/**
 * Messages between the server's thread and the dashboard's worker. The
 * dashboard renders in a worker thread so that drawing a frame (tens of ms
 * of Ink layout and ANSI work) never takes the server's event loop: the
 * server's thread only takes a snapshot now and then and copies bytes.
 */

import type { LogRecord } from '../server/log-buffer.ts';
import type { ServerStats } from '../server/server-stats.ts';

/** From the server's thread to the worker. */
export type ToDashboard =
  | { type: 'snapshot'; stats: ServerStats }
  | { type: 'records'; records: LogRecord[] }
  | { type: 'input'; data: string }
  | { type: 'resize'; columns: number; rows: number }
  | { type: 'kicked'; request: number; done: boolean }
  | { type: 'closed' };

/** From the worker to the server's thread. */
export type FromDashboard =
  | { type: 'output'; data: string }
  | { type: 'kick'; request: number; id: number; reason: string }
  | { type: 'shutdown' }
  | { type: 'exit'; error?: string };

/** What the worker starts with. */
export type DashboardWorkerData = {
  columns: number;
  rows: number;
  /** Whether the dashboard may use colour (see `colorEnabled`). */
  color: boolean;
  stats: ServerStats;
  records: LogRecord[];
};
