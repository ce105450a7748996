import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { HistoryKeys } from './history-keys.ts';
import { NONCE_BYTES, TAG_BYTES } from './segment-format.ts';

/**
 * One JSON document sealed with the store's key, for the small files kept
 * beside the segments: `magic` (8 bytes naming the file's kind and version,
 * also bound as associated data), a fresh 96-bit nonce, the AES-256-GCM
 * ciphertext, its 16-byte tag.
 */
export function sealJson(keys: HistoryKeys, magic: Buffer, value: unknown): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.seal, nonce);
  cipher.setAAD(magic);
  const body = Buffer.concat([cipher.update(JSON.stringify(value)), cipher.final()]);
  return Buffer.concat([magic, nonce, body, cipher.getAuthTag()]);
}

/** The JSON value sealed in `bytes`, or undefined when it does not open with these keys as `magic`. */
export function openJson(keys: HistoryKeys, magic: Buffer, bytes: Buffer): unknown {
  if (bytes.length < magic.length + NONCE_BYTES + TAG_BYTES) return undefined;
  if (!bytes.subarray(0, magic.length).equals(magic)) return undefined;
  try {
    const at = magic.length;
    const decipher = createDecipheriv(
      'aes-256-gcm',
      keys.seal,
      bytes.subarray(at, at + NONCE_BYTES),
    );
    decipher.setAAD(magic);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(bytes.subarray(at + NONCE_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return JSON.parse(plain.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
