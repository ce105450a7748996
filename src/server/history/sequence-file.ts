import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { HistoryKeys } from './history-keys.ts';
import { NONCE_BYTES, TAG_BYTES } from './segment-format.ts';

/**
 * The newest id of every conversation, sealed, kept beside the segments.
 * Retention may remove every record of a quiet room; its ids must still go
 * on where they stopped, or clients that saw them would take new messages
 * for old ones.
 */
export const SEQUENCE_FILE = 'sequences.bin';
const MAGIC = Buffer.from('CHATSEQ1', 'latin1');

export function sealSequences(keys: HistoryKeys, lastIds: Map<string, number>): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.seal, nonce);
  cipher.setAAD(MAGIC);
  const body = Buffer.concat([cipher.update(JSON.stringify([...lastIds])), cipher.final()]);
  return Buffer.concat([MAGIC, nonce, body, cipher.getAuthTag()]);
}

/** The ids in a sequence file, or undefined when it cannot be opened with these keys. */
export function openSequences(keys: HistoryKeys, bytes: Buffer): Map<string, number> | undefined {
  if (bytes.length < MAGIC.length + NONCE_BYTES + TAG_BYTES) return undefined;
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  try {
    const at = MAGIC.length;
    const decipher = createDecipheriv(
      'aes-256-gcm',
      keys.seal,
      bytes.subarray(at, at + NONCE_BYTES),
    );
    decipher.setAAD(MAGIC);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(bytes.subarray(at + NONCE_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
    const pairs = JSON.parse(plain.toString('utf8')) as unknown;
    if (!Array.isArray(pairs)) return undefined;
    const ids = new Map<string, number>();
    for (const pair of pairs) {
      if (Array.isArray(pair) && typeof pair[0] === 'string' && Number.isSafeInteger(pair[1]))
        ids.set(pair[0], pair[1]);
    }
    return ids;
  } catch {
    return undefined;
  }
}
