import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  currentConnection,
  type DashboardAction,
  type DashboardKey,
  type DashboardState,
  type DashboardView,
  dashboardLayout,
  dashboardReducer,
  filteredRecords,
  INITIAL_DASHBOARD_STATE,
  logBottom,
  moveSelection,
  pageRows,
  tableConnections,
} from '../../src/dashboard/dashboard-state.ts';
import type { ConnectionInfo } from '../../src/server/connection.ts';
import type { LogRecord } from '../../src/server/log-buffer.ts';
import type { ServerStats } from '../../src/server/server-stats.ts';
import { NO_KEY } from '../helpers/keys.ts';

const NOW = Date.parse('2026-03-04T05:06:07.000Z');

function conn(id: number, over: Partial<ConnectionInfo> = {}): ConnectionInfo {
  const tls = { tlsVersion: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', fingerprint: '' };
  const counts = { msgsIn: 0, msgsOut: 0, bytesIn: 0, bytesOut: 0, queuedBytes: 0 };
  const base = { id, user: `u${id}`, address: '127.0.0.1', connectedAt: NOW - id * 1000 };
  return { ...base, ...tls, ...counts, state: 'active', ...over };
}

function rec(seq: number, over: Partial<LogRecord> = {}): LogRecord {
  return { seq, time: NOW + seq, level: 'info', msg: `line ${seq}`, fields: {}, ...over };
}

/** Connections 1, 2, 3 (in that order), 3 of them still in the handshake; 20 log records. */
const VIEW: DashboardView = {
  shown: 'none',
  connections: [
    conn(1),
    conn(2, { user: 'bob', address: '10.0.0.2' }),
    conn(3, { state: 'handshaking', user: undefined }),
  ],
  records: Array.from({ length: 20 }, (_, i) => rec(i + 1)),
  bottomHeight: 7,
  roomCount: 5,
};

/** A key press: `input` as ink gives it, with the named flags of ink's `Key` set. */
function press(
  input: string,
  flags: Partial<DashboardKey> = {},
  view: Partial<DashboardView> = {},
): DashboardAction {
  return { type: 'key', input, key: { ...NO_KEY, ...flags }, view: { ...VIEW, ...view } };
}

const ESC = (view: Partial<DashboardView> = {}) => press('', { escape: true }, view);
const CTRL_C = press('c', { ctrl: true });
const ENTER = press('\r', { return: true });
const UP = press('', { upArrow: true });
const DOWN = press('', { downArrow: true });
const PAGE_UP = press('', { pageUp: true });
const PAGE_DOWN = press('', { pageDown: true });
const END = press('', { end: true });
const TAB = press('', { tab: true });
const SHIFT_TAB = press('', { tab: true, shift: true });

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) {
      deepFreeze((value as Record<string | symbol, unknown>)[key]);
    }
  }
  return value;
}

type Case = {
  name: string;
  /** Fields of the state before (default: the initial state). */
  start?: Partial<DashboardState>;
  /** Applied before the action under test. */
  given?: DashboardAction[];
  action: DashboardAction;
  /** The part of the state after the action that the case is about. */
  view: (after: DashboardState) => unknown;
  want: unknown;
};

/** Runs each case: the state before is deep-frozen, so any mutation of it throws. */
function table(cases: Case[]) {
  for (const c of cases) {
    it(c.name, () => {
      const start = { ...INITIAL_DASHBOARD_STATE, ...c.start };
      const before = deepFreeze((c.given ?? []).reduce(dashboardReducer, start));
      assert.deepEqual(c.view(dashboardReducer(before, c.action)), c.want);
    });
  }
}

const overlay = (s: DashboardState) => s.overlay;
const focus = (s: DashboardState) => s.focus;

