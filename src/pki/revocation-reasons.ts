/** Revocation reasons, apart from the CRL code so the CLI can list them without loading X.509. */
/** Why a certificate was revoked, in the CLI's spelling (RFC 5280 reason codes). */
export type RevocationReason =
  | 'key-compromise'
  | 'affiliation-changed'
  | 'superseded'
  | 'cessation-of-operation';

export const REVOCATION_REASONS: readonly RevocationReason[] = [
  'key-compromise',
  'affiliation-changed',
  'superseded',
  'cessation-of-operation',
];

/** True for the reasons `chat certs revoke --reason` accepts. */
export function isRevocationReason(value: unknown): value is RevocationReason {
  return (REVOCATION_REASONS as readonly unknown[]).includes(value);
}
