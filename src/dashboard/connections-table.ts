/**
 * The connections table as data: which columns fit a width, how rows sort,
 * and each cell's text. Pure; the component only draws what this returns.
 */

import { formatBytes } from '../format/bytes.ts';
import type { ConnectionInfo } from '../server/connection.ts';
import { displayWidth, truncate } from '../ui/text/wrap.ts';
import { formatCount, formatDuration } from './format.ts';

/** A column: its title, width (columns), alignment, and when it goes on narrow screens. */
export type Column = {
  readonly key: SortKey;
  readonly title: string;
  readonly width: number;
  readonly align: 'left' | 'right';
  /** Higher goes first when the table is too narrow; 0 never goes. */
  readonly drop: number;
};

/** What the table can be sorted by (`s` steps through them). */
export const SORT_KEYS = [
  'user',
  'address',
  'tls',
  'cipher',
  'connected',
  'msgsIn',
  'msgsOut',
  'bytesIn',
  'bytesOut',
  'queued',
  'state',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** The sort: a key, and descending (largest, longest or last first) or not. */
export type Sort = { readonly key: SortKey; readonly descending: boolean };

// Widths fit the whole table in 120 columns: an IPv4 address, the longest
// TLS 1.3 cipher name, and every state name in full.
const COLUMNS: readonly Column[] = [
  { key: 'user', title: 'USER', width: 11, align: 'left', drop: 0 },
  { key: 'address', title: 'ADDRESS', width: 15, align: 'left', drop: 4 },
  { key: 'tls', title: 'TLS', width: 7, align: 'left', drop: 6 },
  { key: 'cipher', title: 'CIPHER', width: 22, align: 'left', drop: 9 },
  { key: 'connected', title: 'UP', width: 6, align: 'right', drop: 3 },
  { key: 'msgsIn', title: 'MSG IN', width: 6, align: 'right', drop: 2 },
  { key: 'msgsOut', title: 'MSG OUT', width: 7, align: 'right', drop: 2 },
  { key: 'bytesIn', title: 'RX', width: 7, align: 'right', drop: 7 },
  { key: 'bytesOut', title: 'TX', width: 7, align: 'right', drop: 7 },
  { key: 'queued', title: 'QUEUED', width: 7, align: 'right', drop: 5 },
  { key: 'state', title: 'STATE', width: 14, align: 'left', drop: 1 },
];

/** Columns are separated by this many spaces. */
export const GAP = 1;

/** The columns that fit in `width`, in order, the least needed dropped first. */
export function columnsFor(width: number): Column[] {
  const kept = [...COLUMNS];
  const total = () => kept.reduce((sum, column) => sum + column.width, 0) + GAP * (kept.length - 1);
  while (total() > width) {
    const worst = kept.reduce((a, b) => (b.drop > a.drop ? b : a));
    if (worst.drop === 0) break;
    kept.splice(kept.indexOf(worst), 1);
  }
  return kept;
}

/** The title of `key`'s column (for the sort hint). */
export function columnTitle(key: SortKey): string {
  return COLUMNS.find((column) => column.key === key)?.title ?? key;
}

function sortValue(connection: ConnectionInfo, key: SortKey): string | number {
  switch (key) {
    case 'user':
      return connection.user ?? '';
    case 'address':
      return connection.address;
    case 'tls':
      return connection.tlsVersion;
    case 'cipher':
      return connection.cipher;
    // Connected longest first reads as "oldest first": sort by the start time.
    case 'connected':
      return -connection.connectedAt;
    case 'msgsIn':
      return connection.msgsIn;
    case 'msgsOut':
      return connection.msgsOut;
    case 'bytesIn':
      return connection.bytesIn;
    case 'bytesOut':
      return connection.bytesOut;
    case 'queued':
      return connection.queuedBytes;
    case 'state':
      return connection.state;
  }
}

/** The connections in `sort` order; ties keep the order of ids, so rows do not jump. */
export function sortConnections(
  connections: readonly ConnectionInfo[],
  sort: Sort,
): ConnectionInfo[] {
  const direction = sort.descending ? -1 : 1;
  return [...connections].sort((a, b) => {
    const x = sortValue(a, sort.key);
    const y = sortValue(b, sort.key);
    const order = x < y ? -1 : x > y ? 1 : 0;
    return order * direction || a.id - b.id;
  });
}

/** The next sort after pressing `s`: the next key, each starting in its natural direction. */
export function nextSort(sort: Sort): Sort {
  const index = SORT_KEYS.indexOf(sort.key);
  const key = SORT_KEYS[(index + 1) % SORT_KEYS.length] ?? 'user';
  const textual = key === 'user' || key === 'address' || key === 'tls' || key === 'cipher';
  return { key, descending: !textual && key !== 'state' };
}

/** One cell's text, not yet padded. */
export function cellText(connection: ConnectionInfo, key: SortKey, now: number): string {
  switch (key) {
    case 'user':
      return connection.user ?? '—';
    case 'address':
      return connection.address.replace(/^::ffff:/, '');
    case 'tls':
      return connection.tlsVersion || '—';
    case 'cipher':
      return connection.cipher || '—';
    case 'connected':
      return formatDuration(now - connection.connectedAt);
    case 'msgsIn':
      return formatCount(connection.msgsIn);
    case 'msgsOut':
      return formatCount(connection.msgsOut);
    case 'bytesIn':
      return formatBytes(connection.bytesIn);
    case 'bytesOut':
      return formatBytes(connection.bytesOut);
    case 'queued':
      return formatBytes(connection.queuedBytes);
    case 'state':
      return connection.state;
  }
}

/** `text` cut and padded to exactly `width` columns. */
export function fitCell(text: string, width: number, align: 'left' | 'right'): string {
  const cut = truncate(text, width);
  const pad = ' '.repeat(Math.max(0, width - displayWidth(cut)));
  return align === 'left' ? cut + pad : pad + cut;
}

/** A whole row: cells joined by the gap. */
export function rowText(
  connection: ConnectionInfo,
  columns: readonly Column[],
  now: number,
): string {
  return columns
    .map((column) => fitCell(cellText(connection, column.key, now), column.width, column.align))
    .join(' '.repeat(GAP));
}

/** The header row, the sorted column's title marked ▲ or ▼. */
export function headerText(columns: readonly Column[], sort: Sort): string {
  return columns
    .map((column) => {
      const mark = column.key === sort.key ? (sort.descending ? '▼' : '▲') : '';
      return fitCell(`${column.title}${mark}`, column.width, column.align);
    })
    .join(' '.repeat(GAP));
}
