import { useEffect, useState } from 'react';
import type { LogBuffer, LogRecord } from '../server/log-buffer.ts';
import type { ServerStats } from '../server/server-stats.ts';

/** What the dashboard reads from a server: its snapshot and its connection events. */
export interface DashboardSource {
  stats(): ServerStats;
  /** Whether it closed that connection (false: it had gone); maybe answered later. */
  kick(id: number, reason: string): boolean | Promise<boolean>;
  on(event: 'connect' | 'disconnect', listener: () => void): unknown;
  off(event: 'connect' | 'disconnect', listener: () => void): unknown;
}

/** One refresh: the server's snapshot, the log records, and when it was taken (epoch ms). */
export type Snapshot = {
  readonly stats: ServerStats;
  readonly records: readonly LogRecord[];
  readonly now: number;
};

/**
 * Refreshes never come closer together than this (ms): at most 4 per
 * second. A frame of 120x35 costs Ink tens of ms; it is drawn in the
 * dashboard's own thread, but that thread shares the machine's cores with
 * the server, so this bounds its share under any churn.
 */
export const MIN_REFRESH_GAP_MS = 250;
/**
 * A refresh at least this often (ms), for the counters and the clock: like
 * top's, slow enough that a busy server hardly notices (measured in `npm run
 * bench`), quick enough to watch.
 */
export const REFRESH_EVERY_MS = 2_000;

/**
 * The server's state for the dashboard, refreshed every REFRESH_EVERY_MS and
 * soon after a connection opens or closes or a log line is written, but
 * never more than 4 times a second whatever the load: the dashboard costs
 * the server a bounded few snapshots and frames per second, never work per
 * message. Keys redraw at once, from the last snapshot.
 */
export function useServerSnapshot(
  source: DashboardSource,
  logs: LogBuffer,
  everyMs = REFRESH_EVERY_MS,
): Snapshot {
  const take = (): Snapshot => ({
    stats: source.stats(),
    records: [...logs.records()],
    now: Date.now(),
  });
  const [snapshot, setSnapshot] = useState(take);
  // biome-ignore lint/correctness/useExhaustiveDependencies: take reads only source and logs.
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    let last = 0;
    const refresh = () => {
      timer = undefined;
      last = Date.now();
      setSnapshot(take());
    };
    const soon = () => {
      timer ??= setTimeout(refresh, Math.max(0, last + MIN_REFRESH_GAP_MS - Date.now()));
    };
    const tick = setInterval(soon, everyMs);
    source.on('connect', soon);
    source.on('disconnect', soon);
    logs.on('record', soon);
    return () => {
      clearInterval(tick);
      clearTimeout(timer);
      source.off('connect', soon);
      source.off('disconnect', soon);
      logs.off('record', soon);
    };
  }, [source, logs, everyMs]);
  return snapshot;
}
