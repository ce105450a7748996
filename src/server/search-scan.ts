import type { StoredMessage } from '../net/protocol/frames.ts';
import { matchesEvery } from '../net/search-words.ts';
import type { HistoryReader } from './history/history-store.ts';

/** Time one search may spend reading the store, in ms: past it, it answers with what it found. */
export const SEARCH_BUDGET_MS = 250;

/** A search as ReadPump carries it out (ChatCore's `search` effect). */
export interface SearchRead {
  ref: string;
  /** Folded words (search-words.ts), every one of which a match holds. */
  words: readonly string[];
  /** Store keys of the conversations to read, and no other. */
  conversations: readonly string[];
  /** Most matches. */
  limit: number;
}

/** What a scan reads with and how long it may. */
export interface ScanDeps {
  store: Pick<HistoryReader, 'before'>;
  /** Messages read from all conversations together at a time, at most (at least 1 each). */
  pageMessages: number;
  /** A clock in ms, for the budget. */
  now: () => number;
  budgetMs: number;
  /** True once the answer has no one to go to: the scan stops reading. */
  stopped: () => boolean;
}

/** A scan's outcome: matches newest first, or the read that failed. */
export type ScanResult =
  | { ok: true; messages: StoredMessage[]; more: boolean }
  | { ok: false; conversation: string; error: unknown };

/** One conversation being read backwards. */
interface Cursor {
  conversation: string;
  /** Read and not yet looked at, oldest first: the newest is last. */
  page: StoredMessage[];
  /** Where the next read ends (undefined: at the newest). */
  before: number | undefined;
  /** The store has nothing older than what was read. */
  done: boolean;
}

/**
 * Reads the conversations backwards, a page at a time with the store's
 * `before`, and merges them by time, so the matches come newest first
 * across all of them and the scan stops as soon as it has `limit`. Each
 * conversation holds at most one unread page, so the messages in memory
 * are about `pageMessages` (one each, when there are more conversations).
 * `more`: the limit or the time budget left something unread.
 */
export async function scanNewestFirst(read: SearchRead, deps: ScanDeps): Promise<ScanResult> {
  const perPage = Math.max(
    1,
    Math.floor(deps.pageMessages / Math.max(1, read.conversations.length)),
  );
  const cursors: Cursor[] = read.conversations.map((conversation) => ({
    conversation,
    page: [],
    before: undefined,
    done: false,
  }));
  const found: StoredMessage[] = [];
  let spent = 0;
  for (;;) {
    for (const cursor of cursors) {
      if (cursor.page.length > 0 || cursor.done) continue;
      // Every conversation's newest unread message must be known before the
      // next match can be told newest: out of time, the answer ends here.
      if (spent >= deps.budgetMs || deps.stopped())
        return { ok: true, messages: found, more: true };
      const started = deps.now();
      try {
        const page = await deps.store.before(cursor.conversation, cursor.before, perPage);
        cursor.page = page.messages;
        cursor.before = page.messages[0]?.id;
        cursor.done = !page.more || page.messages.length === 0;
      } catch (error) {
        return { ok: false, conversation: cursor.conversation, error };
      }
      spent += deps.now() - started;
    }
    const next = newestHead(cursors);
    if (!next) return { ok: true, messages: found, more: false };
    const message = next.page.pop() as StoredMessage;
    if (!matchesEvery(read.words, message.text)) continue;
    found.push(message);
    if (found.length >= read.limit) {
      return { ok: true, messages: found, more: cursors.some((c) => c.page.length > 0 || !c.done) };
    }
  }
}

// The cursor whose next message is the newest; the first of equals, so the order is stable.
function newestHead(cursors: readonly Cursor[]): Cursor | undefined {
  let best: Cursor | undefined;
  let bestTs = Number.NEGATIVE_INFINITY;
  for (const cursor of cursors) {
    const head = cursor.page.at(-1);
    if (head && head.ts > bestTs) {
      best = cursor;
      bestTs = head.ts;
    }
  }
  return best;
}
