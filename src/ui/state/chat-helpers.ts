/**
 * Small immutable updates of ChatState shared by the reducer's parts. Pure.
 */
import { neutralizeLine } from '../text/sanitize.ts';
import { appendLine, type BatchScope, boundLines } from './chat-lines.ts';
import {
  type ChatState,
  type Conversation,
  MAX_NOTICES,
  type MessageLine,
  type ScrollState,
  type SystemLine,
} from './chat-types.ts';

const FOLLOWING: ScrollState = { offset: 0, newWhileScrolled: 0 };

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
  line: MessageLine | SystemLine,
  scope: BatchScope | undefined,
  update: Partial<Conversation> = {},
  countsAsNew = false,
): ChatState {
  const appended = appendLine(conversation, line, state.timeZone, scope);
  let next = putConversation(state, { ...appended.conversation, ...update });
  const scroll = scrollOf(state, conversation.name);
  if (scroll.offset > 0) {
    next = setScroll(next, conversation.name, {
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
  if (scroll.offset === 0 && scroll.newWhileScrolled === 0) {
    return Object.hasOwn(state.scroll, name)
      ? { ...state, scroll: withoutKey(state.scroll, name) }
      : state;
  }
  return { ...state, scroll: { ...state.scroll, [name]: scroll } };
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

/** Keeps the named conversation within `maxLines`, its scroll offset within its lines. */
export function bound(state: ChatState, name: string): ChatState {
  const conversation = conversationOf(state, name);
  if (conversation === undefined) return state;
  const bounded = boundLines(conversation, state.maxLines);
  if (bounded === conversation) return state;
  const next = putConversation(state, bounded);
  const scroll = scrollOf(next, name);
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

/** Makes `name` current and clears its unread count and mention mark; unknown names change nothing. */
export function select(state: ChatState, name: string | undefined): ChatState {
  if (name === undefined) return state;
  const conversation = conversationOf(state, name);
  if (conversation === undefined) return state;
  const seen =
    conversation.unread === 0 && !conversation.mention
      ? state
      : putConversation(state, { ...conversation, unread: 0, mention: false });
  return seen.current === name ? seen : { ...seen, current: name };
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
