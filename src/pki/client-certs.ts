import type { X509Certificate } from 'node:crypto';
import { basename } from 'node:path';
import { ChatError } from '../errors.ts';
import { listBySuffix, readOptional, writeFiles } from '../fs/files.ts';
import type { RevocationReason } from './crl.ts';
import { signedBy } from './inspect.ts';
import { tryParseCertificate } from './keys.ts';
import { clientPaths, credentialName, credentialUser } from './layout.ts';
import { type LoadedCa, loadSigningCa } from './load.ts';
import { withPkiLock } from './lock.ts';
import { validateDeviceName, validateUserName } from './names.ts';
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
 * Issues a client certificate for `name`, or for one more of their devices
 * (`device`: a second certificate with the same CN, in its own files). An
 * existing one is replaced only with `force`, and then revoked as
 * superseded (after the new one is written): the usual reason to replace a
 * certificate is a lost or exposed key, which must stop working. Other
 * devices' certificates are left as they are.
 */
export async function issueClient(
  ctx: PkiContext,
  options: { name: string; device?: string; days?: number; force?: boolean },
): Promise<ReportLine[]> {
  const user = validateUserName(options.name);
  const device = options.device === undefined ? undefined : validateDeviceName(options.device);
  const days = validateDays(options.days ?? DEFAULT_LEAF_DAYS);
  const who = credentialName(user, device);
  const spelled = device === undefined ? user : `${user} --device ${device}`;
  return withPkiLock(ctx.layout, async () => {
    const ca = await loadSigningCa(ctx.layout, ctx.now);
    const paths = clientPaths(ctx.layout, user, device);
    const previous = await readClientCert(paths.cert);
    if (previous && !options.force) {
      throw new ChatError(
        'CERT_EXISTS',
        `a certificate for ${who} already exists (${paths.cert})`,
        {
          hint: `replace it with \`chat certs client ${spelled} --force\` (the old one is then revoked)${device === undefined ? `, or add a device with \`chat certs client ${user} --device NAME\`` : ''}`,
        },
      );
    }
    const notes = await privateDir(ctx.layout.clientsDir, WRITE_HINT, 'clients');
    const issued = await makeClientCert(ctx, ca, user, days, device);
    const revocation: PlannedRevocation =
      previous && signedBy(previous, ca.cert) && new Date(previous.validTo) > ctx.now
        ? await planRevocation(ctx, ca, who, previous, 'superseded')
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

/**
 * Puts `name`'s certificates on the CA's CRL: the one of `device` alone, or
 * without it every certificate of theirs (each device), as cutting a person
 * off means.
 */
export async function revokeClient(
  ctx: PkiContext,
  options: { name: string; device?: string; reason?: RevocationReason },
): Promise<ReportLine[]> {
  const user = validateUserName(options.name);
  const device = options.device === undefined ? undefined : validateDeviceName(options.device);
  const reason = options.reason ?? 'cessation-of-operation';
  return withPkiLock(ctx.layout, async () => {
    const ca = await loadSigningCa(ctx.layout, ctx.now);
    const names =
      device === undefined
        ? await credentialsOf(ctx.layout.clientsDir, user)
        : [credentialName(user, device)];
    if (names.length === 0) names.push(user);
    const lines: ReportLine[] = [];
    // One at a time: each revocation signs the CRL the previous one wrote.
    for (const name of names) {
      const cert = await requireClientCert(ctx, ca, name);
      lines.push(...(await addRevocation(ctx, ca, name, cert, reason)));
    }
    return lines;
  });
}

/** The credential names (`alice`, `alice@phone`) of `user`'s certificates in `clientsDir`, sorted. */
export async function credentialsOf(clientsDir: string, user: string): Promise<string[]> {
  return (await listBySuffix(clientsDir, '.crt'))
    .map((file) => basename(file, '.crt'))
    .filter((name) => credentialUser(name) === user)
    .sort();
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
  name: string,
): Promise<X509Certificate> {
  const user = credentialUser(name);
  const device = name === user ? undefined : name.slice(user.length + 1);
  const cert = await readClientCert(clientPaths(ctx.layout, user, device).cert);
  if (!cert) {
    throw new ChatError(
      'CERT_NOT_FOUND',
      `there is no certificate for ${name} in ${ctx.layout.clientsDir}`,
      {
        hint: `issue one with \`chat certs client ${user}${device === undefined ? '' : ` --device ${device}`}\`; \`chat certs list\` shows who has one`,
      },
    );
  }
  if (!signedBy(cert, ca.cert)) {
    throw new ChatError('CERT_UNREADABLE', `${name}'s certificate was not signed by this CA`, {
      hint: `issue a new one with \`chat certs client ${user}${device === undefined ? '' : ` --device ${device}`} --force\``,
    });
  }
  return cert;
}
