/**
 * What a DM envelope is (docs/PROTOCOL.md, "12. DM envelopes"): its fields
 * and their bounds, and the exact bytes its content is bound to and its
 * signature covers. Shared by sealing and opening. Pure.
 */
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';

/** The envelope's version, and the name it gives itself in the bound and signed bytes. */
export const ENVELOPE_VERSION = 1;
export const DOMAIN = 'chat-dm-v1';
/** Most wrapped keys one envelope carries: the recipient's and the sender's certificates together. */
export const MAX_ENVELOPE_KEYS = 32;

/** A certificate an envelope is sealed for: its SHA-256 fingerprint (Node's `fingerprint256`) and public key. */
export interface Holder {
  fingerprint: string;
  publicKey: KeyObject;
}

/** The one who signs or reads: the fingerprint of their certificate and its private key. */
export interface Signer {
  fingerprint: string;
  privateKey: KeyObject;
}

/** What a direct message says. */
export interface DmContent {
  text: string;
  action?: boolean;
}

/**
 * Base64 with padding, in its one canonical spelling: a string that
 * decodes and encodes back to itself. Any other spelling of the same bytes
 * would be a second envelope that opens alike.
 */
const base64 = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')
    .refine((s) => Buffer.from(s, 'base64').toString('base64') === s, 'must be canonical base64');
const fingerprint = z
  .string()
  .regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'must be a SHA-256 fingerprint');

/** An envelope as it travels and is stored. */
export const dmEnvelope = z.strictObject({
  v: z.literal(ENVELOPE_VERSION),
  from: z.string().regex(/^[a-z0-9_-]{1,32}$/),
  to: z.string().regex(/^[a-z0-9_-]{1,32}$/),
  /** The sending client's id for this message (its `ref`): one message, however often relayed. */
  cid: z.string().regex(/^[\x21-\x7e]{1,64}$/),
  /** When the sender sealed it, by the sender's clock (ms since the epoch). */
  ts: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** The fingerprint of the certificate that signed. */
  sfp: fingerprint,
  nonce: base64(16).length(16),
  /** The ephemeral P-256 public key (an uncompressed point), when any key is wrapped by ECDH. */
  epk: base64(88).length(88).optional(),
  /** The content, encrypted, its tag appended. */
  ct: base64(100_000),
  keys: z
    .array(z.strictObject({ fp: fingerprint, wk: base64(1024) }))
    .min(1)
    .max(MAX_ENVELOPE_KEYS),
  sig: base64(1024),
});
export type DmEnvelope = z.infer<typeof dmEnvelope>;

/** What the content decrypts to: `action` only ever as true. */
export const dmContent = z.strictObject({ text: z.string(), action: z.literal(true).optional() });

/** The bytes the content and every wrapped key are bound to: who to whom, which message, when. */
export function associatedData(from: string, to: string, cid: string, ts: number): Buffer {
  return Buffer.from(JSON.stringify([DOMAIN, from, to, cid, ts]));
}

/**
 * The bytes the sender signs: every field but the signature, in a fixed
 * order, as a JSON array without whitespace. Every string in it is
 * printable ASCII by the fields' rules, so only `"` and `\` are escaped.
 */
export function signedBytes(envelope: Omit<DmEnvelope, 'sig'>): Buffer {
  const { from, to, cid, ts, sfp, nonce, epk, ct, keys } = envelope;
  return Buffer.from(
    JSON.stringify([
      DOMAIN,
      from,
      to,
      cid,
      ts,
      sfp,
      nonce,
      epk ?? '',
      ct,
      keys.map((k) => [k.fp, k.wk]),
    ]),
  );
}
