/**
 * Every pane of the dashboard as rows of styled spans, exactly as many rows
 * as the pane has. Pure: given the server's snapshot, the log records and
 * what the operator has selected, it returns what to draw.
 */

import { formatBytes } from '../format/bytes.ts';
import type { ConnectionInfo } from '../server/connection.ts';
import type { LogLevelName, LogRecord } from '../server/log-buffer.ts';
import type { ServerStats } from '../server/server-stats.ts';
import type { RowSpans, Span } from '../ui/components/spans.ts';
import { helpLines } from '../ui/input/key-bindings.ts';
import { neutralizeLine } from '../ui/text/sanitize.ts';
import { padEnd, truncate } from '../ui/text/wrap.ts';
import {
  type Column,
  columnsFor,
  columnTitle,
  headerText,
  rowText,
  type Sort,
} from './connections-table.ts';
import { CONNECTIONS_HINT, DASHBOARD_KEYMAP } from './dashboard-keys.ts';
import {
  clockSeconds,
  formatCount,
  formatDuration,
  formatRate,
  shortFingerprint,
} from './format.ts';

/** A pane's title row: inverse while the pane has the focus. */
function title(text: string, focused: boolean, hint = ''): RowSpans {
  // The ▸ says where the keys go on a terminal without colour too.
  return [
    {
      text: `${focused ? '▸' : ' '}${text} `,
      bold: true,
      inverse: focused,
      color: focused ? 'cyan' : undefined,
    },
    { text: hint === '' ? '' : `  ${hint}`, dim: true },
  ];
}

/** `rows` then blank rows, or the first `height` of them. */
function fill(rows: RowSpans[], height: number): RowSpans[] {
  const out = rows.slice(0, Math.max(0, height));
  while (out.length < height) out.push([]);
  return out;
}

/** The two header rows: where and how the server runs, then how busy it is. */
export function headerRows(stats: ServerStats, now: number): RowSpans[] {
  const sep: Span = { text: ' │ ', dim: true };
  const address = stats.address.includes(':') ? `[${stats.address}]` : stats.address;
  const handshaking = stats.connections.filter((c) => c.state === 'handshaking').length;
  const connected = stats.connections.length - handshaking;
  return [
    [
      { text: ' chat serve ', bold: true },
      sep,
      { text: `${address}:${stats.port}`, bold: true },
      sep,
      { text: `up ${formatDuration(now - stats.startedAt)}` },
      sep,
      { text: `TLS ≥ ${stats.tlsMin}` },
      sep,
      ...clusterSpans(stats, sep),
      { text: `CA ${shortFingerprint(stats.caFingerprint)}`, dim: true },
    ],
    [
      { text: ' connections ' },
      { text: String(connected), bold: true },
      {
        text: ` (peak ${stats.peakConnections}${handshaking > 0 ? `, +${handshaking} in handshake` : ''})`,
        dim: true,
      },
      sep,
      { text: 'rooms ' },
      { text: String(stats.rooms.length), bold: true },
      sep,
      { text: 'msg/s ' },
      { text: formatRate(stats.messagesPerSecond), bold: true, color: 'green' },
      sep,
      { text: 'messages ' },
      { text: formatCount(stats.totalMessages), bold: true },
      sep,
      { text: 'memory ' },
      { text: formatBytes(stats.memoryBytes), bold: true },
    ],
  ];
}

// A node of several on one Redis: the whole cluster, as the nodes' heartbeats say.
function clusterSpans(stats: ServerStats, sep: Span): Span[] {
  const { cluster } = stats;
  if (!cluster) return [];
  return [
    { text: 'cluster ' },
    { text: `${cluster.nodes} node${cluster.nodes === 1 ? '' : 's'}`, bold: true },
    {
      text: ` · ${formatCount(cluster.connections)} conn · ${formatRate(cluster.messagesPerSecond)} msg/s`,
    },
    sep,
  ];
}

const STATE_COLORS: Record<ConnectionInfo['state'], string | undefined> = {
  handshaking: 'gray',
  authenticating: 'yellow',
  active: 'green',
  away: 'yellow',
  closing: 'red',
};

/** Which rows of `count` to show in `height` so that `index` is on screen, kept near the old `start`. */
export function windowStart(count: number, index: number, height: number, start: number): number {
  if (height <= 0 || count <= height) return 0;
  let from = Math.max(0, Math.min(start, count - height));
  if (index >= 0 && index < from) from = index;
  if (index >= from + height) from = index - height + 1;
  return from;
}

