import { type FileHandle, open, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SECRET_MODE } from '../../fs/modes.ts';
import { releaseLock } from '../../fs/pid-lock.ts';
import type { StoredMessage } from '../../net/protocol/frames.ts';
import type { KeptState } from '../kept-state.ts';
import type { HistoryIndex, IndexLimits } from './history-index.ts';
import type { HistoryKeySource } from './history-key-source.ts';
import { epochOf, type HistoryKeys } from './history-keys.ts';
import type { HistoryStore, SentRef } from './history-store.ts';
import {
  createSegment,
  headerFor,
  type OpenedHistory,
  type OpenReport,
  openHistory,
  syncDir,
} from './open-history.ts';
import { openRecord, sealRecord } from './record-seal.ts';
import { type Entry, Segment } from './segment.ts';
import { decodeRecordHeader, HEADER_BYTES } from './segment-format.ts';
import { SEQUENCE_FILE, sealSequences } from './sequence-file.ts';
import { STATE_FILE, sealState } from './state-file.ts';

/** The file operations appends make, apart so a test can make them fail like a full disk. */
export interface AppendIo {
  write(handle: FileHandle, bytes: Buffer, position: number): Promise<number>;
  datasync(handle: FileHandle): Promise<void>;
}

const NODE_IO: AppendIo = {
  write: async (handle, bytes, position) =>
    (await handle.write(bytes, 0, bytes.length, position)).bytesWritten,
  datasync: (handle) => handle.datasync(),
};

export interface DiskHistoryOptions {
  /** The history directory (`<data>/history`). */
  dir: string;
  key: HistoryKeySource;
  limits: IndexLimits;
  /** A segment is closed for appends past this size (bytes). */
  segmentBytes?: number;
  /** ...or once it is this old (ms), so retention can remove whole files. */
  rollAfterMs?: number;
  /** Retention and compaction run this often (ms). */
  compactEveryMs?: number;
  io?: AppendIo;
  now?: () => number;
  /** Only read (`chat history export`): nothing is locked, cut, appended or compacted. */
  readOnly?: boolean;
  /** Told about a compaction that failed (the store goes on). */
  warn?: (fields: Record<string, unknown>, message: string) => void;
}

const SEGMENT_BYTES = 8 * 1024 * 1024;
const ROLL_AFTER_MS = 24 * 3600 * 1000;
const COMPACT_EVERY_MS = 60_000;
/** Largest span read at once for a history page; records further apart are read one by one. */
const READ_SPAN_BYTES = 1024 * 1024;

interface Pending {
  conversation: string;
  message: StoredMessage;
  ref: string | undefined;
  /** A replacement record of a kept message (an edit, a deletion), not a new one. */
  replaces: boolean;
  record: Buffer;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The embedded history store: append-only segment files of records sealed
 * with AES-256-GCM (see segment-format.ts). An append resolves only once its
 * record is written and synced; appends made while a sync runs share the
 * next one (group commit), so durability costs one fsync per batch, not per
 * message. Reads come from memory for the newest messages of each
 * conversation and from the files for older ones.
 */
export class DiskHistory implements HistoryStore {
  private readonly keys: HistoryKeys;
  private readonly index: HistoryIndex;
  private readonly segments: Map<number, Segment>;
  private active: Segment | undefined;
  private pending: Pending[] = [];
  /** The batches being written, while there are any. */
  private flushing: Promise<void> | undefined;
  /** A failed write may have left bytes past the committed end: cut them before the next. */
  private dirty = false;
  private compacting: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly io: AppendIo;
  private readonly now: () => number;

  /** Opens (or makes) the store; the report says what start-up found and cut. */
  static async open(
    options: DiskHistoryOptions,
  ): Promise<{ store: DiskHistory; report: OpenReport }> {
    const opened = await openHistory(options);
    const store = new DiskHistory(opened, options);
    if (!options.readOnly) await store.compact();
    return { store, report: opened.report };
  }

