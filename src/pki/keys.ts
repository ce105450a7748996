import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import type { KeySpec } from './profiles.ts';

/**
 * Parses a PEM private key; throws node's error on garbage so the caller can
 * say which file was unreadable.
 */
export function parsePrivateKey(pem: string): KeyObject {
  return createPrivateKey(pem);
}

/** The key algorithm of an existing key, so new leaves match their CA. */
export function keySpecOf(key: KeyObject): KeySpec {
  if (key.asymmetricKeyType === 'rsa') {
    const size = key.asymmetricKeyDetails?.modulusLength;
    return { type: 'rsa', size: size === 3072 || size === 4096 ? size : 2048 };
  }
  return { type: 'ec' };
}

/** True when `key` is the private half of the certificate's public key. */
export function keyMatchesCertificate(key: KeyObject, cert: X509Certificate): boolean {
  const fromKey = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const fromCert = cert.publicKey.export({ type: 'spki', format: 'der' });
  return fromKey.equals(fromCert);
}

/** A human label for a key algorithm, e.g. "EC P-256" or "RSA 3072". */
export function describeKeySpec(spec: KeySpec): string {
  return spec.type === 'ec' ? 'EC P-256' : `RSA ${spec.size}`;
}

/** Serial numbers compared as lowercase hex without leading zeros (tools disagree on both). */
export function normalizeSerial(serial: string): string {
  return serial.toLowerCase().replace(/^0+(?=.)/, '');
}

/**
 * A serial as the hex of its DER INTEGER content: even length, with a 00 byte
 * in front when the first bit is set. Without that byte the number reads as
 * negative, and OpenSSL would match the entry to no certificate.
 */
export function derSerialHex(serial: string): string {
  const hex = normalizeSerial(serial);
  const even = hex.length % 2 === 0 ? hex : `0${hex}`;
  return Number.parseInt(even.charAt(0), 16) >= 8 ? `00${even}` : even;
}

/** Parses a PEM certificate, or returns undefined for garbage. */
export function tryParseCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}
