/**
 * Views of ChatState about reading: where the "new since you left" line
 * goes, what to tell the server has been read, when PageUp should fetch
 * older messages, and where the away summary's jump lands. Pure.
 */
import {
  conversationOf,
  isScrolled,
  type PaneMeasure,
  scrolledBy,
  scrollOf,
} from './chat-helpers.ts';
import type { AwaySummary, ChatState, Conversation, Line } from './chat-types.ts';

/**
 * The line the "new since you left" rule goes above: the first message
 * from others after `newSince` (when the oldest held is already after it,
 * the oldest held). None when nothing from others came after it.
 */
export function newSinceLine(
  conversation: Conversation | undefined,
  newSince: number | undefined,
): Line | undefined {
  if (conversation === undefined || newSince === undefined) return undefined;
  let marked: Line | undefined;
  const { lines } = conversation;
  for (let index = lines.length - 1; index >= 0; index--) {
    const line = lines[index];
    if (line?.kind !== 'message') continue;
    if (line.id <= newSince) break;
    if (!line.own) marked = line;
  }
  return marked;
}

/**
 * What the user has now seen: the current conversation's newest id, when
 * it is on screen (no overlay over it, connected), scrolled to the bottom,
 * the terminal has focus, and it is past the read position. Else none.
 */
export function readTarget(
  state: ChatState,
  focused: boolean,
): { name: string; id: number } | undefined {
  const name = state.current;
  if (!focused || name === undefined || state.overlay !== 'none' || state.summary !== undefined) {
    return undefined;
  }
  if (state.connection.state !== 'connected' || isScrolled(scrollOf(state, name))) return undefined;
  const conversation = conversationOf(state, name);
  if (conversation === undefined || conversation.lastId <= (conversation.readId ?? 0)) {
    return undefined;
  }
  return { name, id: conversation.lastId };
}

/**
 * The older page PageUp asks for: when the current pane cannot scroll up
 * `by` rows any further (already at its top, or all of it fits) and the
 * server holds older messages. `before`: the oldest id held (absent: the newest).
 */
export function olderPage(
  state: ChatState,
  by: number,
  pane: Omit<PaneMeasure, 'hasMore'>,
): { name: string; before?: number } | undefined {
  const name = state.current;
  const conversation = name === undefined ? undefined : conversationOf(state, name);
  if (name === undefined || conversation === undefined || !conversation.hasMore || by <= 0) {
    return undefined;
  }
  const scroll = scrollOf(state, name);
  const moved = scrolledBy(scroll, conversation.lines, by, { ...pane, hasMore: true });
  if (moved !== scroll) return undefined;
  return conversation.oldestId === undefined ? { name } : { name, before: conversation.oldestId };
}

/**
 * Where the away summary's jump goes: the earliest mention of the user
 * (its conversation and id), else the first conversation with unread
 * messages (no id: the view goes to its "new" line's place, the bottom).
 */
export function summaryJump(
  summary: AwaySummary | undefined,
): { name: string; id?: number } | undefined {
  if (summary === undefined) return undefined;
  let best: { name: string; id: number; ts: number } | undefined;
  for (const entry of summary.entries) {
    for (const line of entry.lines) {
      if (best === undefined || line.ts < best.ts)
        best = { name: entry.name, id: line.id, ts: line.ts };
    }
  }
  if (best !== undefined) return { name: best.name, id: best.id };
  const unread = summary.entries.find((entry) => entry.unread > 0);
  return unread === undefined ? undefined : { name: unread.name };
}
