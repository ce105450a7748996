/**
 * The dashboard's state: what the operator has focused, selected, sorted,
 * filtered and scrolled, and which question is open. `dashboardReducer(state,
 * action)` is state in, state out: no I/O, no clock, no terminal. What a key
 * does depends on what is on screen (the sorted connections, the filtered log,
 * the pane sizes); the component passes that in with the key as a
 * {@link DashboardView}, built by the selectors below from the same snapshot
 * it draws. Kicking and shutting down are the component's to do: the reducer
 * only opens and closes the questions that lead to them.
 */

import type { ConnectionInfo } from '../server/connection.ts';
import type { LogRecord } from '../server/log-buffer.ts';
import type { ServerStats } from '../server/server-stats.ts';
import { commandFor, type InputKey } from '../ui/input/key-bindings.ts';
import { nextSort, type Sort, sortConnections } from './connections-table.ts';
import {
  DASHBOARD_KEYMAP,
  type DashboardCommand,
  QUIT_QUESTION_KEYMAP,
  TEXT_FIELD_KEYMAP,
} from './dashboard-keys.ts';
import { matchesLogFilter, parseLogFilter } from './log-filter.ts';

/** A pane that can have the keys. */
export type Pane = 'connections' | 'log' | 'rooms';
/** Tab's order. */
export const PANES: readonly Pane[] = ['connections', 'log', 'rooms'];

/** What covers the panes or the footer. */
export type Overlay =
  | { readonly kind: 'none' }
  | { readonly kind: 'help' }
  | { readonly kind: 'details'; readonly id: number }
  | { readonly kind: 'filter' }
  | { readonly kind: 'kick'; readonly id: number; readonly who: string }
  | { readonly kind: 'quit' }
  | { readonly kind: 'closing' };

/** Everything the operator has chosen; the server's numbers are not here. */
export type DashboardState = {
  readonly focus: Pane;
  readonly sort: Sort;
  /** The selected connection's id; none or gone: the first row. */
  readonly selected: number | undefined;
  readonly overlay: Overlay;
  /** The log filter applied, as typed ('' keeps every record). */
  readonly filter: string;
  /** The filter being typed after `/`. */
  readonly draft: string;
  /** The kick reason being typed. */
  readonly reason: string;
  /**
   * The seq of the record at the bottom of the log pane while scrolled, so
   * lines that arrive meanwhile do not move what is being read; none: following.
   */
  readonly logAnchor: number | undefined;
  /** Rooms scrolled past at the top of the rooms pane (count). */
  readonly roomsOffset: number;
  /** One line for the footer, cleared by the next key ('' for the key hints). */
  readonly status: string;
};

/** The state on start: connections focused, newest first, following the log. */
export const INITIAL_DASHBOARD_STATE: DashboardState = {
  focus: 'connections',
  sort: { key: 'connected', descending: true },
  selected: undefined,
  overlay: { kind: 'none' },
  filter: '',
  draft: '',
  reason: '',
  logAnchor: undefined,
  roomsOffset: 0,
  status: '',
};

/** The fields of ink's `Key` read here (ink's `Key` satisfies it). */
/** A key as Ink reports it (see ui/input/key-bindings.ts). */
export type DashboardKey = InputKey;

/** What is on screen when a key is pressed: what the key acts on. */
export type DashboardView = {
  /**
   * The overlay drawn when the key came. The text input of a question sees
   * the key too: the Enter that submits it has closed the question by the
   * time the key is reduced, and must not then open the details as well.
   */
  readonly shown: Overlay['kind'];
  /** The connections in table order (see {@link tableConnections}). */
  readonly connections: readonly ConnectionInfo[];
  /** The log records that pass the filter, oldest first (see {@link filteredRecords}). */
  readonly records: readonly LogRecord[];
  /** Rows of the log and rooms panes, titles included. */
  readonly bottomHeight: number;
  /** Rooms in the rooms pane (count). */
  readonly roomCount: number;
};

/** What the dashboard reduces. */
export type DashboardAction =
  | {
      readonly type: 'key';
      readonly input: string;
      readonly key: DashboardKey;
      readonly view: DashboardView;
    }
  | { readonly type: 'draft'; readonly text: string }
  | { readonly type: 'reason'; readonly text: string }
  /** Enter in the filter question: `text` is what was submitted. */
  | { readonly type: 'applyFilter'; readonly text: string }
  /** Enter in the kick question: the component asks the server; this closes the question. */
  | { readonly type: 'kickSent' }
  /** The server's answer to a kick of `who`: whether it closed the connection. */
  | { readonly type: 'kickDone'; readonly who: string; readonly done: boolean };

