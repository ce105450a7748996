import { join } from 'node:path';
import { ChatError } from '../errors.ts';
import type { FileToWrite } from '../fs/atomic-write.ts';
import { exists, listBySuffix, readOptional, writeFiles } from '../fs/files.ts';
import { historyKept, kept, keySpecNote, missingNamesNote, oldClientsNote } from './init-notes.ts';
import { judgeLeaf, signedBy } from './inspect.ts';
import { clientPaths } from './layout.ts';
import { type LoadedCa, loadCaCert, loadSigningCa, type SigningCa, signingCaFrom } from './load.ts';
import { withPkiLock } from './lock.ts';
import { validateUserName } from './names.ts';
import { DEFAULT_CA_DAYS, DEFAULT_LEAF_DAYS, type KeySpec } from './profiles.ts';
import { type PlannedRevocation, planRevocation } from './revocation.ts';
import { validateDays, validateServerNames } from './validate.ts';
import {
  type Issued,
  makeCa,
  makeClientCert,
  makeCrl,
  makeHistoryKey,
  makeServerCert,
  type PkiContext,
  privateDir,
  type ReportLine,
  WRITE_HINT,
  writeCrl,
  writeHistoryKey,
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

/** InitOptions checked and with defaults filled in. */
interface InitPlan {
  user: string;
  key: KeySpec | undefined;
  names: { hosts: string[]; ips: string[] };
  days: number;
  caDays: number;
  force: boolean;
}

const DIR_FIX = 'choose another directory with --dir, or fix its permissions';

/**
 * Makes whatever is missing of the team's PKI: CA, server certificate, the
 * user's client certificate, an empty CRL and the history key. What exists
 * and is sound is kept and reported; a kept certificate the CA did not sign,
 * or whose key is not its own, is re-issued. A new CA (the first, or with
 * `force`) is made together with everything it signs, in one atomic write.
 */
export async function initPki(ctx: PkiContext, options: InitOptions): Promise<ReportLine[]> {
  const plan: InitPlan = {
    user: validateUserName(options.user),
    key: options.key,
    names: validateServerNames(options.hosts ?? [], options.ips ?? []),
    days: validateDays(options.days ?? DEFAULT_LEAF_DAYS),
    caDays: validateDays(options.caDays ?? DEFAULT_CA_DAYS, '--ca-days'),
    force: options.force === true,
  };
  const { layout } = ctx;
  const dirNotes = await privateDir(layout.dir, DIR_FIX);
  return withPkiLock(layout, async () => {
    dirNotes.push(...(await privateDir(layout.clientsDir, DIR_FIX, 'clients')));
    const caExists = await exists(layout.caCert);
    if (!caExists && !plan.force) await refuseOrphans(ctx);
    const report =
      plan.force || !caExists
        ? await makeEverything(ctx, plan, caExists)
        : await completeExisting(ctx, plan);
    return [...report, ...dirNotes];
  });
}

// A new CA and everything it signs go to disk in one writeFilesAtomically,
// so an interrupted --force cannot leave leaves of the old CA beside it.
async function makeEverything(
  ctx: PkiContext,
  plan: InitPlan,
  replacing: boolean,
): Promise<ReportLine[]> {
  const { layout } = ctx;
  const ca = await makeCa(ctx, plan.key ?? { type: 'ec' }, plan.caDays);
  const signer = signingCaFrom(ca.pems);
  const server = await makeServerCert(ctx, signer, plan.names, plan.days);
  const client = await makeClientCert(ctx, signer, plan.user, plan.days);
  const crl = await makeCrl(ctx, signer, [], 1);
  const history = (await exists(layout.historyKey)) ? undefined : makeHistoryKey(ctx);
  const files: FileToWrite[] = [...ca.files, ...server.files, ...client.files, crl];
  if (history) files.push(history.file);
  await writeFiles(files, WRITE_HINT);
  return [
    ca.line,
    server.line,
    client.line,
    { status: 'created', path: layout.crl, text: 'the revocation list (empty)' },
    ...(history ? [history.line] : historyKept(ctx, plan.force)),
    ...(replacing ? await oldClientsNote(ctx, plan.user) : []),
  ];
}

async function completeExisting(ctx: PkiContext, plan: InitPlan): Promise<ReportLine[]> {
  const { layout } = ctx;
  const ca = await loadCaCert(layout);
  // The CA key is read only when something needs signing: a team may keep
  // it offline once everything is issued.
  let signer: SigningCa | undefined;
  const signingCa = async () => {
    signer ??= await loadSigningCa(layout, ctx.now);
    return signer;
  };

  const report: ReportLine[] = [kept(layout.caCert, 'the team CA')];
  report.push(...(await keySpecNote(ctx, plan.key)));
  // The CRL first: re-issuing below may revoke what it replaces.
  const crlLine = (await exists(layout.crl))
    ? kept(layout.crl, 'the revocation list')
    : await writeEmptyCrl(ctx, await signingCa());
  report.push(
    ...(await keepOrReissue(ctx, ca, signingCa, {
      cert: layout.serverCert,
      key: layout.serverKey,
      who: 'the server',
      keptText: 'the server certificate',
      issue: (s) => makeServerCert(ctx, s, plan.names, plan.days),
      keptNotes: () => missingNamesNote(ctx, plan.names),
    })),
  );
  const client = clientPaths(layout, plan.user);
  report.push(
    ...(await keepOrReissue(ctx, ca, signingCa, {
      ...client,
      who: plan.user,
      keptText: `user ${plan.user}`,
      issue: (s) => makeClientCert(ctx, s, plan.user, plan.days),
      keptNotes: async () => [],
    })),
  );
  report.push(crlLine);
  if (await exists(layout.historyKey)) report.push(...historyKept(ctx, plan.force));
  else report.push(await writeHistoryKey(ctx));
  return report;
}

interface LeafSlot {
  cert: string;
  key: string;
  /** Who the certificate is for, in a revocation line. */
  who: string;
  keptText: string;
  issue: (ca: SigningCa) => Promise<Issued>;
  keptNotes: () => Promise<ReportLine[]>;
}

// A certificate is kept only when the current CA signed it and its key is
// its own. The one replaced is revoked when it would otherwise still be
// trusted: whoever holds its key could go on using it.
async function keepOrReissue(
  ctx: PkiContext,
  ca: LoadedCa,
  signingCa: () => Promise<SigningCa>,
  slot: LeafSlot,
): Promise<ReportLine[]> {
  const certPem = await readOptional(slot.cert);
  const keyPem = certPem === undefined ? undefined : await readOptional(slot.key);
  const verdict = judgeLeaf(certPem, keyPem, ca.cert);
  if (verdict.state === 'keep')
    return [kept(slot.cert, slot.keptText), ...(await slot.keptNotes())];
  const signer = await signingCa();
  const issued = await slot.issue(signer);
  if (verdict.state === 'missing') {
    await writeFiles(issued.files, WRITE_HINT);
    return [issued.line];
  }
  const old = verdict.old;
  const revocation: PlannedRevocation =
    old && signedBy(old, ca.cert) && new Date(old.validTo) > ctx.now
      ? await planRevocation(ctx, signer, slot.who, old, 'superseded')
      : { file: undefined, lines: [] };
  await writeFiles(revocation.file ? [...issued.files, revocation.file] : issued.files, WRITE_HINT);
  return [
    issued.line,
    { status: 'note', text: `the old ${slot.cert} ${verdict.why}, so it was re-issued` },
    ...revocation.lines,
  ];
}

async function writeEmptyCrl(ctx: PkiContext, ca: SigningCa): Promise<ReportLine> {
  await writeCrl(ctx, ca, [], 1);
  return { status: 'created', path: ctx.layout.crl, text: 'the revocation list (empty)' };
}

// Certificates or a CA key without ca.crt mean a lost ca.crt: making a new
// CA silently would leave them all signed by nobody.
async function refuseOrphans(ctx: PkiContext): Promise<void> {
  const { layout } = ctx;
  const clients = (await listBySuffix(layout.clientsDir, '.crt')).map((name) =>
    join(layout.clientsDir, name),
  );
  for (const path of [layout.caKey, layout.serverCert, ...clients]) {
    if (await exists(path)) {
      throw new ChatError('NO_CA', `${path} exists but ${layout.caCert} is missing`, {
        hint: 'restore ca.crt and ca.key from your backup, or start over with `chat certs --force`',
      });
    }
  }
}
