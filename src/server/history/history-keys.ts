import {
  createHash,
  createHmac,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
  scrypt,
} from 'node:crypto';
import type { KeySource, ScryptParams } from './segment-format.ts';

/**
 * scrypt for a history passphrase: N = 2^14, r = 8, p = 1 costs about 85 ms
 * and 16 MiB on the reference machine (2 cores), paid once per start.
 */
export const PASSPHRASE_SCRYPT: ScryptParams = { log2N: 14, r: 8, p: 1 };
export const SALT_BYTES = 16;
/** Bytes of a history key file, as `chat certs` writes it. */
export const KEY_FILE_BYTES = 32;

/** The keys one store key yields, each for one purpose. */
export interface HistoryKeys {
  source: KeySource;
  scrypt: ScryptParams;
  salt: Buffer;
  /** AES-256-GCM key that seals records (a KeyObject: a cipher made from one starts faster). */
  seal: KeyObject;
  /** HMAC key for the room tags in record headers. */
  roomTag: Buffer;
  /** Tags already computed: a store writes to few conversations, over and over. */
  readonly tags: Map<string, Buffer>;
  keyId: Buffer;
  keyCheck: Buffer;
}

const NO_SCRYPT: ScryptParams = { log2N: 0, r: 0, p: 0 };

/**
 * Keys from the 32 bytes of a history key file, with the store's salt (a
 * fresh one for a new store: it also names the store, see epochOf).
 */
export function keysFromKeyFile(
  master: Buffer,
  salt: Buffer = randomBytes(SALT_BYTES),
): HistoryKeys {
  return derive(master, 'key-file', NO_SCRYPT, salt);
}

/**
 * The store's epoch for the protocol's resume: the same for as long as the
 * store lives (its salt is made with it and copied into every segment), new
 * when the history starts over.
 */
export function epochOf(keys: HistoryKeys): string {
  return createHash('sha256')
    .update('chat history epoch')
    .update(keys.salt)
    .digest('hex')
    .slice(0, 12);
}

/**
 * Keys from a passphrase: scrypt with the store's salt and parameters, or a
 * fresh salt and PASSPHRASE_SCRYPT for a new store. Async: scrypt runs on
 * the thread pool.
 */
export async function keysFromPassphrase(
  passphrase: string,
  stored?: { salt: Buffer; scrypt: ScryptParams },
): Promise<HistoryKeys> {
  const salt = stored?.salt ?? randomBytes(SALT_BYTES);
  const params = stored?.scrypt ?? PASSPHRASE_SCRYPT;
  const N = 2 ** params.log2N;
  const master = await new Promise<Buffer>((resolve, reject) =>
    scrypt(
      passphrase.normalize('NFC'),
      salt,
      32,
      { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
  return derive(master, 'passphrase', params, salt);
}

const MAX_CACHED_TAGS = 10_000;

/** The keyed tag that stands for a conversation in record headers. */
export function roomTagOf(keys: HistoryKeys, conversation: string): Buffer {
  let tag = keys.tags.get(conversation);
  if (!tag) {
    tag = createHmac('sha256', keys.roomTag).update(conversation).digest().subarray(0, 8);
    if (keys.tags.size >= MAX_CACHED_TAGS) keys.tags.clear();
    keys.tags.set(conversation, tag);
  }
  return tag;
}

function derive(
  master: Buffer,
  source: KeySource,
  scryptParams: ScryptParams,
  salt: Buffer,
): HistoryKeys {
  const part = (info: string, bytes: number) =>
    Buffer.from(hkdfSync('sha256', master, salt, `chat history v1 ${info}`, bytes));
  return {
    source,
    scrypt: scryptParams,
    salt,
    seal: createSecretKey(part('seal', 32)),
    roomTag: part('room tag', 32),
    tags: new Map(),
    keyId: part('key id', 8),
    keyCheck: part('key check', 16),
  };
}

/** A name Redis may see for `what`: keyed, so Redis learns nothing of it. */
export function keyedTag(keys: HistoryKeys, what: string): string {
  return createHmac('sha256', keys.roomTag).update(what).digest().subarray(0, 16).toString('hex');
}