  private constructor(
    private readonly opened: OpenedHistory,
    private readonly options: DiskHistoryOptions,
  ) {
    this.keys = opened.keys;
    this.index = opened.index;
    this.segments = opened.segments;
    this.active = options.readOnly ? undefined : [...this.segments.values()].at(-1);
    this.io = options.io ?? NODE_IO;
    this.now = options.now ?? Date.now;
    if (!options.readOnly) {
      this.timer = setInterval(
        () => void this.compact(),
        options.compactEveryMs ?? COMPACT_EVERY_MS,
      );
      this.timer.unref();
    }
  }

  append(conversation: string, message: StoredMessage, ref?: string): Promise<void> {
    return this.enqueue(conversation, message, ref, false);
  }

  /**
   * Appends the changed message as a replacement record (same id, no ref)
   * through the same group commit; once synced, the index points its id at
   * it. The old record becomes garbage that compaction removes (see
   * docs/HISTORY-FORMAT.md, Edits and deletions).
   */
  replace(conversation: string, message: StoredMessage): Promise<void> {
    if (!this.index.holds(conversation, message.id))
      return Promise.reject(new Error(`no message ${message.id} is kept in ${conversation}`));
    return this.enqueue(conversation, message, undefined, true);
  }

  private enqueue(
    conversation: string,
    message: StoredMessage,
    ref: string | undefined,
    replaces: boolean,
  ): Promise<void> {
    if (this.closed || this.active === undefined)
      return Promise.reject(new Error('the history store is closed for appends'));
    let record: Buffer;
    try {
      // Sealed now, in the order appends are made: the file keeps each conversation's ids in order.
      record = sealRecord(this.keys, message, ref);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ conversation, message, ref, replaces, record, resolve, reject });
      // Every append of this turn of the event loop goes in the first batch.
      this.flushing ??= new Promise<void>((started) => setImmediate(started)).then(() =>
        this.flush(),
      );
    });
  }

  async since(conversation: string, afterId: number, limit: number) {
    const { entries, gap } = this.index.since(conversation, afterId, limit);
    return { messages: await this.load(entries), gap };
  }

  async before(conversation: string, before: number | undefined, limit: number) {
    const { entries, more } = this.index.before(conversation, before, limit);
    return { messages: await this.load(entries), more };
  }

  async lastIds(): Promise<Map<string, number>> {
    return this.index.lastIds();
  }

  /** The state found at start-up: later ones are the server's to keep in memory. */
  async readState(): Promise<KeptState> {
    return this.opened.kept;
  }

  /** Written whole under a .tmp name, synced, renamed into place, the directory synced. */
  async writeState(state: KeptState): Promise<void> {
    if (this.closed || this.options.readOnly)
      throw new Error('the history store is closed for writes');
    await writeAtomically(this.options.dir, STATE_FILE, sealState(this.keys, state));
  }

  get epoch(): string {
    return epochOf(this.keys);
  }

  /** The refs found at start-up (later sends are in the server's memory); asked once, then let go. */
  async recentRefs(perUser: number): Promise<SentRef[]> {
    const all = [...this.opened.refs.values()].flatMap((list) => list.slice(-perUser));
    this.opened.refs.clear();
    return all;
  }

  /** Conversations and messages kept, and the segment files. */
  counts(): { conversations: number; messages: number; segments: number } {
    return { ...this.index.counts(), segments: this.segments.size };
  }

  /** Waits for the appends made so far, then closes every file and gives the lock back. */
  async close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    clearInterval(this.timer);
    await this.compacting;
    await this.flushing;
    this.closed = true;
    for (const segment of this.segments.values()) segment.retire();
    if (this.opened.lock) await releaseLock(this.opened.lock);
  }

  /**
   * Applies --keep-days, then removes segment files nothing kept points to
   * and rewrites those mostly dropped. One at a time, with the hot path free
   * between steps: each step is file I/O plus a walk over one segment's entries.
   */
  compact(): Promise<void> {
    this.compacting ??= this.compactNow().finally(() => {
      this.compacting = undefined;
    });
    return this.compacting;
  }

  private async compactNow(): Promise<void> {
    try {
      this.index.expire(this.now());
      await this.eraseInActive();
      const sealed = [...this.segments.values()].filter((s) => s !== this.active);
      // A segment holding a replaced version is rewritten however much is kept:
      // an edited or deleted text must leave the files.
      const targets = sealed.filter((s) => s.live.size * 2 < s.records || s.superseded > 0);
      if (targets.length === 0) return;
      // First the ids, so a room whose every record goes still goes on where it stopped.
      await this.saveSequences();
      for (const segment of targets) {
        if (this.closed) return;
        if (segment.live.size === 0) await this.removeSegment(segment);
        else await this.rewriteSegment(segment);
      }
    } catch (error) {
      this.options.warn?.({ err: error }, 'history compaction failed; it is tried again later');
    }
  }

  // The segment being appended to holds a replaced version: it is rewritten
  // in the appends' own turn (no batch is written meanwhile; appends made
  // now wait for the next batch), and appends go on in the new file. Not
  // rolled: a new segment a minute would leave many small files open.
  private async eraseInActive(): Promise<void> {
    while (this.flushing) await this.flushing;
    const active = this.active;
    if (this.closed || active === undefined || active.superseded === 0) return;
    this.flushing = this.rewriteSegment(active)
      .catch((error: unknown) =>
        this.options.warn?.({ err: error }, 'could not rewrite the newest history segment'),
      )
      .then(() => this.flush());
    await this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      let segment = this.active as Segment; // append() refuses without one
      try {
        if (this.dirty) {
          await segment.handle.truncate(segment.size);
          this.dirty = false;
        }
        if (this.shouldRoll(segment)) segment = await this.roll();
        const bytes =
          batch.length === 1
            ? (batch[0] as Pending).record
            : Buffer.concat(batch.map((p) => p.record));
        this.dirty = true;
        const written = await this.io.write(segment.handle, bytes, segment.size);
        if (written !== bytes.length)
          throw Object.assign(new Error('short write: the disk is full'), { code: 'ENOSPC' });
        await this.io.datasync(segment.handle);
        this.dirty = false;
        let offset = segment.size;
        for (const p of batch) {
          // A replacement whose message retention dropped meanwhile is garbage at once.
          if (p.replaces)
            this.index.replace(p.conversation, p.message, segment, offset, p.record.length);
          else this.index.add(p.conversation, p.message, segment, offset, p.record.length);
          offset += p.record.length;
        }
        segment.size = offset;
        segment.records += batch.length;
        for (const p of batch) p.resolve();
      } catch (error) {
        // Nothing of this batch is acknowledged. The bytes it may have left
        // are cut now, or else before the next write.
        for (const p of batch) p.reject(error);
        await segment.handle
          .truncate(segment.size)
          .then(() => {
            this.dirty = false;
          })
          .catch(() => undefined);
      }
    }
    this.flushing = undefined;
  }

  private shouldRoll(segment: Segment): boolean {
    const limit = this.options.segmentBytes ?? SEGMENT_BYTES;
    const age = this.now() - segment.createdAt;
    return (
      segment.records > 0 &&
      (segment.size >= limit || age >= (this.options.rollAfterMs ?? ROLL_AFTER_MS))
    );
  }

  private async roll(): Promise<Segment> {
    const next = await createSegment(
      this.options.dir,
      this.keys,
      (this.active?.number ?? 0) + 1,
      this.now(),
    );
    this.segments.set(next.number, next);
    this.active = next;
    return next;
  }

  // The messages of these entries, in order: held ones from memory, the rest from their files.
  private async load(entries: Entry[]): Promise<StoredMessage[]> {
    const messages: (StoredMessage | undefined)[] = entries.map((e) => e.message);
    const bySegment = new Map<Segment, { at: number; offset: number; bytes: number }[]>();
    // Where each record is, taken now: compaction may move them while the reads run.
    for (const [at, entry] of entries.entries()) {
      if (entry.message !== undefined) continue;
      const list = bySegment.get(entry.segment) ?? [];
      list.push({ at, offset: entry.offset, bytes: entry.bytes });
      bySegment.set(entry.segment, list);
    }
    await Promise.all(
      [...bySegment].map(([segment, wanted]) =>
        segment.read(async (handle) => {
          const from = Math.min(...wanted.map((w) => w.offset));
          const to = Math.max(...wanted.map((w) => w.offset + w.bytes));
          if (to - from <= READ_SPAN_BYTES) {
            const span = await readAt(handle, from, to - from);
            for (const w of wanted) messages[w.at] = this.decode(span, w.offset - from);
          } else {
            for (const w of wanted)
              messages[w.at] = this.decode(await readAt(handle, w.offset, w.bytes), 0);
          }
        }),
      ),
    );
    return messages as StoredMessage[];
  }

  private decode(bytes: Buffer, offset: number): StoredMessage {
    const header = decodeRecordHeader(bytes, offset);
    const message =
      typeof header === 'object'
        ? openRecord(this.keys, bytes, offset, header)?.message
        : undefined;
    if (message === undefined)
      throw new Error('a stored record no longer opens: the history file was changed on disk');
    return message;
  }

  private async saveSequences(): Promise<void> {
    await writeAtomically(
      this.options.dir,
      SEQUENCE_FILE,
      sealSequences(this.keys, this.index.lastIds()),
    );
  }

  private async removeSegment(segment: Segment): Promise<void> {
    await unlink(segment.path);
    await syncDir(this.options.dir);
    this.segments.delete(segment.number);
    segment.retire();
  }

  // Copies the records still kept into a new file of the same number: they stay sealed as they are.
  private async rewriteSegment(segment: Segment): Promise<void> {
    const source = await segment.read((handle) => readAt(handle, 0, segment.size));
    const kept = [...segment.live].sort((a, b) => a.offset - b.offset);
    const parts = [headerFor(this.keys, segment.number)];
    const moved = new Map<Entry, number>();
    let at = HEADER_BYTES;
    for (const entry of kept) {
      parts.push(source.subarray(entry.offset, entry.offset + entry.bytes));
      moved.set(entry, at);
      at += entry.bytes;
    }
    const tmp = `${segment.path}.tmp`;
    await writeFile(tmp, Buffer.concat(parts), { mode: SECRET_MODE, flush: true });
    // Opened before the rename: a failure to open leaves the old file in use
    // (appends to the active segment must never go to a file renamed over).
    const handle = await open(tmp, segment === this.active ? 'r+' : 'r');
    try {
      await rename(tmp, segment.path);
    } catch (error) {
      await handle.close();
      throw error;
    }
    await syncDir(this.options.dir);
    const replacement = new Segment(
      segment.number,
      segment.path,
      handle,
      at,
      kept.length,
      segment.createdAt,
    );
    for (const [entry, offset] of moved) {
      // Dropped or replaced while the copy was made: its copy is garbage, and
      // may hold a text that must go, so the new file is rewritten again.
      if (!segment.live.has(entry)) {
        replacement.superseded += 1;
        continue;
      }
      entry.offset = offset;
      entry.segment = replacement;
      replacement.live.add(entry);
    }
    this.segments.set(segment.number, replacement);
    if (this.active === segment) {
      this.active = replacement;
      this.dirty = false; // what a failed write left past the end was not copied
    }
    segment.retire();
  }
}

// The file whole or not at all: a .tmp (removed by the next start if left) renamed over it.
async function writeAtomically(dir: string, name: string, bytes: Buffer): Promise<void> {
  const path = join(dir, name);
  await writeFile(`${path}.tmp`, bytes, { mode: SECRET_MODE, flush: true });
  await rename(`${path}.tmp`, path);
  await syncDir(dir);
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const bytes = Buffer.alloc(length);
  const { bytesRead } = await handle.read(bytes, 0, length, position);
  if (bytesRead !== length) throw new Error('a history file is shorter than its index says');
  return bytes;
}
