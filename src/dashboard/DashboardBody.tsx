import { Box } from 'ink';
import { type ReactNode, useRef } from 'react';
import sparkly from 'sparkly';
import type { ConnectionInfo } from '../server/connection.ts';
import type { LogRecord } from '../server/log-buffer.ts';
import type { ServerStats } from '../server/server-stats.ts';
import { Rows } from '../ui/components/Rows.tsx';
import {
  connectionRows,
  detailRows,
  helpRows,
  logRows,
  roomRows,
  throughputRow,
} from './dashboard-rows.ts';
import type { DashboardLayout, DashboardState } from './dashboard-state.ts';

/** Props of {@link DashboardBody}. */
export type DashboardBodyProps = {
  state: DashboardState;
  stats: ServerStats;
  /** When the snapshot was taken (epoch ms). */
  now: number;
  /** In table order. */
  connections: readonly ConnectionInfo[];
  /** The selected connection's id. */
  current: number | undefined;
  /** Filtered, oldest first. */
  records: readonly LogRecord[];
  /** Index in `records` of the record at the bottom of the log pane. */
  logBottom: number;
  layout: DashboardLayout;
};

const spark = (values: readonly number[]) => sparkly(values, { minimum: 0 });

/**
 * Between the header and the footer: the help or a connection's details, or
 * the connections table, the throughput line, and the log and rooms panes.
 */
export function DashboardBody(props: DashboardBodyProps): ReactNode {
  const { state, stats, now, layout } = props;
  const { overlay, focus } = state;
  const { width, middle } = layout;
  // The table's first row shown last frame: it scrolls no more than the selection needs.
  const tableStart = useRef(0);
  if (overlay.kind === 'help' || overlay.kind === 'details') {
    const lines =
      overlay.kind === 'help'
        ? helpRows()
        : detailRows(
            stats.connections.find((c) => c.id === overlay.id),
            now,
          );
    return <Rows rows={lines.slice(0, middle + 1)} width={width} height={middle + 1} />;
  }
  const table = connectionRows({
    connections: props.connections,
    selected: props.current,
    sort: state.sort,
    focused: focus === 'connections',
    width,
    height: layout.tableHeight,
    now,
    start: tableStart.current,
  });
  tableStart.current = table.start;
  const { records } = props;
  const { logWidth, roomsWidth } = layout;
  return (
    <>
      <Rows rows={table.rows} width={width} />
      <Rows
        rows={[throughputRow(stats.messageSeries, stats.messagesPerSecond, width, spark)]}
        width={width}
      />
      <Box flexDirection="row" width={width} height={layout.bottomHeight} flexShrink={0}>
        {logWidth > 0 && (
          <Rows
            rows={logRows({
              records,
              offset: records.length - 1 - props.logBottom,
              filter: state.filter,
              focused: focus === 'log',
              width: logWidth,
              height: layout.bottomHeight,
            })}
            width={logWidth}
          />
        )}
        {roomsWidth > 0 && (
          <Rows
            rows={roomRows(
              stats.rooms,
              focus === 'rooms',
              roomsWidth,
              layout.bottomHeight,
              state.roomsOffset,
            )}
            width={roomsWidth}
          />
        )}
      </Box>
    </>
  );
}
