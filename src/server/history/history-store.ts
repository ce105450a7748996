import type { StoredMessage } from '../../net/protocol/frames.ts';
import type { KeptState } from '../kept-state.ts';

/** A message kept with the ref its sender gave it. */
export interface SentRef {
  user: string;
  ref: string;
  conversation: string;
  id: number;
  ts: number;
}

/**
 * Where messages are kept. The server appends each conversation's messages
 * in id order, one after the other, and acknowledges a message only once its
 * append has resolved. Conversations are keyed as in conversations.ts.
 */
export interface HistoryStore {
  /**
   * Keeps a message; resolves once it is kept (durably, for a store on disk).
   * Appends are kept in the order they are made, and the server makes the
   * next before the last has resolved.
   */
  append(conversation: string, message: StoredMessage, ref?: string): Promise<void>;
  /**
   * Names this history for the protocol's resume (welcome.epoch): a client's
   * ids from another epoch mean nothing here. Stable while the history lives.
   */
  readonly epoch: string;
  /**
   * The newest sends kept, with the refs their senders gave them, at most
   * `perUser` per user: a resend after a restart then finds its original.
   */
  recentRefs(perUser: number): Promise<SentRef[]>;
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
  /**
   * Keeps `message` in place of the kept message of its id (an edit or a
   * deletion), in order with the conversation's appends; resolves once kept.
   * A deleted message's old text leaves the store at the next compaction
   * and is never served again. Rejects when no message of that id is kept.
   */
  replace(conversation: string, message: StoredMessage): Promise<void>;
  /** The newest id of every conversation kept, to continue the sequences after a restart. */
  lastIds(): Promise<Map<string, number>>;
  /** The server's state as last written (topics, users' rooms and reads); empty when none was. */
  readState(): Promise<KeptState>;
  /**
   * Keeps the server's state in place of the last one, whole or not at all
   * (a crash mid-write leaves the previous one). The server calls it at most
   * once a second and once at close, never twice at once.
   */
  writeState(state: KeptState): Promise<void>;
  close(): Promise<void>;
}

/** The reads of a HistoryStore: what a replay or a history answer needs. */
export type HistoryReader = Pick<HistoryStore, 'since' | 'before'>;
