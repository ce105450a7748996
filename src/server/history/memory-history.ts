import { randomBytes } from 'node:crypto';
import type { StoredMessage } from '../../net/protocol/frames.ts';
import { emptyKeptState, type KeptState } from '../kept-state.ts';
import type { HistoryStore, SentRef } from './history-store.ts';

/**
 * A history store in memory: the newest `keep` messages of each
 * conversation, gone when the server stops. Ids within a conversation are
 * consecutive, so lookups are index arithmetic, not searches.
 */
export class MemoryHistory implements HistoryStore {
  private readonly conversations = new Map<string, StoredMessage[]>();
  private state: KeptState = emptyKeptState();
  /** Memory dies with the process, and so does what the ids meant. */
  readonly epoch = randomBytes(6).toString('hex');

  /** `keep`: messages kept per conversation. */
  constructor(private readonly keep: number) {}

  async append(conversation: string, message: StoredMessage): Promise<void> {
    let list = this.conversations.get(conversation);
    if (!list) {
      list = [];
      this.conversations.set(conversation, list);
    }
    list.push(message);
    // Trim in batches so a full conversation does not shift the array on every append.
    if (list.length > this.keep + Math.max(16, this.keep >> 4))
      list.splice(0, list.length - this.keep);
  }

  async since(conversation: string, afterId: number, limit: number) {
    const list = this.visible(conversation);
    const first = list[0]?.id;
    if (first === undefined) return { messages: [], gap: false };
    const start = Math.max(0, afterId + 1 - first);
    return { messages: list.slice(start, start + limit), gap: afterId + 1 < first };
  }

  async before(conversation: string, before: number | undefined, limit: number) {
    const list = this.visible(conversation);
    const first = list[0]?.id;
    if (first === undefined) return { messages: [], more: false };
    const end =
      before === undefined ? list.length : Math.max(0, Math.min(list.length, before - first));
    const start = Math.max(0, end - limit);
    return { messages: list.slice(start, end), more: start > 0 };
  }

  async replace(conversation: string, message: StoredMessage): Promise<void> {
    const list = this.conversations.get(conversation);
    const first = list?.[0]?.id;
    const at = first === undefined ? -1 : message.id - first;
    if (!list || at < 0 || list[at]?.id !== message.id)
      throw new Error(`no message ${message.id} is kept in ${conversation}`);
    list[at] = message;
  }

  async lastIds(): Promise<Map<string, number>> {
    const ids = new Map<string, number>();
    for (const [conversation, list] of this.conversations) {
      const last = list.at(-1);
      if (last) ids.set(conversation, last.id);
    }
    return ids;
  }

  /** None: a server that restarts has none of the messages either. */
  async recentRefs(): Promise<SentRef[]> {
    return [];
  }

  async readState(): Promise<KeptState> {
    return structuredClone(this.state);
  }

  async writeState(state: KeptState): Promise<void> {
    this.state = structuredClone(state);
  }

  async close(): Promise<void> {}

  // The newest `keep`, whatever batch trimming has left behind.
  private visible(conversation: string): StoredMessage[] {
    const list = this.conversations.get(conversation) ?? [];
    return list.length > this.keep ? list.slice(list.length - this.keep) : list;
  }
}
