import { loadSigningCa } from './load.ts';
import { ensurePrivateDir } from './pki-files.ts';
import { DEFAULT_LEAF_DAYS } from './profiles.ts';
import {
  type PkiContext,
  type ReportLine,
  validateDays,
  validateServerNames,
  writeServerCert,
} from './write-certs.ts';

/**
 * Issues a new server certificate and key, replacing the old pair. The SANs
 * are localhost, 127.0.0.1 and ::1 plus exactly the names given now, so give
 * every name the server is reached by.
 */
export async function reissueServer(
  ctx: PkiContext,
  options: { hosts?: string[]; ips?: string[]; days?: number },
): Promise<ReportLine[]> {
  const names = validateServerNames(options.hosts ?? [], options.ips ?? []);
  const days = validateDays(options.days ?? DEFAULT_LEAF_DAYS);
  const ca = await loadSigningCa(ctx.layout, ctx.now);
  await ensurePrivateDir(ctx.layout.dir, 'fix the permissions of the certs directory');
  return [await writeServerCert(ctx, ca, names, days)];
}
