import type { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { ChatError } from '../../errors.ts';
import type { RevocationReason } from './crl.ts';
import { signedBy } from './inspect.ts';
import {
  keyMatchesCertificate,
  normalizeSerial,
  parsePrivateKey,
  tryParseCertificate,
} from './keys.ts';
import { clientPaths, PUBLIC_MODE, SECRET_MODE } from './layout.ts';
import { type LoadedCa, loadCaCert, loadCrl, loadSigningCa } from './load.ts';
import { withPkiLock } from './lock.ts';
import { validateUserName } from './names.ts';
import { exists, readOptional, writeFiles } from './pki-files.ts';
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

/**
 * Writes what a teammate needs to connect, as a certs directory of its own
 * (ca.crt, clients/NAME.crt, clients/NAME.key) with a README on keeping it
 * secret. The bundle goes to certs/bundles/NAME unless `out` says otherwise.
 */
export async function bundleClient(
  ctx: PkiContext,
  options: { name: string; out?: string; force?: boolean },
): Promise<ReportLine[]> {
  const user = validateUserName(options.name);
  if (options.out !== undefined && options.out.trim() === '') {
    throw new ChatError('USAGE', '--out needs a path', {
      hint: `give a directory, as in --out ${user}-bundle, or leave --out off for ${join(ctx.layout.bundlesDir, user)}`,
    });
  }
  // Locked so that a concurrent `client --force` cannot pair one
  // certificate with the other's key.
  return withPkiLock(ctx.layout, async () => {
    const { ca, cert, keyPem } = await bundleContents(ctx, user);
    const out = options.out ?? join(ctx.layout.bundlesDir, user);
    if ((await exists(out)) && !options.force) {
      throw new ChatError('CERT_EXISTS', `a bundle already exists at ${out}`, {
        hint: 'replace it with --force, or choose another place with --out',
      });
    }
    const fix = 'choose another place with --out, or fix its permissions';
    const notes = await privateDir(join(out, 'clients'), fix, 'clients');
    notes.push(...(await privateDir(out, fix, 'bundle')));
    const bundle = clientPaths({ ...ctx.layout, clientsDir: join(out, 'clients') }, user);
    await writeFiles(
      [
        { path: join(out, 'ca.crt'), data: ca.certPem, mode: PUBLIC_MODE },
        { path: bundle.key, data: keyPem, mode: SECRET_MODE },
        { path: bundle.cert, data: cert.toString(), mode: PUBLIC_MODE },
        { path: join(out, 'README.txt'), data: bundleReadme(user), mode: SECRET_MODE },
      ],
      fix,
    );
    return [
      {
        status: 'created',
        path: out,
        text: `everything ${user} needs to connect (CA certificate, certificate, key)`,
      },
      {
        status: 'note',
        text: `it holds ${user}'s private key: hand it over only in person or over an encrypted channel (scp, ssh), never by e-mail or chat`,
      },
      ...notes,
    ];
  });
}

// What goes into a bundle, refused when revoked or without its own key.
async function bundleContents(
  ctx: PkiContext,
  user: string,
): Promise<{ ca: LoadedCa; cert: X509Certificate; keyPem: string }> {
  const ca = await loadCaCert(ctx.layout);
  const cert = await requireClientCert(ctx, ca, user);
  const crl = await loadCrl(ctx.layout, ca);
  const serial = normalizeSerial(cert.serialNumber);
  if (crl.state === 'current' && crl.contents.revocations.some((r) => r.serial === serial)) {
    throw new ChatError('CERT_REVOKED', `${user}'s certificate is revoked`, {
      hint: `issue a new one with \`chat certs client ${user} --force\`, then bundle it`,
    });
  }
  const paths = clientPaths(ctx.layout, user);
  const keyPem = await readOptional(paths.key);
  if (keyPem === undefined || !safeKeyMatches(keyPem, cert)) {
    throw new ChatError(
      'CERT_UNREADABLE',
      `${paths.key} is missing or not the key of ${paths.cert}`,
      {
        hint: `issue a new certificate with \`chat certs client ${user} --force\``,
      },
    );
  }
  return { ca, cert, keyPem };
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

function safeKeyMatches(keyPem: string, cert: X509Certificate): boolean {
  try {
    return keyMatchesCertificate(parsePrivateKey(keyPem), cert);
  } catch {
    return false;
  }
}

function bundleReadme(user: string): string {
  return `chat: access for ${user}

This folder lets ${user} connect to the team's chat server. It holds:
  ca.crt               the team's certificate authority (how you know the server is ours)
  clients/${user}.crt  ${user}'s certificate (who you are)
  clients/${user}.key  ${user}'s PRIVATE KEY

Anyone who has clients/${user}.key can chat as ${user}. Keep this folder
readable by you alone (chmod -R go-rwx), never commit it, never send it by
e-mail or chat. If it leaks, ask the admin to run \`chat certs revoke ${user}\`.

To use it, point chat at this folder as its certs directory, with
--certs /path/to/this/folder or CHAT_CERTS_DIR=/path/to/this/folder.
`;
}