describe('dashboard: questions and overlays', () => {
  table([
    { name: 'q asks to shut down', action: press('q'), view: overlay, want: { kind: 'quit' } },
    { name: 'Ctrl+C asks too', action: CTRL_C, view: overlay, want: { kind: 'quit' } },
    {
      name: 'y answers yes: closing',
      start: { overlay: { kind: 'quit' } },
      action: press('y'),
      view: overlay,
      want: { kind: 'closing' },
    },
    {
      name: 'Ctrl+C at the question answers yes',
      start: { overlay: { kind: 'quit' } },
      action: CTRL_C,
      view: overlay,
      want: { kind: 'closing' },
    },
    {
      name: 'n answers no',
      start: { overlay: { kind: 'quit' } },
      action: press('n'),
      view: overlay,
      want: { kind: 'none' },
    },
    {
      name: 'Esc answers no',
      start: { overlay: { kind: 'quit' } },
      action: ESC(),
      view: overlay,
      want: { kind: 'none' },
    },
    {
      name: 'any other key at the question changes nothing',
      start: { overlay: { kind: 'quit' }, status: 'kicked bob' },
      action: press('s'),
      view: (s) => [s.overlay, s.sort, s.status],
      want: [{ kind: 'quit' }, INITIAL_DASHBOARD_STATE.sort, 'kicked bob'],
    },
    {
      name: 'while closing every key is ignored',
      start: { overlay: { kind: 'closing' } },
      action: press('n'),
      view: overlay,
      want: { kind: 'closing' },
    },
    { name: '? opens the help', action: press('?'), view: overlay, want: { kind: 'help' } },
    {
      name: '? closes it again',
      start: { overlay: { kind: 'help' } },
      action: press('?'),
      view: overlay,
      want: { kind: 'none' },
    },
    {
      name: 'Esc closes the help',
      start: { overlay: { kind: 'help' } },
      action: ESC(),
      view: overlay,
      want: { kind: 'none' },
    },
    {
      name: 'the help takes no other key',
      start: { overlay: { kind: 'help' } },
      action: press('s'),
      view: (s) => [s.overlay.kind, s.sort.key],
      want: ['help', 'connected'],
    },
    {
      name: 'Enter opens the details of the selected connection',
      start: { selected: 2 },
      action: ENTER,
      view: overlay,
      want: { kind: 'details', id: 2 },
    },
    {
      name: 'Enter with nothing selected: the first row',
      action: ENTER,
      view: overlay,
      want: { kind: 'details', id: 1 },
    },
    {
      name: 'Enter with no connection does nothing',
      action: press('\r', { return: true }, { connections: [] }),
      view: overlay,
      want: { kind: 'none' },
    },
    {
      name: 'Esc leaves the details',
      start: { overlay: { kind: 'details', id: 2 } },
      action: ESC(),
      view: overlay,
      want: { kind: 'none' },
    },
    {
      name: 'k in the details asks to kick that connection',
      start: { overlay: { kind: 'details', id: 2 }, reason: 'old' },
      action: press('k'),
      view: (s) => [s.overlay, s.reason],
      want: [{ kind: 'kick', id: 2, who: 'bob (10.0.0.2)' }, ''],
    },
    {
      name: 'the details take no arrow',
      start: { overlay: { kind: 'details', id: 2 }, selected: 2 },
      action: DOWN,
      view: (s) => [s.overlay.kind, s.selected],
      want: ['details', 2],
    },
    {
      name: 'k asks to kick the selected connection, with an empty reason',
      start: { selected: 2, reason: 'left over' },
      action: press('k'),
      view: (s) => [s.overlay, s.reason],
      want: [{ kind: 'kick', id: 2, who: 'bob (10.0.0.2)' }, ''],
    },
    {
      name: 'k on a connection in its handshake says to select another',
      start: { selected: 3 },
      action: press('k'),
      view: (s) => [s.overlay.kind, s.status],
      want: ['none', 'select a connection to kick first'],
    },
    {
      name: 'k with no connection says so',
      action: press('k', {}, { connections: [] }),
      view: (s) => [s.overlay.kind, s.status],
      want: ['none', 'select a connection to kick first'],
    },
    {
      name: 'a user unknown yet is shown as ?',
      action: press(
        'k',
        {},
        { connections: [conn(7, { user: undefined, state: 'authenticating' })] },
      ),
      view: overlay,
      want: { kind: 'kick', id: 7, who: '? (127.0.0.1)' },
    },
  ]);
});

