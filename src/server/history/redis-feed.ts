import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { conversationOf } from '../conversations.ts';
import type { HistoryKeys } from './history-keys.ts';
import type { StoreFeed } from './history-store.ts';
import { openRecord } from './record-seal.ts';
import { openJson, sealJson } from './sealed-json.ts';
import { decodeRecordHeader } from './segment-format.ts';

const NODE_MAGIC = Buffer.from('CHATNOD1', 'latin1');
const CONTROL_MAGIC = Buffer.from('CHATCTL1', 'latin1');

/** Length of a node's name in what it publishes (hex characters). */
const NODE_BYTES = 16;

/** A fresh name for this process, as it signs what it publishes. */
export function newNodeName(): string {
  return randomBytes(NODE_BYTES / 2).toString('hex');
}

/** What a RedisFeed talks through: the store's connection, keys and names. */
export interface FeedTarget {
  redis: Redis;
  keys: HistoryKeys;
  key: (kind: string, tag?: string) => string;
  channel: string;
  node: string;
  warn: (fields: Record<string, unknown>, message: string) => void;
}

/**
 * How the nodes on one Redis hear each other (chat:feed): each record kept
 * or replaced, each node's sealed announcement of what it holds and its
 * leaving, and sealed control messages; heard on a connection of its own.
 */
export class RedisFeed {
  private connection: Redis | undefined;

  constructor(private readonly target: FeedTarget) {}

  /**
   * Hears every record any node keeps or replaces on this Redis, in the
   * order kept (each conversation's in id order), on a connection of its
   * own; `onReconnect` runs when that connection is back after a loss
   * (what was published meanwhile was not heard: read it from the Streams).
   * Resolves once subscribed.
   */
  async follow(handlers: StoreFeed): Promise<void> {
    const feed = this.target.redis.duplicate();
    this.connection = feed;
    feed.on('error', () => {
      // Said once by the main connection's handler; this one reconnects by itself.
    });
    let subscribed = false;
    // What was kept meanwhile is read through the main connection: once both are back.
    feed.on('ready', () => {
      if (!subscribed) return;
      if (this.target.redis.status === 'ready') handlers.reconnected();
      else this.target.redis.once('ready', () => handlers.reconnected());
    });
    feed.on('messageBuffer', (_channel: Buffer, payload: Buffer) => {
      const kind = payload.subarray(0, 1).toString('latin1');
      const node = payload.subarray(1, 1 + NODE_BYTES).toString('latin1');
      const record = payload.subarray(1 + NODE_BYTES);
      if (kind === 'c') {
        if (node === this.target.node) return;
        const value = openJson(this.target.keys, CONTROL_MAGIC, record);
        if (value !== undefined) handlers.control(value);
        return;
      }
      if (kind === 'p' || kind === 'l') {
        if (node === this.target.node) return;
        const snapshot = kind === 'p' ? openJson(this.target.keys, NODE_MAGIC, record) : undefined;
        if (kind === 'p' && snapshot === undefined) return;
        handlers.announced(node, snapshot);
        return;
      }
      const header = decodeRecordHeader(record, 0);
      const sealed =
        typeof header === 'object' ? openRecord(this.target.keys, record, 0, header) : undefined;
      if (!sealed) {
        this.target.warn({}, 'history: a record published on Redis does not open with this key');
        return;
      }
      const conversation = conversationOf(sealed.message);
      if (kind === 'm') handlers.kept(conversation, sealed.message);
      else if (kind === 'u')
        handlers.replaced(conversation, sealed.message, node === this.target.node);
    });
    await feed.connect();
    await feed.subscribe(this.target.channel);
    subscribed = true;
  }

  /**
   * Tells the other nodes what this one holds (its users, connections, rate:
   * sealed, as everything here), kept for `ttlMs`: a node that stops saying
   * it is gone once that passes.
   */
  async announce(snapshot: unknown, ttlMs: number): Promise<void> {
    const sealed = sealJson(this.target.keys, NODE_MAGIC, snapshot);
    const results = await this.target.redis
      .multi()
      .set(this.target.key('node', this.target.node), sealed, 'PX', ttlMs)
      .publish(
        this.target.channel,
        Buffer.concat([Buffer.from(`p${this.target.node}`, 'latin1'), sealed]),
      )
      .exec();
    for (const [error] of results ?? []) if (error) throw error;
  }

  /** What every other node last announced and has not yet expired, by node. */
  async roster(): Promise<Map<string, unknown>> {
    const found = new Map<string, unknown>();
    const prefix = this.target.key('node', '');
    let cursor = '0';
    do {
      const [next, keys] = await this.target.redis.scan(
        cursor,
        'MATCH',
        `${prefix}*`,
        'COUNT',
        200,
      );
      cursor = next;
      for (const key of keys) {
        const node = key.slice(prefix.length);
        const bytes = node === this.target.node ? null : await this.target.redis.getBuffer(key);
        const snapshot = bytes === null ? undefined : openJson(this.target.keys, NODE_MAGIC, bytes);
        if (snapshot !== undefined) found.set(node, snapshot);
      }
    } while (cursor !== '0');
    return found;
  }

  async broadcast(value: unknown): Promise<void> {
    const sealed = sealJson(this.target.keys, CONTROL_MAGIC, value);
    await this.target.redis.publish(
      this.target.channel,
      Buffer.concat([Buffer.from(`c${this.target.node}`, 'latin1'), sealed]),
    );
  }

  /** This node stops: the others forget it now rather than when its announcement expires. */
  async leave(): Promise<void> {
    await this.target.redis
      .multi()
      .del(this.target.key('node', this.target.node))
      .publish(this.target.channel, `l${this.target.node}`)
      .exec();
  }

  /** Stops hearing (the store is closing). */
  close(): void {
    this.connection?.disconnect();
  }
}
