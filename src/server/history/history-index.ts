import type { StoredMessage } from '../../net/protocol/frames.ts';
import type { Entry, Segment } from './segment.ts';

export interface IndexLimits {
  /** Newest messages per conversation held decrypted in memory, so resumes never read the disk. */
  cache: number;
  /** Messages kept per conversation; 0 keeps all. */
  keepMessages: number;
  /** Days a message is kept; 0 keeps it for ever. */
  keepDays: number;
}

interface Conversation {
  entries: Entry[];
  /** entries[first..] are kept; those before wait to be cut off in a batch. */
  first: number;
  /** entries[cachedFrom..] hold their message. */
  cachedFrom: number;
  /** The newest id ever kept here, even when retention has removed it since. */
  lastId: number;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * What the store keeps, in memory: per conversation, the location of every
 * message kept, oldest first, ids strictly rising. Retention drops from the
 * oldest end; each segment's set of live entries tells compaction what is
 * left in it.
 */
export class HistoryIndex {
  private readonly conversations = new Map<string, Conversation>();

  constructor(private readonly limits: IndexLimits) {}

  /** Adds a message just kept; false (and nothing added) when its id does not rise. */
  add(
    conversation: string,
    message: StoredMessage,
    segment: Segment,
    offset: number,
    bytes: number,
  ): boolean {
    const conv = this.conversation(conversation);
    if (message.id <= conv.lastId) return false;
    const entry: Entry = { id: message.id, ts: message.ts, segment, offset, bytes, message };
    conv.entries.push(entry);
    conv.lastId = message.id;
    segment.live.add(entry);
    this.trim(conv);
    return true;
  }

  // The cache back to its size, and --keep-messages applied.
  private trim(conv: Conversation): void {
    while (conv.entries.length - conv.cachedFrom > this.limits.cache) {
      const old = conv.entries[conv.cachedFrom];
      if (old) old.message = undefined;
      conv.cachedFrom += 1;
    }
    const { keepMessages } = this.limits;
    if (keepMessages > 0) this.drop(conv, conv.entries.length - conv.first - keepMessages);
  }

  /**
   * Puts a replacement record of a kept message (an edit, a deletion) in
   * place of its entry: same id, time and place in the conversation, the
   * record now at `segment`/`offset`. The old record leaves its segment's
   * live set and counts as superseded there. False (nothing changed) when
   * no message of that id is kept, e.g. retention dropped it.
   */
  replace(
    conversation: string,
    message: StoredMessage,
    segment: Segment,
    offset: number,
    bytes: number,
  ): boolean {
    const entry = this.find(conversation, message.id);
    if (!entry) return false;
    entry.segment.live.delete(entry);
    entry.segment.superseded += 1;
    entry.segment = segment;
    entry.offset = offset;
    entry.bytes = bytes;
    // Held in memory only while among the newest: the rest is read from the file.
    if (entry.message !== undefined) entry.message = message;
    segment.live.add(entry);
    return true;
  }

  /**
   * At start-up, a replacement record whose message has no record before it
   * (compaction removed the older version, and a rewrite or a later segment
   * put the replacement after higher ids): it goes in its id's place, and
   * retention applies to it as to any other.
   */
  insert(
    conversation: string,
    message: StoredMessage,
    segment: Segment,
    offset: number,
    bytes: number,
  ): void {
    const conv = this.conversation(conversation);
    const at = this.firstAbove(conv, message.id);
    const cached = at >= conv.cachedFrom;
    const entry: Entry = {
      id: message.id,
      ts: message.ts,
      segment,
      offset,
      bytes,
      message: cached ? message : undefined,
    };
    conv.entries.splice(at, 0, entry);
    conv.lastId = Math.max(conv.lastId, message.id);
    segment.live.add(entry);
    if (!cached) conv.cachedFrom += 1;
    this.trim(conv);
  }

  /** True while a message of this id is kept in the conversation. */
  holds(conversation: string, id: number): boolean {
    return this.find(conversation, id) !== undefined;
  }

  /** Ids that went on past what the records show (see sequence-file.ts). */
  seedLastId(conversation: string, id: number): void {
    const conv = this.conversation(conversation);
    conv.lastId = Math.max(conv.lastId, id);
  }

  /** Kept entries with an id above `afterId`, oldest first, at most `limit`. */
  since(conversation: string, afterId: number, limit: number): { entries: Entry[]; gap: boolean } {
    const conv = this.conversations.get(conversation);
    if (!conv) return { entries: [], gap: false };
    const oldest = conv.entries[conv.first];
    if (oldest === undefined) return { entries: [], gap: afterId < conv.lastId };
    const start = this.firstAbove(conv, afterId);
    return { entries: conv.entries.slice(start, start + limit), gap: afterId + 1 < oldest.id };
  }

