import type { FileHandle } from 'node:fs/promises';
import type { StoredMessage } from '../../net/protocol/frames.ts';

/** Where one kept message is, and the message itself while it is among the newest. */
export interface Entry {
  id: number;
  ts: number;
  segment: Segment;
  offset: number;
  bytes: number;
  message: StoredMessage | undefined;
}

/**
 * One segment file as the store holds it open. Readers count themselves in
 * and out, so a segment that compaction replaces or removes closes its file
 * only once the reads begun on it are done.
 */
export class Segment {
  /** Bytes of the file that hold committed records (the header included). */
  size: number;
  /** Records in the file, kept or not. */
  records: number;
  /** The index entries that still point here. */
  readonly live = new Set<Entry>();
  /**
   * Records here that a newer version of their message (an edit, a
   * deletion) replaced: their old text must leave the file, so compaction
   * rewrites a segment that has any.
   */
  superseded = 0;
  private readers = 0;
  private retired = false;

  constructor(
    readonly number: number,
    readonly path: string,
    readonly handle: FileHandle,
    size: number,
    records: number,
    /** When the segment was begun (ms), so a quiet one is still rolled after a day. */
    readonly createdAt: number,
  ) {
    this.size = size;
    this.records = records;
  }

  /** Runs a read on this segment's file, keeping it open meanwhile. */
  async read<T>(work: (handle: FileHandle) => Promise<T>): Promise<T> {
    this.readers += 1;
    try {
      return await work(this.handle);
    } finally {
      this.readers -= 1;
      if (this.retired && this.readers === 0) void this.handle.close().catch(() => undefined);
    }
  }

  /** No new reads start here; the file closes when the last one ends. */
  retire(): void {
    this.retired = true;
    if (this.readers === 0) void this.handle.close().catch(() => undefined);
  }
}