/** Applies one action. */
export function dashboardReducer(state: DashboardState, action: DashboardAction): DashboardState {
  switch (action.type) {
    case 'key':
      return onKey(state, action.input, action.key, action.view);
    case 'draft':
      return { ...state, draft: action.text };
    case 'reason':
      return { ...state, reason: action.text };
    case 'applyFilter':
      return { ...state, filter: action.text.trim(), logAnchor: undefined, overlay: NONE };
    case 'kickSent':
      return state.overlay.kind === 'kick' ? { ...state, overlay: NONE } : state;
    case 'kickDone':
      return {
        ...state,
        status: action.done ? `kicked ${action.who}` : `${action.who} had already gone`,
      };
  }
}

const NONE: Overlay = { kind: 'none' };
/** The questions answered in a text input. */
const TYPED: ReadonlySet<Overlay['kind']> = new Set(['filter', 'kick']);

function onKey(
  state: DashboardState,
  input: string,
  key: DashboardKey,
  view: DashboardView,
): DashboardState {
  const { overlay } = state;
  if (overlay.kind === 'closing') return state;
  if (overlay.kind === 'quit') {
    const answer = commandFor(QUIT_QUESTION_KEYMAP, input, key);
    if (answer === 'yes') return { ...state, overlay: { kind: 'closing' } };
    if (answer === 'no') return { ...state, overlay: NONE };
    return state;
  }
  // Typing goes to the text input; only Esc and Ctrl+C are ours.
  if (TYPED.has(overlay.kind) || TYPED.has(view.shown)) {
    const command = commandFor(TEXT_FIELD_KEYMAP, input, key);
    if (command === 'quit') return { ...state, overlay: { kind: 'quit' } };
    if (command === 'close') return { ...state, overlay: NONE };
    return state;
  }
  const next = state.status === '' ? state : { ...state, status: '' };
  const command = commandFor(DASHBOARD_KEYMAP, input, key);
  if (command === 'quit') return { ...next, overlay: { kind: 'quit' } };
  if (command === 'close') return { ...next, overlay: NONE };
  if (command === 'help')
    return { ...next, overlay: overlay.kind === 'help' ? NONE : { kind: 'help' } };
  if (overlay.kind === 'details')
    return command === 'kick' ? askKick(next, overlay.id, view) : next;
  if (overlay.kind === 'help') return next;
  if (command === 'nextPane' || command === 'previousPane') {
    const step = command === 'previousPane' ? PANES.length - 1 : 1;
    return {
      ...next,
      focus: PANES[(PANES.indexOf(next.focus) + step) % PANES.length] ?? 'connections',
    };
  }
  if (command === 'filter') return { ...next, draft: next.filter, overlay: { kind: 'filter' } };
  if (command === 'sort') return { ...next, sort: nextSort(next.sort) };
  if (command === 'reverse')
    return { ...next, sort: { ...next.sort, descending: !next.sort.descending } };
  const current = currentConnection(next, view.connections);
  if (command === 'kick') return askKick(next, current, view);
  if (command === 'details' && current !== undefined)
    return { ...next, overlay: { kind: 'details', id: current } };
  return scroll(next, command, view, current);
}

/** Up/Down/PageUp/PageDown/End in the focused pane. */
function scroll(
  state: DashboardState,
  command: DashboardCommand | undefined,
  view: DashboardView,
  current: number | undefined,
): DashboardState {
  const page = pageRows(view.bottomHeight);
  const steps: Partial<Record<DashboardCommand, number>> = {
    up: -1,
    down: 1,
    pageUp: -page,
    pageDown: page,
  };
  const by = command === undefined ? 0 : (steps[command] ?? 0);
  switch (state.focus) {
    case 'connections': {
      if (by === 0) return state;
      const ids = view.connections.map((c) => c.id);
      return { ...state, selected: moveSelection(ids, current, by) };
    }
    case 'log': {
      const { records } = view;
      if (command === 'follow') return { ...state, logAnchor: undefined };
      if (by === 0 || records.length === 0) return state;
      // Never above the first screenful: the pane stays full.
      const top = Math.min(records.length - 1, Math.max(0, view.bottomHeight - 2));
      const bottom = Math.max(top, Math.min(records.length - 1, logBottom(state, records) + by));
      return {
        ...state,
        logAnchor: bottom >= records.length - 1 ? undefined : records[bottom]?.seq,
      };
    }
    case 'rooms': {
      if (by === 0) return state;
      const offset = Math.max(0, Math.min(view.roomCount - 1, state.roomsOffset + by));
      return { ...state, roomsOffset: offset };
    }
  }
}