describe('dashboard: text questions', () => {
  table([
    {
      name: '/ opens the filter with the filter applied as the draft',
      start: { filter: 'warn', draft: 'stale' },
      action: press('/'),
      view: (s) => [s.overlay, s.draft],
      want: [{ kind: 'filter' }, 'warn'],
    },
    {
      name: 'letters typed in the filter are the input field’s',
      start: { overlay: { kind: 'filter' } },
      action: press('q', {}, { shown: 'filter' }),
      view: (s) => [s.overlay.kind, s.sort],
      want: ['filter', INITIAL_DASHBOARD_STATE.sort],
    },
    {
      name: 'Esc cancels the filter, keeping the one applied',
      start: { overlay: { kind: 'filter' }, filter: 'warn', draft: 'err' },
      action: ESC({ shown: 'filter' }),
      view: (s) => [s.overlay.kind, s.filter],
      want: ['none', 'warn'],
    },
    {
      name: 'Ctrl+C in the filter asks to shut down',
      start: { overlay: { kind: 'filter' } },
      action: press('c', { ctrl: true }, { shown: 'filter' }),
      view: overlay,
      want: { kind: 'quit' },
    },
    {
      name: 'typing sets the draft',
      start: { overlay: { kind: 'filter' } },
      action: { type: 'draft', text: 'alice' },
      view: (s) => s.draft,
      want: 'alice',
    },
    {
      name: 'Enter applies the filter trimmed, follows the log again, closes',
      start: { overlay: { kind: 'filter' }, logAnchor: 4 },
      action: { type: 'applyFilter', text: '  warn alice ' },
      view: (s) => [s.filter, s.logAnchor, s.overlay.kind],
      want: ['warn alice', undefined, 'none'],
    },
    {
      name: 'the Enter that submitted the filter does not also open the details',
      start: { overlay: { kind: 'filter' } },
      given: [{ type: 'applyFilter', text: 'kicked' }],
      action: press('\r', { return: true }, { shown: 'filter' }),
      view: overlay,
      want: { kind: 'none' },
    },
    {
      name: 'typing sets the kick reason',
      start: { overlay: { kind: 'kick', id: 1, who: 'u1 (127.0.0.1)' } },
      action: { type: 'reason', text: 'spam' },
      view: (s) => s.reason,
      want: 'spam',
    },
    {
      name: 'a kick sent closes the question',
      start: { overlay: { kind: 'kick', id: 1, who: 'u1 (127.0.0.1)' } },
      action: { type: 'kickSent' },
      view: overlay,
      want: { kind: 'none' },
    },
    {
      name: 'the Enter that sent the kick does not also open the details',
      start: { overlay: { kind: 'kick', id: 1, who: 'u1 (127.0.0.1)' } },
      given: [{ type: 'kickSent' }],
      action: press('\r', { return: true }, { shown: 'kick' }),
      view: overlay,
      want: { kind: 'none' },
    },
    {
      name: 'a kick sent with no question open changes nothing',
      start: { overlay: { kind: 'quit' } },
      action: { type: 'kickSent' },
      view: overlay,
      want: { kind: 'quit' },
    },
    {
      name: 'Esc cancels the kick',
      start: { overlay: { kind: 'kick', id: 1, who: 'u1 (127.0.0.1)' } },
      action: ESC({ shown: 'kick' }),
      view: overlay,
      want: { kind: 'none' },
    },
    {
      name: 'the answer to a kick is the status',
      action: { type: 'kickDone', who: 'bob (10.0.0.2)', done: true },
      view: (s) => s.status,
      want: 'kicked bob (10.0.0.2)',
    },
    {
      name: 'a kick too late says the connection had gone',
      action: { type: 'kickDone', who: 'bob (10.0.0.2)', done: false },
      view: (s) => s.status,
      want: 'bob (10.0.0.2) had already gone',
    },
    {
      name: 'the next key clears the status',
      start: { status: 'kicked bob' },
      action: press('x'),
      view: (s) => s.status,
      want: '',
    },
  ]);
});

