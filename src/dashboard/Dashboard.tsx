import { Box, Text, useApp, useInput } from 'ink';
import TextInput from 'ink-text-input';
import { type ReactNode, useContext, useMemo, useRef, useState } from 'react';
import sparkly from 'sparkly';
import type { LogBuffer } from '../server/log-buffer.ts';
import { Row } from '../ui/components/Row.tsx';
import { Rows } from '../ui/components/Rows.tsx';
import { ColorContext, useColor } from '../ui/hooks/use-color.ts';
import { useTerminalSize } from '../ui/hooks/use-terminal-size.ts';
import { truncate } from '../ui/text/wrap.ts';
import { nextSort, type Sort, sortConnections } from './connections-table.ts';
import {
  connectionRows,
  detailRows,
  headerRows,
  helpRows,
  logRows,
  roomRows,
  throughputRow,
} from './dashboard-rows.ts';
import { matchesLogFilter, parseLogFilter } from './log-filter.ts';
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

export type Pane = 'connections' | 'log' | 'rooms';
const PANES: readonly Pane[] = ['connections', 'log', 'rooms'];

/** What covers the panes or the footer. */
type Overlay =
  | { kind: 'none' }
  | { kind: 'help' }
  | { kind: 'details'; id: number }
  | { kind: 'filter' }
  | { kind: 'kick'; id: number; who: string }
  | { kind: 'quit' }
  | { kind: 'closing' };

/** The rooms pane shows from this many columns. */
const ROOMS_MIN_COLUMNS = 90;

const spark = (values: readonly number[]) => sparkly(values, { minimum: 0 });

/** The id `by` rows away from `selected` in `ids` (clamped), or the first. */
function moveSelection(ids: readonly number[], selected: number | undefined, by: number) {
  if (ids.length === 0) return undefined;
  const index = selected === undefined ? -1 : ids.indexOf(selected);
  if (index < 0) return ids[0];
  return ids[Math.max(0, Math.min(ids.length - 1, index + by))];
}

/**
 * `chat serve --dashboard`: header, connections, throughput, log and rooms,
 * a footer for keys and questions. It reads the server through
 * `useServerSnapshot` (a bounded few refreshes a second) and acts on it only
 * to kick a connection or shut down, each after a question.
 */
