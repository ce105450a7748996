import type { X509Certificate } from 'node:crypto';
import type { FileToWrite } from '../fs/atomic-write.ts';
import { writeFiles } from '../fs/files.ts';
import type { Revocation, RevocationReason } from './crl.ts';
import { normalizeSerial } from './keys.ts';
import { loadCrl, type SigningCa } from './load.ts';
import { makeCrl, type PkiContext, type ReportLine, WRITE_HINT } from './write-certs.ts';

/** A revocation made in memory: the new CRL to write (none when already listed) and its report. */
export interface PlannedRevocation {
  file: FileToWrite | undefined;
  lines: ReportLine[];
}

/**
 * Signs, in memory, the CA's CRL with `cert` added; a certificate already
 * listed changes nothing and is reported as such. `who` names it in the
 * report ("alice", "the server"). The caller holds the certs directory lock
 * and writes `file`, alone or together with what replaces the certificate.
 */
export async function planRevocation(
  ctx: PkiContext,
  ca: SigningCa,
  who: string,
  cert: X509Certificate,
  reason: RevocationReason,
): Promise<PlannedRevocation> {
  const crl = await loadCrl(ctx.layout, ca);
  const current =
    crl.state === 'current' ? crl.contents : { number: 0, revocations: [] as Revocation[] };
  const serial = normalizeSerial(cert.serialNumber);
  const already = current.revocations.find((r) => r.serial === serial);
  if (already) {
    const day = already.revokedAt.toISOString().slice(0, 10);
    return {
      file: undefined,
      lines: [
        {
          status: 'exists',
          path: ctx.layout.crl,
          text: `${who} (serial ${serial}) was already revoked on ${day}`,
        },
      ],
    };
  }
  const revocations = [...current.revocations, { serial, revokedAt: ctx.now, reason }];
  return {
    file: await makeCrl(ctx, ca, revocations, current.number + 1),
    lines: [
      {
        status: 'revoked',
        path: ctx.layout.crl,
        text: `${who} (serial ${serial}, ${reason}); the list now holds ${revocations.length}`,
      },
    ],
  };
}

/** Puts `cert` on the CA's CRL and writes it (see planRevocation). */
export async function addRevocation(
  ctx: PkiContext,
  ca: SigningCa,
  who: string,
  cert: X509Certificate,
  reason: RevocationReason,
): Promise<ReportLine[]> {
  const planned = await planRevocation(ctx, ca, who, cert, reason);
  if (planned.file) await writeFiles([planned.file], WRITE_HINT);
  return planned.lines;
}