describe('dashboard: focus and sort', () => {
  table([
    { name: 'Tab: connections to log', action: TAB, view: focus, want: 'log' },
    { name: 'Tab: log to rooms', start: { focus: 'log' }, action: TAB, view: focus, want: 'rooms' },
    {
      name: 'Tab: rooms back to connections',
      start: { focus: 'rooms' },
      action: TAB,
      view: focus,
      want: 'connections',
    },
    { name: 'Shift+Tab goes back', action: SHIFT_TAB, view: focus, want: 'rooms' },
    {
      name: 's: the next column',
      action: press('s'),
      view: (s) => s.sort,
      want: { key: 'msgsIn', descending: true },
    },
    {
      name: 'S: the same column reversed',
      action: press('S'),
      view: (s) => s.sort,
      want: { key: 'connected', descending: false },
    },
  ]);
});

describe('dashboard: selection and scrolling', () => {
  table([
    { name: 'Down: the next row', action: DOWN, view: (s) => s.selected, want: 2 },
    {
      name: 'Down past the last stays on it',
      start: { selected: 3 },
      action: DOWN,
      view: (s) => s.selected,
      want: 3,
    },
    { name: 'Up from the first stays on it', action: UP, view: (s) => s.selected, want: 1 },
    {
      name: 'a selection gone from the table moves from the first row',
      start: { selected: 99 },
      action: DOWN,
      view: (s) => s.selected,
      want: 2,
    },
    {
      name: 'PageDown moves a page (pane rows minus 2), clamped',
      action: PAGE_DOWN,
      view: (s) => s.selected,
      want: 3,
    },
    {
      name: 'arrows in the log pane leave the selection',
      start: { focus: 'log', selected: 2 },
      action: DOWN,
      view: (s) => s.selected,
      want: 2,
    },
    {
      name: 'Up in the log: anchored one above the newest',
      start: { focus: 'log' },
      action: UP,
      view: (s) => s.logAnchor,
      want: 19,
    },
    {
      name: 'Down back to the newest follows again',
      start: { focus: 'log', logAnchor: 19 },
      action: DOWN,
      view: (s) => s.logAnchor,
      want: undefined,
    },
    {
      name: 'PageUp moves a page',
      start: { focus: 'log' },
      action: PAGE_UP,
      view: (s) => s.logAnchor,
      want: 15,
    },
    {
      name: 'never above the first screenful',
      start: { focus: 'log', logAnchor: 7 },
      action: PAGE_UP,
      view: (s) => s.logAnchor,
      want: 6,
    },
    {
      name: 'End follows again',
      start: { focus: 'log', logAnchor: 7 },
      action: END,
      view: (s) => s.logAnchor,
      want: undefined,
    },
    {
      name: 'an empty log does not scroll',
      start: { focus: 'log' },
      action: press('', { upArrow: true }, { records: [] }),
      view: (s) => s.logAnchor,
      want: undefined,
    },
    {
      name: 'Down in the rooms scrolls them',
      start: { focus: 'rooms' },
      action: DOWN,
      view: (s) => s.roomsOffset,
      want: 1,
    },
    {
      name: 'rooms scroll no further than the last',
      start: { focus: 'rooms', roomsOffset: 3 },
      action: PAGE_DOWN,
      view: (s) => s.roomsOffset,
      want: 4,
    },
    {
      name: 'nor above the first',
      start: { focus: 'rooms', roomsOffset: 1 },
      action: PAGE_UP,
      view: (s) => s.roomsOffset,
      want: 0,
    },
  ]);

  it('a key that does nothing returns the very same state (no redraw)', () => {
    const before = deepFreeze({ ...INITIAL_DASHBOARD_STATE });
    assert.equal(dashboardReducer(before, press('x')), before);
  });
});

