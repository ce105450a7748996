/**
 * Sealing a DM envelope from given randomness. `sealDm` (dm-envelope.ts)
 * is what a client calls: it draws fresh randomness for every message.
 * This module is its core and the test vector's way in (docs/PROTOCOL.md
 * §12): the same content key, nonce or ephemeral key used for two
 * messages would break their encryption, so nothing else passes its own.
 * Pure.
 */
import type { KeyObject } from 'node:crypto';
import {
  type Ephemeral,
  gcmSeal,
  isEc,
  rawPoint,
  signWith,
  type WrapContext,
  wrapFor,
} from './envelope-crypto.ts';
import {
  associatedData,
  type DmContent,
  type DmEnvelope,
  ENVELOPE_VERSION,
  type Holder,
  MAX_ENVELOPE_KEYS,
  type Signer,
  signedBytes,
} from './envelope-format.ts';

/** What sealing needs. */
export interface SealRequest {
  from: string;
  to: string;
  /** The sending client's id for the message (its `ref`). */
  cid: string;
  /** When it is sealed, ms since the epoch, by the sender's clock. */
  ts: number;
  content: DmContent;
  signer: Signer;
  /** Every certificate that may read it: the recipient's and the sender's own. */
  readers: readonly Holder[];
}

/** The randomness of one envelope, never used for another. */
export interface SealRandomness {
  contentKey: Buffer;
  nonce: Buffer;
  /** Drawn only when a reader's key is EC. */
  ephemeral: () => KeyObject;
}

/** Seals `request.content` for every reader with `randomness`, and signs the envelope. */
export function sealWith(request: SealRequest, randomness: SealRandomness): DmEnvelope {
  const { from, to, cid, ts, content, signer, readers } = request;
  if (readers.length === 0 || readers.length > MAX_ENVELOPE_KEYS) {
    throw new Error(
      `a DM is sealed for 1-${MAX_ENVELOPE_KEYS} certificates, not ${readers.length}`,
    );
  }
  const { contentKey, nonce } = randomness;
  const context: WrapContext = { aad: associatedData(from, to, cid, ts), nonce };
  const plain = Buffer.from(
    JSON.stringify(content.action ? { text: content.text, action: true } : { text: content.text }),
  );
  const ct = gcmSeal(contentKey, nonce, plain, context.aad);
  let ephemeral: Ephemeral | undefined;
  if (readers.some((r) => isEc(r.publicKey))) {
    const privateKey = randomness.ephemeral();
    ephemeral = { privateKey, point: rawPoint(privateKey) };
  }
  const keys = readers.map((reader) => ({
    fp: reader.fingerprint,
    wk: wrapFor(reader.publicKey, reader.fingerprint, contentKey, context, ephemeral).toString(
      'base64',
    ),
  }));
  const unsigned = {
    v: ENVELOPE_VERSION,
    from,
    to,
    cid,
    ts,
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
