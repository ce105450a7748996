import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import type { StoredMessage } from '../../net/protocol/frames.ts';
import { conversationOf } from '../conversations.ts';
import { type HistoryKeys, roomTagOf } from './history-keys.ts';
import {
  encodeRecordHeader,
  NONCE_BYTES,
  RECORD_AAD_BYTES,
  RECORD_HEADER_BYTES,
  type RecordHeader,
  TAG_BYTES,
} from './segment-format.ts';

// Nonces come from a pool refilled in one call: a syscall per record would
// cost more than the seal. Each is used once and never again.
const NONCE_POOL = 4096 * NONCE_BYTES;
let pool = Buffer.alloc(0);
let poolAt = NONCE_POOL;

function freshNonce(): Buffer {
  if (poolAt + NONCE_BYTES > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(NONCE_POOL));
    poolAt = 0;
  }
  const nonce = pool.subarray(poolAt, poolAt + NONCE_BYTES);
  poolAt += NONCE_BYTES;
  return nonce;
}

/** What a record holds: the message, and the ref its sender gave it (for resends after a restart). */
export interface Sealed {
  message: StoredMessage;
  ref: string | undefined;
}

/**
 * One record, ready to append: the message and its ref as JSON, sealed with
 * AES-256-GCM under a fresh random 96-bit nonce, its id and room tag bound
 * as associated data.
 */
export function sealRecord(keys: HistoryKeys, message: StoredMessage, ref?: string): Buffer {
  const plain = Buffer.from(
    JSON.stringify(ref === undefined ? { m: message } : { m: message, r: ref }),
  );
  const bodyBytes = NONCE_BYTES + plain.length + TAG_BYTES;
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + bodyBytes);
  encodeRecordHeader({
    bodyBytes,
    id: message.id,
    roomTag: roomTagOf(keys, conversationOf(message)),
  }).copy(out, 0);
  const nonce = freshNonce();
  nonce.copy(out, RECORD_HEADER_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.seal, nonce);
  cipher.setAAD(out.subarray(0, RECORD_AAD_BYTES));
  const at = RECORD_HEADER_BYTES + NONCE_BYTES;
  cipher.update(plain).copy(out, at);
  cipher.final();
  cipher.getAuthTag().copy(out, at + plain.length);
  return out;
}

/**
 * What the record at `offset` whose header is `header` holds, or
 * undefined when its seal does not hold (damage, tampering, another key) or
 * what it holds disagrees with its header.
 */
export function openRecord(
  keys: HistoryKeys,
  bytes: Buffer,
  offset: number,
  header: RecordHeader,
): Sealed | undefined {
  const body = offset + RECORD_HEADER_BYTES;
  const end = body + header.bodyBytes;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      keys.seal,
      bytes.subarray(body, body + NONCE_BYTES),
    );
    decipher.setAAD(bytes.subarray(offset, offset + RECORD_AAD_BYTES));
    decipher.setAuthTag(bytes.subarray(end - TAG_BYTES, end));
    const plain = Buffer.concat([
      decipher.update(bytes.subarray(body + NONCE_BYTES, end - TAG_BYTES)),
      decipher.final(),
    ]);
    const { m: message, r: ref } = JSON.parse(plain.toString('utf8')) as {
      m: StoredMessage;
      r?: string;
    };
    if (message.id !== header.id) return undefined;
    if (!roomTagOf(keys, conversationOf(message)).equals(header.roomTag)) return undefined;
    return { message, ref };
  } catch {
    return undefined;
  }
}
