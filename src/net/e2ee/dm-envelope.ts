/**
 * The sealed envelope of an end-to-end encrypted direct message
 * (docs/PROTOCOL.md, "DM envelopes"). The sending client encrypts the
 * message once under a fresh content key (AES-256-GCM), wraps that key for
 * every certificate of the recipient and of the sender (ECDH-ES on P-256 +
 * HKDF-SHA256 + AES-256-GCM; RSA-OAEP-SHA256 for RSA certificates), binds
 * sender, recipient and the client's message id as associated data, and
 * signs the whole with the sender's certificate key. A reader verifies the
 * signature against the sender's certificate it pinned before it opens
 * anything. Pure: keys come in, envelopes and texts go out.
 */
import { type KeyObject, randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  type Ephemeral,
  ephemeralKey,
  gcmOpen,
  gcmSeal,
  isEc,
  KEY_BYTES,
  NONCE_BYTES,
  rawPoint,
  signWith,
  unwrapAs,
  verifyWith,
  wrapFor,
} from './envelope-crypto.ts';

/** The envelope's version and what it names itself in the signed bytes and the associated data. */
export const ENVELOPE_VERSION = 1;
const DOMAIN = 'chat-dm-v1';
/** Most wrapped keys one envelope carries: the recipient's and the sender's certificates together. */
export const MAX_ENVELOPE_KEYS = 32;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A certificate an envelope is sealed for: its SHA-256 fingerprint (Node's `fingerprint256`) and public key. */
export interface Holder {
  fingerprint: string;
  publicKey: KeyObject;
}

/** The one who signs: the fingerprint of their certificate and its private key. */
export interface Signer {
  fingerprint: string;
  privateKey: KeyObject;
}

/** What a direct message says. */
export interface DmContent {
  text: string;
  action?: boolean;
}

const base64 = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const fingerprint = z
  .string()
  .regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'must be a SHA-256 fingerprint');

/** An envelope as it travels and is stored. */
export const dmEnvelope = z.strictObject({
  v: z.literal(ENVELOPE_VERSION),
  from: z.string().regex(/^[a-z0-9_-]{1,32}$/),
  to: z.string().regex(/^[a-z0-9_-]{1,32}$/),
  /** The sending client's id for this message (its `ref`): bound into the seal. */
  cid: z.string().regex(/^[\x21-\x7e]{1,64}$/),
  /** The fingerprint of the certificate that signed. */
  sfp: fingerprint,
  nonce: base64(16),
  /** The ephemeral P-256 public key (uncompressed point), when any key is wrapped by ECDH. */
  epk: base64(88).optional(),
  /** The content, encrypted, with its tag. */
  ct: base64(100_000),
  keys: z
    .array(z.strictObject({ fp: fingerprint, wk: base64(1024) }))
    .min(1)
    .max(MAX_ENVELOPE_KEYS),
  sig: base64(1024),
});
export type DmEnvelope = z.infer<typeof dmEnvelope>;

/** What the content decrypts to. */
const dmContent = z.strictObject({ text: z.string(), action: z.literal(true).optional() });

/** The bytes the content is bound to: who to whom, and which message. */
function associatedData(from: string, to: string, cid: string): Buffer {
  return Buffer.from(JSON.stringify([DOMAIN, from, to, cid]));
}

/** The bytes the sender signs: every field but the signature, in a fixed order (all ASCII). */
export function signedBytes(envelope: Omit<DmEnvelope, 'sig'>): Buffer {
  const { from, to, cid, sfp, nonce, epk, ct, keys } = envelope;
  return Buffer.from(
    JSON.stringify([
      DOMAIN,
      from,
      to,
      cid,
      sfp,
      nonce,
      epk ?? '',
      ct,
      keys.map((k) => [k.fp, k.wk]),
    ]),
  );
}

/** What sealing needs. */
export interface SealRequest {
  from: string;
  to: string;
  cid: string;
  content: DmContent;
  signer: Signer;
  /** Every certificate that may read it: the recipient's and the sender's own. */
  readers: readonly Holder[];
}

/** Fixed randomness, for a test vector only: the content key, its nonce and the ephemeral key. */
export interface SealRandomness {
  contentKey: Buffer;
  nonce: Buffer;
  ephemeral: KeyObject;
}

function withPoint(privateKey: KeyObject): Ephemeral {
  return { privateKey, point: rawPoint(privateKey) };
}