/** Input of {@link connectionRows}. */
export type ConnectionPane = {
  /** Already sorted. */
  connections: readonly ConnectionInfo[];
  selected: number | undefined;
  sort: Sort;
  focused: boolean;
  width: number;
  height: number;
  now: number;
  /** First row shown last time (to scroll no more than needed). */
  start: number;
};

/** The connections table: title, column header, one row per connection; `start` is the first shown. */
export function connectionRows(pane: ConnectionPane): { rows: RowSpans[]; start: number } {
  const { connections, width, height } = pane;
  // Rows start with one space of margin.
  const columns: Column[] = columnsFor(width - 1);
  const hint = `sorted by ${columnTitle(pane.sort.key)}  ${CONNECTIONS_HINT}`;
  const rows: RowSpans[] = [
    title(`Connections (${connections.length})`, pane.focused, hint),
    [{ text: ` ${headerText(columns, pane.sort)}`, bold: true, dim: true }],
  ];
  const room = Math.max(0, height - rows.length);
  const index = connections.findIndex((c) => c.id === pane.selected);
  const start = windowStart(connections.length, index, room, pane.start);
  for (const connection of connections.slice(start, start + room)) {
    const text = ` ${rowText(connection, columns, pane.now)}`;
    if (connection.id === pane.selected) {
      rows.push([{ text: padEnd(text, width), inverse: true, bold: pane.focused }]);
    } else {
      const color = STATE_COLORS[connection.state];
      rows.push(color === 'green' ? [{ text }] : [{ text, color }]);
    }
  }
  if (connections.length === 0) rows.push([{ text: ' no connections yet', dim: true }]);
  return { rows: fill(rows, height), start };
}

/** One row: `msg/s, last minute ▁▂▅█▃  now 12.4  peak 30.0`; `now` is the recent mean, the line drawn by `spark`. */
export function throughputRow(
  series: readonly number[],
  now: number,
  width: number,
  spark: (values: readonly number[]) => string,
): RowSpans {
  const label = ' msg/s, last minute ';
  const peak = series.reduce((a, b) => Math.max(a, b), 0);
  const tail = `  now ${formatRate(now)}  peak ${formatRate(peak)}`;
  const room = Math.max(0, width - label.length - tail.length);
  // Fewer columns than seconds: each column the busiest of the seconds it covers.
  const shown =
    series.length <= room
      ? series
      : Array.from({ length: room }, (_, column) => {
          const from = Math.floor((column * series.length) / room);
          const to = Math.floor(((column + 1) * series.length) / room);
          return Math.max(...series.slice(from, Math.max(to, from + 1)));
        });
  return [
    { text: label, bold: true },
    { text: spark(shown), color: 'green' },
    { text: tail, dim: true },
  ];
}

const LEVEL_STYLES: Record<LogLevelName, Omit<Span, 'text'>> = {
  trace: { dim: true },
  debug: { dim: true },
  info: {},
  warn: { color: 'yellow' },
  error: { color: 'red', bold: true },
  fatal: { color: 'red', bold: true, inverse: true },
};

