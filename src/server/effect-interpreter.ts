import type { Logger } from 'pino';
import type { ErrorCode } from '../net/protocol/error-codes.ts';
import type { StoredMessage } from '../net/protocol/frames.ts';
import { amend } from './amend-rules.ts';
import type { AppendChains } from './append-chains.ts';
import type { ByteBudget } from './byte-budget.ts';
import type { ChatCore } from './chat-core.ts';
import type { ClusterEvent } from './cluster-events.ts';
import { type Connection, toWire } from './connection.ts';
import type { ConnectionTable } from './connection-table.ts';
import type { Effect } from './core-effects.ts';
import type { FanOut } from './fan-out.ts';
import type { HistoryReader, HistoryStore } from './history/history-store.ts';
import { ReadPump } from './read-pump.ts';
import { RecentChanges } from './recent-changes.ts';

/**
 * What the interpreter keeps messages in and reads them back from: the
 * store half of the seam a shared broker plugs into (FanOut is the other).
 */
export type MessageStore = Pick<HistoryStore, 'append' | 'replace'> & HistoryReader;

/** What an EffectInterpreter is built from. */
export interface EffectInterpreterDeps {
  core: Pick<ChatCore, 'sentAs' | 'forgetRef' | 'settleSend' | 'recipients' | 'lastId'>;
  store: MessageStore;
  fanOut: FanOut;
  conns: Pick<ConnectionTable, 'get' | 'fail'>;
  chains: AppendChains;
  /** Bytes of replays and history pages queued and not yet written, server-wide. */
  readBudget: ByteBudget;
  /** The most bytes one stored message takes as a frame. */
  maxMessageBytes: number;
  /** Newest unread messages read per conversation for an `unread` frame (those held in memory). */
  unreadScanMessages: number;
  /** What the server keeps across restarts changed (a coalesced save follows). */
  persist: () => void;
  logger: Logger;
  /** A message was kept and is being delivered (for the stats). */
  onStored: () => void;
  /** What the other nodes of a cluster do too; absent on a server alone. */
  replicate?: (event: ClusterEvent) => void;
  /** The time in ms (edits and deletions are stamped with it); Date.now when not given. */
  now?: () => number;
}

type MessageEffect = Extract<Effect, { kind: 'message' }>;
type ReackEffect = Extract<Effect, { kind: 'reack' }>;
type AmendEffect = Extract<Effect, { kind: 'amend' }>;

/** Why a client is told `store_failed`: a send the store did not keep, or a replay it could not read. */
type StoreFailure = { kind: 'append'; ref: string } | { kind: 'replay' };

/** Frames sent to one connection, as the fan-out's seam sends them. */
type UpdateFrame = { type: 'update'; message: StoredMessage };

/**
 * Carries out what ChatCore returns: appends chained per conversation,
 * then delivery and the sender's ack in id order; resent messages acked
 * again; replays and history answers through each connection's ReadPump;
 * closes. It owns no socket: connections come from the table, and
 * everything stored or fanned out goes through the MessageStore and FanOut
 * seams.
 */
export class EffectInterpreter {
  private readonly pumps = new WeakMap<Connection, ReadPump>();
  /** The newest edits and deletions per conversation, for resumes. */
  private readonly changes = new RecentChanges();

  constructor(private readonly deps: EffectInterpreterDeps) {}