  /** The newest kept entries below id `before` (all when undefined), oldest first, at most `limit`. */
  before(
    conversation: string,
    before: number | undefined,
    limit: number,
  ): { entries: Entry[]; more: boolean } {
    const conv = this.conversations.get(conversation);
    if (!conv) return { entries: [], more: false };
    const end = before === undefined ? conv.entries.length : this.firstAbove(conv, before - 1);
    const start = Math.max(conv.first, end - limit);
    return { entries: conv.entries.slice(start, end), more: start > conv.first };
  }

  /** The newest id of every conversation ever kept. */
  lastIds(): Map<string, number> {
    const ids = new Map<string, number>();
    for (const [name, conv] of this.conversations) if (conv.lastId > 0) ids.set(name, conv.lastId);
    return ids;
  }

  /** Drops what --keep-days no longer keeps; returns how many. */
  expire(now: number): number {
    if (this.limits.keepDays <= 0) return 0;
    const cutoff = now - this.limits.keepDays * DAY_MS;
    let dropped = 0;
    for (const conv of this.conversations.values()) {
      let count = 0;
      while ((conv.entries[conv.first + count]?.ts ?? Number.POSITIVE_INFINITY) < cutoff)
        count += 1;
      dropped += this.drop(conv, count);
    }
    return dropped;
  }

  /** Conversations and messages kept. */
  counts(): { conversations: number; messages: number } {
    let messages = 0;
    for (const conv of this.conversations.values()) messages += conv.entries.length - conv.first;
    return { conversations: this.conversations.size, messages };
  }

  /** What is kept, for `chat history verify`: direct conversations are keyed `dm:…`. */
  summary(): {
    rooms: number;
    directs: number;
    messages: number;
    oldest?: number;
    newest?: number;
  } {
    const out: {
      rooms: number;
      directs: number;
      messages: number;
      oldest?: number;
      newest?: number;
    } = { rooms: 0, directs: 0, messages: 0 };
    for (const [name, conv] of this.conversations) {
      const first = conv.entries[conv.first];
      const last = conv.entries.at(-1);
      if (!first || !last) continue;
      if (name.startsWith('dm:')) out.directs += 1;
      else out.rooms += 1;
      out.messages += conv.entries.length - conv.first;
      out.oldest = Math.min(out.oldest ?? first.ts, first.ts);
      out.newest = Math.max(out.newest ?? last.ts, last.ts);
    }
    return out;
  }

  /** Each conversation's kept messages, oldest first, as entries. */
  *entriesOf(conversation: string): Generator<Entry> {
    const conv = this.conversations.get(conversation);
    if (!conv) return;
    for (let i = conv.first; i < conv.entries.length; i += 1) {
      const entry = conv.entries[i];
      if (entry) yield entry;
    }
  }

  private drop(conv: Conversation, count: number): number {
    if (count <= 0) return 0;
    for (let i = conv.first; i < conv.first + count; i += 1) {
      const entry = conv.entries[i];
      if (!entry) continue;
      entry.segment.live.delete(entry);
      entry.message = undefined;
    }
    conv.first += count;
    conv.cachedFrom = Math.max(conv.cachedFrom, conv.first);
    // Cut the dropped head off in batches: shifting on every drop is quadratic.
    if (conv.first >= 1024 && conv.first * 2 >= conv.entries.length) {
      conv.entries = conv.entries.slice(conv.first);
      conv.cachedFrom -= conv.first;
      conv.first = 0;
    }
    return count;
  }

  private find(conversation: string, id: number): Entry | undefined {
    const conv = this.conversations.get(conversation);
    if (!conv) return undefined;
    const entry = conv.entries[this.firstAbove(conv, id - 1)];
    return entry?.id === id ? entry : undefined;
  }

  // Index of the first kept entry with an id above `id` (binary search: ids rise).
  private firstAbove(conv: Conversation, id: number): number {
    let lo = conv.first;
    let hi = conv.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((conv.entries[mid]?.id ?? 0) <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private conversation(name: string): Conversation {
    let conv = this.conversations.get(name);
    if (!conv) {
      conv = { entries: [], first: 0, cachedFrom: 0, lastId: 0 };
      this.conversations.set(name, conv);
    }
    return conv;
  }
}
