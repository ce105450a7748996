import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { conversationOf } from '../conversations.ts';
import type { HistoryKeys } from './history-keys.ts';
import { compareEventIds, type HeardEvent, type StoreFeed } from './history-store.ts';
import { openRecord } from './record-seal.ts';
import { openJson, sealJson } from './sealed-json.ts';
import { decodeRecordHeader } from './segment-format.ts';

const NODE_MAGIC = Buffer.from('CHATNOD1', 'latin1');
const CONTROL_MAGIC = Buffer.from('CHATCTL1', 'latin1');
const EVENT_MAGIC = Buffer.from('CHATEVT1', 'latin1');

/**
 * How many of the cluster's events (chat:events) Redis keeps, about: a node
 * that was down for fewer catches up from them, one down longer starts from
 * the kept state of the node that heard the most (RedisHistory.readState).
 */
export const EVENTS_KEPT = 100_000;

// KEYS: the events Stream. ARGV: the sealed event, the channel, 'e' and this
// process's name, EVENTS_KEPT. Kept and told in one step, so the feed tells
// the events in the Stream's order, each with its id.
const RECORD_LUA = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'n', ARGV[3], 'e', ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3] .. id .. ' ' .. ARGV[1])
return id
`;

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

  constructor(private readonly target: FeedTarget) {
    target.redis.defineCommand('chatRecord', { numberOfKeys: 1, lua: RECORD_LUA });
  }

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
    // From the loss on, what the feed brings may come after a gap: said at once,
    // before the feed can be back, so nothing heard is done before the gap is read.
    feed.on('close', () => {
      if (subscribed) handlers.interrupted();
    });
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
      if (kind === 'e') {
        const space = record.indexOf(0x20);
        if (space < 0) return;
        const id = record.subarray(0, space).toString('latin1');
        const ours = node === this.target.node;
        const value = ours ? undefined : this.openEvent(record.subarray(space + 1));
        handlers.event({ id, value, ours });
        return;
      }
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

  /**
   * Keeps one of the cluster's events (chat:events, about EVENTS_KEPT of
   * them) and tells every node of it, in one step.
   */
  async record(value: unknown): Promise<void> {
    const sealed = sealJson(this.target.keys, EVENT_MAGIC, value);
    await (this.target.redis as Redis & RecordCommand).chatRecord(
      this.target.key('events'),
      sealed,
      this.target.channel,
      `e${this.target.node}`,
      EVENTS_KEPT,
    );
  }

  /**
   * The cluster's events after `after` (from the first kept when undefined),
   * oldest first, at most `count`; `lost` when Redis let go of events after
   * `after` (they were more than EVENTS_KEPT).
   */
  async eventsSince(
    after: string | undefined,
    count: number,
  ): Promise<{ events: HeardEvent[]; lost: boolean }> {
    const key = this.target.key('events');
    const entries = await this.target.redis.xrangeBuffer(
      key,
      after === undefined ? '-' : `(${after}`,
      '+',
      'COUNT',
      count,
    );
    const events = entries.map(([id, fields]) => {
      const at = (name: string) => fields.findIndex((f, i) => i % 2 === 0 && f.toString() === name);
      const node = fields[at('n') + 1]?.toString('latin1') ?? '';
      const sealed = fields[at('e') + 1] ?? Buffer.alloc(0);
      const ours = node === `e${this.target.node}`;
      return { id: id.toString('latin1'), value: ours ? undefined : this.openEvent(sealed), ours };
    });
    return { events, lost: await this.eventsLost(after) };
  }

  /** True when Redis let go of events after `after` (all of them, when undefined). */
  async eventsLost(after: string | undefined): Promise<boolean> {
    const info = (await this.target.redis
      .xinfo('STREAM', this.target.key('events'))
      .catch(() => [])) as unknown[];
    const at = info.indexOf('max-deleted-entry-id');
    const deleted = at < 0 ? '0-0' : String(info[at + 1]);
    if (deleted === '0-0') return false;
    return after === undefined || compareEventIds(after, deleted) < 0;
  }

  private openEvent(sealed: Buffer): unknown {
    const value = openJson(this.target.keys, EVENT_MAGIC, sealed);
    if (value === undefined)
      this.target.warn({}, 'cluster: an event on Redis does not open with this key');
    return value;
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

interface RecordCommand {
  chatRecord(
    stream: string,
    sealed: Buffer,
    channel: string,
    node: string,
    kept: number,
  ): Promise<string>;
}
