import { MAX_MENTION_LINES, type StoredMessage } from '../net/protocol/frames.ts';

/** What is unread in one conversation, counted so far. */
export interface Tally {
  /** Messages from others. */
  unread: number;
  /** Of those, the ones that name the user (every one, in a direct conversation). */
  mentions: number;
  /** The newest mentions, oldest first, at most MAX_MENTION_LINES. */
  lines: StoredMessage[];
}

/** Nothing counted yet. */
export function emptyTally(): Tally {
  return { unread: 0, mentions: 0, lines: [] };
}

/**
 * True when `text` names `user`: the name as a whole word (no name
 * character on either side), case-insensitive, with or without `@`.
 */
export function mentions(text: string, user: string): boolean {
  // User names are [a-z0-9_-]: nothing in them needs escaping but `-`, which is literal outside a class.
  return new RegExp(`(?:^|[^a-z0-9_-])@?${user}(?![a-z0-9_-])`, 'i').test(text);
}

/**
 * Adds unread messages (oldest first) to `tally`: `user`'s own are not
 * unread; in a direct conversation every other one is a mention, a deleted
 * one aside (messages are read as they are now: an edit counts as its text).
 */
export function addToTally(
  tally: Tally,
  messages: readonly StoredMessage[],
  user: string,
  direct: boolean,
): void {
  for (const message of messages) {
    if (message.from === user) continue;
    tally.unread += 1;
    // A deleted message still holds its id (it counts as unread) but says
    // nothing: no mention line, even in a direct conversation.
    if (message.deleted) continue;
    if (!direct && !mentions(message.text, user)) continue;
    tally.mentions += 1;
    tally.lines.push(message);
    if (tally.lines.length > MAX_MENTION_LINES) tally.lines.shift();
  }
}
