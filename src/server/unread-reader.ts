import type { ServerFrameOf, StoredMessage, UnreadEntry } from '../net/protocol/frames.ts';
import type { UnreadQuery, UnreadTarget } from './unread-query.ts';
import { addToTally, emptyTally } from './unread-tally.ts';

/** Direct conversations one `unread` frame lists at most, the most recent. */
export const MAX_UNREAD_DIRECTS = 100;

/** The store reads an unread count makes (the pump budgets each). */
export interface UnreadReads {
  /** Messages with an id above `afterId`, oldest first, at most `limit`. */
  since(conversation: string, afterId: number, limit: number): Promise<StoredMessage[]>;
  /** The newest message kept, if any. */
  newest(conversation: string): Promise<StoredMessage | undefined>;
}

/** How much an unread count reads. */
export interface UnreadBounds {
  /** Messages read per store read. */
  pageMessages: number;
  /**
   * Newest unread messages read per conversation (the ones held in memory,
   * so a count never reads the disk); older unread ids are counted, not read.
   */
  scanMessages: number;
}

/**
 * The `unread` frame of a hello: every room of the query, then its direct
 * conversations with messages kept, most recent first (at most
 * MAX_UNREAD_DIRECTS), each counted from the store up to the id it had at
 * the hello.
 */
export async function readUnread(
  reads: UnreadReads,
  query: UnreadQuery,
  bounds: UnreadBounds,
): Promise<ServerFrameOf<'unread'>> {
  const rooms = query.targets.filter((t) => t.name.startsWith('#'));
  const directs: Array<{ target: UnreadTarget; ts: number }> = [];
  for (const target of query.targets) {
    if (target.name.startsWith('#')) continue;
    const newest = await reads.newest(target.conversation);
    if (newest) directs.push({ target, ts: newest.ts });
  }
  directs.sort((a, b) => b.ts - a.ts);
  const listed = [...rooms, ...directs.slice(0, MAX_UNREAD_DIRECTS).map((d) => d.target)];
  const conversations: UnreadEntry[] = [];
  for (const target of listed)
    conversations.push(await countUnread(reads, target, query.user, bounds));
  return {
    type: 'unread',
    conversations,
    ...(query.since === undefined ? {} : { since: query.since }),
  };
}

// One conversation's entry: the newest `scanMessages` after the read
// position are read and counted; ids before them are counted unread unseen.
async function countUnread(
  reads: UnreadReads,
  target: UnreadTarget,
  user: string,
  bounds: UnreadBounds,
): Promise<UnreadEntry> {
  const { name, conversation, lastId, read, topic } = target;
  const tally = emptyTally();
  let cursor = Math.max(read, lastId - bounds.scanMessages);
  const unseen = cursor - read;
  while (cursor < lastId) {
    const page = await reads.since(conversation, cursor, bounds.pageMessages);
    const within = page.filter((m) => m.id <= lastId);
    addToTally(tally, within, user, !name.startsWith('#'));
    const last = page.at(-1);
    if (last === undefined || within.length < page.length) break;
    cursor = last.id;
  }
  return {
    room: name,
    lastId,
    read,
    unread: unseen + tally.unread,
    mentions: tally.mentions,
    lines: tally.lines,
    ...(topic === undefined ? {} : { topic }),
  };
}
