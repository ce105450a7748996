import type { X509Certificate } from 'node:crypto';
import {
  keyMatchesCertificate,
  normalizeSerial,
  parsePrivateKey,
  tryParseCertificate,
} from './keys.ts';
import { type CertKind, EXPIRES_SOON_DAYS } from './profiles.ts';

/** How a certificate stands today, worst first. */
export type CertStatus =
  | 'revoked'
  | 'untrusted'
  | 'expired'
  | 'not yet valid'
  | 'expires soon'
  | 'valid';

/** One row of `chat certs list`. */
export interface CertInfo {
  kind: CertKind;
  commonName: string;
  /** Lowercase hex, no leading zeros. */
  serial: string;
  /** SHA-256 of the DER certificate, colon-separated uppercase hex as OpenSSL prints it. */
  fingerprint: string;
  notAfter: Date;
  status: CertStatus;
  path: string;
}

/** What the status of a certificate depends on besides the certificate itself. */
export interface StatusContext {
  /** The team CA, to check that it signed this certificate. */
  ca: X509Certificate;
  /** Serials on the CA's CRL, normalised. */
  revoked: ReadonlySet<string>;
  now: Date;
}

/** Describes a certificate of the team's PKI for listing. */
export function describeCertificate(
  kind: CertKind,
  path: string,
  cert: X509Certificate,
  context: StatusContext,
): CertInfo {
  return {
    kind,
    commonName: commonNameOf(cert),
    serial: normalizeSerial(cert.serialNumber),
    fingerprint: cert.fingerprint256,
    notAfter: new Date(cert.validTo),
    status: statusOf(cert, context),
    path,
  };
}

/** The worst thing true of a certificate today (see CertStatus). */
export function statusOf(cert: X509Certificate, { ca, revoked, now }: StatusContext): CertStatus {
  if (revoked.has(normalizeSerial(cert.serialNumber))) return 'revoked';
  if (!signedBy(cert, ca)) return 'untrusted';
  const notBefore = new Date(cert.validFrom).getTime();
  const notAfter = new Date(cert.validTo).getTime();
  const t = now.getTime();
  if (t > notAfter) return 'expired';
  if (t < notBefore) return 'not yet valid';
  if (notAfter - t < EXPIRES_SOON_DAYS * 86_400_000) return 'expires soon';
  return 'valid';
}

/** True when `issuer` names and signed `cert` (for the CA: it signed itself). */
export function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/** The CN of the certificate's subject, or "" when it has none. */
export function commonNameOf(cert: X509Certificate): string {
  const line = cert.subject.split('\n').find((l) => l.startsWith('CN='));
  return line ? line.slice(3) : '';
}

/**
 * Whether a kept certificate and key on disk are fit to keep: `missing`
 * when there is no certificate, `replace` with the reason when the CA did not
 * sign it or its key is missing, garbage or another certificate's. `old` is
 * the certificate being replaced, when it could be read.
 */
export type LeafVerdict =
  | { state: 'keep' }
  | { state: 'missing' }
  | { state: 'replace'; why: string; old?: X509Certificate };

/** Judges a certificate and key (PEM, undefined when absent) against the team CA. */
export function judgeLeaf(
  certPem: string | undefined,
  keyPem: string | undefined,
  ca: X509Certificate,
): LeafVerdict {
  if (certPem === undefined) return { state: 'missing' };
  const old = tryParseCertificate(certPem);
  if (!old) return { state: 'replace', why: 'is not a readable certificate' };
  if (!signedBy(old, ca)) return { state: 'replace', why: 'was not signed by the current CA', old };
  if (keyPem === undefined) return { state: 'replace', why: 'has no key beside it', old };
  let matches: boolean;
  try {
    matches = keyMatchesCertificate(parsePrivateKey(keyPem), old);
  } catch {
    return { state: 'replace', why: 'has a key that is not a readable private key', old };
  }
  return matches ? { state: 'keep' } : { state: 'replace', why: 'does not match its key', old };
}
