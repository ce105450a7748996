import { Redis } from 'ioredis';
import { ChatError } from '../../errors.ts';
import type { StoredMessage } from '../../net/protocol/frames.ts';
import { conversationOf } from '../conversations.ts';
import { emptyKeptState, type KeptState } from '../kept-state.ts';
import { type HistoryKeySource, resolveHistoryKeys } from './history-key-source.ts';
import { epochOf, type HistoryKeys, keyedTag, roomTagOf } from './history-keys.ts';
import {
  type AppendOutcome,
  compareEventIds,
  type HeardEvent,
  type HistoryStore,
  type SentRef,
  type StoreFeed,
} from './history-store.ts';
import { openRecord, sealRecord } from './record-seal.ts';
import { APPEND_LUA, type AppendRedis, RedisAppender } from './redis-append.ts';
import { newNodeName, RedisFeed } from './redis-feed.ts';
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
// KEYS: stream, edits, deleted ids. ARGV: id, record, channel, node, '1'
// for a deletion. The replacement goes to the edits hash and the original
// leaves the Stream: its ciphertext is gone from the data set. Every node
// hears it, to send the update. A deleted message stays deleted: an edit
// another node checked against the text before the deletion is refused.
const REPLACE_LUA = `
if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then
  return redis.error_reply('CHATMISSING message ' .. ARGV[1] .. ' was deleted')
end
local entry = redis.call('XRANGE', KEYS[1], ARGV[1] .. '-0', ARGV[1] .. '-0')
if #entry == 0 and redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then
  return redis.error_reply('CHATMISSING no message ' .. ARGV[1] .. ' is kept')
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if #entry > 0 then redis.call('XDEL', KEYS[1], ARGV[1] .. '-0') end
if ARGV[5] == '1' then redis.call('SADD', KEYS[3], ARGV[1]) end
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
  chatReplace(
    stream: string,
    edits: string,
    deleted: string,
    id: number,
    record: Buffer,
    channel: string,
    node: string,
    deletion: '0' | '1',
  ): Promise<number>;
  chatTrim(stream: string, lo: string, edits: string, tag: string, id: number): Promise<number>;
}

type ChatRedis = AppendRedis & ChatCommands;

/** A RedisHistory's connection, keys and key names, for documents kept beside it. */
export interface RedisPlace {
  redis: Redis;
  keys: HistoryKeys;
  /** A key of the store, as RedisHistory names them (`chat:users`). */
  key: (kind: string) => string;
  /** Redis as it may be named in a message: no password. */
  label: string;
}

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
  /** This process, in what it publishes: its own updates are not sent twice. */
  private readonly node = newNodeName();
  private readonly channel: string;
  private readonly appender: RedisAppender;
  private readonly feed: RedisFeed;

  private constructor(
    private readonly redis: ChatRedis,
    private readonly keys: HistoryKeys,
    private readonly options: RedisHistoryOptions,
    private readonly prefix: string,
  ) {
    this.epoch = epochOf(keys);
    this.channel = `${prefix}feed`;
    const names = {
      redis,
      keys,
      key: (kind: string, tag?: string) => this.key(kind, tag),
      channel: this.channel,
      node: this.node,
    };
    this.appender = new RedisAppender({
      ...names,
      tag: (conversation: string) => this.tag(conversation),
      sealedName: (conversation: string) => sealJson(keys, NAME_MAGIC, conversation),
      keepMessages: options.limits.keepMessages,
    });
    this.feed = new RedisFeed({ ...names, warn: options.warn });
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
    redis.defineCommand('chatReplace', { numberOfKeys: 3, lua: REPLACE_LUA });
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
    return this.appender.append(conversation, message, ref);
  }

  async replace(conversation: string, message: StoredMessage): Promise<void> {
    const tag = this.tag(conversation);
    await this.redis.chatReplace(
      this.key('s', tag),
      this.key('x', tag),
      this.key('d', tag),
      message.id,
      sealRecord(this.keys, message),
      this.channel,
      this.node,
      message.deleted === undefined ? '0' : '1',
    );
  }

  follow(handlers: StoreFeed): Promise<void> {
    return this.feed.follow(handlers);
  }

  announce(snapshot: unknown, ttlMs: number): Promise<void> {
    return this.feed.announce(snapshot, ttlMs);
  }

  roster(): Promise<Map<string, unknown>> {
    return this.feed.roster();
  }

  broadcast(value: unknown): Promise<void> {
    return this.feed.broadcast(value);
  }

  record(value: unknown): Promise<void> {
    return this.feed.record(value);
  }

  eventsSince(
    after: string | undefined,
    count: number,
  ): Promise<{ events: HeardEvent[]; lost: boolean }> {
    return this.feed.eventsSince(after, count);
  }

  leave(): Promise<void> {
    return this.feed.leave();
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

  /**
   * The state this node starts from, before it hears the cluster's events
   * since (NodeFeed): its own, unless Redis let go of events it did not
   * hear (or it has none); then that of the node that heard the most; on a
   * node's first start on a store one server used before, that server's.
   */
  async readState(): Promise<KeptState> {
    const own = await this.stateAt(this.stateKey());
    if (this.options.node === undefined) return own ?? emptyKeptState();
    if (own !== undefined && !(await this.feed.eventsLost(own.events))) return own;
    const peer = await this.newestNodeState();
    if (peer !== undefined && (own === undefined || isNewer(peer, own))) return peer;
    return own ?? (await this.stateAt(this.key('state'))) ?? emptyKeptState();
  }

  // The state under `key`; undefined when there is none or it does not open.
  private async stateAt(key: string): Promise<KeptState | undefined> {
    const bytes = await this.redis.getBuffer(key);
    if (bytes === null) return undefined;
    const state = openState(this.keys, bytes);
    if (state === undefined)
      this.options.warn(
        {},
        'history: the state in Redis (topics, read positions, remembered rooms) does not open with this key: starting without it',
      );
    return state;
  }

  // Of every node's kept state, the one that heard the most of the cluster's events.
  private async newestNodeState(): Promise<KeptState | undefined> {
    let newest: KeptState | undefined;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(
        cursor,
        'MATCH',
        this.key('state', '*'),
        'COUNT',
        200,
      );
      cursor = next;
      for (const key of keys) {
        const state = await this.stateAt(key);
        if (state !== undefined && (newest === undefined || isNewer(state, newest))) newest = state;
      }
    } while (cursor !== '0');
    return newest;
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
    this.feed.close();
    try {
      await this.redis.quit();
    } catch {
      // Already gone: there is nothing left to close.
      this.redis.disconnect();
    }
  }

  /**
   * Where other sealed documents of the cluster live beside the history
   * (the users table of `--require-password`, users-redis.ts): this
   * store's connection, key and key names.
   */
  place(): RedisPlace {
    return {
      redis: this.redis,
      keys: this.keys,
      key: (kind) => this.key(kind),
      label: redisLabel(this.options.url),
    };
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

/** True when `a` heard more of the cluster's events than `b`. */
function isNewer(a: KeptState, b: KeptState): boolean {
  if (a.events === undefined) return false;
  return b.events === undefined || compareEventIds(a.events, b.events) > 0;
}
