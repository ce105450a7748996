import { loadSigningCa } from './load.ts';
import { withPkiLock } from './lock.ts';
import { DEFAULT_LEAF_DAYS } from './profiles.ts';
import { validateDays, validateServerNames } from './validate.ts';
import {
  type PkiContext,
  privateDir,
  type ReportLine,
  WRITE_HINT,
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
  return withPkiLock(ctx.layout, async () => {
    const ca = await loadSigningCa(ctx.layout, ctx.now);
    const notes = await privateDir(ctx.layout.dir, WRITE_HINT);
    return [await writeServerCert(ctx, ca, names, days), ...notes];
  });
}
