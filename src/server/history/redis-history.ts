import { createHmac, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { ChatError } from '../../errors.ts';
import type { StoredMessage } from '../../net/protocol/frames.ts';
import { conversationOf } from '../conversations.ts';
import { emptyKeptState, type KeptState } from '../kept-state.ts';
import { AppendBatches, type Waiting } from './append-batches.ts';
import { type HistoryKeySource, resolveHistoryKeys } from './history-key-source.ts';
import { epochOf, type HistoryKeys, roomTagOf } from './history-keys.ts';
import type { AppendOutcome, HistoryStore, SentRef, StoreFeed } from './history-store.ts';
import { openRecord, sealRecord } from './record-seal.ts';
import { redisLabel } from './redis-label.ts';
import { openJson, sealJson } from './sealed-json.ts';
import {
  decodeHeader,
  decodeRecordHeader,
  encodeHeader,
  FORMAT_VERSION,
  type SegmentHeader,
} from './segment-format.ts';
import { openState, sealState } from './state-file.ts';

/** What `--redis-durability` accepts: `always` wants appendfsync always, `everysec` knowingly takes less. */
export type RedisDurability = 'always' | 'everysec';

export interface RedisHistoryOptions {
  /** `redis://HOST:PORT[/DB]` or `rediss://…` (TLS); no password in it. */
  url: string;
  /** The password (from `--redis-password-env`), never logged. */
  password?: string | undefined;
  key: HistoryKeySource;
  durability: RedisDurability;
  /** Days a message is kept (0: for ever); messages kept per conversation (0: all). */
  limits: { keepDays: number; keepMessages: number };
  warn: (fields: Record<string, unknown>, message: string) => void;
  /** Key prefix, so tests can share one Redis; `chat:` by default. */
  prefix?: string;
  /**
   * This node's stable name (host and port): the kept state (topics, reads,
   * remembered rooms, operators) is this node's, so nodes do not overwrite
   * each other's. Without it, one state for the store.
   */
  node?: string;
  /** The operator's tools: write nothing (no header is made for an empty Redis: it is refused). */
  readOnly?: boolean;
  /** Clock for --keep-days, in ms since the epoch. */
  now?: () => number;
}

/** How often --keep-days trims, in ms (and once at open). */
const KEEP_DAYS_EVERY_MS = 3600_000;
/** Entries read per XRANGE while scanning (count). */
const PAGE = 200;
/** Newest entries of one conversation read for its refs at start (count). */
const REFS_SCAN = 2_000;
/** A command Redis has not answered in this long rejects (ms): the send is told store_failed. */
const COMMAND_TIMEOUT_MS = 10_000;
const NAME_MAGIC = Buffer.from('CHATRNM1', 'latin1');
const NODE_MAGIC = Buffer.from('CHATNOD1', 'latin1');
const CONTROL_MAGIC = Buffer.from('CHATCTL1', 'latin1');
/** Records written per Lua call at most: one call, one fsync, for a burst. */
const MAX_BATCH = 64;
/** How long a batch may keep losing its ids to other nodes' before it fails (store_failed), in ms. */
const APPEND_DEADLINE_MS = 10_000;
/** How long a node told `behind` holds the next turn of a conversation, in ms (a node that died loses it). */
const CLAIM_MS = 500;
/** Longest wait before asking again while another node holds the turn, in ms. */
const MAX_TURN_WAIT_MS = 16;
/** How long a kept ref answers a resend as its original, in s (a day; a client resends within minutes). */
const REF_LIFETIME_S = 86_400;
/** Length of a node's name in what it publishes (hex characters). */
const NODE_BYTES = 16;

interface Pending {
  message: StoredMessage;
  ref: string | undefined;
}

/** A name Redis may see for `what`: keyed, so Redis learns nothing of it. */
function keyedTag(keys: HistoryKeys, what: string): string {
  return createHmac('sha256', keys.roomTag).update(what).digest().subarray(0, 16).toString('hex');
}

/**
 * The key a user's ref is kept under: Redis learns neither the user nor the
 * ref. Per conversation, as the core's refs are: a ref sent again to another
 * conversation is a new message there, not a resend.
 */
function refTagOf(keys: HistoryKeys, user: string, conversation: string, ref: string): string {
  return keyedTag(keys, `ref\u0000${user}\u0000${conversation}\u0000${ref}`);
}

// KEYS: stream, last ids, names, lowest kept ids, edits, the turn's claim,
// then one key per ref given. ARGV: tag, first id, sealed name, keep, ref
// lifetime (s), channel, node, count, then per record: its ref's key index
// (0: none), ts, record; last, the claim's lifetime (ms).
// A node told `behind` claims the next turn (when nobody holds it): the
// others are told `wait` until it has kept its batch or the claim lapsed,
// so a node that keeps winning cannot starve the others.
// A batch is kept whole or not at all. A ref kept already answers `dup`
// (a resend through another node); a first id that is not the next answers
// `behind` with the last, and the node seals again from there: ids stay
// dense and strictly rising across every node. Each record is published as
// it is kept, so every node hears a conversation's records in id order.
const APPEND_LUA = `
local n = tonumber(ARGV[8])
local claim = redis.call('GET', KEYS[6])
for i = 0, n - 1 do
  local k = tonumber(ARGV[9 + i * 3])
  if k > 0 then
    local seen = redis.call('GET', KEYS[k])
    if seen then
      if claim == ARGV[7] then redis.call('DEL', KEYS[6]) end
      return {'dup', i, seen}
    end
  end
end
local last = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if claim and claim ~= ARGV[7] then return {'wait', last} end
local first = tonumber(ARGV[2])
if first ~= last + 1 then
  if not claim then redis.call('SET', KEYS[6], ARGV[7], 'PX', ARGV[9 + n * 3]) end
  return {'behind', last}
end
for i = 0, n - 1 do
  local id = tostring(first + i)
  local record = ARGV[11 + i * 3]
  redis.call('XADD', KEYS[1], id .. '-0', 'r', record)
  local k = tonumber(ARGV[9 + i * 3])
  if k > 0 then redis.call('SET', KEYS[k], id .. ':' .. ARGV[10 + i * 3], 'EX', ARGV[5]) end
  redis.call('PUBLISH', ARGV[6], 'm' .. ARGV[7] .. record)
end
if claim then redis.call('DEL', KEYS[6]) end
redis.call('HSET', KEYS[2], ARGV[1], tostring(first + n - 1))
redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[3])
local keep = tonumber(ARGV[4])
if keep > 0 and redis.call('XLEN', KEYS[1]) > keep then
  redis.call('XTRIM', KEYS[1], 'MAXLEN', keep)
  local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1][1]
  local lo = tonumber(string.match(oldest, '^(%d+)'))
  redis.call('HSET', KEYS[4], ARGV[1], lo)
  for _, field in ipairs(redis.call('HKEYS', KEYS[5])) do
    if tonumber(field) < lo then redis.call('HDEL', KEYS[5], field) end
  end
end
return {'ok', last}
`;

// KEYS: stream, edits. ARGV: id, record, channel, node. The replacement
// goes to the edits hash and the original leaves the Stream: its ciphertext
// is gone from the data set. Every node hears it, to send the update.
const REPLACE_LUA = `
local entry = redis.call('XRANGE', KEYS[1], ARGV[1] .. '-0', ARGV[1] .. '-0')
if #entry == 0 and redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then
  return redis.error_reply('CHATMISSING no message ' .. ARGV[1] .. ' is kept')
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if #entry > 0 then redis.call('XDEL', KEYS[1], ARGV[1] .. '-0') end
redis.call('PUBLISH', ARGV[3], 'u' .. ARGV[4] .. ARGV[2])
return 1
`;

// KEYS: stream, lowest kept ids, edits. ARGV: tag, lowest id to keep (--keep-days).
const TRIM_LUA = `
local lo = tonumber(ARGV[2])
if lo <= tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') then return 0 end
redis.call('XTRIM', KEYS[1], 'MINID', ARGV[2] .. '-0')
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
for _, field in ipairs(redis.call('HKEYS', KEYS[3])) do
  if tonumber(field) < lo then redis.call('HDEL', KEYS[3], field) end
end
return 1
`;

interface ChatCommands {
  /** Keys and arguments as APPEND_LUA reads them, the key count first. */
  chatAppend(keyCount: number, ...keysAndArgs: Array<string | number | Buffer>): Promise<unknown>;
  chatReplace(
    stream: string,
    edits: string,
    id: number,
    record: Buffer,
    channel: string,
    node: string,
  ): Promise<number>;
  chatTrim(stream: string, lo: string, edits: string, tag: string, id: number): Promise<number>;
}

type ChatRedis = Redis & ChatCommands;

/**
 * A history store in Redis, for `chat serve --redis`: one Stream of sealed
 * records per conversation, named by the conversation's keyed tag; only
 * ciphertext, tags, ids and the store's salt reach Redis (docs/HISTORY-FORMAT.md).
 * The epoch comes from the salt kept there, so every node and restart on the
 * same Redis agrees. Commands fail at once while Redis is unreachable (no
 * offline queue, no retries): a send is told store_failed, never acked, and
 * the client reconnects by itself.
 */
export class RedisHistory implements HistoryStore {
  readonly epoch: string;
  private readonly timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly batches = new AppendBatches<Pending, AppendOutcome>(
    (conversation, batch) => this.writeBatch(conversation, batch),
    MAX_BATCH,
  );
  /** Per conversation, the newest id this node saw kept or refused as behind. */
  private readonly floors = new Map<string, number>();
  /** This process, in what it publishes: its own updates are not sent twice. */
  private readonly node = randomBytes(NODE_BYTES / 2).toString('hex');
  private readonly channel: string;
  private feed: Redis | undefined;

  private constructor(
    private readonly redis: ChatRedis,
    private readonly keys: HistoryKeys,
    private readonly options: RedisHistoryOptions,
    private readonly prefix: string,
  ) {
    this.epoch = epochOf(keys);
    this.channel = `${prefix}feed`;
    if (options.limits.keepDays > 0) {
      this.timer = setInterval(() => {
        this.trimOld().catch((error: unknown) =>
          options.warn({ err: error }, 'history: --keep-days could not trim Redis; will retry'),
        );
      }, KEEP_DAYS_EVERY_MS);
      this.timer.unref();
    }
  }

  /**
   * Connects, checks Redis keeps what it acknowledges (appendonly yes and
   * appendfsync always, unless `durability` is everysec), finds or makes
   * the store's header (salt, key check), and applies --keep-days once.
   * Throws a ChatError (one line and a fix) when any of that fails.
   */
  static async open(options: RedisHistoryOptions): Promise<RedisHistory> {
    const label = redisLabel(options.url);
    const redis = new Redis(options.url, {
      password: options.password,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: COMMAND_TIMEOUT_MS,
    }) as ChatRedis;
    let down = false;
    // connect() rejects with "Connection is closed"; the reason (refused, NOAUTH) came as an error event.
    let lastError: Error | undefined;
    const lost = (why: string) => {
      if (down) return;
      down = true;
      options.warn({ redis: label, err: why }, 'history: Redis is unreachable');
    };
    redis.on('error', (error: Error) => {
      lastError = error;
      lost(error.message);
    });
    // A Redis killed and back within the first retry never makes an error event.
    redis.on('reconnecting', () => lost('the connection was lost'));
    redis.on('ready', () => {
      if (!down) return;
      down = false;
      options.warn({ redis: label }, 'history: Redis is back');
    });
    redis.defineCommand('chatAppend', { lua: APPEND_LUA });
    redis.defineCommand('chatReplace', { numberOfKeys: 2, lua: REPLACE_LUA });
    redis.defineCommand('chatTrim', { numberOfKeys: 3, lua: TRIM_LUA });
    try {
      try {
        await redis.connect();
      } catch (error) {
        const reason = lastError ?? error;
        const why = reason instanceof Error ? `: ${reason.message.split('\n')[0]}` : '';
        throw new ChatError('REDIS_UNAVAILABLE', `cannot reach Redis at ${label}${why}`, {
          hint: 'start Redis or fix --redis (and --redis-password-env), then run it again',
          cause: error,
        });
      }
      if (options.readOnly !== true) await checkDurability(redis, label, options);
      const prefix = options.prefix ?? 'chat:';
      const keys = await storeKeys(redis, prefix, options.key, label, options.readOnly === true);
      const store = new RedisHistory(redis, keys, options, prefix);
      if (options.limits.keepDays > 0) await store.trimOld();
      return store;
    } catch (error) {
      redis.disconnect();
      throw error;
    }
  }

  append(conversation: string, message: StoredMessage, ref?: string): Promise<AppendOutcome> {
    return this.batches.add(conversation, { message, ref });
  }

  async replace(conversation: string, message: StoredMessage): Promise<void> {
    const tag = this.tag(conversation);
    await this.redis.chatReplace(
      this.key('s', tag),
      this.key('x', tag),
      message.id,
      sealRecord(this.keys, message),
      this.channel,
      this.node,
    );
  }

  /**
   * Hears every record any node keeps or replaces on this Redis, in the
   * order kept (each conversation's in id order), on a connection of its
   * own; `onReconnect` runs when that connection is back after a loss
   * (what was published meanwhile was not heard: read it from the Streams).
   * Resolves once subscribed.
   */
  async follow(handlers: StoreFeed): Promise<void> {
    const feed = this.redis.duplicate();
    this.feed = feed;
    feed.on('error', () => {
      // Said once by the main connection's handler; this one reconnects by itself.
    });
    let subscribed = false;
    // What was kept meanwhile is read through the main connection: once both are back.
    feed.on('ready', () => {
      if (!subscribed) return;
      if (this.redis.status === 'ready') handlers.reconnected();
      else this.redis.once('ready', () => handlers.reconnected());
    });
    feed.on('messageBuffer', (_channel: Buffer, payload: Buffer) => {
      const kind = payload.subarray(0, 1).toString('latin1');
      const node = payload.subarray(1, 1 + NODE_BYTES).toString('latin1');
      const record = payload.subarray(1 + NODE_BYTES);
      if (kind === 'c') {
        if (node === this.node) return;
        const value = openJson(this.keys, CONTROL_MAGIC, record);
        if (value !== undefined) handlers.control(value);
        return;
      }
      if (kind === 'p' || kind === 'l') {
        if (node === this.node) return;
        const snapshot = kind === 'p' ? openJson(this.keys, NODE_MAGIC, record) : undefined;
        if (kind === 'p' && snapshot === undefined) return;
        handlers.announced(node, snapshot);
        return;
      }
      const header = decodeRecordHeader(record, 0);
      const sealed =
        typeof header === 'object' ? openRecord(this.keys, record, 0, header) : undefined;
      if (!sealed) {
        this.options.warn({}, 'history: a record published on Redis does not open with this key');
        return;
      }
      const conversation = conversationOf(sealed.message);
      if (kind === 'm') handlers.kept(conversation, sealed.message);
      else if (kind === 'u') handlers.replaced(conversation, sealed.message, node === this.node);
    });
    await feed.connect();
    await feed.subscribe(this.channel);
    subscribed = true;
  }

  /**
   * Tells the other nodes what this one holds (its users, connections, rate:
   * sealed, as everything here), kept for `ttlMs`: a node that stops saying
   * it is gone once that passes.
   */
  async announce(snapshot: unknown, ttlMs: number): Promise<void> {
    const sealed = sealJson(this.keys, NODE_MAGIC, snapshot);
    const results = await this.redis
      .multi()
      .set(this.key('node', this.node), sealed, 'PX', ttlMs)
      .publish(this.channel, Buffer.concat([Buffer.from(`p${this.node}`, 'latin1'), sealed]))
      .exec();
    for (const [error] of results ?? []) if (error) throw error;
  }

  /** What every other node last announced and has not yet expired, by node. */
  async roster(): Promise<Map<string, unknown>> {
    const found = new Map<string, unknown>();
    const prefix = this.key('node', '');
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 200);
      cursor = next;
      for (const key of keys) {
        const node = key.slice(prefix.length);
        const bytes = node === this.node ? null : await this.redis.getBuffer(key);
        const snapshot = bytes === null ? undefined : openJson(this.keys, NODE_MAGIC, bytes);
        if (snapshot !== undefined) found.set(node, snapshot);
      }
    } while (cursor !== '0');
    return found;
  }

  async broadcast(value: unknown): Promise<void> {
    const sealed = sealJson(this.keys, CONTROL_MAGIC, value);
    await this.redis.publish(
      this.channel,
      Buffer.concat([Buffer.from(`c${this.node}`, 'latin1'), sealed]),
    );
  }

  /** This node stops: the others forget it now rather than when its announcement expires. */
  async leave(): Promise<void> {
    await this.redis
      .multi()
      .del(this.key('node', this.node))
      .publish(this.channel, `l${this.node}`)
      .exec();
  }

  // One batch of a conversation, sealed from the id the store expects next:
  // renumbered and sealed again when another node took ids meanwhile, a
  // resend already kept answered as its original, all of it failed when
  // Redis does not answer.
  private async writeBatch(
    conversation: string,
    batch: Array<Waiting<Pending, AppendOutcome>>,
  ): Promise<void> {
    const tag = this.tag(conversation);
    const deadline = Date.now() + APPEND_DEADLINE_MS;
    let waiting = batch;
    for (let waits = 0; waiting.length > 0; ) {
      const floor = this.floors.get(conversation);
      const first = floor === undefined ? (waiting[0]?.item.message.id ?? 1) : floor + 1;
      const messages = waiting.map(({ item }, i) =>
        item.message.id === first + i ? item.message : { ...item.message, id: first + i },
      );
      let reply: unknown;
      try {
        if (Date.now() > deadline)
          throw new Error(`ids of ${tag} kept moving for ${APPEND_DEADLINE_MS} ms`);
        reply = await this.redis.chatAppend(
          ...this.appendArguments(tag, conversation, first, messages, waiting),
        );
      } catch (error) {
        this.floors.delete(conversation);
        await this.settleUnknown(conversation, waiting, error);
        return;
      }
      const [answer, at, seen] = reply as [string, number, string | undefined];
      if (answer === 'ok') {
        this.floors.set(conversation, first + messages.length - 1);
        for (const [i, { resolve }] of waiting.entries())
          resolve({ kind: 'kept', message: messages[i] as StoredMessage });
        return;
      }
      if (answer === 'behind' || answer === 'wait') {
        this.floors.set(conversation, Number(at));
        // Another node holds the turn: ask again shortly, sooner than it lapses.
        if (answer === 'wait') await delay(Math.min(2 ** waits++, MAX_TURN_WAIT_MS));
        continue;
      }
      const [id = '0', ts = '0'] = (seen ?? '').split(':');
      waiting[at]?.resolve({ kind: 'duplicate', id: Number(id), ts: Number(ts) });
      waiting = waiting.filter((_, i) => i !== at);
    }
  }

  // An append whose answer never came (a timeout, a connection lost) may
  // have been kept all the same: its ref keys say. Asked on the same
  // connection, the question waits behind the script when it is still
  // queued; one that cannot be asked fails as store_failed.
  private async settleUnknown(
    conversation: string,
    waiting: Array<Waiting<Pending, AppendOutcome>>,
    error: unknown,
  ): Promise<void> {
    const refKeys = waiting.map(({ item }) =>
      item.ref === undefined
        ? undefined
        : this.key('r', refTagOf(this.keys, item.message.from, conversation, item.ref)),
    );
    const asked = refKeys.filter((key): key is string => key !== undefined);
    const found = asked.length === 0 ? [] : await this.redis.mget(asked).catch(() => undefined);
    for (const [i, { resolve, reject }] of waiting.entries()) {
      const at = refKeys[i] === undefined ? -1 : asked.indexOf(refKeys[i] as string);
      const seen = found?.[at];
      if (typeof seen !== 'string') {
        reject(error);
        continue;
      }
      const [id = '0', ts = '0'] = seen.split(':');
      resolve({ kind: 'duplicate', id: Number(id), ts: Number(ts) });
    }
  }

  private appendArguments(
    tag: string,
    conversation: string,
    first: number,
    messages: StoredMessage[],
    waiting: Array<Waiting<Pending, AppendOutcome>>,
  ): [number, ...Array<string | number | Buffer>] {
    const keys = [
      this.key('s', tag),
      this.key('last'),
      this.key('names'),
      this.key('lo'),
      this.key('x', tag),
      this.key('claim', tag),
    ];
    const perRecord: Array<string | number | Buffer> = [];
    messages.forEach((message, i) => {
      const ref = waiting[i]?.item.ref;
      let index = 0;
      if (ref !== undefined) {
        keys.push(this.key('r', refTagOf(this.keys, message.from, conversation, ref)));
        index = keys.length;
      }
      perRecord.push(index, message.ts, sealRecord(this.keys, message, ref));
    });
    return [
      keys.length,
      ...keys,
      tag,
      first,
      sealJson(this.keys, NAME_MAGIC, conversation),
      this.options.limits.keepMessages,
      REF_LIFETIME_S,
      this.channel,
      this.node,
      messages.length,
      ...perRecord,
      CLAIM_MS,
    ];
  }

  async since(conversation: string, afterId: number, limit: number) {
    const tag = this.tag(conversation);
    const [entries, edits, lo] = await this.read(tag, 'since', afterId, limit);
    const messages = merge(entries, edits, (id) => id > afterId)
      .sort((a, b) => a.id - b.id)
      .slice(0, limit)
      .map((found) => this.open(conversation, found))
      .filter((message) => message !== undefined);
    return { messages, gap: lo !== undefined && afterId + 1 < lo };
  }

  async before(conversation: string, before: number | undefined, limit: number) {
    const tag = this.tag(conversation);
    const [entries, edits] = await this.read(tag, 'before', before, limit + 1);
    const newest = merge(entries, edits, (id) => before === undefined || id < before)
      .sort((a, b) => b.id - a.id)
      .slice(0, limit + 1);
    const messages = newest
      .slice(0, limit)
      .reverse()
      .map((found) => this.open(conversation, found))
      .filter((message) => message !== undefined);
    return { messages, more: newest.length > limit };
  }

  async lastIds(): Promise<Map<string, number>> {
    const [last, names] = await Promise.all([this.redis.hgetall(this.key('last')), this.names()]);
    const ids = new Map<string, number>();
    for (const [tag, id] of Object.entries(last)) {
      const name = names.get(tag);
      if (name !== undefined) ids.set(name, Number(id));
    }
    return ids;
  }

  async recentRefs(perUser: number): Promise<SentRef[]> {
    const byUser = new Map<string, SentRef[]>();
    for (const [tag, conversation] of await this.names()) {
      let upTo = '+';
      let read = 0;
      while (read < REFS_SCAN) {
        const page = await this.redis.xrevrangeBuffer(this.key('s', tag), upTo, '-', 'COUNT', PAGE);
        read += page.length;
        for (const [rawId, fields] of page) {
          const sealed = this.openSealed(conversation, entryId(rawId), fields[1]);
          if (!sealed?.ref) continue;
          const { message, ref } = sealed;
          const list = byUser.get(message.from) ?? [];
          byUser.set(message.from, list);
          list.push({ user: message.from, ref, conversation, id: message.id, ts: message.ts });
        }
        const oldest = page.at(-1);
        if (page.length < PAGE || oldest === undefined) break;
        upTo = `(${oldest[0].toString('latin1')}`;
      }
    }
    return [...byUser.values()].flatMap((list) =>
      list.sort((a, b) => a.ts - b.ts || a.id - b.id).slice(-perUser),
    );
  }

  async readState(): Promise<KeptState> {
    // A node's first start on a store one server used before takes that server's state.
    const bytes =
      (await this.redis.getBuffer(this.stateKey())) ??
      (await this.redis.getBuffer(this.key('state')));
    if (bytes === null) return emptyKeptState();
    const state = openState(this.keys, bytes);
    if (state === undefined) {
      this.options.warn(
        {},
        'history: the state in Redis (topics, read positions, remembered rooms) does not open with this key: starting with none',
      );
      return emptyKeptState();
    }
    return state;
  }

  async writeState(state: KeptState): Promise<void> {
    await this.redis.set(this.stateKey(), sealState(this.keys, state));
  }

  private stateKey(): string {
    const { node } = this.options;
    return node === undefined
      ? this.key('state')
      : this.key('state', keyedTag(this.keys, `node\u0000${node}`));
  }

  /**
   * --keep-days: for each conversation, the oldest messages whose sealed
   * time is older than the limit leave the Stream (XTRIM MINID at the first
   * one young enough). Ids are not times, so this reads and opens the old
   * end of each Stream; it runs at open and then hourly.
   */
  async trimOld(): Promise<void> {
    const keepDays = this.options.limits.keepDays;
    if (keepDays <= 0) return;
    const cutoff = (this.options.now ?? Date.now)() - keepDays * 86_400_000;
    const last = await this.redis.hgetall(this.key('last'));
    for (const [tag, conversation] of await this.names()) {
      let after = 0;
      let keepFrom: number | undefined;
      for (;;) {
        const { messages } = await this.since(conversation, after, PAGE);
        const young = messages.find((message) => message.ts >= cutoff);
        if (young) {
          keepFrom = young.id;
          break;
        }
        const oldest = messages.at(-1);
        if (oldest === undefined || messages.length < PAGE) break;
        after = oldest.id;
      }
      // All old: keep none, from just above the last id (lastIds still has it).
      keepFrom ??= Number(last[tag] ?? 0) + 1;
      await this.redis.chatTrim(
        this.key('s', tag),
        this.key('lo'),
        this.key('x', tag),
        tag,
        keepFrom,
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.feed?.disconnect();
    try {
      await this.redis.quit();
    } catch {
      // Already gone: there is nothing left to close.
      this.redis.disconnect();
    }
  }

  private key(kind: string, tag?: string): string {
    return tag === undefined ? `${this.prefix}${kind}` : `${this.prefix}${kind}:${tag}`;
  }

  private tag(conversation: string): string {
    return roomTagOf(this.keys, conversation).toString('hex');
  }

  // The Stream's entries and the edits hash in one MULTI, so an edit made
  // between the two reads cannot show a message twice or not at all.
  private async read(
    tag: string,
    direction: 'since' | 'before',
    from: number | undefined,
    count: number,
  ): Promise<[Array<[Buffer, Buffer[]]>, Record<string, Buffer>, number | undefined]> {
    const stream = this.key('s', tag);
    const batch = this.redis.multi();
    if (direction === 'since') batch.xrangeBuffer(stream, `(${from ?? 0}-0`, '+', 'COUNT', count);
    else
      batch.xrevrangeBuffer(stream, from === undefined ? '+' : `(${from}-0`, '-', 'COUNT', count);
    batch.hgetallBuffer(this.key('x', tag));
    batch.hget(this.key('lo'), tag);
    const results = await batch.exec();
    if (results === null) throw new Error('Redis discarded a history read');
    for (const [error] of results) if (error) throw error;
    const [entries, edits, lo] = results.map(([, value]) => value) as [
      Array<[Buffer, Buffer[]]>,
      Record<string, Buffer>,
      string | null,
    ];
    return [entries, edits, lo === null ? undefined : Number(lo)];
  }

  private async names(): Promise<Map<string, string>> {
    const sealed = await this.redis.hgetallBuffer(this.key('names'));
    const names = new Map<string, string>();
    for (const [tag, bytes] of Object.entries(sealed)) {
      const name = openJson(this.keys, NAME_MAGIC, bytes);
      if (typeof name === 'string' && this.tag(name) === tag) names.set(tag, name);
      else this.options.warn({ tag }, 'history: a conversation name in Redis does not open');
    }
    return names;
  }

  private open(conversation: string, found: Found): StoredMessage | undefined {
    return this.openSealed(conversation, found.id, found.record)?.message;
  }

  private openSealed(conversation: string, id: number, record: Buffer | undefined) {
    const header = record && decodeRecordHeader(record, 0);
    const sealed =
      record && typeof header === 'object' ? openRecord(this.keys, record, 0, header) : undefined;
    if (sealed && sealed.message.id === id && conversationOf(sealed.message) === conversation)
      return sealed;
    this.options.warn({ id }, 'history: a record in Redis does not open with this key; skipped');
    return undefined;
  }
}

interface Found {
  id: number;
  record: Buffer | undefined;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function entryId(raw: Buffer): number {
  return Number.parseInt(raw.toString('latin1'), 10);
}

// The Stream's entries and the edits that fit `wanted`: ids never repeat
// between the two (an edit's original left the Stream in the same script).
function merge(
  entries: Array<[Buffer, Buffer[]]>,
  edits: Record<string, Buffer>,
  wanted: (id: number) => boolean,
): Found[] {
  const found: Found[] = entries.map(([raw, fields]) => ({ id: entryId(raw), record: fields[1] }));
  for (const [id, record] of Object.entries(edits))
    if (wanted(Number(id))) found.push({ id: Number(id), record });
  return found;
}

async function checkDurability(
  redis: Redis,
  label: string,
  options: RedisHistoryOptions,
): Promise<void> {
  let appendonly: string | undefined;
  let appendfsync: string | undefined;
  try {
    [, appendonly] = (await redis.config('GET', 'appendonly')) as string[];
    [, appendfsync] = (await redis.config('GET', 'appendfsync')) as string[];
  } catch {
    // CONFIG may be renamed or forbidden (managed Redis): then nothing is known.
  }
  if (appendonly === 'yes' && appendfsync === 'always') return;
  const found =
    appendonly === undefined
      ? 'does not answer CONFIG GET appendonly'
      : `has appendonly ${appendonly}, appendfsync ${appendfsync}`;
  if (options.durability === 'everysec') {
    options.warn(
      { redis: label, appendonly, appendfsync },
      `history: Redis ${found}: an acknowledged message may be lost if Redis dies (--redis-durability everysec)`,
    );
    return;
  }
  throw new ChatError(
    'REDIS_NOT_DURABLE',
    `Redis at ${label} ${found}, so an acknowledged message could be lost`,
    {
      hint: 'run Redis with appendonly yes and appendfsync always, or accept that with --redis-durability everysec',
    },
  );
}

// The header names the key the store is sealed with; the first node to
// open an empty Redis makes it (SET NX), every later one derives its keys
// from the salt in it, so they agree on keys and epoch.
async function storeKeys(
  redis: Redis,
  prefix: string,
  source: HistoryKeySource,
  label: string,
  readOnly: boolean,
): Promise<HistoryKeys> {
  const metaKey = `${prefix}meta`;
  for (let attempt = 0; attempt < 2; attempt++) {
    const bytes = await redis.getBuffer(metaKey);
    if (bytes === null && readOnly)
      throw new ChatError('HISTORY_NOT_FOUND', `there is no history in Redis at ${label}`, {
        hint: 'check --redis (and its database): it should be the one chat serve --redis uses',
      });
    const stored = bytes === null ? undefined : decodeHeader(bytes);
    if (stored !== undefined && 'problem' in stored)
      throw new ChatError('HISTORY_DAMAGED', `${label} ${metaKey}: ${stored.problem}`, {
        hint: `the key ${metaKey} in Redis is not a chat history header: check --redis and its database`,
      });
    const keys = await resolveHistoryKeys(source, stored, label);
    if (stored) {
      if (!stored.keyCheck.equals(keys.keyCheck))
        throw new ChatError(
          'HISTORY_KEY_WRONG',
          `the history in Redis at ${label} was sealed with another key (key id ${stored.keyId.toString('hex')}, this one is ${keys.keyId.toString('hex')}); nothing was changed`,
          {
            hint: 'start with the history key or passphrase it was made with (certs/history.key from your backup, or the same --history-passphrase-env)',
          },
        );
      return keys;
    }
    const header: SegmentHeader = {
      version: FORMAT_VERSION,
      keySource: source.kind,
      scrypt: keys.scrypt,
      salt: keys.salt,
      keyId: keys.keyId,
      keyCheck: keys.keyCheck,
      segment: 0,
    };
    if ((await redis.set(metaKey, encodeHeader(header), 'NX')) === 'OK') return keys;
  }
  throw new Error(`${metaKey} in Redis changed while it was read`);
}
