import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cellText,
  columnsFor,
  GAP,
  headerText,
  nextSort,
  rowText,
  SORT_KEYS,
  type SortKey,
  sortConnections,
} from '../../src/dashboard/connections-table.ts';
import {
  connectionRows,
  detailRows,
  headerRows,
  logRows,
  roomRows,
  windowStart,
} from '../../src/dashboard/dashboard-rows.ts';
import {
  clockSeconds,
  formatCount,
  formatDuration,
  formatRate,
  shortFingerprint,
} from '../../src/dashboard/format.ts';
import {
  isEmptyFilter,
  matchesLogFilter,
  parseLogFilter,
  recordText,
} from '../../src/dashboard/log-filter.ts';
import { formatBytes } from '../../src/format/bytes.ts';
import type { ConnectionInfo } from '../../src/server/connection.ts';
import type { LogRecord } from '../../src/server/log-buffer.ts';
import type { ServerStats } from '../../src/server/server-stats.ts';
import { type RowSpans, spansWidth } from '../../src/ui/components/spans.ts';

const NOW = Date.parse('2026-03-04T05:06:07.000Z');
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function conn(id: number, over: Partial<ConnectionInfo> = {}): ConnectionInfo {
  const tls = { tlsVersion: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', fingerprint: '' };
  const counts = { msgsIn: 0, msgsOut: 0, bytesIn: 0, bytesOut: 0, queuedBytes: 0 };
  const base = { id, user: `u${id}`, address: '127.0.0.1', connectedAt: NOW - MIN };
  return { ...base, ...tls, ...counts, state: 'active', ...over };
}

function rec(seq: number, over: Partial<LogRecord> = {}): LogRecord {
  return { seq, time: NOW + seq * SEC, level: 'info', msg: `line ${seq}`, fields: {}, ...over };
}

function stats(over: Partial<ServerStats> = {}): ServerStats {
  const caFingerprint = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0'));
  const where = { address: '127.0.0.1', port: 7000, tlsMin: 'TLSv1.3', startedAt: NOW - 125 * MIN };
  const load = { totalMessages: 1234567, messagesPerSecond: 12.44, memoryBytes: 23 * 1024 ** 2 };
  const lists = { connections: [], rooms: [], messageSeries: [], peakConnections: 7 };
  return { ...where, ...load, ...lists, caFingerprint: caFingerprint.join(':'), ...over };
}

const text = (row: RowSpans | undefined): string => (row ?? []).map((s) => s.text).join('');
const ids = (list: readonly ConnectionInfo[]) => list.map((c) => c.id);
const tableWidth = (columns: readonly { width: number }[]) =>
  columns.reduce((sum, c) => sum + c.width, 0) + GAP * (columns.length - 1);
/** Whether `text` holds a C0 or C1 control character or DEL. */
const hasControl = (text: string) =>
  [...text].some((ch) => {
    const code = ch.charCodeAt(0);
    return code < 0x20 || (code >= 0x7f && code <= 0x9f);
  });
/** The value of a `label  value` row of detailRows. */
const detail = (rows: RowSpans[], label: string) =>
  rows.find((row) => row[0]?.text.trim() === label)?.[1]?.text;

describe('format', () => {
  it('formatBytes', () => {
    const bytes = [0, -5, 1, 1023, 1024, 1536, 10 * 1024, 23 * 1024 ** 2, 5 * 1024 ** 4];
    assert.deepEqual(bytes.map(formatBytes), [
      ...['0 B', '0 B', '1 B', '1023 B', '1.0 KiB', '1.5 KiB', '10 KiB', '23 MiB', '5.0 TiB'],
    ]);
    assert.equal(formatBytes(2048 * 1024 ** 4), '2048 TiB', 'no unit above TiB');
  });
  it('formatDuration keeps the two largest units', () => {
    const ms = [0, -5 * SEC, 999, 59 * SEC + 999, MIN, 3 * MIN + 7 * SEC, HOUR - 1, HOUR];
    assert.deepEqual(ms.map(formatDuration), [
      ...['0s', '0s', '0s', '59s', '1m00s', '3m07s', '59m59s', '1h00m'],
    ]);
    const long = [2 * HOUR + 5 * MIN + 59 * SEC, DAY - 1, DAY, 3 * DAY + 4 * HOUR + MIN, 400 * DAY];
    assert.deepEqual(long.map(formatDuration), ['2h05m', '23h59m', '1d00h', '3d04h', '400d00h']);
  });
  it('formatRate and formatCount', () => {
    const rates = [0, 12.44, 99.94, 100, 250.4, 1234.5];
    assert.deepEqual(rates.map(formatRate), ['0.0', '12.4', '99.9', '100', '250', '1,235']);
    assert.deepEqual([0, 999, 1234567].map(formatCount), ['0', '999', '1,234,567']);
  });
  it('shortFingerprint keeps both ends of a long fingerprint only', () => {
    const parts = Array.from({ length: 32 }, (_, i) =>
      i.toString(16).toUpperCase().padStart(2, '0'),
    );
    assert.equal(shortFingerprint(parts.join(':')), '00:01:02:03:…:1C:1D:1E:1F');
    assert.equal(shortFingerprint(parts.join(':'), 2), '00:01:…:1E:1F');
    assert.equal(shortFingerprint(parts.slice(0, 8).join(':')), parts.slice(0, 8).join(':'));
    assert.equal(shortFingerprint(''), '');
  });
  it('clockSeconds pads local hours, minutes and seconds', () => {
    assert.equal(clockSeconds(new Date(2026, 0, 2, 3, 4, 5, 678).getTime()), '03:04:05');
    assert.equal(clockSeconds(new Date(2026, 0, 2, 23, 59, 9).getTime()), '23:59:09');
  });
});

describe('log filter', () => {
  it('parses levels and words', () => {
    for (const empty of ['', '   ']) {
      assert.deepEqual(parseLogFilter(empty), { minLevel: 0, words: [] });
      assert.equal(isEmptyFilter(parseLogFilter(empty)), true);
    }
    assert.deepEqual(parseLogFilter('warn alice'), { minLevel: 40, words: ['alice'] });
    assert.deepEqual(parseLogFilter('level:error'), { minLevel: 50, words: [] });
    assert.deepEqual(parseLogFilter('LEVEL=Warn'), { minLevel: 40, words: [] });
    assert.deepEqual(parseLogFilter('error info'), { minLevel: 50, words: [] });
    assert.deepEqual(parseLogFilter(' Alice\tBOB '), { minLevel: 0, words: ['alice', 'bob'] });
    assert.deepEqual(parseLogFilter('level:loud'), { minLevel: 0, words: ['level:loud'] });
    assert.equal(isEmptyFilter(parseLogFilter('alice')), false);
  });
  it('keeps the minimum level and worse', () => {
    const filter = parseLogFilter('warn');
    const kept = (['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const).filter((level) =>
      matchesLogFilter(rec(1, { level }), filter),
    );
    assert.deepEqual(kept, ['warn', 'error', 'fatal']);
    assert.equal(matchesLogFilter(rec(1, { level: 'trace' }), parseLogFilter('')), true);
  });
  it('finds every word in the message or the fields, in any case', () => {
    const record = rec(1, {
      level: 'warn',
      msg: 'Connection open',
      fields: { user: 'Alice', conn: 3, tags: ['x'] },
    });
    assert.equal(recordText(record), 'Connection open user=Alice conn=3 tags=["x"]');
    for (const yes of ['alice', 'ALICE', 'user=alice', 'conn=3', 'OPEN alice', 'warn alice']) {
      assert.equal(matchesLogFilter(record, parseLogFilter(yes)), true, yes);
    }
    for (const no of ['bob', 'alice bob', 'error alice', 'conn=4']) {
      assert.equal(matchesLogFilter(record, parseLogFilter(no)), false, no);
    }
  });
});

describe('connections table', () => {
  const all = columnsFor(1000);
  it('drops columns in drop order as the width shrinks, never USER, and fits', () => {
    assert.equal(all.length, SORT_KEYS.length);
    const order = all.map((c) => c.key);
    const dropped: SortKey[] = [];
    let previous = all;
    for (let width = 200; width >= 0; width--) {
      const columns = columnsFor(width);
      const keys = columns.map((c) => c.key);
      assert.equal(keys[0], 'user', `width ${width}`);
      assert.deepEqual(
        keys,
        order.filter((key) => keys.includes(key)),
        'order kept',
      );
      if (width >= 15) assert.ok(tableWidth(columns) <= width, `fits ${width}`);
      else assert.deepEqual(keys, ['user']);
      for (const c of previous) if (!keys.includes(c.key)) dropped.push(c.key);
      previous = columns;
    }
    assert.equal(dropped[0], 'cipher');
    assert.equal(dropped.at(-1), 'state');
    assert.equal(dropped.length, SORT_KEYS.length - 1);
    const drops = dropped.map((key) => all.find((c) => c.key === key)?.drop ?? -1);
    assert.deepEqual(
      drops,
      [...drops].sort((x, y) => y - x),
    );
  });

  const a = conn(1, {
    ...{ user: 'carol', address: '10.0.0.2', cipher: 'TLS_AES_128_GCM_SHA256', state: 'away' },
    ...{ connectedAt: NOW - 10 * SEC, msgsIn: 5, msgsOut: 1, bytesIn: 300, bytesOut: 20 },
    queuedBytes: 10,
  });
  const b = conn(2, {
    ...{ user: 'alice', address: '10.0.0.3', tlsVersion: 'TLSv1.2', connectedAt: NOW - 30 * SEC },
    ...{ cipher: 'TLS_CHACHA20_POLY1305_SHA256', msgsIn: 1, msgsOut: 9, bytesIn: 100 },
    ...{ bytesOut: 30, queuedBytes: 50 },
  });
  const c = conn(-1, {
    ...{ user: undefined, address: '10.0.0.1', tlsVersion: '', cipher: '' },
    ...{ connectedAt: NOW - SEC, state: 'handshaking' },
  });
  it('sorts by every key, both ways', () => {
    const input = [a, b, c];
    const order = (descending: boolean) =>
      SORT_KEYS.map((key) => `${key} ${ids(sortConnections(input, { key, descending }))}`);
    // `connected` ascending is by start time reversed: the newest connection first.
    const ascending = [
      ...['user -1,2,1', 'address -1,1,2', 'tls -1,2,1', 'cipher -1,1,2', 'connected -1,1,2'],
      ...['msgsIn -1,2,1', 'msgsOut -1,1,2', 'bytesIn -1,2,1', 'bytesOut -1,1,2'],
      ...['queued -1,1,2', 'state 2,1,-1'],
    ];
    assert.deepEqual(order(false), ascending);
    const reversed = (line: string) =>
      line.replace(/ (.*)/, (_, l: string) => ` ${l.split(',').reverse()}`);
    assert.deepEqual(order(true), ascending.map(reversed));
    assert.deepEqual(ids(input), [1, 2, -1], 'input untouched');
  });
  it('breaks ties by id in both directions', () => {
    const tied = [conn(7, { msgsIn: 2 }), conn(3, { msgsIn: 2 }), conn(9, { msgsIn: 5 }), conn(5)];
    tied.push(conn(4, { msgsIn: 2 }));
    const sorted = (descending: boolean) =>
      ids(sortConnections(tied, { key: 'msgsIn', descending }));
    assert.deepEqual(sorted(true), [9, 3, 4, 7, 5]);
    assert.deepEqual(sorted(false), [5, 3, 4, 7, 9]);
  });
  it('nextSort visits every key once, in its natural direction, and comes back', () => {
    let sort = { key: 'user' as SortKey, descending: false };
    const seen: string[] = [];
    for (let step = 0; step < SORT_KEYS.length; step++) {
      sort = nextSort(sort);
      seen.push(`${sort.key}${sort.descending ? '▼' : '▲'}`);
    }
    assert.deepEqual(seen, [
      ...['address▲', 'tls▲', 'cipher▲', 'connected▼', 'msgsIn▼', 'msgsOut▼', 'bytesIn▼'],
      ...['bytesOut▼', 'queued▼', 'state▲', 'user▲'],
    ]);
    const back = nextSort({ key: 'state', descending: true });
    assert.deepEqual(back, { key: 'user', descending: false });
  });
  it('cellText', () => {
    const one = conn(1, {
      address: '::ffff:10.1.2.3',
      ...{ msgsIn: 1234567, bytesOut: 1536, queuedBytes: 2 * 1024 ** 2 },
      connectedAt: NOW - 3 * MIN - 7 * SEC,
    });
    const keys = ['address', 'msgsIn', 'bytesOut', 'queued', 'connected'] as const;
    const want = ['10.1.2.3', '1,234,567', '1.5 KiB', '2.0 MiB', '3m07s'];
    assert.deepEqual(
      keys.map((key) => cellText(one, key, NOW)),
      want,
    );
    assert.equal(cellText(conn(1, { address: '::1' }), 'address', NOW), '::1');
    const empty = (['user', 'tls', 'cipher', 'state'] as const).map((key) => cellText(c, key, NOW));
    assert.deepEqual(empty, ['—', '—', '—', 'handshaking']);
  });
  it('rows and header are exactly as wide as their columns, the sorted one marked', () => {
    const long = conn(1, { user: 'a-very-long-user-name-of-32-char', bytesIn: 1024 ** 4 * 3000 });
    for (const width of [200, 137, 100, 60, 30, 15]) {
      const columns = columnsFor(width);
      for (const row of [rowText(long, columns, NOW), rowText(c, columns, NOW)]) {
        assert.equal(spansWidth([{ text: row }]), tableWidth(columns), `row at ${width}`);
      }
      for (const descending of [true, false]) {
        const header = headerText(columns, { key: 'user', descending });
        assert.equal(spansWidth([{ text: header }]), tableWidth(columns), `header at ${width}`);
        assert.ok(header.startsWith(descending ? 'USER▼' : 'USER▲'));
        assert.equal(header.match(/[▲▼]/g)?.length, 1);
      }
    }
    assert.ok(rowText(long, columnsFor(200), NOW).startsWith('a-very-lon… '));
    const wide = columnsFor(200);
    assert.match(headerText(wide, { key: 'bytesOut', descending: true }), / +TX▼ /);
    assert.doesNotMatch(headerText(columnsFor(40), { key: 'cipher', descending: false }), /[▲▼]/);
  });
});

describe('dashboard rows', () => {
  it('windowStart keeps the selection visible and scrolls minimally', () => {
    // count index height start → first row shown
    const cases = ['5 2 10 3 0', '20 3 0 7 0', '20 4 5 0 0', '20 5 5 0 1', '20 7 5 3 3'];
    cases.push('20 2 5 3 2', '20 19 5 0 15', '20 -1 5 30 15', '20 -1 5 4 4');
    for (const line of cases) {
      const [count = 0, index = 0, height = 0, start = 0, want] = line.split(' ').map(Number);
      const from = windowStart(count, index, height, start);
      assert.equal(from, want, line);
      if (index >= 0 && height > 0) assert.ok(index >= from && index < from + height);
    }
  });
  const sort = { key: 'user' as SortKey, descending: false };
  const ten = Array.from({ length: 10 }, (_, i) => conn(i + 1));
  const pane = { connections: ten, selected: 6, sort, focused: true, width: 100, now: NOW };
  it('connectionRows fills the height and inverts the selected row', () => {
    const { rows, start } = connectionRows({ ...pane, height: 8, start: 0 });
    assert.equal(rows.length, 8);
    assert.equal(start, 0);
    assert.match(text(rows[0]), /Connections \(10\).*sorted by USER/);
    assert.match(text(rows[1]), /^ USER▲/);
    const selected = rows.filter((row) => row.some((span) => span.inverse));
    assert.equal(selected.length, 2, 'the focused title and the selected row');
    assert.match(text(selected[1]), /^ u6 /);
    assert.equal(spansWidth(selected[1] ?? []), 100);
    for (const row of rows.slice(1)) assert.ok(spansWidth(row) <= 100);
  });
  it('connectionRows scrolls to the selection and colours by state', () => {
    const connections = [...ten.slice(0, 9), conn(10, { state: 'handshaking' })];
    const { rows, start } = connectionRows({
      ...pane,
      connections,
      selected: 9,
      height: 5,
      start: 0,
    });
    assert.equal(start, 6);
    const users = rows.slice(2).map((row) => text(row).split(' ')[1]);
    assert.deepEqual(users, ['u7', 'u8', 'u9']);
    const later = connectionRows({ ...pane, connections, selected: 10, height: 5, start: 6 });
    assert.equal(later.start, 7);
    assert.equal(later.rows[3]?.[0]?.color, undefined, 'active');
    const unselected = connectionRows({ ...pane, connections, selected: 1, height: 12, start: 0 });
    assert.equal(unselected.rows[11]?.[0]?.color, 'gray', 'handshaking');
  });
  it('connectionRows says so when there are no connections', () => {
    const empty = { ...pane, connections: [], selected: undefined, start: 0 };
    const { rows } = connectionRows({ ...empty, height: 6 });
    assert.equal(rows.length, 6);
    assert.equal(text(rows[2]), ' no connections yet');
    assert.deepEqual(rows.slice(3), [[], [], []]);
    assert.equal(connectionRows({ ...empty, height: 2 }).rows.length, 2);
    assert.deepEqual(connectionRows({ ...empty, height: 0 }).rows, []);
  });

  const records = Array.from({ length: 10 }, (_, i) => rec(i + 1));
  const logPane = { records, offset: 0, filter: '', focused: false, width: 80 };
  const msgs = (rows: RowSpans[]) => rows.slice(1).map((row) => row[2]?.text ?? '');
  it('logRows shows the newest at the bottom and respects the offset', () => {
    const rows = logRows({ ...logPane, height: 5 });
    assert.equal(rows.length, 5);
    assert.deepEqual(msgs(rows), ['line 7', 'line 8', 'line 9', 'line 10']);
    assert.match(text(rows[0]), /Log \(10\)/);
    const back = logRows({ ...logPane, offset: 3, height: 5 });
    assert.deepEqual(msgs(back), ['line 4', 'line 5', 'line 6', 'line 7']);
    assert.match(text(back[0]), /3 newer below/);
    const few = logRows({ ...logPane, records: records.slice(0, 2), height: 5 });
    assert.deepEqual(msgs(few), ['', '', 'line 1', 'line 2']);
    assert.equal(logRows({ ...logPane, height: 1 }).length, 1);
    assert.deepEqual(logRows({ ...logPane, height: 0 }), []);
  });
  it('logRows says nothing matches a filter, or that there is no log yet', () => {
    const filtered = logRows({ ...logPane, records: [], filter: 'warn alice', height: 4 });
    assert.equal(filtered.length, 4);
    assert.match(text(filtered[0]), /Log \(0 matching "warn alice"\)/);
    assert.equal(text(filtered[3]), ' nothing matches');
    const none = logRows({ ...logPane, records: [], height: 4 });
    assert.equal(text(none[3]), ' no log lines yet');
  });
  it('logRows neutralises control characters in messages and fields', () => {
    const time = new Date(2026, 0, 2, 3, 4, 5).getTime();
    const fields = { 'k\u001b': '\u001b]0;pwned\u0007', n: 1 };
    const evil = rec(1, { time, level: 'warn', msg: 'evil\u001b[2J\u0007\r\nnext\u009b', fields });
    const rows = logRows({ ...logPane, records: [evil], height: 2 });
    const spans = rows.flat();
    for (const span of spans) assert.equal(hasControl(span.text), false, JSON.stringify(span.text));
    assert.equal(rows[1]?.[0]?.text, `${clockSeconds(time)} `);
    assert.equal(rows[1]?.[1]?.text, 'WARN  ');
    assert.equal(rows[1]?.[1]?.color, 'yellow');
    assert.match(text(rows[1]), /evil␛\[2J␇⏎ next/);
    assert.match(text(rows[1]), / k␛=␛\]0;pwned␇ n=1$/);
  });
  it('roomRows puts the busiest room first and scrolls', () => {
    const rooms = [
      { room: '#quiet', members: 1, lastId: 5 },
      { room: '#busy', members: 9, lastId: 100 },
      { room: '#mid', members: 4, lastId: 3 },
      { room: '#tie', members: 4, lastId: 50 },
    ];
    const names = (rows: RowSpans[]) => rows.slice(1).map((row) => row[0]?.text.trim());
    const rows = roomRows(rooms, false, 40, 6, 0);
    assert.equal(rows.length, 6);
    assert.match(text(rows[0]), /Rooms \(4\)/);
    assert.deepEqual(names(rows), ['#busy', '#tie', '#mid', '#quiet', undefined]);
    assert.match(text(rows[1]), /9 on · 100 msg$/);
    assert.deepEqual(names(roomRows(rooms, false, 40, 3, 1)), ['#tie', '#mid']);
    assert.deepEqual(names(roomRows(rooms, false, 40, 3, 10)), ['#mid', '#quiet']);
  });
  it('detailRows shows the certificate, or dashes without one', () => {
    const validTo = new Date(NOW + 3 * DAY + 4 * HOUR + 10 * MIN).toISOString();
    const certificate = { subject: 'CN=alice, O=Team\u001b[31m', serial: '0A1B2C', validTo };
    const withCert = conn(4, { user: 'alice', fingerprint: 'AA:BB' });
    withCert.certificate = { ...certificate, fingerprint: 'AA:BB' };
    const rows = detailRows(withCert, NOW);
    assert.match(text(rows[0]), /Connection alice/);
    assert.equal(detail(rows, 'subject'), 'CN=alice, O=Team␛[31m');
    assert.equal(detail(rows, 'serial'), '0A1B2C');
    assert.equal(detail(rows, 'fingerprint'), 'AA:BB');
    assert.equal(detail(rows, 'expires'), `${validTo} (in 3d04h)`);
    assert.equal(detail(rows, 'connected'), '1m00s ago');

    const bare = detailRows(conn(-2, { user: undefined, fingerprint: 'CC:DD' }), NOW);
    assert.match(text(bare[0]), /Connection \(no user yet\)/);
    assert.equal(detail(bare, 'user'), '—');
    assert.equal(detail(bare, 'subject'), '—');
    assert.equal(detail(bare, 'serial'), '—');
    assert.equal(detail(bare, 'fingerprint'), 'CC:DD');
    assert.equal(detail(bare, 'expires'), '—');

    const garbled = { ...certificate, fingerprint: '', validTo: 'not a date' };
    assert.equal(detail(detailRows(conn(5, { certificate: garbled }), NOW), 'expires'), '—');

    const gone = detailRows(undefined, NOW);
    assert.equal(gone.length, 1);
    assert.match(text(gone[0]), /closed/);
  });
  it('headerRows counts handshaking connections apart', () => {
    const connections = [conn(1), conn(2, { state: 'away' }), conn(3, { state: 'authenticating' })];
    connections.push(conn(-1, { state: 'handshaking' }));
    const rooms = [{ room: '#a', members: 1, lastId: 1 }];
    const [top, counts] = headerRows(stats({ connections, rooms }), NOW);
    const ca = 'CA 00:01:02:03:…:1c:1d:1e:1f';
    assert.equal(text(top), ` chat serve  │ 127.0.0.1:7000 │ up 2h05m │ TLS ≥ TLSv1.3 │ ${ca}`);
    assert.match(text(counts), /^ connections 3 \(peak 7, \+1 in handshake\) │ rooms 1 │ /);
    assert.match(text(counts), /msg\/s 12\.4 │ messages 1,234,567 │ memory 23 MiB$/);
    const calm = headerRows(stats({ address: '::', connections: [conn(1)] }), NOW);
    assert.match(text(calm[0]), / \[::\]:7000 /);
    assert.match(text(calm[1]), /connections 1 \(peak 7\) │ rooms 0/);
    const node = headerRows(
      stats({ cluster: { nodes: 3, connections: 1250, messagesPerSecond: 40.25 } }),
      NOW,
    );
    assert.equal(
      text(node[0]),
      ` chat serve  │ 127.0.0.1:7000 │ up 2h05m │ TLS ≥ TLSv1.3 │ cluster 3 nodes · 1,250 conn · 40.3 msg/s │ ${ca}`,
    );
  });
});

describe('dashboard edge cases', () => {
  it('columnsFor keeps every column when the width is exactly the full row', () => {
    const all = columnsFor(1000);
    const full = all.reduce((sum, c) => sum + c.width, 0) + GAP * (all.length - 1);
    assert.equal(columnsFor(full).length, all.length);
    assert.equal(columnsFor(full - 1).length, all.length - 1);
  });

  it('formatBytes rolls over to the next unit instead of showing 1024', () => {
    assert.equal(formatBytes(1024 * 1024 - 1), '1.0 MiB');
    assert.equal(formatBytes(1024 ** 3 - 1), '1.0 GiB');
    assert.equal(formatBytes(1023), '1023 B');
  });

  it('formatRate does not show 100.0 just under 100', () => {
    assert.equal(formatRate(99.96), '100');
    assert.equal(formatRate(99.94), '99.9');
  });

  it('detailRows says a certificate has expired instead of "in 0s"', () => {
    const validTo = new Date(NOW - 2 * 3_600_000).toISOString();
    const row = detailRows(
      conn(1, { certificate: { subject: 'CN=alice', serial: '01', fingerprint: 'AA', validTo } }),
      NOW,
    ).find((r) => r[0]?.text.trim() === 'expires');
    assert.match(row?.[1]?.text ?? '', /expired 2h00m ago/);
  });
});
