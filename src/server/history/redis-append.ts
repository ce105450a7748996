import type { Redis } from 'ioredis';
import type { StoredMessage } from '../../net/protocol/frames.ts';
import { AppendBatches, type Waiting } from './append-batches.ts';
import { type HistoryKeys, keyedTag } from './history-keys.ts';
import type { AppendOutcome } from './history-store.ts';
import { sealRecord } from './record-seal.ts';

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

interface Pending {
  message: StoredMessage;
  ref: string | undefined;
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
export const APPEND_LUA = `
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

/** The store's connection, with APPEND_LUA defined on it as chatAppend. */
export type AppendRedis = Redis & {
  /** Keys and arguments as APPEND_LUA reads them, the key count first. */
  chatAppend(keyCount: number, ...keysAndArgs: Array<string | number | Buffer>): Promise<unknown>;
};

/** Where a RedisAppender writes: the store's connection, keys and names. */
export interface AppendTarget {
  redis: AppendRedis;
  keys: HistoryKeys;
  /** The Redis key of a kind (and a conversation's tag), under the store's prefix. */
  key: (kind: string, tag?: string) => string;
  /** A conversation's keyed tag, hex. */
  tag: (conversation: string) => string;
  /** A conversation's name, sealed for chat:names. */
  sealedName: (conversation: string) => Buffer;
  channel: string;
  node: string;
  keepMessages: number;
}

/**
 * The appends of a store several nodes share: one batch per conversation at
 * a time (AppendBatches), each kept whole by APPEND_LUA under the ids Redis
 * says are next, a batch behind other nodes sealed again from there, a
 * resend answered as its original, and an append whose answer never came
 * settled by its ref keys.
 */
export class RedisAppender {
  private readonly batches = new AppendBatches<Pending, AppendOutcome>(
    (conversation, batch) => this.writeBatch(conversation, batch),
    MAX_BATCH,
  );
  /** Per conversation, the newest id this node saw kept or refused as behind. */
  private readonly floors = new Map<string, number>();

  constructor(private readonly target: AppendTarget) {}

  append(conversation: string, message: StoredMessage, ref?: string): Promise<AppendOutcome> {
    return this.batches.add(conversation, { message, ref });
  }

  // One batch of a conversation, sealed from the id the store expects next:
  // renumbered and sealed again when another node took ids meanwhile, a
  // resend already kept answered as its original, all of it failed when
  // Redis does not answer.
  private async writeBatch(
    conversation: string,
    batch: Array<Waiting<Pending, AppendOutcome>>,
  ): Promise<void> {
    const tag = this.target.tag(conversation);
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
        reply = await this.target.redis.chatAppend(
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
        : this.target.key(
            'r',
            refTagOf(this.target.keys, item.message.from, conversation, item.ref),
          ),
    );
    const asked = refKeys.filter((key): key is string => key !== undefined);
    const found =
      asked.length === 0 ? [] : await this.target.redis.mget(asked).catch(() => undefined);
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
      this.target.key('s', tag),
      this.target.key('last'),
      this.target.key('names'),
      this.target.key('lo'),
      this.target.key('x', tag),
      this.target.key('claim', tag),
    ];
    const perRecord: Array<string | number | Buffer> = [];
    messages.forEach((message, i) => {
      const ref = waiting[i]?.item.ref;
      let index = 0;
      if (ref !== undefined) {
        keys.push(
          this.target.key('r', refTagOf(this.target.keys, message.from, conversation, ref)),
        );
        index = keys.length;
      }
      perRecord.push(index, message.ts, sealRecord(this.target.keys, message, ref));
    });
    return [
      keys.length,
      ...keys,
      tag,
      first,
      this.target.sealedName(conversation),
      this.target.keepMessages,
      REF_LIFETIME_S,
      this.target.channel,
      this.target.node,
      messages.length,
      ...perRecord,
      CLAIM_MS,
    ];
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
