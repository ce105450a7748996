import { Box, useApp, useInput } from 'ink';
import { type ReactNode, useEffect, useMemo, useReducer } from 'react';
import type { LogBuffer } from '../server/log-buffer.ts';
import { Row } from '../ui/components/Row.tsx';
import { useTerminalSize } from '../ui/hooks/use-terminal-size.ts';
import { DashboardBody } from './DashboardBody.tsx';
import { DashboardFooter } from './DashboardFooter.tsx';
import { headerRows } from './dashboard-rows.ts';
import {
  currentConnection,
  dashboardLayout,
  dashboardReducer,
  filteredRecords,
  INITIAL_DASHBOARD_STATE,
  logBottom,
  tableConnections,
} from './dashboard-state.ts';
import { type DashboardSource, useServerSnapshot } from './use-server-snapshot.ts';

/** Props of {@link Dashboard}. */
export type DashboardProps = {
  source: DashboardSource;
  logs: LogBuffer;
  /** Shuts the server down gracefully; the dashboard exits once it resolves. */
  onShutdown: () => Promise<void>;
  /** Refresh period in ms (tests shorten it). */
  refreshMs?: number;
};

/**
 * `chat serve --dashboard`: header, connections, throughput, log and rooms,
 * a footer for keys and questions. It reads the server through
 * `useServerSnapshot` (a bounded few refreshes a second) and acts on it only
 * to kick a connection or shut down, each after a question; what the
 * operator chose lives in `dashboard-state.ts`.
 */
export function Dashboard({ source, logs, onShutdown, refreshMs }: DashboardProps): ReactNode {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const { stats, now, records: allRecords } = useServerSnapshot(source, logs, refreshMs);
  const [state, dispatch] = useReducer(dashboardReducer, INITIAL_DASHBOARD_STATE);
  const { sort, filter, overlay } = state;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the table changes with the sort only.
  const connections = useMemo(() => tableConnections(state, stats), [stats, sort]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the records change with the filter only.
  const records = useMemo(() => filteredRecords(state, allRecords), [allRecords, filter]);
  const layout = dashboardLayout(columns, rows, state.focus);

  useInput((input, key) => {
    const view = {
      shown: overlay.kind,
      connections,
      records,
      bottomHeight: layout.bottomHeight,
      roomCount: stats.rooms.length,
    };
    dispatch({ type: 'key', input, key, view });
  });

  // The reducer only says the operator answered yes; shutting down is done here, once.
  const closing = overlay.kind === 'closing';
  useEffect(() => {
    if (closing) void onShutdown().finally(() => exit());
  }, [closing, onShutdown, exit]);

  const header = headerRows(stats, now);
  const { width } = layout;
  return (
    <Box flexDirection="column" width={width} height={layout.height} overflow="hidden">
      <Box flexDirection="column" width={width} height={2} flexShrink={0}>
        <Row spans={header[0] ?? []} width={width} pad inverse />
        <Row spans={header[1] ?? []} width={width} pad />
      </Box>
      <DashboardBody
        state={state}
        stats={stats}
        now={now}
        connections={connections}
        current={currentConnection(state, connections)}
        records={records}
        logBottom={logBottom(state, records)}
        layout={layout}
      />
      <Box width={width} height={1} flexShrink={0} overflow="hidden">
        <DashboardFooter
          overlay={overlay}
          status={state.status}
          draft={state.draft}
          reason={state.reason}
          onDraft={(text) => dispatch({ type: 'draft', text })}
          onReason={(text) => dispatch({ type: 'reason', text })}
          onFilter={(text) => dispatch({ type: 'applyFilter', text })}
          onKick={(typed) => {
            if (overlay.kind !== 'kick') return;
            // The submitted text: keys can come faster than the state that holds it.
            const { id, who } = overlay;
            void Promise.resolve(source.kick(id, typed.trim() || 'no reason given')).then((done) =>
              dispatch({ type: 'kickDone', who, done }),
            );
            dispatch({ type: 'kickSent' });
          }}
          width={width}
        />
      </Box>
    </Box>
  );
}
