import type { UnreadEntry } from './protocol/frames.ts';

/**
 * The user's read position per conversation (#room or @peer), as far as
 * this client knows it: what the server said (`unread`, `read`), what this
 * client sent, and the user's own messages (sending one moves the position
 * to it on the server). Only a position above it is worth a `read` frame.
 * Pure: no socket, no clock.
 */
export class ReadPositions {
  private readonly known = new Map<string, number>();

  /** The server's positions, right after a welcome: they replace what was known. */
  reset(entries: readonly UnreadEntry[]): void {
    this.known.clear();
    for (const entry of entries) this.known.set(entry.room, entry.read);
  }

  /** Forgets every position (a new connection: its `unread` frame tells them again). */
  clear(): void {
    this.known.clear();
  }

  /** The position is at least `id` (a `read` frame, or an own message). */
  heard(conversation: string, id: number): void {
    if (id > (this.known.get(conversation) ?? 0)) this.known.set(conversation, id);
  }

  /** True when `id` moves the position: it is then taken as known (the caller sends it). */
  advance(conversation: string, id: number): boolean {
    if (id <= (this.known.get(conversation) ?? 0)) return false;
    this.known.set(conversation, id);
    return true;
  }
}