/** Seals `request.content` for every reader and signs the envelope. */
export function sealDm(request: SealRequest, fixed?: SealRandomness): DmEnvelope {
  const { from, to, cid, content, signer, readers } = request;
  if (readers.length === 0 || readers.length > MAX_ENVELOPE_KEYS) {
    throw new Error(
      `a DM is sealed for 1-${MAX_ENVELOPE_KEYS} certificates, not ${readers.length}`,
    );
  }
  const aad = associatedData(from, to, cid);
  const contentKey = fixed?.contentKey ?? randomBytes(KEY_BYTES);
  const nonce = fixed?.nonce ?? randomBytes(NONCE_BYTES);
  const plain = Buffer.from(
    JSON.stringify(content.action ? { text: content.text, action: true } : { text: content.text }),
  );
  const ct = gcmSeal(contentKey, nonce, plain, aad);
  const ephemeral: Ephemeral | undefined = readers.some((r) => isEc(r.publicKey))
    ? withPoint(fixed?.ephemeral ?? ephemeralKey())
    : undefined;
  const keys = readers.map((reader) => ({
    fp: reader.fingerprint,
    wk: wrapFor(reader.publicKey, reader.fingerprint, contentKey, aad, ephemeral).toString(
      'base64',
    ),
  }));
  const unsigned = {
    v: ENVELOPE_VERSION,
    from,
    to,
    cid,
    sfp: signer.fingerprint,
    nonce: nonce.toString('base64'),
    ...(ephemeral ? { epk: ephemeral.point.toString('base64') } : {}),
    ct: ct.toString('base64'),
    keys,
  } as const;
  return {
    ...unsigned,
    sig: signWith(signer.privateKey, signedBytes(unsigned)).toString('base64'),
  };
}

/** Why an envelope was not opened. */
export type OpenFailure =
  /** Not an envelope: a field missing, misshapen or out of bounds. */
  | 'malformed'
  /** Signed by another certificate than the sender's pinned one, or for another conversation. */
  | 'wrong_signer'
  /** The signature, a wrapped key or the content does not hold: altered on the way. */
  | 'unverified'
  /** No key in it is for this reader's certificate. */
  | 'not_for_me'
  /** Opened, but what it says is no message text (controls, too long): refused as a dm frame would be. */
  | 'bad_content';

export type OpenResult = { ok: true; content: DmContent } | { ok: false; reason: OpenFailure };

/** What opening needs: who the conversation is between, the pinned signer, and this reader. */
export interface OpenRequest {
  /** The sender and recipient the message was relayed as (the server's `from` and `to`). */
  from: string;
  to: string;
  /** The sender's certificate this reader pinned. */
  signer: Holder;
  reader: Signer;
  /** Whether a text may be shown: the same rules as a `dm` frame's text. */
  isText: (text: string) => boolean;
}

/** Verifies and opens `value`; never throws for anything a peer could have sent. */
export function openDm(value: unknown, request: OpenRequest): OpenResult {
  const parsed = dmEnvelope.safeParse(value);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const envelope = parsed.data;
  const { from, to, signer, reader } = request;
  if (envelope.from !== from || envelope.to !== to || envelope.sfp !== signer.fingerprint) {
    return { ok: false, reason: 'wrong_signer' };
  }
  const { sig, ...unsigned } = envelope;
  const signed = verifyWith(signer.publicKey, signedBytes(unsigned), Buffer.from(sig, 'base64'));
  if (!signed) return { ok: false, reason: 'unverified' };
  const entry = envelope.keys.find((k) => k.fp === reader.fingerprint);
  if (!entry) return { ok: false, reason: 'not_for_me' };
  const aad = associatedData(envelope.from, envelope.to, envelope.cid);
  let plain: Buffer;
  try {
    const contentKey = unwrapAs(
      reader.privateKey,
      reader.fingerprint,
      Buffer.from(entry.wk, 'base64'),
      aad,
      envelope.epk === undefined ? undefined : Buffer.from(envelope.epk, 'base64'),
    );
    const nonce = Buffer.from(envelope.nonce, 'base64');
    if (contentKey.length !== KEY_BYTES || nonce.length !== NONCE_BYTES) {
      return { ok: false, reason: 'unverified' };
    }
    plain = gcmOpen(contentKey, nonce, Buffer.from(envelope.ct, 'base64'), aad);
  } catch {
    return { ok: false, reason: 'unverified' };
  }
  let content: unknown;
  try {
    content = JSON.parse(STRICT_UTF8.decode(plain));
  } catch {
    return { ok: false, reason: 'bad_content' };
  }
  const checked = dmContent.safeParse(content);
  if (!checked.success || !request.isText(checked.data.text))
    return { ok: false, reason: 'bad_content' };
  return { ok: true, content: checked.data };
}
