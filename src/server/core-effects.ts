import type { ErrorCode } from '../net/protocol/error-codes.ts';
import type { ServerFrame, ServerFrameOf, StoredMessage } from '../net/protocol/frames.ts';
import type { ClusterEvent } from './cluster-events.ts';
import type { UnreadQuery } from './unread-query.ts';

/** A connection's number, given by the I/O layer. */
export type ConnId = number;

/** What the core asks the I/O layer to do. The core itself never touches a socket or a store. */
export type Effect =
  /** Send one frame to these connections (serialized once for all of them). */
  | { kind: 'frames'; to: readonly ConnId[]; frame: ServerFrame }
  /** Store a new message, then deliver it to the conversation's members in id order and ack it. */
  | {
      kind: 'message';
      conversation: string;
      message: StoredMessage;
      ack: { conn: ConnId; ref: string };
      /** The sender's read position moved to the message: told to their connections after the ack. */
      read: { to: readonly ConnId[]; frame: ServerFrameOf<'read'> };
    }
  /** A resent message already stored: ack it again once its conversation's earlier appends are done. */
  | { kind: 'reack'; conversation: string; conn: ConnId; ref: string; id: number; ts: number }
  /** Send this connection what it missed in a conversation since `afterId`. */
  | { kind: 'replay'; conn: ConnId; conversation: string; afterId: number }
  /** Answer a history request (`name` as the client wrote it: #room or @user). */
  | {
      kind: 'history';
      conn: ConnId;
      conversation: string;
      name: string;
      before: number | undefined;
      limit: number;
      ref: string | undefined;
    }
  /**
   * Answer a search: read `conversations` (store keys) newest first for
   * messages holding every one of `words` (folded as search-words.ts does).
   */
  | {
      kind: 'search';
      conn: ConnId;
      ref: string;
      words: string[];
      conversations: string[];
      limit: number;
    }
  /**
   * Right after a welcome: tell the connection what is unread (read from the
   * store), then send the backlog it asked for; replays wait for both.
   */
  | { kind: 'unread'; conn: ConnId; query: UnreadQuery }
  /**
   * Edit or delete a kept message: in the conversation's append order, read
   * message `id`, check it may be changed (amend-rules.ts: the author, or for
   * a deletion an operator of its room when `operator`), keep it changed,
   * ack `ref`, then send `update` to the conversation's connections.
   */
  | {
      kind: 'amend';
      conn: ConnId;
      ref: string;
      conversation: string;
      /** As the client wrote it: #room or @user. */
      name: string;
      id: number;
      by: string;
      change: { text: string } | { delete: true };
      /** True when `by` operates the room (room operator or server operator). */
      operator: boolean;
    }
  /** Done here, for the other nodes of a cluster to do too (nothing on a server alone). */
  | { kind: 'replicate'; event: ClusterEvent }
  /** A line for the server's log (moderation acts): info level, these fields. */
  | { kind: 'log'; message: string; fields: Record<string, unknown> }
  /** What the server keeps across restarts changed: save it (coalesced). */
  | { kind: 'persist' }
  /** Tell the connection why, then close it. */
  | { kind: 'close'; conn: ConnId; code: ErrorCode; message: string };

/** The kept state changed. */
export const PERSIST: Effect = { kind: 'persist' };

/** An error frame to one connection; the connection stays. */
export function errorEffect(conn: ConnId, code: ErrorCode, message: string, ref?: string): Effect {
  return {
    kind: 'frames',
    to: [conn],
    frame: { type: 'error', code, message, ...(ref ? { ref } : {}) },
  };
}

/** A fatal error to one connection, then its close. */
export function closeEffect(conn: ConnId, code: ErrorCode, message: string): Effect {
  return { kind: 'close', conn, code, message };
}
