import { basename } from 'node:path';
import { ChatError } from '../errors.ts';
import { issueClient, revokeClient } from '../pki/client-certs.ts';
import { isRevocationReason, REVOCATION_REASONS } from '../pki/crl.ts';
import { initPki } from '../pki/init-pki.ts';
import type { CertInfo } from '../pki/inspect.ts';
import { pkiLayout } from '../pki/layout.ts';
import { listCertificates } from '../pki/list-certs.ts';
import type { KeySpec } from '../pki/profiles.ts';
import { reissueServer } from '../pki/server-cert.ts';
import type { PkiContext, ReportLine } from '../pki/write-certs.ts';
import { formatTable } from './format-table.ts';

/** What the certs commands need from the outside world, passed in so tests can hold it. */
export interface CertsIo {
  /** Prints one line to stdout. */
  out: (line: string) => void;
  now: () => Date;
  /** The login name, the default user of `chat certs`. */
  loginName: () => string;
}

/** Options every certs command takes. */
export interface CertsDirArgs {
  dir: string;
}

export interface CertsInitArgs extends CertsDirArgs {
  user?: string;
  keyType?: 'ec' | 'rsa';
  keySize?: number;
  host?: string[];
  ip?: string[];
  days?: number;
  caDays?: number;
  force?: boolean;
}

/** `chat certs`: the whole PKI, making only what is missing. */
export async function runCertsInit(args: CertsInitArgs, io: CertsIo): Promise<void> {
  const report = await initPki(context(args, io), {
    user: args.user ?? io.loginName(),
    key: keySpec(args.keyType, args.keySize),
    hosts: args.host ?? [],
    ips: args.ip ?? [],
    days: args.days,
    caDays: args.caDays,
    force: args.force === true,
  });
  printReport(report, io);
  io.out('');
  io.out(
    report.some((line) => line.status === 'created')
      ? 'Next: give a teammate access with `chat invite NAME --server HOST` (they run `chat join FILE`).'
      : 'Everything was already there: nothing changed. `chat certs --force` re-creates the CA and certificates.',
  );
}

/** `chat certs client NAME [--device D]`. */
export async function runCertsClient(
  args: CertsDirArgs & { name: string; device?: string; days?: number; force?: boolean },
  io: CertsIo,
): Promise<void> {
  const report = await issueClient(context(args, io), {
    name: args.name,
    ...(args.device === undefined ? {} : { device: args.device }),
    days: args.days,
    force: args.force === true,
  });
  printReport(report, io);
  const device = args.device === undefined ? '' : ` --device ${args.device}`;
  io.out(
    `Next: to hand it over, \`chat invite ${args.name}${device} --server HOST --force\` issues it again, sealed in one file for \`chat join\`.`,
  );
}

/** `chat certs server --host H --ip I`. */
export async function runCertsServer(
  args: CertsDirArgs & { host?: string[]; ip?: string[]; days?: number },
  io: CertsIo,
): Promise<void> {
  const report = await reissueServer(context(args, io), {
    hosts: args.host ?? [],
    ips: args.ip ?? [],
    days: args.days,
  });
  printReport(report, io);
}

/** `chat certs revoke NAME [--device D]`. */
export async function runCertsRevoke(
  args: CertsDirArgs & { name: string; device?: string; reason?: string },
  io: CertsIo,
): Promise<void> {
  const reason = args.reason ?? 'cessation-of-operation';
  if (!isRevocationReason(reason)) {
    throw new ChatError('USAGE', `unknown revocation reason ${JSON.stringify(reason)}`, {
      hint: `use one of ${REVOCATION_REASONS.join(', ')}`,
    });
  }
  const device = args.device === undefined ? {} : { device: args.device };
  printReport(await revokeClient(context(args, io), { name: args.name, ...device, reason }), io);
}

/** `chat certs list`: a table, or JSON lines for scripts. */
export async function runCertsList(
  args: CertsDirArgs & { json?: boolean },
  io: CertsIo,
): Promise<void> {
  const listing = await listCertificates(context(args, io));
  if (args.json) {
    for (const cert of listing.certs) io.out(JSON.stringify(toJson(cert)));
  } else {
    io.out(
      formatTable([
        ['KIND', 'NAME', 'DEVICE', 'SERIAL', 'EXPIRES', 'STATUS', 'SHA-256 FINGERPRINT'],
        ...listing.certs.map((c) => [
          c.kind,
          c.commonName,
          deviceOf(c) ?? '-',
          c.serial,
          day(c.notAfter),
          c.status,
          c.fingerprint,
        ]),
      ]),
    );
  }
  for (const warning of listing.warnings) io.out(`warning: ${warning}`);
}

/** Turns --key-type/--key-size into a KeySpec; undefined when neither was given. */
export function keySpec(
  type: 'ec' | 'rsa' | undefined,
  size: number | undefined,
): KeySpec | undefined {
  if (size !== undefined && type !== 'rsa') {
    throw new ChatError('USAGE', '--key-size applies to RSA keys only', {
      hint: 'add --key-type rsa, or drop --key-size for EC P-256',
    });
  }
  if (type === 'rsa') {
    const bits = size ?? 2048;
    if (bits !== 2048 && bits !== 3072 && bits !== 4096) {
      throw new ChatError('USAGE', `unsupported RSA key size ${bits}`, {
        hint: 'use 2048, 3072 or 4096',
      });
    }
    return { type: 'rsa', size: bits };
  }
  return type === 'ec' ? { type: 'ec' } : undefined;
}

function context(args: CertsDirArgs, io: CertsIo): PkiContext {
  return { layout: pkiLayout(args.dir), now: io.now() };
}

// Files in aligned columns; notes below them, since they are sentences.
function printReport(report: readonly ReportLine[], io: CertsIo): void {
  const files = report.filter((line) => line.path !== undefined);
  if (files.length > 0) io.out(formatTable(files.map((l) => [l.status, l.path ?? '', l.text])));
  for (const line of report) if (line.path === undefined) io.out(`${line.status}: ${line.text}`);
}

function toJson(cert: CertInfo): Record<string, string> {
  return {
    kind: cert.kind,
    name: cert.commonName,
    ...(deviceOf(cert) === undefined ? {} : { device: deviceOf(cert) }),
    serial: cert.serial,
    fingerprint: cert.fingerprint,
    expires: cert.notAfter.toISOString(),
    status: cert.status,
    path: cert.path,
  };
}

/** The device a client certificate is for, from its file's name (`bob@phone.crt`); undefined for a user's first. */
function deviceOf(cert: CertInfo): string | undefined {
  if (cert.kind !== 'client') return undefined;
  const name = basename(cert.path, '.crt');
  const at = name.indexOf('@');
  return at < 0 ? undefined : name.slice(at + 1);
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
