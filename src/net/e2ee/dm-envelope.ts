/**
 * The sealed envelope of an end-to-end encrypted direct message
 * (docs/PROTOCOL.md, "DM envelopes"). The sending client encrypts the
 * message once under a fresh content key (AES-256-GCM), wraps that key for
 * every certificate of the recipient and of the sender (ECDH-ES on P-256 +
 * HKDF-SHA256 + AES-256-GCM; RSA-OAEP-SHA256 for RSA certificates), binds
 * sender, recipient, the client's message id and the sender's time as
 * associated data, and signs the whole with the sender's certificate key. A
 * reader verifies the signature against the sender's certificate it pinned
 * before it opens anything. Pure: keys come in, envelopes and texts go out.
 * The format is envelope-format.ts; the steps, envelope-crypto.ts.
 */
import { randomBytes } from 'node:crypto';
import {
  ephemeralKey,
  gcmOpen,
  KEY_BYTES,
  NONCE_BYTES,
  unwrapAs,
  verifyWith,
} from './envelope-crypto.ts';
import {
  associatedData,
  type DmContent,
  type DmEnvelope,
  dmContent,
  dmEnvelope,
  type Holder,
  type Signer,
  signedBytes,
} from './envelope-format.ts';
import { type SealRequest, sealWith } from './envelope-seal.ts';

export type { DmContent, DmEnvelope, Holder, SealRequest, Signer };

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Seals `request.content` for every reader under fresh randomness, and signs the envelope. */
export function sealDm(request: SealRequest): DmEnvelope {
  return sealWith(request, {
    contentKey: randomBytes(KEY_BYTES),
    nonce: randomBytes(NONCE_BYTES),
    ephemeral: ephemeralKey,
  });
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

/**
 * An opened message: what it says, and the sender's id and time for it,
 * both signed. A reader shows a `(from, sfp, cid)` it has shown before as
 * that same message, never as a new one: a relay can deliver an envelope
 * again, not make a new one.
 */
export type OpenResult =
  | { ok: true; content: DmContent; cid: string; ts: number }
  | { ok: false; reason: OpenFailure };

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

/** Verifies and opens `value`; never throws, whatever it is given. */
export function openDm(value: unknown, request: OpenRequest): OpenResult {
  try {
    return open(value, request);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}

function open(value: unknown, request: OpenRequest): OpenResult {
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
  const context = {
    aad: associatedData(envelope.from, envelope.to, envelope.cid, envelope.ts),
    nonce: Buffer.from(envelope.nonce, 'base64'),
  };
  let plain: Buffer;
  try {
    const contentKey = unwrapAs(
      reader.privateKey,
      reader.fingerprint,
      Buffer.from(entry.wk, 'base64'),
      context,
      envelope.epk === undefined ? undefined : Buffer.from(envelope.epk, 'base64'),
    );
    if (contentKey.length !== KEY_BYTES || context.nonce.length !== NONCE_BYTES) {
      return { ok: false, reason: 'unverified' };
    }
    plain = gcmOpen(contentKey, context.nonce, Buffer.from(envelope.ct, 'base64'), context.aad);
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
  if (!checked.success || !request.isText(checked.data.text)) {
    return { ok: false, reason: 'bad_content' };
  }
  return { ok: true, content: checked.data, cid: envelope.cid, ts: envelope.ts };
}
