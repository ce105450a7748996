import { BlockList, isIP } from 'node:net';
import { listBySuffix, readOptional } from '../fs/files.ts';
import { describeKeySpec, keySpecOf, parsePrivateKey, tryParseCertificate } from './keys.ts';
import type { KeySpec } from './profiles.ts';
import type { PkiContext, ReportLine } from './write-certs.ts';

/** A file `chat certs` found and kept. */
export function kept(path: string, text: string): ReportLine {
  return { status: 'exists', path, text };
}

/** The history key, kept; with --force, why it is never re-created. */
export function historyKept(ctx: PkiContext, force: boolean): ReportLine[] {
  const line = kept(ctx.layout.historyKey, 'the history key');
  if (!force) return [line];
  return [
    line,
    {
      status: 'note',
      text: 'the history key is never re-created: a new one would make stored history unreadable',
    },
  ];
}

/** A note when --key-type asks for another algorithm than the existing CA's. */
export async function keySpecNote(
  ctx: PkiContext,
  wanted: KeySpec | undefined,
): Promise<ReportLine[]> {
  const keyPem = wanted && (await readOptional(ctx.layout.caKey));
  if (!wanted || !keyPem) return [];
  const actual = keySpecOf(parsePrivateKey(keyPem));
  if (describeKeySpec(actual) === describeKeySpec(wanted)) return [];
  return [
    {
      status: 'note',
      text: `the existing CA uses ${describeKeySpec(actual)}, so new certificates do too; --force re-creates everything with ${describeKeySpec(wanted)}`,
    },
  ];
}

/** A note naming the --host/--ip values the kept server certificate lacks. */
export async function missingNamesNote(
  ctx: PkiContext,
  names: { hosts: string[]; ips: string[] },
): Promise<ReportLine[]> {
  const pem = await readOptional(ctx.layout.serverCert);
  const entries = ((pem && tryParseCertificate(pem)?.subjectAltName) || '').split(', ');
  const dns = entries.filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4));
  // Node prints IPv6 SANs expanded (0:0:0:0:0:0:0:1): compare addresses, not spellings.
  const present = new BlockList();
  for (const e of entries.filter((e) => e.startsWith('IP Address:'))) {
    const ip = e.slice('IP Address:'.length);
    present.addAddress(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
  }
  const missing = [
    ...names.hosts.filter((h) => !dns.includes(h)),
    ...names.ips.filter((ip) => !present.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4')),
  ];
  if (missing.length === 0) return [];
  const flags = [...names.hosts.map((h) => `--host ${h}`), ...names.ips.map((ip) => `--ip ${ip}`)];
  return [
    {
      status: 'note',
      text: `the server certificate does not name ${missing.join(', ')}: re-issue it with \`chat certs server ${flags.join(' ')}\``,
    },
  ];
}

/** After a new CA: which other users' certificates it no longer trusts. */
export async function oldClientsNote(ctx: PkiContext, user: string): Promise<ReportLine[]> {
  const others = (await listBySuffix(ctx.layout.clientsDir, '.crt'))
    .map((name) => name.slice(0, -'.crt'.length))
    .filter((name) => name !== user);
  if (others.length === 0) return [];
  return [
    {
      status: 'note',
      text: `signed by the old CA and no longer trusted: ${others.join(', ')}; re-issue each with \`chat certs client NAME --force\``,
    },
  ];
}