  apply(effects: Effect[]): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'frames':
          this.deps.fanOut.send(effect.to, effect.frame);
          break;
        case 'message':
          this.append(effect);
          break;
        case 'reack':
          this.reack(effect);
          break;
        case 'replay':
          this.pumpOf(effect.conn)?.replay(effect.conversation, effect.afterId, true);
          break;
        case 'history':
          this.pumpOf(effect.conn)?.history(effect);
          break;
        case 'search':
          this.pumpOf(effect.conn)?.search(effect);
          break;
        case 'unread':
          this.pumpOf(effect.conn)?.unread(effect.query);
          break;
        case 'amend':
          this.amend(effect);
          break;
        case 'replicate':
          this.deps.replicate?.(effect.event);
          break;
        case 'log':
          // Moderation acts: names, rooms and reasons, never a secret.
          this.deps.logger.info(effect.fields, effect.message);
          break;
        case 'persist':
          this.deps.persist();
          break;
        case 'close': {
          const conn = this.deps.conns.get(effect.conn);
          if (conn) this.deps.conns.fail(conn, effect.code, effect.message);
          break;
        }
      }
    }
  }

  /** The connection is gone: its reads stop. */
  forget(conn: Connection): void {
    this.pumps.get(conn)?.stop();
  }

  private append({ conversation, message, ack, read }: MessageEffect): void {
    // Begun now, in id order, so a store that syncs in batches takes many
    // messages per sync; delivery and the ack still wait in order.
    const stored = this.deps.store.append(conversation, message, ack.ref);
    stored.catch(() => {}); // handled in the chain, which may reach it later
    this.deps.chains.run(
      conversation,
      async () => {
        const outcome = (await stored) ?? undefined;
        const conn = () => this.deps.conns.get(ack.conn);
        if (outcome?.kind === 'duplicate') {
          // Kept already, through another node: the ack the client missed.
          const { id, ts } = outcome;
          this.deps.core.settleSend(message.from, ack.ref, conversation, id, ts);
          conn()?.send(toWire({ type: 'ack', ref: ack.ref, id, ts }));
          return;
        }
        const kept = outcome?.message ?? message;
        // Another node took the id meanwhile: the store kept it under the next free one.
        if (kept.id !== message.id)
          this.deps.core.settleSend(message.from, ack.ref, conversation, kept.id, kept.ts);
        this.deps.onStored();
        this.deps.fanOut.publish(conversation, kept);
        const { id, ts } = kept;
        conn()?.send(toWire({ type: 'ack', ref: ack.ref, id, ts }));
        this.deps.fanOut.send(read.to, { ...read.frame, id });
      },
      (error) => {
        this.logStoreError(error, conversation);
        this.deps.core.forgetRef(message.from, ack.ref);
        this.storeFailed(this.deps.conns.get(ack.conn), { kind: 'append', ref: ack.ref });
      },
    );
  }

  /**
   * An edit or deletion kept through another node (heard from the store's
   * feed): sent to this node's connections of the conversation, and
   * remembered for resumes, as one made here is.
   */
  replacedElsewhere(conversation: string, message: StoredMessage): void {
    this.changes.record(conversation, this.deps.core.lastId(conversation), message);
    this.sendUpdate(conversation, { type: 'update', message });
  }

  // Behind the conversation's earlier appends (the message's own among
  // them), so its update never overtakes it: read the message, apply the
  // rules, keep the change, then the ack and the update to every connection
  // of the conversation.
  private amend(effect: AmendEffect): void {
    const { conversation, conn: connId, ref, id } = effect;
    const error = (code: ErrorCode, message: string) =>
      this.deps.conns.get(connId)?.send(toWire({ type: 'error', code, message, ref }));
    this.deps.chains.run(
      conversation,
      async () => {
        const now = (this.deps.now ?? Date.now)();
        const found = (await this.deps.store.before(conversation, id + 1, 1)).messages[0];
        const outcome = amend({
          kept: found?.id === id ? found : undefined,
          id,
          by: effect.by,
          change: effect.change,
          operator: effect.operator,
          now,
        });
        if (outcome.kind === 'refused') {
          error(outcome.refusal.code, outcome.refusal.message);
          return;
        }
        if (outcome.kind === 'changed')
          await this.deps.store.replace(conversation, outcome.message);
        this.deps.conns.get(connId)?.send(toWire({ type: 'ack', ref, id, ts: now }));
        if (outcome.kind === 'unchanged') return;
        this.changes.record(conversation, this.deps.core.lastId(conversation), outcome.message);
        this.sendUpdate(conversation, { type: 'update', message: outcome.message });
      },
      (failure) => {
        this.deps.logger.error({ err: failure, conversation }, 'could not change a message');
        error('store_failed', 'the server could not store the change: try again');
      },
    );
  }

  // Serialized once for every connection of the conversation; after the
  // message itself reached them (with several nodes it may still wait in the gate).
  private sendUpdate(conversation: string, frame: UpdateFrame): void {
    const wire = toWire(frame);
    const send = () => {
      for (const connId of this.deps.core.recipients(conversation))
        this.deps.conns.get(connId)?.deliverUpdate(conversation, frame.message.id, wire);
    };
    if (this.deps.fanOut.afterDelivered)
      this.deps.fanOut.afterDelivered(conversation, frame.message.id, send);
    else send();
  }

  // Behind the conversation's earlier appends, the original's among them.
  private reack({ conversation, conn: connId, ref, id }: ReackEffect): void {
    this.deps.chains.run(
      conversation,
      async () => {
        const conn = this.deps.conns.get(connId);
        // The original's store may have failed meanwhile: then it was never kept.
        // It may have been kept under another id (settleSend): the ack names that one.
        const kept =
          conn?.user === undefined ? undefined : this.deps.core.sentAs(conn.user, ref, id);
        if (kept) conn?.send(toWire({ type: 'ack', ref, id: kept.id, ts: kept.ts }));
        else this.storeFailed(conn, { kind: 'append', ref });
      },
      (error) => this.logStoreError(error, conversation),
    );
  }

  // Every store_failed a client is told is built here. A replay that could
  // not be read ends the connection: the client resumes from its last id on
  // the next one, so nothing is skipped.
  private storeFailed(conn: Connection | undefined, failure: StoreFailure): void {
    if (!conn) return;
    if (failure.kind === 'replay') {
      this.deps.conns.fail(
        conn,
        'store_failed',
        'the server could not read what you missed: reconnecting tries again',
      );
      return;
    }
    conn.send(
      toWire({
        type: 'error',
        code: 'store_failed',
        message: 'the server could not store it: try again',
        ref: failure.ref,
      }),
    );
  }

  private logStoreError(error: unknown, conversation: string): void {
    this.deps.logger.error({ err: error, conversation }, 'could not store a message');
  }

  // Created on a connection's first replay or history read, dropped with it.
  private pumpOf(connId: number): ReadPump | undefined {
    const conn = this.deps.conns.get(connId);
    if (!conn) return undefined;
    let pump = this.pumps.get(conn);
    if (!pump) {
      pump = new ReadPump(conn, {
        store: this.deps.store,
        budget: this.deps.readBudget,
        maxMessageBytes: this.deps.maxMessageBytes,
        unreadScanMessages: this.deps.unreadScanMessages,
        changedSince: (conversation, afterId) => this.changes.since(conversation, afterId),
        mayRead: (conversation) => this.deps.core.recipients(conversation).includes(connId),
        onReadError: (error, conversation, fatal) => {
          this.deps.logger.error({ err: error, conversation }, 'could not read history');
          if (fatal) this.storeFailed(conn, { kind: 'replay' });
        },
      });
      this.pumps.set(conn, pump);
    }
    return pump;
  }
}
