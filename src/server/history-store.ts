import type { StoredMessage } from '../net/protocol/frames.ts';

/**
 * Where messages are kept. The server appends each conversation's messages
 * in id order, one after the other, and acknowledges a message only once its
 * append has resolved. Conversations are keyed as in conversations.ts.
 */
export interface HistoryStore {
  /** Keeps a message; resolves once it is kept (durably, for a store on disk). */
  append(conversation: string, message: StoredMessage): Promise<void>;
  /**
   * Messages with an id above `afterId`, oldest first, at most `limit`;
   * `gap` is true when some of those are no longer kept.
   */
  since(
    conversation: string,
    afterId: number,
    limit: number,
  ): Promise<{ messages: StoredMessage[]; gap: boolean }>;
  /**
   * The newest messages with an id below `before` (all, when undefined),
   * oldest first, at most `limit`; `more` is true when older ones are kept.
   */
  before(
    conversation: string,
    before: number | undefined,
    limit: number,
  ): Promise<{ messages: StoredMessage[]; more: boolean }>;
  /** The newest id of every conversation kept, to continue the sequences after a restart. */
  lastIds(): Promise<Map<string, number>>;
  close(): Promise<void>;
}
