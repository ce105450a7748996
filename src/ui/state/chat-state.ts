/**
 * The TUI's state: `chatReducer(state, action)` over the ChatAction union,
 * state in and state out. Pure: no I/O and no clock (actions that need the
 * time carry `now`). Updates are immutable; the input state is never changed.
 * The `use-chat` hook turns ChatClient events into actions, batched per frame.
 */
import { neutralize, neutralizeLine } from '../text/sanitize.ts';
import {
  onDirectMessage,
  onHistory,
  onJoined,
  onLeft,
  onPresence,
  onRoomMessage,
  onTopic,
  onWelcome,
} from './chat-frames.ts';
import {
  addLine,
  addNotice,
  addSystemLine,
  addToOrder,
  bound,
  conversationOf,
  FOLLOWING,
  newDm,
  putConversation,
  removeConversation,
  scrolledBy,
  scrollOf,
  select,
  setScroll,
} from './chat-helpers.ts';
import { pagedPast, withoutIgnored } from './chat-ignore.ts';
import { type BatchScope, newBatchScope } from './chat-lines.ts';
import { onModerated, onRemoved, onUpdate } from './chat-moderation.ts';
import { jumpToMessage, onRead, onUnread, settleJump } from './chat-read.ts';
import {
  type ChatAction,
  type ChatState,
  type ConnectionView,
  DEFAULT_MAX_LINES,
  type Pending,
} from './chat-types.ts';
import { joinAsked } from './join-asked.ts';
import type { PresenceMode } from './presence-filter.ts';

export { scrollOf } from './chat-helpers.ts';
export {
  completionCandidates,
  conversationList,
  currentConversation,
  currentMembers,
  lastOwnMessage,
  pendingFor,
} from './chat-selectors.ts';
export * from './chat-types.ts';

/**
 * The state before any connection. `bell` enables the terminal bell on
 * mentions; `timeZone` (IANA) places day separators (default: the
 * machine's); `maxLines` bounds each conversation (count, default 5,000);
 * `intro` lines open the first conversation once connected.
 */
export function initialChatState(opts: {
  server: string;
  user?: string;
  bell: boolean;
  timeZone?: string;
  maxLines?: number;
  intro?: readonly string[];
  /** Which join, part and quit lines are shown (default: all). */
  presenceMode?: PresenceMode;
}): ChatState {
  return {
    server: opts.server,
    connection:
      opts.user === undefined ? { state: 'starting' } : { state: 'starting', user: opts.user },
    conversations: {},
    order: [],
    users: {},
    recent: {},
    pending: [],
    scroll: {},
    overlay: 'none',
    notices: [],
    intro: opts.intro ?? [],
    nextNoticeId: 1,
    bell: 0,
    bellEnabled: opts.bell,
    ...(opts.timeZone === undefined ? {} : { timeZone: opts.timeZone }),
    maxLines: Math.max(1, Math.floor(opts.maxLines ?? DEFAULT_MAX_LINES)),
    ...(opts.presenceMode === undefined ? {} : { presenceMode: opts.presenceMode }),
  };
}

/** Applies one action (a `batch` applies its actions in order, bounding lines once at the end). */
export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  if (action.type !== 'batch') return reduce(state, action, undefined);
  const scope = newBatchScope();
  let next = reduce(state, action, scope);
  for (const name of scope.touched) next = bound(next, name);
  return next;
}

