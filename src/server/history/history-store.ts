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
 * What an append kept, from a store that settles ids itself (several nodes
 * on one Redis): the message as kept, its id possibly moved past ids other
 * nodes took meanwhile, or, when the sender's ref was kept already (a
 * resend through another node), the original's id and time.
 */
export type AppendOutcome =
  | { kind: 'kept'; message: StoredMessage }
  | { kind: 'duplicate'; id: number; ts: number };

/**
 * Where messages are kept. The server appends each conversation's messages
 * in id order, one after the other, and acknowledges a message only once its
 * append has resolved. Conversations are keyed as in conversations.ts.
 */
export interface HistoryStore {
  /**
   * Keeps a message; resolves once it is kept (durably, for a store on disk).
   * Appends are kept in the order they are made, and the server makes the
   * next before the last has resolved. A store shared by several nodes
   * answers with what it kept (see AppendOutcome); others with nothing,
   * the message kept as given.
   */
  append(
    conversation: string,
    message: StoredMessage,
    ref?: string,
    // biome-ignore lint/suspicious/noConfusingVoidType: a store that keeps the message as given (disk, memory) resolves with nothing, as Promise<void>
  ): Promise<AppendOutcome | undefined | void>;
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
  /**
   * A store several nodes share: hears every record kept or replaced through
   * any node (this one's too), each conversation's in id order; resolves
   * once listening. Absent from a store only one process uses.
   */
  follow?(feed: StoreFeed): Promise<void>;
  /** A shared store: tells the other nodes what this one holds, kept for `ttlMs`. */
  announce?(snapshot: unknown, ttlMs: number): Promise<void>;
  /** A shared store: what every other node last announced and has not expired, by node. */
  roster?(): Promise<Map<string, unknown>>;
  /** A shared store: this node stops. */
  leave?(): Promise<void>;
  /** A shared store: tells every other node `value` (sealed), heard as StoreFeed.control. */
  broadcast?(value: unknown): Promise<void>;
  /**
   * A shared store: keeps `value` (sealed) among the cluster's events and
   * tells every node, heard as StoreFeed.event with its id.
   */
  record?(value: unknown): Promise<void>;
  /**
   * A shared store: the events kept after `after` (the first kept, when
   * undefined), oldest first, at most `count`; `lost` when some after it
   * are no longer kept.
   */
  eventsSince?(
    after: string | undefined,
    count: number,
  ): Promise<{ events: HeardEvent[]; lost: boolean }>;
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

/** One of the cluster's events as the store keeps it (see HistoryStore.record). */
export interface HeardEvent {
  /** Its place in the cluster's order (a Redis Stream id, `ms-seq`). */
  id: string;
  /** What was recorded; undefined when it does not open with this key, or is ours. */
  value: unknown;
  /** Recorded by this process: done here already. */
  ours: boolean;
}

/** Orders two events' ids (`ms-seq`): negative when `a` is older. */
export function compareEventIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  if (am !== bm) return am < bm ? -1 : 1;
  return as === bs ? 0 : as < bs ? -1 : 1;
}

/** What a node is told by a store several nodes share (see HistoryStore.follow). */
export interface StoreFeed {
  kept: (conversation: string, message: StoredMessage) => void;
  /** `ours`: the change was made through this node, which has sent its update already. */
  replaced: (conversation: string, message: StoredMessage, ours: boolean) => void;
  /** The feed was lost: what was kept from now until `reconnected` may not be heard. */
  interrupted: () => void;
  /** The feed was lost and is back: what was kept meanwhile was not heard. */
  reconnected: () => void;
  /** Another node said this (see HistoryStore.broadcast). */
  control: (value: unknown) => void;
  /** A node recorded this event (see HistoryStore.record), this one too. */
  event: (event: HeardEvent) => void;
  /** Another node said what it holds (`snapshot`, as it announced it), or that it stopped (undefined). */
  announced: (node: string, snapshot: unknown) => void;
}

/** The reads of a HistoryStore: what a replay or a history answer needs. */
export type HistoryReader = Pick<HistoryStore, 'since' | 'before'>;
