import { X509Certificate } from 'node:crypto';

/** What is wrong with a client's own certificate, as far as its own files tell. */
export type OwnCertificateProblem =
  | { kind: 'expired'; date: string }
  | { kind: 'not_yet_valid'; date: string }
  | { kind: 'foreign' };

/**
 * Why a server would refuse this client certificate, judged from the
 * client's own certificate and team CA (PEM) at `now` (epoch ms): expired,
 * not valid yet, or not signed by that CA. Undefined when it looks valid or
 * cannot be read; a revocation cannot be seen from here.
 */
export function ownCertificateProblem(
  certPem: string,
  caPem: string,
  now: number,
): OwnCertificateProblem | undefined {
  let cert: X509Certificate;
  let ca: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
    ca = new X509Certificate(caPem);
  } catch {
    return undefined;
  }
  const day = (text: string) => new Date(text).toISOString().slice(0, 10);
  if (Date.parse(cert.validTo) < now) return { kind: 'expired', date: day(cert.validTo) };
  if (Date.parse(cert.validFrom) > now) return { kind: 'not_yet_valid', date: day(cert.validFrom) };
  // Two teams' CAs may share a name: the signature decides.
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return { kind: 'foreign' };
  return undefined;
}
