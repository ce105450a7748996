/**
 * The cryptographic steps of a DM envelope (docs/PROTOCOL.md, "12. DM
 * envelopes"), each for either kind of certificate a team may have:
 * wrapping a content key for one reader (ECDH-ES on P-256 + HKDF-SHA256 +
 * AES-256-GCM, or RSA-OAEP-SHA256), unwrapping it, signing (ECDSA P-256
 * r‖s, or RSASSA-PSS) and AES-256-GCM with the tag appended. Pure.
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  sign,
  verify,
} from 'node:crypto';

/** Bytes of a content key and of a key encryption key. */
export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** A key encryption key is derived for one content key and used once: a fixed nonce never repeats under it. */
const WRAP_NONCE = Buffer.alloc(NONCE_BYTES);
const WRAP_INFO = 'chat-dm-v1 wrap ';
/** RSASSA-PSS with SHA-256: Node's MGF1 uses the same hash as the signature (SHA-256). */
const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } as const;

export function isEc(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec';
}

/** AES-256-GCM, the 16-byte tag appended. */
export function gcmSeal(key: Buffer, nonce: Buffer, plain: Buffer, aad: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** Opens what gcmSeal made; throws when the tag does not hold. */
export function gcmOpen(key: Buffer, nonce: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < TAG_BYTES) throw new Error('shorter than a tag');
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
    decipher.final(),
  ]);
}

/** A fresh ephemeral P-256 key pair's private half. */
export function ephemeralKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

/** The uncompressed point (65 bytes) of a P-256 key's public half. */
export function rawPoint(key: KeyObject): Buffer {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
}

function pointKey(raw: Buffer): KeyObject {
  if (raw.length !== 65 || raw[0] !== 4) throw new Error('not an uncompressed P-256 point');
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
}

/**
 * The key that wraps the content key for one reader of one envelope: HKDF
 * over the ECDH secret, salted with the ephemeral point, told the reader's
 * fingerprint and the content's nonce. The nonce makes it unique per
 * envelope even where an ephemeral key were used twice.
 */
function keyEncryptionKey(secret: Buffer, epk: Buffer, fingerprint: string, nonce: Buffer): Buffer {
  const info = `${WRAP_INFO}${fingerprint} ${nonce.toString('base64')}`;
  return Buffer.from(hkdfSync('sha256', secret, epk, info, KEY_BYTES));
}

function oaep(key: KeyObject, aad: Buffer) {
  return { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: aad };
}

/** The ephemeral key pair of one envelope (only when some reader's key is EC). */
export interface Ephemeral {
  privateKey: KeyObject;
  /** Its public point, as the envelope carries it. */
  point: Buffer;
}

/** What binds a wrapped key to its envelope: the associated data and the content's nonce. */
export interface WrapContext {
  aad: Buffer;
  nonce: Buffer;
}

/** `contentKey` wrapped for the certificate `fingerprint` whose public key is `publicKey`. */
export function wrapFor(
  publicKey: KeyObject,
  fingerprint: string,
  contentKey: Buffer,
  context: WrapContext,
  ephemeral: Ephemeral | undefined,
): Buffer {
  if (!isEc(publicKey)) return publicEncrypt(oaep(publicKey, context.aad), contentKey);
  if (!ephemeral) throw new Error('an EC reader needs the ephemeral key');
  const secret = diffieHellman({ privateKey: ephemeral.privateKey, publicKey });
  const kek = keyEncryptionKey(secret, ephemeral.point, fingerprint, context.nonce);
  return gcmSeal(kek, WRAP_NONCE, contentKey, context.aad);
}

/** The content key in `wrapped`, for this reader's own certificate; throws when it does not open. */
export function unwrapAs(
  privateKey: KeyObject,
  fingerprint: string,
  wrapped: Buffer,
  context: WrapContext,
  point: Buffer | undefined,
): Buffer {
  if (!isEc(privateKey)) return privateDecrypt(oaep(privateKey, context.aad), wrapped);
  if (!point) throw new Error('no ephemeral key for an EC reader');
  const secret = diffieHellman({ privateKey, publicKey: pointKey(point) });
  const kek = keyEncryptionKey(secret, point, fingerprint, context.nonce);
  return gcmOpen(kek, WRAP_NONCE, wrapped, context.aad);
}

/** The order of P-256's group. */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_N = P256_N / 2n;
const sOf = (signature: Buffer) => BigInt(`0x${signature.subarray(32).toString('hex')}`);

/**
 * Signs `data`: ECDSA r‖s with the low s (s ≤ n/2), so that a signature
 * has one spelling and nobody can make a second valid envelope of one by
 * turning s into n − s; RSASSA-PSS for an RSA key.
 */
export function signWith(privateKey: KeyObject, data: Buffer): Buffer {
  if (!isEc(privateKey)) return sign('sha256', data, { key: privateKey, ...PSS });
  const signature = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const s = sOf(signature);
  if (s <= HALF_N) return signature;
  const low = Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex');
  return Buffer.concat([signature.subarray(0, 32), low]);
}

/** Whether `signature` holds for `data` under `publicKey` (an ECDSA one only with the low s); false for any garbage. */
export function verifyWith(publicKey: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    if (isEc(publicKey) && (signature.length !== 64 || sOf(signature) > HALF_N)) return false;
    return isEc(publicKey)
      ? verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)
      : verify('sha256', data, { key: publicKey, ...PSS }, signature);
  } catch {
    return false;
  }
}
