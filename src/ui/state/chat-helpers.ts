/**
 * Small immutable updates of ChatState shared by the reducer's parts. Pure.
 */
import { neutralizeLine } from '../text/sanitize.ts';
import { appendLine, type BatchScope, boundLines } from './chat-lines.ts';
import {
  type ChatState,
  type Conversation,
  type Line,
  MAX_NOTICES,
  type ScrollState,
  type TimedLine,
} from './chat-types.ts';

/** The scroll state of a pane that follows the bottom. */
export const FOLLOWING: ScrollState = { offset: 0, newWhileScrolled: 0 };

/** The pane is scrolled up (not following the bottom). */
export function isScrolled(scroll: ScrollState): boolean {
  return scroll.offset > 0 || (scroll.hiddenRows ?? 0) > 0;
}

/**
 * `record[key]` when it is the record's own entry. User names may be
 * `__proto__`, so lookups never reach Object.prototype (and writes use
 * spreads and computed keys, which define own properties).
 */
export function getOwn<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The conversation named `name` (`#room` or `@peer`), if any. */
export function conversationOf(state: ChatState, name: string): Conversation | undefined {
  return getOwn(state.conversations, name);
}

/** A copy of `record` without `key`. */
export function withoutKey<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([name]) => name !== key));
}

/** The scroll state of a conversation (following when never scrolled). */
export function scrollOf(state: ChatState, name: string): ScrollState {
  return getOwn(state.scroll, name) ?? FOLLOWING;
}

/** A new, empty room conversation. */
export function newRoom(name: string, topic: string, members: readonly string[], lastId: number) {
  return newConversation(name, 'room', neutralizeLine(topic), members, lastId > 0);
}

/** A new, empty direct-message conversation `@peer`. */
export function newDm(peer: string): Conversation {
  return newConversation(`@${peer}`, 'dm', '', [], true);
}

function newConversation(
  name: string,
  kind: 'room' | 'dm',
  topic: string,
  members: readonly string[],
  hasMore: boolean,
): Conversation {
  return {
    name,
    kind,
    topic,
    members,
    lines: [],
    unread: 0,
    mention: false,
    lastActivity: 0,
    lastId: 0,
    hasMore,
    pendingIds: [],
  };
}

/** Replaces (or adds) a conversation in the record, leaving `order` alone. */
export function putConversation(state: ChatState, conversation: Conversation): ChatState {
  return {
    ...state,
    conversations: { ...state.conversations, [conversation.name]: conversation },
  };
}

/** Adds a conversation to `order`: rooms after the last room, DMs at the end. */
export function addToOrder(state: ChatState, conversation: Conversation): ChatState {
  if (state.order.includes(conversation.name)) return state;
  if (conversation.kind === 'dm') return { ...state, order: [...state.order, conversation.name] };
  const firstDm = state.order.findIndex((name) => conversationOf(state, name)?.kind === 'dm');
  const at = firstDm < 0 ? state.order.length : firstDm;
  return {
    ...state,
    order: [...state.order.slice(0, at), conversation.name, ...state.order.slice(at)],
  };
}

/**
 * Appends a line to `conversation` (then stored in the state with `update`
 * applied). A scrolled-up view keeps showing the same lines: its offset
 * grows by the entries added, and `countsAsNew` bumps its new-message count.
 */
export function addLine(
  state: ChatState,
  conversation: Conversation,
  line: TimedLine,
  scope: BatchScope | undefined,
  update: Partial<Conversation> = {},
  countsAsNew = false,
): ChatState {
  const appended = appendLine(conversation, line, state.timeZone, scope);
  let next = putConversation(state, { ...appended.conversation, ...update });
  const scroll = scrollOf(state, conversation.name);
  if (isScrolled(scroll)) {
    next = setScroll(next, conversation.name, {
      ...scroll,
      offset: scroll.offset + appended.added,
      newWhileScrolled: scroll.newWhileScrolled + (countsAsNew ? 1 : 0),
    });
  }
  return touch(next, conversation.name, scope);
}

/** A system line at `ts` (epoch ms) in the named conversation, if it exists. */
export function addSystemLine(
  state: ChatState,
  name: string,
  ts: number,
  text: string,
  scope: BatchScope | undefined,
): ChatState {
  const conversation = conversationOf(state, name);
  if (conversation === undefined) return state;
  return addLine(state, conversation, { kind: 'system', ts, text }, scope);
}

