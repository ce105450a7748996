/**
 * A conversation's lines: appending with day separators, prepending history,
 * and keeping the newest ones within a bound. Pure; every function returns a
 * new Conversation, except that arrays listed in a batch's `owned` set (made
 * during that batch, so nobody else holds them) are appended to in place.
 */
import { dayKey, dayLabel } from '../text/time.ts';
import type {
  BacklogLine,
  Conversation,
  DayLine,
  Line,
  MessageLine,
  TimedLine,
} from './chat-types.ts';

/** The separator under a conversation's first history (one object: lines are immutable). */
export const BACKLOG_LINE: BacklogLine = { kind: 'backlog' };

/**
 * One run of `chatReducer` over a batch: line arrays it created (safe to
 * grow in place) and conversations whose lines must be bounded at the end.
 */
export type BatchScope = { owned: WeakSet<readonly Line[]>; touched: Set<string> };

/** A fresh scope for one batch. */
export function newBatchScope(): BatchScope {
  return { owned: new WeakSet(), touched: new Set() };
}

const MINUTE_MS = 60_000;
// Every zone offset is a whole number of minutes, so a message in the same
// minute as the previous one (the usual case in a flood) is on the same day.
let lastDay: { minute: number; timeZone: string | undefined; day: string } | undefined;

/** `YYYY-MM-DD` of `ts` (epoch ms) in `timeZone`, cached for the last minute asked. */
export function dayOf(ts: number, timeZone: string | undefined): string {
  const minute = Math.floor(ts / MINUTE_MS);
  if (lastDay?.minute === minute && lastDay.timeZone === timeZone) return lastDay.day;
  const day = dayKey(ts, timeZone);
  lastDay = { minute, timeZone, day };
  return day;
}

function separator(ts: number, timeZone: string | undefined): DayLine {
  return { kind: 'day', day: dayOf(ts, timeZone), label: dayLabel(ts, timeZone) };
}

/**
 * Adds `line` at the bottom, after a day separator when its day differs from
 * the previous timed line's. Returns the conversation and how many entries
 * were added (1 or 2), so a scrolled view can stay where it is.
 */
export function appendLine(
  conversation: Conversation,
  line: TimedLine,
  timeZone: string | undefined,
  scope: BatchScope | undefined,
): { conversation: Conversation; added: number } {
  const day = dayOf(line.ts, timeZone);
  const added: Line[] =
    conversation.lastDay !== undefined && conversation.lastDay !== day
      ? [separator(line.ts, timeZone), line]
      : [line];
  let lines: readonly Line[];
  if (scope?.owned.has(conversation.lines)) {
    (conversation.lines as Line[]).push(...added);
    lines = conversation.lines;
  } else {
    lines = conversation.lines.concat(added);
    scope?.owned.add(lines);
  }
  return { conversation: { ...conversation, lines, lastDay: day }, added: added.length };
}

/**
 * Puts older messages above the existing lines. `messages` must be sorted by
 * id, each older than every message held (the caller filters); separators go
 * between days within them and at the seam with the existing lines, and,
 * with `backlog`, the backlog separator right under them.
 */
export function prependMessages(
  conversation: Conversation,
  messages: readonly MessageLine[],
  timeZone: string | undefined,
  scope: BatchScope | undefined,
  backlog = false,
): Conversation {
  if (messages.length === 0) return conversation;
  const block: Line[] = [];
  let previous: string | undefined;
  for (const message of messages) {
    const day = dayOf(message.ts, timeZone);
    if (previous !== undefined && day !== previous) block.push(separator(message.ts, timeZone));
    block.push(message);
    previous = day;
  }
  if (backlog) block.push(BACKLOG_LINE);
  const first = conversation.lines.find((line) => line.kind !== 'day');
  if (first !== undefined && 'ts' in first && dayOf(first.ts, timeZone) !== previous) {
    block.push(separator(first.ts, timeZone));
  }
  const lines = block.concat(conversation.lines);
  scope?.owned.add(lines);
  const oldest = messages[0]?.id ?? Number.POSITIVE_INFINITY;
  const newest = messages.at(-1)?.id ?? 0;
  return {
    ...conversation,
    lines,
    lastDay: conversation.lastDay ?? previous,
    oldestId: Math.min(conversation.oldestId ?? oldest, oldest),
    lastId: Math.max(conversation.lastId, newest),
  };
}

/**
 * Keeps the newest `maxLines` entries. A separator left first is dropped
 * too; `oldestId` moves to the oldest message kept and `hasMore` turns true
 * when messages were dropped (they can be fetched again as history).
 */
export function boundLines(conversation: Conversation, maxLines: number): Conversation {
  const { lines } = conversation;
  if (lines.length <= maxLines) return conversation;
  let start = lines.length - maxLines;
  while (
    start < lines.length &&
    (lines[start]?.kind === 'day' || lines[start]?.kind === 'backlog')
  ) {
    start++;
  }
  let droppedMessage = false;
  for (let index = 0; index < start && !droppedMessage; index++) {
    droppedMessage = lines[index]?.kind === 'message';
  }
  const kept = lines.slice(start);
  const oldest = kept.find((line) => line.kind === 'message');
  return {
    ...conversation,
    lines: kept,
    oldestId:
      oldest?.kind === 'message'
        ? oldest.id
        : conversation.lastId > 0
          ? conversation.lastId + 1
          : undefined,
    hasMore: conversation.hasMore || droppedMessage,
  };
}
