/**
 * Read positions in ChatState: the server's `unread` frame (counts, the
 * "new since you left" position, DMs to reopen, the away summary), `read`
 * frames that move a position (from any device of the user), and jumping to
 * a message. Pure.
 */
import type { ServerFrameOf, UnreadEntry } from '../../net/protocol/frames.ts';
import { neutralizeLine } from '../text/sanitize.ts';
import { messageLine } from './chat-frames.ts';
import {
  addToOrder,
  conversationOf,
  FOLLOWING,
  marksNew,
  newDm,
  putConversation,
  select,
  setScroll,
} from './chat-helpers.ts';
import type { AwayEntry, AwaySummary, ChatState, Conversation, Line } from './chat-types.ts';

/**
 * A reconnect shows the away summary only after an absence this long (ms):
 * a network drop of a few seconds, the TUI open all along, is no absence.
 * Starting the TUI always shows it.
 */
export const AWAY_SUMMARY_AFTER_MS = 10 * 60_000;

/**
 * Where the user stands in each conversation, right after welcome. Counts
 * and mention marks come from the server (the current conversation shows
 * none: it is being read); a DM with unread messages opens a window; the
 * current conversation's first position known places its "new" line. With
 * `since` (the user comes back after an absence) and something unread, the
 * away summary shows: at start-up, or after AWAY_SUMMARY_AFTER_MS away
 * (`now`, epoch ms).
 */
export function onUnread(state: ChatState, frame: ServerFrameOf<'unread'>, now: number): ChatState {
  let next = state;
  for (const entry of frame.conversations) {
    let conversation = conversationOf(next, entry.room);
    if (conversation === undefined) {
      if (!entry.room.startsWith('@') || entry.unread === 0) continue;
      conversation = { ...newDm(entry.room.slice(1)), hasMore: entry.lastId > 0 };
      next = addToOrder(putConversation(next, conversation), conversation);
    }
    const current = next.current === entry.room;
    next = putConversation(next, {
      ...conversation,
      readId: entry.read,
      unread: current ? 0 : entry.unread,
      mention: !current && entry.mentions > 0,
      countedTo: entry.lastId,
    });
    if (current && conversation.readId === undefined && marksNew(conversation.kind, entry.read)) {
      next = { ...next, newSince: entry.read };
    }
  }
  next = { ...next, unreadSeen: true };
  const long = frame.since !== undefined && now - frame.since >= AWAY_SUMMARY_AFTER_MS;
  if (state.unreadSeen && !long) return next;
  const summary = awaySummary(frame, state.connection.user);
  return summary === undefined ? next : { ...next, summary };
}

/** The summary of an `unread` frame, when it has `since` and something is unread. */
export function awaySummary(
  frame: ServerFrameOf<'unread'>,
  me: string | undefined,
): AwaySummary | undefined {
  if (frame.since === undefined || !frame.conversations.some((entry) => entry.unread > 0)) {
    return undefined;
  }
  const entries = frame.conversations
    .filter((entry) => entry.unread > 0 || entry.topic !== undefined)
    .map((entry) => awayEntry(entry, me));
  return { since: frame.since, entries };
}

function awayEntry(entry: UnreadEntry, me: string | undefined): AwayEntry {
  const base = {
    name: entry.room,
    unread: entry.unread,
    mentions: entry.mentions,
    lines: entry.lines.map((line) => messageLine(line, me)),
  };
  if (entry.topic === undefined) return base;
  return { ...base, topic: { ...entry.topic, text: neutralizeLine(entry.topic.text) } };
}

/**
 * The user's read position in a conversation moved up to `frame.id`: its
 * unread count and mention mark drop to what is left above it.
 */
export function onRead(state: ChatState, frame: ServerFrameOf<'read'>): ChatState {
  const conversation = conversationOf(state, frame.room);
  if (conversation === undefined) return state;
  const before = conversation.readId ?? 0;
  if (conversation.readId !== undefined && frame.id <= before) return state;
  const counts =
    state.current === conversation.name
      ? { unread: 0, mention: false }
      : countsAfterRead(conversation, before, frame.id);
  return putConversation(state, { ...conversation, readId: frame.id, ...counts });
}

/**
 * What is left unread above `read`: exact from the lines held when they
 * reach down to it; else the messages not held (older than every line)
 * are estimated from the count before, `before` being the old position,
 * and never more than the ids between `read` and the oldest held.
 */
export function countsAfterRead(
  conversation: Conversation,
  before: number,
  read: number,
): { unread: number; mention: boolean } {
  if (read >= conversation.lastId) return { unread: 0, mention: false };
  const above = (from: number) => {
    let unread = 0;
    let mention = false;
    const { lines } = conversation;
    for (let index = lines.length - 1; index >= 0; index--) {
      const line = lines[index];
      if (line?.kind !== 'message') continue;
      if (line.id <= from) break;
      if (line.own) continue;
      unread += 1;
      mention ||= line.mention || conversation.kind === 'dm';
    }
    return { unread, mention };
  };
  const now = above(read);
  const oldest = conversation.oldestId ?? conversation.lastId + 1;
  if (read + 1 >= oldest) return now;
  const then = above(before);
  return {
    unread:
      now.unread + Math.min(Math.max(0, conversation.unread - then.unread), oldest - 1 - read),
    mention: now.mention || (conversation.mention && !then.mention),
  };
}

/**
 * Makes `name` current (the summary goes) and scrolls so that message `id`
 * is in view; when the conversation does not hold it yet, the jump waits
 * for the history that brings it (see `settleJump`).
 */
export function jumpToMessage(state: ChatState, name: string, id: number): ChatState {
  if (conversationOf(state, name) === undefined) return state;
  const { summary: _, ...rest } = select(state, name);
  return settleJump({ ...rest, jump: { name, id } });
}

/**
 * A waiting jump, once its message is held: the view ends at that line.
 * Given up when no older history is left to bring it.
 */
export function settleJump(state: ChatState): ChatState {
  const { jump } = state;
  if (jump === undefined) return state;
  const conversation = conversationOf(state, jump.name);
  const index = conversation === undefined ? -1 : indexOfMessage(conversation.lines, jump.id);
  const older = jump.id < (conversation?.oldestId ?? Number.POSITIVE_INFINITY);
  if (conversation !== undefined && index < 0 && older && conversation.hasMore) return state;
  const { jump: _, ...rest } = state;
  if (conversation === undefined || index < 0) return rest;
  const offset = conversation.lines.length - 1 - index;
  return setScroll(rest, jump.name, offset === 0 ? FOLLOWING : { offset, newWhileScrolled: 0 });
}

function indexOfMessage(lines: readonly Line[], id: number): number {
  for (let index = lines.length - 1; index >= 0; index--) {
    const line = lines[index];
    if (line?.kind !== 'message') continue;
    if (line.id === id) return index;
    if (line.id < id) return -1;
  }
  return -1;
}