export function Dashboard({ source, logs, onShutdown, refreshMs }: DashboardProps): ReactNode {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const snapshot = useServerSnapshot(source, logs, refreshMs);
  const { stats, now } = snapshot;
  const [focus, setFocus] = useState<Pane>('connections');
  const [sort, setSort] = useState<Sort>({ key: 'connected', descending: true });
  const [selected, setSelected] = useState<number | undefined>(undefined);
  const [overlay, setOverlay] = useState<Overlay>({ kind: 'none' });
  const [filter, setFilter] = useState('');
  const [draft, setDraft] = useState('');
  const [reason, setReason] = useState('');
  // The record at the bottom of the log pane while scrolled (its seq), so
  // lines that arrive meanwhile do not move what is being read; none: following.
  const [logAnchor, setLogAnchor] = useState<number | undefined>(undefined);
  const [roomsOffset, setRoomsOffset] = useState(0);
  const [status, setStatus] = useState('');
  const tableStart = useRef(0);

  const connections = useMemo(
    () => sortConnections(stats.connections, sort),
    [stats.connections, sort],
  );
  const ids = connections.map((c) => c.id);
  const current = selected !== undefined && ids.includes(selected) ? selected : ids[0];
  const records = useMemo(() => {
    const parsed = parseLogFilter(filter);
    return snapshot.records.filter((record) => matchesLogFilter(record, parsed));
  }, [snapshot.records, filter]);

  // Index of the record at the bottom of the log pane: the anchor, or the
  // first kept after it when the filter or the buffer's bound dropped it.
  const anchored =
    logAnchor === undefined ? -1 : records.findIndex((record) => record.seq >= logAnchor);
  const logBottom = anchored < 0 ? records.length - 1 : anchored;

  const width = Math.max(20, columns);
  // Ink 6 clears the whole terminal on every frame once the output is as tall as it.
  const height = Math.max(8, rows - 1);
  const middle = height - 4; // header 2, throughput 1, footer 1
  const tableHeight = Math.max(4, Math.floor(middle * 0.45));
  const bottomHeight = Math.max(0, middle - tableHeight);
  // Side by side when wide; on a narrow terminal the rooms take the log's place while focused.
  const sideBySide = width >= ROOMS_MIN_COLUMNS;
  const roomsWidth = sideBySide
    ? Math.min(44, Math.floor(width * 0.3))
    : focus === 'rooms'
      ? width
      : 0;
  const logWidth = width - roomsWidth;
  const page = Math.max(1, bottomHeight - 2);

  const shutDown = () => {
    setOverlay({ kind: 'closing' });
    onShutdown().finally(() => exit());
  };
  const askKick = (id: number | undefined) => {
    const target = connections.find((c) => c.id === id);
    if (target === undefined || target.state === 'handshaking') {
      setStatus('select a connection to kick first');
      return;
    }
    setReason('');
    setOverlay({ kind: 'kick', id: target.id, who: `${target.user ?? '?'} (${target.address})` });
  };

  useInput((input, key) => {
    if (overlay.kind === 'closing') return;
    if (overlay.kind === 'quit') {
      if (input === 'y' || (key.ctrl && input === 'c')) shutDown();
      else if (input === 'n' || key.escape) setOverlay({ kind: 'none' });
      return;
    }
    // Typing goes to the text input; only Esc and Ctrl+C are ours.
    if (overlay.kind === 'filter' || overlay.kind === 'kick') {
      if (key.escape) setOverlay({ kind: 'none' });
      if (key.ctrl && input === 'c') setOverlay({ kind: 'quit' });
      return;
    }
    setStatus('');
    if (input === 'q' || (key.ctrl && input === 'c')) return setOverlay({ kind: 'quit' });
    if (key.escape) return setOverlay({ kind: 'none' });
    if (input === '?')
      return setOverlay(overlay.kind === 'help' ? { kind: 'none' } : { kind: 'help' });
    if (overlay.kind === 'details') {
      if (input === 'k') askKick(overlay.id);
      return;
    }
    if (overlay.kind === 'help') return;
    if (key.tab) {
      const index = PANES.indexOf(focus);
      const step = key.shift ? PANES.length - 1 : 1;
      return setFocus(PANES[(index + step) % PANES.length] ?? 'connections');
    }
    if (input === '/') {
      setDraft(filter);
      return setOverlay({ kind: 'filter' });
    }
    if (input === 's') return setSort(nextSort(sort));
    if (input === 'S') return setSort({ ...sort, descending: !sort.descending });
    if (input === 'k') return askKick(current);
    if (key.return && current !== undefined) return setOverlay({ kind: 'details', id: current });
    const by = key.upArrow ? -1 : key.downArrow ? 1 : key.pageUp ? -page : key.pageDown ? page : 0;
    if (focus === 'connections' && by !== 0) setSelected(moveSelection(ids, current, by));
    if (focus === 'log') {
      if (key.end) setLogAnchor(undefined);
      else if (by !== 0 && records.length > 0) {
        // Never above the first screenful: the pane stays full.
        const top = Math.min(records.length - 1, Math.max(0, bottomHeight - 2));
        const next = Math.max(top, Math.min(records.length - 1, logBottom + by));
        setLogAnchor(next >= records.length - 1 ? undefined : records[next]?.seq);
      }
    }
    if (focus === 'rooms' && by !== 0) {
      setRoomsOffset((o) => Math.max(0, Math.min(stats.rooms.length - 1, o + by)));
    }
  });

  const header = headerRows(stats, now);
  let body: ReactNode;
  if (overlay.kind === 'help' || overlay.kind === 'details') {
    const lines =
      overlay.kind === 'help'
        ? helpRows()
        : detailRows(
            stats.connections.find((c) => c.id === overlay.id),
            now,
          );
    body = <Rows rows={lines.slice(0, middle + 1)} width={width} height={middle + 1} />;
  } else {
    const table = connectionRows({
      connections,
      selected: current,
      sort,
      focused: focus === 'connections',
      width,
      height: tableHeight,
      now,
      start: tableStart.current,
    });
    tableStart.current = table.start;
    body = (
      <>
        <Rows rows={table.rows} width={width} />
        <Rows
          rows={[throughputRow(stats.messageSeries, stats.messagesPerSecond, width, spark)]}
          width={width}
        />
        <Box flexDirection="row" width={width} height={bottomHeight} flexShrink={0}>
          {logWidth > 0 && (
            <Rows
              rows={logRows({
                records,
                offset: records.length - 1 - logBottom,
                filter,
                focused: focus === 'log',
                width: logWidth,
                height: bottomHeight,
              })}
              width={logWidth}
            />
          )}
          {roomsWidth > 0 && (
            <Rows
              rows={roomRows(stats.rooms, focus === 'rooms', roomsWidth, bottomHeight, roomsOffset)}
              width={roomsWidth}
            />
          )}
        </Box>
      </>
    );
  }

  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Box flexDirection="column" width={width} height={2} flexShrink={0}>
        <Row spans={header[0] ?? []} width={width} pad inverse />
        <Row spans={header[1] ?? []} width={width} pad />
      </Box>
      {body}
      <Box width={width} height={1} flexShrink={0} overflow="hidden">
        <Footer
          overlay={overlay}
          status={status}
          draft={draft}
          reason={reason}
          onDraft={setDraft}
          onReason={setReason}
          onFilter={(text) => {
            setFilter(text.trim());
            setLogAnchor(undefined);
            setOverlay({ kind: 'none' });
          }}
          onKick={(typed) => {
            if (overlay.kind !== 'kick') return;
            // The submitted text: keys can come faster than the state that holds it.
            const { who } = overlay;
            void Promise.resolve(source.kick(overlay.id, typed.trim() || 'no reason given')).then(
              (done) => setStatus(done ? `kicked ${who}` : `${who} had already gone`),
            );
            setOverlay({ kind: 'none' });
          }}
          width={width}
        />
      </Box>
    </Box>
  );
}

