import type { X509Certificate } from 'node:crypto';
import { ChatError } from '../errors.ts';
import { readOptional, writeFiles } from '../fs/files.ts';
import type { RevocationReason } from './crl.ts';
import { signedBy } from './inspect.ts';
import { tryParseCertificate } from './keys.ts';
import { clientPaths } from './layout.ts';
import { type LoadedCa, loadSigningCa } from './load.ts';
import { withPkiLock } from './lock.ts';
import { validateUserName } from './names.ts';
import { DEFAULT_LEAF_DAYS } from './profiles.ts';
import { addRevocation, type PlannedRevocation, planRevocation } from './revocation.ts';
import { validateDays } from './validate.ts';
import {
  makeClientCert,
  type PkiContext,
  privateDir,
  type ReportLine,
  WRITE_HINT,
} from './write-certs.ts';

/**
 * Issues a client certificate for `name`. An existing one is replaced only
 * with `force`, and then revoked as superseded (after the new one is
 * written): the usual reason to replace a certificate is a lost or exposed
 * key, which must stop working.
 */
export async function issueClient(
  ctx: PkiContext,
  options: { name: string; days?: number; force?: boolean },
): Promise<ReportLine[]> {
  const user = validateUserName(options.name);
  const days = validateDays(options.days ?? DEFAULT_LEAF_DAYS);
  return withPkiLock(ctx.layout, async () => {
    const ca = await loadSigningCa(ctx.layout, ctx.now);
    const paths = clientPaths(ctx.layout, user);
    const previous = await readClientCert(paths.cert);
    if (previous && !options.force) {
      throw new ChatError(
        'CERT_EXISTS',
        `a certificate for ${user} already exists (${paths.cert})`,
        {
          hint: `replace it with \`chat certs client ${user} --force\` (the old one is then revoked)`,
        },
      );
    }
    const notes = await privateDir(ctx.layout.clientsDir, WRITE_HINT, 'clients');
    const issued = await makeClientCert(ctx, ca, user, days);
    const revocation: PlannedRevocation =
      previous && signedBy(previous, ca.cert) && new Date(previous.validTo) > ctx.now
        ? await planRevocation(ctx, ca, user, previous, 'superseded')
        : { file: undefined, lines: [] };
    // One write, the new pair before the CRL: should it be cut short, the
    // old certificate is never revoked without its replacement in place.
    await writeFiles(
      revocation.file ? [...issued.files, revocation.file] : issued.files,
      WRITE_HINT,
    );
    return [issued.line, ...revocation.lines, ...notes];
  });
}

/** Puts `name`'s current certificate on the CA's CRL. */
export async function revokeClient(
  ctx: PkiContext,
  options: { name: string; reason?: RevocationReason },
): Promise<ReportLine[]> {
  const user = validateUserName(options.name);
  return withPkiLock(ctx.layout, async () => {
    const ca = await loadSigningCa(ctx.layout, ctx.now);
    const cert = await requireClientCert(ctx, ca, user);
    return addRevocation(ctx, ca, user, cert, options.reason ?? 'cessation-of-operation');
  });
}

async function readClientCert(path: string): Promise<X509Certificate | undefined> {
  const pem = await readOptional(path);
  if (pem === undefined) return undefined;
  const cert = tryParseCertificate(pem);
  if (!cert) {
    throw new ChatError('CERT_UNREADABLE', `${path} is not a readable certificate`, {
      hint: 'remove it and issue a new one with `chat certs client NAME`',
    });
  }
  return cert;
}

async function requireClientCert(
  ctx: PkiContext,
  ca: LoadedCa,
  user: string,
): Promise<X509Certificate> {
  const cert = await readClientCert(clientPaths(ctx.layout, user).cert);
  if (!cert) {
    throw new ChatError(
      'CERT_NOT_FOUND',
      `there is no certificate for ${user} in ${ctx.layout.clientsDir}`,
      {
        hint: `issue one with \`chat certs client ${user}\`; \`chat certs list\` shows who has one`,
      },
    );
  }
  if (!signedBy(cert, ca.cert)) {
    throw new ChatError('CERT_UNREADABLE', `${user}'s certificate was not signed by this CA`, {
      hint: `issue a new one with \`chat certs client ${user} --force\``,
    });
  }
  return cert;
}
