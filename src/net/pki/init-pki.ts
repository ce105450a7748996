import { BlockList, isIP } from 'node:net';
import { ChatError } from '../../errors.ts';
import { describeKeySpec, keySpecOf, parsePrivateKey, tryParseCertificate } from './keys.ts';
import { clientPaths } from './layout.ts';
import { loadSigningCa, type SigningCa } from './load.ts';
import { validateUserName } from './names.ts';
import { ensurePrivateDir, exists, listBySuffix, readOptional } from './pki-files.ts';
import { DEFAULT_CA_DAYS, DEFAULT_LEAF_DAYS, type KeySpec } from './profiles.ts';
import {
  type PkiContext,
  type ReportLine,
  validateDays,
  validateServerNames,
  writeClientCert,
  writeCrl,
  writeHistoryKey,
  writeNewCa,
  writeServerCert,
} from './write-certs.ts';

/** What `chat certs` is asked for. */
export interface InitOptions {
  /** The user whose client certificate is made (the login name by default). */
  user: string;
  /** Key algorithm for a new CA; undefined: EC P-256, or the existing CA's. */
  key?: KeySpec;
  hosts?: string[];
  ips?: string[];
  /** Validity of the leaf certificates, in days. */
  days?: number;
  /** Validity of a new CA, in days. */
  caDays?: number;
  /** Re-create the CA and every certificate made here (never the history key). */
  force?: boolean;
}

/**
 * Makes whatever is missing of the team's PKI: CA, server certificate, the
 * user's client certificate, an empty CRL and the history key. What exists is
 * kept and reported; with `force` the CA and certificates are made anew.
 */
export async function initPki(ctx: PkiContext, options: InitOptions): Promise<ReportLine[]> {
  const user = validateUserName(options.user);
  const names = validateServerNames(options.hosts ?? [], options.ips ?? []);
  const days = validateDays(options.days ?? DEFAULT_LEAF_DAYS);
  const caDays = validateDays(options.caDays ?? DEFAULT_CA_DAYS, '--ca-days');
  const { layout } = ctx;
  const fix = 'choose another directory with --dir, or fix its permissions';
  await ensurePrivateDir(layout.dir, fix);
  await ensurePrivateDir(layout.clientsDir, fix);

  const report: ReportLine[] = [];
  const client = clientPaths(layout, user);
  const caExists = await exists(layout.caCert);
  const newCa = options.force === true || !caExists;
  if (!caExists && !options.force) await refuseOrphans(ctx, [layout.serverCert, client.cert]);

  // The CA key is read only when something needs signing: a team may keep
  // it offline once everything is issued.
  let signer: SigningCa | undefined;
  const signingCa = async () => {
    signer ??= await loadSigningCa(layout, ctx.now);
    return signer;
  };

  if (newCa) {
    report.push(await writeNewCa(ctx, options.key ?? { type: 'ec' }, caDays));
  } else {
    report.push(kept(layout.caCert, 'the team CA'));
    report.push(...(await keySpecNote(ctx, options.key)));
  }

  if (newCa || !(await exists(layout.serverCert))) {
    report.push(await writeServerCert(ctx, await signingCa(), names, days));
  } else {
    report.push(kept(layout.serverCert, 'the server certificate'));
    report.push(...(await missingNamesNote(ctx, names)));
  }

  if (newCa || !(await exists(client.cert))) {
    report.push(await writeClientCert(ctx, await signingCa(), user, days));
  } else {
    report.push(kept(client.cert, `user ${user}`));
  }

  if (newCa || !(await exists(layout.crl))) {
    await writeCrl(ctx, await signingCa(), [], 1);
    report.push({ status: 'created', path: layout.crl, text: 'the revocation list (empty)' });
  } else {
    report.push(kept(layout.crl, 'the revocation list'));
  }

  if (!(await exists(layout.historyKey))) {
    report.push(await writeHistoryKey(ctx));
  } else {
    report.push(kept(layout.historyKey, 'the history key'));
    if (options.force) {
      report.push({
        status: 'note',
        text: 'the history key is never re-created: a new one would make stored history unreadable',
      });
    }
  }

  if (newCa && caExists) report.push(...(await oldClientsNote(ctx, user)));
  return report;
}

// Certificates without their CA mean a lost ca.crt: making a new CA silently
// would leave them all signed by nobody.
async function refuseOrphans(ctx: PkiContext, paths: string[]): Promise<void> {
  for (const path of paths) {
    if (await exists(path)) {
      throw new ChatError('NO_CA', `${path} exists but ${ctx.layout.caCert} is missing`, {
        hint: 'restore ca.crt and ca.key from your backup, or start over with `chat certs --force`',
      });
    }
  }
}

function kept(path: string, text: string): ReportLine {
  return { status: 'exists', path, text };
}

async function keySpecNote(ctx: PkiContext, wanted: KeySpec | undefined): Promise<ReportLine[]> {
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

async function missingNamesNote(
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

async function oldClientsNote(ctx: PkiContext, user: string): Promise<ReportLine[]> {
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