function reduce(state: ChatState, given: ChatAction, scope: BatchScope | undefined): ChatState {
  const action = withoutIgnored(state, given);
  if (action === undefined) return state;
  switch (action.type) {
    case 'ignoreChanged':
      return { ...state, ignored: [...new Set(action.users)].sort() };
    case 'systemLines':
      return systemLines(state, action.lines, action.now, scope);
    case 'batch': {
      let next = state;
      for (const inner of action.actions) next = reduce(next, inner, scope);
      return next;
    }
    case 'welcome':
      return onWelcome(state, action.frame, action.now);
    case 'unread':
      return onUnread(state, action.frame, action.now);
    case 'read':
      return onRead(state, action.frame);
    case 'message':
      return onRoomMessage(state, action.frame, scope);
    case 'dm':
      return onDirectMessage(state, action.frame, scope);
    case 'joined':
      return onJoined(state, action.frame, scope);
    case 'left':
      return onLeft(state, action.frame, scope);
    case 'presence':
      return onPresence(state, action.frame, action.now, scope);
    case 'topic':
      return onTopic(state, action.frame, scope);
    case 'history':
      return settleJump(pagedPast(state, given, onHistory(state, action.frame, scope)));
    case 'serverError':
      return addNotice(state, `${action.frame.message} (${action.frame.code})`);
    case 'update':
      return onUpdate(state, action.frame, scope);
    case 'moderated':
      return onModerated(state, action.frame, scope);
    case 'clientState': {
      const next = { ...state, connection: connectionAfter(state.connection, action) };
      return action.removed === true
        ? onRemoved(next, action.error ?? 'the server closed the connection', action.now, scope)
        : next;
    }
    case 'rtt':
      return { ...state, connection: { ...state.connection, rttMs: action.ms } };
    case 'pendingAdded':
      return addPending(state, action);
    case 'pendingAcked':
      return settlePending(state, action.localId, undefined, scope);
    case 'pendingFailed':
      return settlePending(state, action.localId, action, scope);
    case 'switchTo':
      return select(state, conversationOf(state, action.name)?.name);
    case 'nextConversation':
      return step(state, 1);
    case 'previousConversation':
      return step(state, -1);
    case 'jumpToNumber':
      return Number.isInteger(action.number) && action.number >= 1 && action.number <= 9
        ? select(state, state.order[action.number - 1])
        : state;
    case 'nextActivity':
      return select(state, nextActive(state));
    case 'openDm': {
      const existing = conversationOf(state, `@${action.peer}`);
      if (existing !== undefined) return select(state, existing.name);
      const dm = newDm(action.peer);
      return select(addToOrder(putConversation(state, dm), dm), dm.name);
    }
    case 'closeConversation': {
      const conversation = conversationOf(state, action.name);
      if (conversation?.kind === 'room' && conversation.left === undefined) {
        return addNotice(state, `use /part ${conversation.name} to leave the room`);
      }
      return removeConversation(state, action.name);
    }
    case 'scroll':
      return scrollBy(state, action);
    case 'scrollToBottom':
      return state.current === undefined ? state : setScroll(state, state.current, FOLLOWING);
    case 'clear':
      return clearCurrent(state);
    case 'notice':
      return addNotice(state, action.text);
    case 'dismissNotice':
      return state.notices.some((notice) => notice.id <= action.id)
        ? { ...state, notices: state.notices.filter((notice) => notice.id > action.id) }
        : state;
    case 'toggleHelp': {
      // The help opens at its top, wherever it was left.
      const { helpTop: _, ...rest } = state;
      return { ...rest, overlay: state.overlay === 'help' ? 'none' : 'help' };
    }
    case 'scrollHelp':
      return scrollHelp(state, action.by, action.maxTop);
    // Esc: the help first, then the away summary under it.
    case 'closeHelp': {
      if (state.overlay === 'none') return reduce(state, { type: 'dismissSummary' }, scope);
      const { helpTop: _, ...rest } = state;
      return { ...rest, overlay: 'none' };
    }
    case 'dismissSummary': {
      if (state.summary === undefined) return state;
      const { summary: _, ...rest } = state;
      return rest;
    }
    case 'jumpToMessage':
      return jumpToMessage(state, action.name, action.id);
    case 'joinAsked':
      return joinAsked(state, action.room);
    case 'presenceMode':
      return state.presenceMode === action.mode ? state : { ...state, presenceMode: action.mode };
  }
}

// Where the user looks: the current conversation, or the status area before there is one.
function systemLines(
  state: ChatState,
  lines: readonly string[],
  now: number,
  scope: BatchScope | undefined,
): ChatState {
  const current = state.current;
  let next = state;
  for (const line of lines) {
    next =
      current === undefined
        ? addNotice(next, line)
        : addSystemLine(next, current, now, neutralizeLine(line), scope);
  }
  return next;
}

function connectionAfter(
  connection: ConnectionView,
  action: Extract<ChatAction, { type: 'clientState' }>,
): ConnectionView {
  const { user, rttMs } = connection;
  const tlsVersion = action.tlsVersion ?? connection.tlsVersion;
  return {
    state: action.state,
    ...(user === undefined ? {} : { user }),
    ...(tlsVersion === undefined ? {} : { tlsVersion }),
    ...(rttMs === undefined ? {} : { rttMs }),
    ...(action.retryInMs === undefined
      ? {}
      : { retryInMs: action.retryInMs, retryAt: action.now + action.retryInMs }),
    ...(action.error === undefined ? {} : { error: action.error }),
    ...(action.removed === true ? { removed: true } : {}),
    ...(action.node === undefined ? {} : { node: action.node }),
  };
}

/**
 * A message the user sent, shown as pending until acknowledged. A DM opens
 * its conversation; a room not joined gets a hint instead. Sending brings
 * the conversation's view back to the bottom.
 */