type FooterProps = {
  overlay: Overlay;
  status: string;
  draft: string;
  reason: string;
  onDraft: (text: string) => void;
  onReason: (text: string) => void;
  onFilter: (text: string) => void;
  onKick: (reason: string) => void;
  width: number;
};

/** The bottom row: key hints, a status line, or a question with its text input. */
function Footer(props: FooterProps): ReactNode {
  const { overlay, width } = props;
  const tint = useColor();
  const colored = useContext(ColorContext);
  switch (overlay.kind) {
    case 'filter':
      return (
        <Box>
          <Text color={tint('cyan')} bold>
            {' filter: '}
          </Text>
          <TextInput value={props.draft} onChange={props.onDraft} onSubmit={props.onFilter} />
          <Text dimColor>{'  Enter: apply (empty: all)  Esc: cancel'}</Text>
        </Box>
      );
    case 'kick':
      return (
        <Box>
          <Text color={tint('red')} bold wrap="truncate">
            {` kick ${truncate(overlay.who, Math.max(8, width - 50))}? reason: `}
          </Text>
          <TextInput
            value={props.reason}
            onChange={props.onReason}
            onSubmit={props.onKick}
            // ink-text-input greys its placeholder: without colour the hint says it instead.
            placeholder={colored ? 'no reason given' : undefined}
          />
          <Text dimColor>
            {colored
              ? '  Enter: kick  Esc: cancel'
              : '  Enter: kick (empty: no reason given)  Esc: cancel'}
          </Text>
        </Box>
      );
    case 'quit':
      return (
        <Row
          spans={[
            { text: ' Shut the server down? ', color: 'red', bold: true },
            { text: 'Every client is told. ' },
            { text: 'y: yes  n/Esc: no', dim: true },
          ]}
          width={width}
        />
      );
    case 'closing':
      return (
        <Row spans={[{ text: ' shutting down…', color: 'yellow', bold: true }]} width={width} />
      );
    default:
      return (
        <Row
          spans={
            props.status !== ''
              ? [{ text: ` ${props.status}`, color: 'cyan' }]
              : [
                  {
                    text: ' Tab: pane  ↑↓: select/scroll  s: sort  Enter: details  k: kick  /: filter  ?: help  q: quit',
                    dim: true,
                  },
                ]
          }
          width={width}
        />
      );
  }
}