/** Opens the kick question for `id`, or says to select one first (none, or still in its handshake). */
function askKick(
  state: DashboardState,
  id: number | undefined,
  view: DashboardView,
): DashboardState {
  const target = view.connections.find((c) => c.id === id);
  if (target === undefined || target.state === 'handshaking') {
    return { ...state, status: 'select a connection to kick first' };
  }
  const who = `${target.user ?? '?'} (${target.address})`;
  return { ...state, reason: '', overlay: { kind: 'kick', id: target.id, who } };
}

/** The id `by` rows away from `selected` in `ids` (clamped), or the first. */
export function moveSelection(
  ids: readonly number[],
  selected: number | undefined,
  by: number,
): number | undefined {
  if (ids.length === 0) return undefined;
  const index = selected === undefined ? -1 : ids.indexOf(selected);
  if (index < 0) return ids[0];
  return ids[Math.max(0, Math.min(ids.length - 1, index + by))];
}

// Selectors: what the component draws, from the state and the snapshot.

/** The server's connections in the order of the table. */
export function tableConnections(state: DashboardState, stats: ServerStats): ConnectionInfo[] {
  return sortConnections(stats.connections, state.sort);
}

/** The log records the filter keeps, oldest first. */
export function filteredRecords(
  state: DashboardState,
  records: readonly LogRecord[],
): readonly LogRecord[] {
  if (state.filter === '') return records;
  const parsed = parseLogFilter(state.filter);
  return records.filter((record) => matchesLogFilter(record, parsed));
}

/** The selected connection's id: the one chosen while it is in the table, else the first row. */
export function currentConnection(
  state: DashboardState,
  connections: readonly ConnectionInfo[],
): number | undefined {
  const { selected } = state;
  if (selected !== undefined && connections.some((c) => c.id === selected)) return selected;
  return connections[0]?.id;
}

/**
 * Index in `records` of the record at the bottom of the log pane: the
 * anchor, or the first kept after it when the filter or the buffer's bound
 * dropped it; following (no anchor): the newest.
 */
export function logBottom(state: DashboardState, records: readonly LogRecord[]): number {
  const { logAnchor } = state;
  const anchored = logAnchor === undefined ? -1 : records.findIndex((r) => r.seq >= logAnchor);
  return anchored < 0 ? records.length - 1 : anchored;
}

/** Rows PageUp and PageDown move in a pane `bottomHeight` rows tall (at least 1). */
export function pageRows(bottomHeight: number): number {
  return Math.max(1, bottomHeight - 2);
}

/** The rooms pane shows beside the log from this many columns. */
export const ROOMS_MIN_COLUMNS = 90;

/** Where each part of the dashboard goes, in rows and columns. */
export type DashboardLayout = {
  readonly width: number;
  readonly height: number;
  /** Rows between the header and the footer. */
  readonly middle: number;
  /** Rows of the connections table, title included. */
  readonly tableHeight: number;
  /** Rows of the log and rooms panes, titles included. */
  readonly bottomHeight: number;
  /** Columns of the log pane (0: hidden). */
  readonly logWidth: number;
  /** Columns of the rooms pane (0: hidden). */
  readonly roomsWidth: number;
};

/** The layout of a terminal of `columns` x `rows` characters with `focus` on a pane. */
export function dashboardLayout(columns: number, rows: number, focus: Pane): DashboardLayout {
  const width = Math.max(20, columns);
  // Ink 6 clears the whole terminal on every frame once the output is as tall as it.
  const height = Math.max(8, rows - 1);
  const middle = height - 4; // header 2, throughput 1, footer 1
  const tableHeight = Math.max(4, Math.floor(middle * 0.45));
  const bottomHeight = Math.max(0, middle - tableHeight);
  // Side by side when wide; on a narrow terminal the rooms take the log's place while focused.
  const roomsWidth =
    width >= ROOMS_MIN_COLUMNS
      ? Math.min(44, Math.floor(width * 0.3))
      : focus === 'rooms'
        ? width
        : 0;
  return {
    width,
    height,
    middle,
    tableHeight,
    bottomHeight,
    logWidth: width - roomsWidth,
    roomsWidth,
  };
}