/** Sets a conversation's scroll state (dropping it when back to following). */
export function setScroll(state: ChatState, name: string, scroll: ScrollState): ChatState {
  if (!isScrolled(scroll) && scroll.newWhileScrolled === 0) {
    return Object.hasOwn(state.scroll, name)
      ? { ...state, scroll: withoutKey(state.scroll, name) }
      : state;
  }
  const { hiddenRows, ...rest } = scroll;
  // `hiddenRows` is stored only when it counts, so a line-only position compares equal.
  return {
    ...state,
    scroll: { ...state.scroll, [name]: hiddenRows ? { ...rest, hiddenRows } : rest },
  };
}

/** What `scrolledBy` needs to know of the pane. */
export type PaneMeasure = {
  /** A line's height in rows at the pane's width (default: 1). */
  rowsOf?: ((line: Line) => number) | undefined;
  /** The pane's height in rows; unknown: up stops with one row of lines above the mark. */
  height?: number | undefined;
  /** The history hint takes a row above the oldest line. */
  hasMore: boolean;
};

/**
 * `scroll` moved `by` rows up (negative: down) over `lines`. Up stops when
 * the oldest line's first row (under the history hint, if shown) is at the
 * top of the pane, the new-messages mark taking its last row; nothing moves
 * when every line fits while following. Down to the bottom follows again,
 * which clears the new-message count. Measures only the lines passed over,
 * plus a pane's worth.
 */
export function scrolledBy(
  scroll: ScrollState,
  lines: readonly Line[],
  by: number,
  pane: PaneMeasure,
): ScrollState {
  if (lines.length === 0 || !Number.isFinite(by) || Math.trunc(by) === 0) return scroll;
  const rowsAt = (index: number): number => {
    const line = lines[index];
    const rows = line === undefined || pane.rowsOf === undefined ? 1 : pane.rowsOf(line);
    return Number.isFinite(rows) ? Math.max(1, Math.floor(rows)) : 1;
  };
  const newest = lines.length - 1;
  let anchor = newest - Math.min(newest, Math.max(0, Math.floor(scroll.offset)));
  let hidden = Math.min(rowsAt(anchor) - 1, Math.max(0, Math.floor(scroll.hiddenRows ?? 0)));
  if (by > 0) {
    const steps = Math.trunc(by);
    const height = pane.height === undefined ? undefined : Math.max(1, Math.floor(pane.height));
    const hint = pane.hasMore ? 1 : 0;
    // Rows left for lines at the top stop: the mark takes the last, the hint the first.
    const room = height === undefined ? 1 : Math.max(1, height - 1 - hint);
    // Rows of lines above the bottom of the view, counted only as far as matters.
    const enough = Math.max(steps + room, (height ?? 0) + 1);
    let above = rowsAt(anchor) - hidden;
    for (let index = anchor - 1; index >= 0 && above < enough; index--) above += rowsAt(index);
    const following = anchor === newest && hidden === 0;
    if (following && height !== undefined && above + hint <= height) return scroll;
    let up = Math.min(steps, above - room);
    if (up <= 0) return scroll;
    while (up > 0) {
      const left = rowsAt(anchor) - hidden;
      if (up < left) {
        hidden += up;
        up = 0;
      } else {
        up -= left;
        anchor -= 1;
        hidden = 0;
      }
    }
  } else {
    let down = -Math.trunc(by);
    while (down > 0) {
      if (down <= hidden) {
        hidden -= down;
        down = 0;
      } else if (anchor === newest) {
        hidden = 0;
        down = 0;
      } else {
        // The anchor's hidden rows, then the next line's first row.
        down -= hidden + 1;
        anchor += 1;
        hidden = rowsAt(anchor) - 1;
      }
    }
  }
  const offset = newest - anchor;
  if (offset === 0 && hidden === 0) return FOLLOWING;
  const newWhileScrolled = scroll.newWhileScrolled;
  return hidden === 0
    ? { offset, newWhileScrolled }
    : { offset, hiddenRows: hidden, newWhileScrolled };
}

