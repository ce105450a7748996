import { generate } from 'selfsigned';
import type { KeySpec, Profile } from './profiles.ts';

/** A certificate and its private key, both PEM. */
export interface CertAndKey {
  cert: string;
  key: string;
}

/** What `issueCertificate` needs: who, with which key, for how long, signed by whom. */
export interface IssueRequest {
  profile: Profile;
  key: KeySpec;
  notBefore: Date;
  notAfter: Date;
  /** The signing CA; absent for the self-signed CA itself. */
  issuer?: CertAndKey;
}

/**
 * Makes a fresh key pair and a certificate for it with SHA-256 signatures.
 * The key never leaves the returned value: writing it safely is the caller's job.
 */
export async function issueCertificate(request: IssueRequest): Promise<CertAndKey> {
  const { profile, key } = request;
  const result = await generate([{ name: 'commonName', value: profile.commonName }], {
    algorithm: 'sha256',
    keyType: key.type,
    ...(key.type === 'rsa' ? { keySize: key.size } : { curve: 'P-256' as const }),
    notBeforeDate: request.notBefore,
    notAfterDate: request.notAfter,
    extensions: profile.extensions,
    ...(request.issuer ? { ca: { cert: request.issuer.cert, key: request.issuer.key } } : {}),
  });
  return { cert: result.cert, key: result.private };
}
