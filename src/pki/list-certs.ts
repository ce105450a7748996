import { join } from 'node:path';
import { ChatError } from '../errors.ts';
import { fsReason, listBySuffix, readOptional } from '../fs/files.ts';
import { type CertInfo, describeCertificate, type StatusContext } from './inspect.ts';
import { tryParseCertificate } from './keys.ts';
import { loadCaCert, loadCrl } from './load.ts';
import type { CertKind } from './profiles.ts';
import type { PkiContext } from './write-certs.ts';

/** Every certificate of the PKI with its status, and what looked wrong on the way. */
export interface CertListing {
  certs: CertInfo[];
  warnings: string[];
}

/** Lists the CA, the server certificate and every client certificate, CA first. */
export async function listCertificates(ctx: PkiContext): Promise<CertListing> {
  const { layout } = ctx;
  const ca = await loadCaCert(layout);
  const crl = await loadCrl(layout, ca);
  const warnings: string[] = [];
  if (crl.state === 'none')
    warnings.push(`${layout.crl} is missing: run \`chat certs\` to make an empty one`);
  if (crl.state === 'stale') {
    warnings.push(
      `${layout.crl} was signed by another CA and revokes nothing: revoke again whoever it should list`,
    );
  }
  const revoked = new Set(
    crl.state === 'current' ? crl.contents.revocations.map((r) => r.serial) : [],
  );
  const context: StatusContext = { ca: ca.cert, revoked, now: ctx.now };

  const files: Array<[CertKind, string]> = [
    ['ca', layout.caCert],
    ['server', layout.serverCert],
    ...(await listBySuffix(layout.clientsDir, '.crt')).map((name): [CertKind, string] => [
      'client',
      join(layout.clientsDir, name),
    ]),
  ];
  const certs: CertInfo[] = [];
  for (const [kind, path] of files) {
    let pem: string | undefined;
    try {
      pem = await readOptional(path);
    } catch (error) {
      // One file we may not read must not hide every other certificate.
      if (!(error instanceof ChatError)) throw error;
      warnings.push(`${path} cannot be read (${fsReason(error.cause)}): skipped`);
      continue;
    }
    if (pem === undefined) continue;
    const cert = tryParseCertificate(pem);
    if (cert) certs.push(describeCertificate(kind, path, cert, context));
    else warnings.push(`${path} is not a readable certificate`);
  }
  return { certs, warnings };
}
