import type { X509Certificate } from 'node:crypto';
import { normalizeSerial } from './keys.ts';
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
