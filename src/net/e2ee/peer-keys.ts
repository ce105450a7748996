/**
 * A key directory answer (`keys`), checked by the client itself: the server
 * may leave a certificate out, never make the client seal for one the
 * team's CA did not sign for that user. Each certificate must be signed by
 * the CA this client trusts, be within its dates, name the user as its CN,
 * not be on the CRL the client has (when it has one), and carry a key that
 * can seal (P-256 or RSA). What fails is left out, and said. Pure.
 */
import { type KeyObject, X509Certificate } from 'node:crypto';
import type { Holder } from './envelope-format.ts';

/** A certificate of a peer that holds: what sealing, opening and the safety number need. */
export interface PeerKey extends Holder {
  /** The SubjectPublicKeyInfo, DER: the safety number is computed over it. */
  spki: Buffer;
}

/** What a directory answer is checked against. */
export interface KeyTrust {
  ca: X509Certificate;
  /** Whether the CRL the client has revokes a serial (as X509Certificate gives it); never true without one. */
  revokes: (serial: string) => boolean;
  now: number;
}

/** The certificates of `user` that hold, and how many did not. */
export interface CheckedKeys {
  keys: PeerKey[];
  refused: number;
}

/** Checks each base64 DER certificate of a `keys` answer for `user` (see the module comment). */
export function checkDirectory(
  user: string,
  certs: readonly string[],
  trust: KeyTrust,
): CheckedKeys {
  const keys = new Map<string, PeerKey>();
  let refused = 0;
  for (const der of certs) {
    const key = checked(user, der, trust);
    if (key) keys.set(key.fingerprint, key);
    else refused += 1;
  }
  return {
    keys: [...keys.values()].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1)),
    refused,
  };
}

/** One certificate as a PeerKey, or undefined when it does not hold for `user`. */
export function checked(user: string, der: string, trust: KeyTrust): PeerKey | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(der, 'base64'));
  } catch {
    return undefined;
  }
  const { ca, revokes, now } = trust;
  const cn = cert.subject
    .split('\n')
    .find((line) => line.startsWith('CN='))
    ?.slice(3);
  if (
    cn !== user ||
    !cert.checkIssued(ca) ||
    !cert.verify(ca.publicKey) ||
    Date.parse(cert.validFrom) > now ||
    Date.parse(cert.validTo) < now ||
    revokes(cert.serialNumber) ||
    !canSeal(cert.publicKey)
  ) {
    return undefined;
  }
  return {
    fingerprint: cert.fingerprint256,
    publicKey: cert.publicKey,
    spki: cert.publicKey.export({ type: 'spki', format: 'der' }),
  };
}

function canSeal(key: KeyObject): boolean {
  return (
    (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') ||
    key.asymmetricKeyType === 'rsa'
  );
}