/**
 * Marks a conversation's lines as changed: bounded now, or at the end of the
 * batch when one is running (so a flood is trimmed once, not per message).
 */
export function touch(state: ChatState, name: string, scope: BatchScope | undefined): ChatState {
  if (scope !== undefined) {
    scope.touched.add(name);
    return state;
  }
  return bound(state, name);
}

/**
 * Keeps the named conversation within `maxLines`, its scroll within its
 * lines: an anchor dropped moves to the oldest line kept, at its bottom row.
 */
export function bound(state: ChatState, name: string): ChatState {
  const conversation = conversationOf(state, name);
  if (conversation === undefined) return state;
  const bounded = boundLines(conversation, state.maxLines);
  if (bounded === conversation) return state;
  const next = putConversation(state, bounded);
  const { hiddenRows: _, ...scroll } = scrollOf(next, name);
  const max = Math.max(0, bounded.lines.length - 1);
  return scroll.offset > max ? setScroll(next, name, { ...scroll, offset: max }) : next;
}

/** Adds a one-line notice (neutralized), dropping the oldest beyond MAX_NOTICES. */
export function addNotice(state: ChatState, text: string): ChatState {
  const notice = { id: state.nextNoticeId, text: neutralizeLine(text) };
  return {
    ...state,
    notices: [...state.notices, notice].slice(-MAX_NOTICES),
    nextNoticeId: state.nextNoticeId + 1,
  };
}

/**
 * Makes `name` current and clears its unread count and mention mark;
 * unknown names change nothing. A conversation opened anew gets its "new
 * since you left" line at its read position; the one left loses its own.
 */
export function select(state: ChatState, name: string | undefined): ChatState {
  if (name === undefined) return state;
  const conversation = conversationOf(state, name);
  if (conversation === undefined) return state;
  const seen =
    conversation.unread === 0 && !conversation.mention
      ? state
      : putConversation(state, { ...conversation, unread: 0, mention: false });
  if (seen.current === name) return seen;
  const { newSince: _, ...rest } = seen;
  const read = conversation.readId;
  return read !== undefined && marksNew(conversation.kind, read)
    ? { ...rest, current: name, newSince: read }
    : { ...rest, current: name };
}

/**
 * Whether a read position gets a "new since you left" line. A room never
 * read (0) gets none: everything in it would be "new", on a fresh server
 * every room. A DM never read does: all of it came while the user was away.
 */
export function marksNew(kind: 'room' | 'dm', read: number): boolean {
  return read > 0 || kind === 'dm';
}

/**
 * Forgets a conversation (a room left, a DM closed) with its scroll, recent
 * speakers and pending messages. When it was current, the one before it in
 * the list becomes current (the new first one when it was first).
 */
export function removeConversation(state: ChatState, name: string): ChatState {
  if (conversationOf(state, name) === undefined) return state;
  const index = state.order.indexOf(name);
  const order = state.order.filter((other) => other !== name);
  const next: ChatState = {
    ...state,
    conversations: withoutKey(state.conversations, name),
    order,
    scroll: withoutKey(state.scroll, name),
    recent: withoutKey(state.recent, name),
    pending: state.pending.filter((pending) => pending.conversation !== name),
  };
  if (state.current !== name) return next;
  return select({ ...next, current: undefined }, order[Math.max(0, index - 1)]);
}

/** A room's operators as a Conversation field (absent when none). */
export function opsField(ops: readonly string[]): Partial<Conversation> {
  return ops.length > 0 ? { ops } : {};
}

/** A room's operators and topic lock as a room state gives them, for a Conversation. */
export function roomModes(room: {
  ops?: readonly string[] | undefined;
  topicLock?: boolean | undefined;
}): Partial<Conversation> {
  return {
    ...opsField(room.ops ?? []),
    ...(room.topicLock === true ? { topicLock: true as const } : {}),
  };
}

/** `conversation` with the operators and topic lock of `room` in place of its own. */
export function withRoomModes(
  conversation: Conversation,
  room: { ops?: readonly string[] | undefined; topicLock?: boolean | undefined },
): Conversation {
  const { ops: _, topicLock: __, left: ___, ...rest } = conversation;
  return { ...rest, ...roomModes(room) };
}