/** One log record on one row: `12:03:04 WARN  message key=value …`. */
export function logRecordRow(record: LogRecord): RowSpans {
  const fields = Object.entries(record.fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const style = LEVEL_STYLES[record.level];
  return [
    { text: `${clockSeconds(record.time)} `, dim: true },
    { text: padEnd(record.level.toUpperCase(), 6), ...style },
    { text: neutralizeLine(record.msg), ...style },
    { text: fields === '' ? '' : ` ${neutralizeLine(fields)}`, dim: true },
  ];
}

/** Input of {@link logRows}. */
export type LogPane = {
  /** Already filtered, oldest first. */
  records: readonly LogRecord[];
  /** Records hidden below the bottom (0: following the newest). */
  offset: number;
  /** The filter as typed, for the title; '' for none. */
  filter: string;
  focused: boolean;
  width: number;
  height: number;
};

/** The log pane: title, then the records that fit, newest at the bottom. */
export function logRows(pane: LogPane): RowSpans[] {
  const { records, height } = pane;
  const filter = pane.filter === '' ? '' : ` matching "${truncate(pane.filter, 30)}"`;
  const scrolled = pane.offset > 0 ? `, ${pane.offset} newer below (End)` : '';
  const rows: RowSpans[] = [
    title(`Log (${records.length}${filter}${scrolled})`, pane.focused, '/: filter'),
  ];
  const room = Math.max(0, height - 1);
  const end = Math.max(0, records.length - pane.offset);
  const shown = records.slice(Math.max(0, end - room), end);
  const blank = room - shown.length;
  for (let row = 0; row < blank; row++) rows.push([]);
  for (const record of shown) rows.push(logRecordRow(record));
  if (records.length === 0 && room > 0) {
    rows[rows.length - 1] = [
      { text: pane.filter ? ' nothing matches' : ' no log lines yet', dim: true },
    ];
  }
  return fill(rows, height);
}

/** The rooms pane: title, then `#room  N users  M msgs` per room, busiest first. */
export function roomRows(
  rooms: ServerStats['rooms'],
  focused: boolean,
  width: number,
  height: number,
  offset: number,
): RowSpans[] {
  const sorted = [...rooms].sort((a, b) => b.members - a.members || b.lastId - a.lastId);
  const rows: RowSpans[] = [title(`Rooms (${rooms.length})`, focused)];
  const room = Math.max(0, height - 1);
  const start = Math.max(0, Math.min(offset, sorted.length - room));
  const numbers = 16;
  for (const summary of sorted.slice(start, start + room)) {
    const counts = `${summary.members} on · ${formatCount(summary.lastId)} msg`;
    rows.push([
      {
        text: ` ${padEnd(truncate(summary.room, Math.max(4, width - numbers - 2)), width - numbers - 2)}`,
      },
      { text: ` ${counts}`, dim: true },
    ]);
  }
  return fill(rows, height);
}

/** The details of one connection, for Enter: certificate subject, serial, fingerprint, expiry. */
export function detailRows(connection: ConnectionInfo | undefined, now: number): RowSpans[] {
  if (connection === undefined) return [[{ text: ' that connection has closed', dim: true }]];
  const cert = connection.certificate;
  const line = (label: string, value: string): RowSpans => [
    { text: ` ${padEnd(label, 14)}`, bold: true },
    { text: neutralizeLine(value) },
  ];
  const expires = cert === undefined ? '' : Date.parse(cert.validTo);
  return [
    title(`Connection ${connection.user ?? '(no user yet)'}`, true, 'Esc: back  k: kick'),
    line('user', connection.user ?? '—'),
    line('address', connection.address),
    line('state', connection.state),
    line('connected', `${formatDuration(now - connection.connectedAt)} ago`),
    line('TLS', [connection.tlsVersion || '—', connection.cipher].filter(Boolean).join('  ')),
    line(
      'messages',
      `${formatCount(connection.msgsIn)} in, ${formatCount(connection.msgsOut)} out`,
    ),
    line(
      'bytes',
      `${formatBytes(connection.bytesIn)} in, ${formatBytes(connection.bytesOut)} out, ${formatBytes(connection.queuedBytes)} queued`,
    ),
    [],
    line('subject', cert?.subject ?? '—'),
    line('serial', cert?.serial ?? '—'),
    line('fingerprint', cert?.fingerprint || connection.fingerprint || '—'),
    line(
      'expires',
      cert === undefined || typeof expires !== 'number' || Number.isNaN(expires)
        ? '—'
        : expires <= now
          ? `${cert.validTo} (expired ${formatDuration(now - expires)} ago)`
          : `${cert.validTo} (in ${formatDuration(expires - now)})`,
    ),
  ];
}

/** What each key does, for `?` (from the dashboard's keymap). */
export const DASHBOARD_KEYS = helpLines(DASHBOARD_KEYMAP, ' / ');

/** The help, as rows. */
export function helpRows(): RowSpans[] {
  return [
    title('Dashboard keys', true, 'Esc: close'),
    [],
    ...DASHBOARD_KEYS.map(
      ([key, does]): RowSpans => [
        { text: ` ${padEnd(key, 20)}`, bold: true, color: 'cyan' },
        { text: does },
      ],
    ),
    [],
    [
      {
        text: ' Columns: MSG IN/OUT messages from/to the client, RX/TX bytes received/sent, QUEUED bytes not yet written to it.',
        dim: true,
      },
    ],
    [
      {
        text: ' Log lines also go to the --log-file; the pane keeps the last 1,000.',
        dim: true,
      },
    ],
  ];
}
