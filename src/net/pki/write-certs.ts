import { randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { ChatError } from '../../errors.ts';
import { writeFilesAtomically } from './atomic-write.ts';
import { buildCrl, type Revocation } from './crl.ts';
import { type CertAndKey, issueCertificate } from './issue.ts';
import { describeKeySpec } from './keys.ts';
import {
  clientPaths,
  HISTORY_KEY_BYTES,
  type PkiLayout,
  PUBLIC_MODE,
  SECRET_MODE,
} from './layout.ts';
import type { SigningCa } from './load.ts';
import { validateHostName } from './names.ts';
import {
  caProfile,
  clientProfile,
  DEFAULT_SERVER_HOSTS,
  DEFAULT_SERVER_IPS,
  type KeySpec,
  type Profile,
  serverProfile,
  validity,
} from './profiles.ts';

/** What every PKI operation works on: the files, and the time it takes as now. */
export interface PkiContext {
  layout: PkiLayout;
  now: Date;
}

/** One line of what an operation did, for the CLI to print. */
export interface ReportLine {
  status: 'created' | 'exists' | 'revoked' | 'note';
  /** The file concerned, if any. */
  path?: string;
  text: string;
}

/** Longest validity accepted anywhere, in days (100 years). */
const MAX_DAYS = 36_500;

/** Checks a --days value: a whole number of days from 1 to 36500. */
export function validateDays(days: number, flag = '--days'): number {
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw new ChatError('INVALID_DAYS', `invalid ${flag} ${String(days)}`, {
      hint: `give a whole number of days from 1 to ${MAX_DAYS}`,
    });
  }
  return days;
}

/** Checks the extra names for the server certificate; returns them normalised. */
export function validateServerNames(
  hosts: readonly string[],
  ips: readonly string[],
): { hosts: string[]; ips: string[] } {
  for (const ip of ips) {
    if (isIP(ip) === 0) {
      throw new ChatError('INVALID_HOST', `invalid IP address ${JSON.stringify(ip)}`, {
        hint: 'give an address such as 192.0.2.10 or 2001:db8::1 with --ip, or a name with --host',
      });
    }
  }
  return { hosts: hosts.map(validateHostName), ips: [...ips] };
}

/** Makes a new self-signed CA and writes ca.key and ca.crt together. */
export async function writeNewCa(ctx: PkiContext, key: KeySpec, days: number): Promise<ReportLine> {
  const pems = await issueCertificate({ profile: caProfile(), key, ...validity(ctx.now, days) });
  await writePair(ctx.layout.caCert, ctx.layout.caKey, pems);
  return created(
    ctx.layout.caCert,
    `the team CA (${describeKeySpec(key)}), valid until ${until(pems)}`,
  );
}

/** Issues the server certificate for localhost, the loopback addresses and the given names. */
export async function writeServerCert(
  ctx: PkiContext,
  ca: SigningCa,
  names: { hosts: string[]; ips: string[] },
  days: number,
): Promise<ReportLine> {
  const profile = serverProfile(ca.spec, names.hosts, names.ips);
  const pems = await issueLeaf(ctx, ca, profile, days);
  await writePair(ctx.layout.serverCert, ctx.layout.serverKey, pems);
  const sans = [
    ...new Set([...DEFAULT_SERVER_HOSTS, ...names.hosts, ...DEFAULT_SERVER_IPS, ...names.ips]),
  ];
  return created(
    ctx.layout.serverCert,
    `the server (${sans.join(', ')}), valid until ${until(pems)}`,
  );
}

/** Issues a client certificate whose CN is `user`, into clients/. */
export async function writeClientCert(
  ctx: PkiContext,
  ca: SigningCa,
  user: string,
  days: number,
): Promise<ReportLine> {
  const pems = await issueLeaf(ctx, ca, clientProfile(ca.spec, user), days);
  const paths = clientPaths(ctx.layout, user);
  await writePair(paths.cert, paths.key, pems);
  return created(paths.cert, `user ${user}, valid until ${until(pems)}`);
}

/** Signs and writes the CRL; its number must grow with every new CRL. */
export async function writeCrl(
  ctx: PkiContext,
  ca: SigningCa,
  revocations: readonly Revocation[],
  number: number,
): Promise<void> {
  const pem = await buildCrl({
    ca: ca.pems,
    number,
    revocations,
    thisUpdate: ctx.now,
    nextUpdate: new Date(ca.cert.validTo),
  });
  await writeFilesAtomically([{ path: ctx.layout.crl, data: pem, mode: PUBLIC_MODE }]);
}

/** Writes 32 fresh random bytes as the key that encrypts history at rest. */
export async function writeHistoryKey(ctx: PkiContext): Promise<ReportLine> {
  await writeFilesAtomically([
    { path: ctx.layout.historyKey, data: randomBytes(HISTORY_KEY_BYTES), mode: SECRET_MODE },
  ]);
  return created(
    ctx.layout.historyKey,
    `the key that encrypts chat history (${HISTORY_KEY_BYTES} random bytes)`,
  );
}

function issueLeaf(
  ctx: PkiContext,
  ca: SigningCa,
  profile: Profile,
  days: number,
): Promise<CertAndKey> {
  return issueCertificate({
    profile,
    key: ca.spec,
    ...validity(ctx.now, days, new Date(ca.cert.validTo)),
    issuer: ca.pems,
  });
}

// The key goes first: only a crash of the machine can fall between the two
// renames, and then a new pair is a stray key without a certificate, which
// the next run replaces, and a replaced pair a key that no longer matches its
// certificate, which every loader checks for.
function writePair(certPath: string, keyPath: string, pems: CertAndKey): Promise<void> {
  return writeFilesAtomically([
    { path: keyPath, data: pems.key, mode: SECRET_MODE },
    { path: certPath, data: pems.cert, mode: PUBLIC_MODE },
  ]);
}

function until(pems: CertAndKey): string {
  return new Date(new X509Certificate(pems.cert).validTo).toISOString().slice(0, 10);
}

function created(path: string, text: string): ReportLine {
  return { status: 'created', path, text };
}
