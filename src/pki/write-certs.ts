import { randomBytes, X509Certificate } from 'node:crypto';
import type { FileToWrite } from '../fs/atomic-write.ts';
import { ensurePrivateDir, writeFiles } from '../fs/files.ts';
import { PUBLIC_MODE, SECRET_MODE } from '../fs/modes.ts';
import { buildCrl, type Revocation } from './crl.ts';
import { type CertAndKey, issueCertificate } from './issue.ts';
import { describeKeySpec } from './keys.ts';
import {
  clientPaths,
  HISTORY_KEY_BYTES,
  isPkiEntry,
  type PkiDirKind,
  type PkiLayout,
} from './layout.ts';
import type { SigningCa } from './load.ts';
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

/** A certificate made in memory: its PEMs, the files that will hold it, and its report line. */
export interface Issued {
  pems: CertAndKey;
  files: FileToWrite[];
  line: ReportLine;
}

/** What to do when the certs directory cannot be written. */
export const WRITE_HINT =
  'make it writable for you (chmod u+w), or choose another directory with --dir';

/** Makes a new self-signed CA, in memory: ca.key and ca.crt. */
export async function makeCa(ctx: PkiContext, key: KeySpec, days: number): Promise<Issued> {
  const pems = await issueCertificate({ profile: caProfile(), key, ...validity(ctx.now, days) });
  return {
    pems,
    files: pairFiles(ctx.layout.caCert, ctx.layout.caKey, pems),
    line: created(
      ctx.layout.caCert,
      `the team CA (${describeKeySpec(key)}), valid until ${until(pems)}`,
    ),
  };
}

/** Issues, in memory, the server certificate for localhost, the loopback addresses and the given names. */
export async function makeServerCert(
  ctx: PkiContext,
  ca: SigningCa,
  names: { hosts: string[]; ips: string[] },
  days: number,
): Promise<Issued> {
  const profile = serverProfile(ca.spec, names.hosts, names.ips);
  const pems = await issueLeaf(ctx, ca, profile, days);
  const sans = [
    ...new Set([...DEFAULT_SERVER_HOSTS, ...names.hosts, ...DEFAULT_SERVER_IPS, ...names.ips]),
  ];
  return {
    pems,
    files: pairFiles(ctx.layout.serverCert, ctx.layout.serverKey, pems),
    line: created(
      ctx.layout.serverCert,
      `the server (${sans.join(', ')}), valid until ${until(pems)}`,
    ),
  };
}

/** Issues, in memory, a client certificate whose CN is `user` (for one of their devices), for clients/. */
export async function makeClientCert(
  ctx: PkiContext,
  ca: SigningCa,
  user: string,
  days: number,
  device?: string,
): Promise<Issued> {
  const pems = await issueLeaf(ctx, ca, clientProfile(ca.spec, user), days);
  const paths = clientPaths(ctx.layout, user, device);
  const whose = device === undefined ? `user ${user}` : `user ${user}, device ${device}`;
  return {
    pems,
    files: pairFiles(paths.cert, paths.key, pems),
    line: created(paths.cert, `${whose}, valid until ${until(pems)}`),
  };
}

/** Signs a CRL, in memory; its number must grow with every new CRL. */
export async function makeCrl(
  ctx: PkiContext,
  ca: SigningCa,
  revocations: readonly Revocation[],
  number: number,
): Promise<FileToWrite> {
  const pem = await buildCrl({
    ca: ca.pems,
    number,
    revocations,
    thisUpdate: ctx.now,
    nextUpdate: new Date(ca.cert.validTo),
  });
  return { path: ctx.layout.crl, data: pem, mode: PUBLIC_MODE };
}

/** 32 fresh random bytes, in memory, as the key that encrypts history at rest. */
export function makeHistoryKey(ctx: PkiContext): { file: FileToWrite; line: ReportLine } {
  return {
    file: { path: ctx.layout.historyKey, data: randomBytes(HISTORY_KEY_BYTES), mode: SECRET_MODE },
    line: created(
      ctx.layout.historyKey,
      `the key that encrypts chat history (${HISTORY_KEY_BYTES} random bytes)`,
    ),
  };
}

/** Issues and writes the server certificate and key (see makeServerCert). */
export async function writeServerCert(
  ctx: PkiContext,
  ca: SigningCa,
  names: { hosts: string[]; ips: string[] },
  days: number,
): Promise<ReportLine> {
  const issued = await makeServerCert(ctx, ca, names, days);
  await writeFiles(issued.files, WRITE_HINT);
  return issued.line;
}

/** Signs and writes the CRL (see makeCrl). */
export async function writeCrl(
  ctx: PkiContext,
  ca: SigningCa,
  revocations: readonly Revocation[],
  number: number,
): Promise<void> {
  await writeFiles([await makeCrl(ctx, ca, revocations, number)], WRITE_HINT);
}

/** Writes a new history key (see makeHistoryKey). */
export async function writeHistoryKey(ctx: PkiContext): Promise<ReportLine> {
  const { file, line } = makeHistoryKey(ctx);
  await writeFiles([file], WRITE_HINT);
  return line;
}

/**
 * ensurePrivateDir, reporting a directory it had to leave open to others as
 * a note: the keys in it are still 0600, but names and certificates show.
 */
export async function privateDir(
  dir: string,
  fixHint: string,
  kind: PkiDirKind = 'certs',
): Promise<ReportLine[]> {
  const { state, mode } = await ensurePrivateDir(dir, fixHint, (name) => isPkiEntry(name, kind));
  if (state !== 'open' && state !== 'shared') return [];
  const why = state === 'open' ? 'it holds other files' : 'it is shared';
  return [
    {
      status: 'note',
      text: `${dir} is readable by others (mode ${mode.toString(8)}) and was left so, as ${why}: use a directory of its own, or \`chmod 700 ${dir}\``,
    },
  ];
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
// certificate, which every loader checks for and `chat certs` re-issues.
function pairFiles(certPath: string, keyPath: string, pems: CertAndKey): FileToWrite[] {
  return [
    { path: keyPath, data: pems.key, mode: SECRET_MODE },
    { path: certPath, data: pems.cert, mode: PUBLIC_MODE },
  ];
}

function until(pems: CertAndKey): string {
  return new Date(new X509Certificate(pems.cert).validTo).toISOString().slice(0, 10);
}

function created(path: string, text: string): ReportLine {
  return { status: 'created', path, text };
}