function addPending(
  state: ChatState,
  action: Extract<ChatAction, { type: 'pendingAdded' }>,
): ChatState {
  if (state.pending.some((pending) => pending.localId === action.localId)) return state;
  let next = state;
  let conversation = conversationOf(state, action.conversation);
  if (conversation?.left !== undefined) {
    return addNotice(state, `you are not in ${conversation.name}: /join it first`);
  }
  if (conversation === undefined) {
    if (!action.conversation.startsWith('@')) {
      return addNotice(state, `you are not in ${action.conversation}: /join it first`);
    }
    conversation = newDm(action.conversation.slice(1));
    next = addToOrder(putConversation(state, conversation), conversation);
  }
  const pending: Pending = {
    localId: action.localId,
    conversation: conversation.name,
    text: neutralize(action.text),
    action: action.action,
  };
  next = putConversation(next, {
    ...conversation,
    pendingIds: [...conversation.pendingIds, action.localId],
  });
  next = { ...next, pending: [...next.pending, pending] };
  return setScroll(next, conversation.name, FOLLOWING);
}

/**
 * An ack removes the pending message (the echoed frame shows it as a line).
 * A failure removes it too, with a notice, and adds it as a failed line at
 * the bottom (at `now`), which then scrolls, is bounded and is cleared like
 * any other line.
 */
function settlePending(
  state: ChatState,
  localId: string,
  failure: { error: string; now: number } | undefined,
  scope: BatchScope | undefined,
): ChatState {
  const pending = state.pending.find((p) => p.localId === localId);
  if (pending === undefined) return state;
  let next: ChatState = { ...state, pending: state.pending.filter((p) => p !== pending) };
  if (failure !== undefined) {
    next = addNotice(next, `not sent to ${pending.conversation}: ${failure.error}`);
  }
  const conversation = conversationOf(next, pending.conversation);
  if (conversation === undefined) return next;
  const pendingIds = conversation.pendingIds.filter((id) => id !== localId);
  if (failure === undefined) return putConversation(next, { ...conversation, pendingIds });
  const line = {
    kind: 'failed',
    ts: failure.now,
    from: state.connection.user ?? 'you',
    text: pending.text,
    action: pending.action,
    reason: neutralizeLine(failure.error),
  } as const;
  return addLine(next, conversation, line, scope, { pendingIds });
}

function step(state: ChatState, by: 1 | -1): ChatState {
  const { order } = state;
  if (order.length === 0) return state;
  const index = state.current === undefined ? -1 : order.indexOf(state.current);
  const from = index < 0 ? (by === 1 ? -1 : 0) : index;
  return select(state, order[(from + by + order.length) % order.length]);
}

/** The other conversation to visit next: mentions first, then unread, most recent first. */
function nextActive(state: ChatState): string | undefined {
  let best: { name: string; mention: boolean; at: number } | undefined;
  for (const name of state.order) {
    const conversation = conversationOf(state, name);
    if (name === state.current || conversation === undefined) continue;
    if (conversation.unread === 0 && !conversation.mention) continue;
    const candidate = { name, mention: conversation.mention, at: conversation.lastActivity };
    if (
      best === undefined ||
      (candidate.mention && !best.mention) ||
      (candidate.mention === best.mention && candidate.at > best.at)
    ) {
      best = candidate;
    }
  }
  return best?.name ?? state.current;
}

/** Scrolls the current pane by rows (see `scrolledBy`). */
function scrollBy(state: ChatState, action: Extract<ChatAction, { type: 'scroll' }>): ChatState {
  const conversation =
    state.current === undefined ? undefined : conversationOf(state, state.current);
  if (conversation === undefined) return state;
  const scroll = scrollOf(state, conversation.name);
  const moved = scrolledBy(scroll, conversation.lines, action.by, {
    rowsOf: action.rowsOf,
    height: action.height,
    hasMore: conversation.hasMore,
  });
  return moved === scroll ? state : setScroll(state, conversation.name, moved);
}

/**
 * The help scrolled `by` rows from where it shows: a top left beyond
 * `maxTop` by a larger terminal counts as `maxTop`, so Up moves at once.
 */
function scrollHelp(state: ChatState, by: number, maxTop: number): ChatState {
  if (state.overlay !== 'help') return state;
  const last = Math.max(0, Math.floor(maxTop));
  const from = Math.min(state.helpTop ?? 0, last);
  const top = Math.max(0, Math.min(last, from + by));
  if (top === (state.helpTop ?? 0)) return state;
  if (top > 0) return { ...state, helpTop: top };
  const { helpTop: _, ...rest } = state;
  return rest;
}

/**
 * Empties the current pane, failed messages included; waiting ones stay.
 * History can bring the messages back: the next request asks for those
 * before the newest id seen.
 */
function clearCurrent(state: ChatState): ChatState {
  const conversation =
    state.current === undefined ? undefined : conversationOf(state, state.current);
  if (conversation === undefined) return state;
  const { lastDay: _, oldestId: __, ...rest } = conversation;
  const next = putConversation(state, {
    ...rest,
    lines: [],
    ...(conversation.lastId > 0 ? { oldestId: conversation.lastId + 1 } : {}),
    hasMore: conversation.hasMore || conversation.lastId > 0,
  });
  return setScroll(next, conversation.name, FOLLOWING);
}