describe('dashboard selectors', () => {
  const state = (over: Partial<DashboardState> = {}) => ({ ...INITIAL_DASHBOARD_STATE, ...over });

  it('moveSelection: clamped, the first when none or gone, none in an empty table', () => {
    assert.equal(moveSelection([1, 2, 3], undefined, 1), 1);
    assert.equal(moveSelection([1, 2, 3], 9, 1), 1);
    assert.equal(moveSelection([1, 2, 3], 1, 5), 3);
    assert.equal(moveSelection([1, 2, 3], 3, -5), 1);
    assert.equal(moveSelection([], 1, 1), undefined);
  });

  it('currentConnection: the selection while it is in the table, else the first row', () => {
    const rows = VIEW.connections;
    assert.equal(currentConnection(state({ selected: 2 }), rows), 2);
    assert.equal(currentConnection(state({ selected: 9 }), rows), 1);
    assert.equal(currentConnection(state(), []), undefined);
  });

  it('tableConnections: in the order of the sort', () => {
    const stats = { connections: VIEW.connections } as ServerStats;
    const ids = (s: DashboardState) => tableConnections(s, stats).map((c) => c.id);
    assert.deepEqual(ids(state()), [3, 2, 1], 'connected longest first');
    // No user yet (in its handshake) first, then bob before u1.
    assert.deepEqual(ids(state({ sort: { key: 'user', descending: false } })), [3, 2, 1]);
    assert.deepEqual(ids(state({ sort: { key: 'user', descending: true } })), [1, 2, 3]);
  });

  it('filteredRecords: everything without a filter, else what matches', () => {
    const records = [rec(1), rec(2, { level: 'warn' }), rec(3, { msg: 'alice joined' })];
    assert.equal(filteredRecords(state(), records), records);
    assert.deepEqual(
      filteredRecords(state({ filter: 'warn' }), records).map((r) => r.seq),
      [2],
    );
    assert.deepEqual(
      filteredRecords(state({ filter: 'ALICE' }), records).map((r) => r.seq),
      [3],
    );
  });

  it('logBottom: the newest while following, the anchor, or the first kept after it', () => {
    const records = [rec(2), rec(4), rec(6)];
    assert.equal(logBottom(state(), records), 2);
    assert.equal(logBottom(state({ logAnchor: 4 }), records), 1);
    assert.equal(logBottom(state({ logAnchor: 3 }), records), 1);
    assert.equal(logBottom(state({ logAnchor: 9 }), records), 2);
    assert.equal(logBottom(state(), []), -1);
  });

  it('pageRows: the pane less its title and one row of context, at least 1', () => {
    assert.deepEqual([0, 2, 3, 12].map(pageRows), [1, 1, 1, 10]);
  });

  it('dashboardLayout: rooms beside the log from 90 columns, instead of it when narrow and focused', () => {
    const wide = dashboardLayout(120, 40, 'connections');
    assert.deepEqual(wide, {
      width: 120,
      height: 39,
      middle: 35,
      tableHeight: 15,
      bottomHeight: 20,
      logWidth: 84,
      roomsWidth: 36,
    });
    assert.deepEqual(
      [80, 80].map((c, i) => {
        const l = dashboardLayout(c, 24, i === 0 ? 'log' : 'rooms');
        return [l.logWidth, l.roomsWidth];
      }),
      [
        [80, 0],
        [0, 80],
      ],
    );
    const tiny = dashboardLayout(5, 3, 'connections');
    assert.deepEqual([tiny.width, tiny.height, tiny.tableHeight, tiny.bottomHeight], [20, 8, 4, 0]);
  });
});
