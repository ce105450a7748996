import type { X509Certificate } from 'node:crypto';
import { constants } from 'node:fs';
import { access, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { basename, dirname, resolve } from 'node:path';
import { ChatError } from '../errors.ts';
import { exists, fsReason, listBySuffix, readOptional, writeFiles } from '../fs/files.ts';
import { SECRET_MODE } from '../fs/modes.ts';
import { certsServerFlag } from '../net/host-name.ts';
import {
  formatServerAddress,
  isLoopback,
  parseServerAddress,
  type ServerAddress,
} from '../net/server-address.ts';
import { issueClient } from '../pki/client-certs.ts';
import { sealInvite } from '../pki/invite-file.ts';
import {
  chosenPassphraseProblem,
  generatePassphrase,
  MIN_CHOSEN_PASSPHRASE_CHARS,
  type PassphraseKind,
} from '../pki/invite-passphrase.ts';
import { tryParseCertificate } from '../pki/keys.ts';
import { clientPaths, credentialName, pkiLayout } from '../pki/layout.ts';
import { loadCaCert } from '../pki/load.ts';
import { validateUserName } from '../pki/names.ts';
import { DEFAULT_TEAM, type ProfileEnv, profilePlace } from '../profile/profile-paths.ts';
import { readSettings, writeSettings } from '../profile/profile-store.ts';

/** `chat invite NAME --server HOST[:PORT]…` as parsed (see cli/invite-command.ts). */
export interface InviteArgs {
  name: string;
  /** HOST, HOST:PORT or [IPV6]:PORT, as typed. */
  server: string[];
  /** The port of an address given without one. */
  defaultPort: number;
  /** The admin's certs folder (the team's CA key is there). */
  certs: string;
  certsFrom: 'explicit' | 'profile';
  /** The admin's team; undefined when --certs and --data made the profile moot. */
  team: string | undefined;
  out?: string | undefined;
  /** One more device of NAME: a certificate of its own, beside theirs. */
  device?: string | undefined;
  force?: boolean | undefined;
  days?: number | undefined;
  /** The environment variable holding the passphrase; without it one is generated. */
  passphraseEnv?: string | undefined;
}

/** What `chat invite` needs from the outside world. */
export interface InviteIo {
  /** A line on stdout: the two lines for the teammate. */
  out: (line: string) => void;
  /** A line on stderr: what else happened (a revocation, a warning). */
  note: (line: string) => void;
  now: () => Date;
  env: NodeJS.ProcessEnv & ProfileEnv;
  home: string;
  randomBytes: (size: number) => Buffer;
  /** How hard to make the passphrase's key (the default outside tests). */
  scrypt?: { N: number; r: number; p: number };
}

/**
 * `chat invite NAME --server HOST`: issues NAME's client certificate (an
 * existing one only with --force, which revokes it) and seals, in one file
 * of mode 0600, all NAME needs to join: the team's name, the CA
 * certificate and its fingerprint, NAME's certificate and key, and the
 * server's addresses. Prints the two lines to send NAME. Everything that can
 * be refused is checked before the certificate is issued.
 */
export async function runInvite(args: InviteArgs, io: InviteIo): Promise<void> {
  const user = validateUserName(args.name);
  const servers = serverAddresses(args.server, args.defaultPort);
  const { passphrase, kind } = choosePassphrase(args.passphraseEnv, io);
  const shown = args.out ?? `./${credentialName(user, args.device)}.chat-invite`;
  const outPath = resolve(shown);
  await checkOut(outPath, shown, args.force === true);
  const layout = pkiLayout(args.certs);
  const team = args.team ?? DEFAULT_TEAM;
  const pinUser = await adminUserToKeep(args, io, user);

  const device = args.device === undefined ? {} : { device: args.device };
  let report: Awaited<ReturnType<typeof issueClient>>;
  try {
    report = await issueClient(
      { layout, now: io.now() },
      { name: user, ...device, days: args.days, force: args.force === true },
    );
  } catch (error) {
    if (error instanceof ChatError && error.code === 'CERT_EXISTS') {
      const which = args.device === undefined ? '' : ` --device ${args.device}`;
      throw new ChatError(
        'CERT_EXISTS',
        `${credentialName(user, args.device)} already has a certificate`,
        {
          hint: `\`chat invite ${user}${which} --server … --force\` issues a new one and revokes the old${args.device === undefined ? `; \`--device NAME\` invites one more device of ${user}` : ''}`,
        },
      );
    }
    throw error;
  }
  if (pinUser !== undefined) await writeSettings(pinUser.file, pinUser.settings);
  const ca = await loadCaCert(layout);
  const paths = clientPaths(layout, user, args.device);
  const [cert, key] = await Promise.all([readOptional(paths.cert), readOptional(paths.key)]);
  if (cert === undefined || key === undefined) {
    throw new ChatError('CERT_NOT_FOUND', `${paths.cert} or its key vanished after it was issued`, {
      hint: 'is another `chat certs` running here? Run the command again with --force',
    });
  }
  const sealed = await sealInvite(
    {
      team,
      user,
      caCert: ca.certPem,
      cert,
      key,
      servers,
      caFingerprint: ca.cert.fingerprint256,
    },
    passphrase,
    {
      randomBytes: io.randomBytes,
      passphraseKind: kind,
      now: io.now(),
      ...(io.scrypt ? { scrypt: io.scrypt } : {}),
    },
  );
  await writeFiles(
    [{ path: outPath, data: sealed, mode: SECRET_MODE }],
    'choose a writable place with --out',
  );
  // The key's one copy is now in the sealed file: the admin's machine keeps
  // the certificate (to list and revoke it), never a teammate's key.
  await rm(paths.key, { force: true });

  for (const line of report) {
    if (line.status === 'revoked')
      io.note(`note: revoked ${user}'s previous certificate: ${line.text}`);
    if (line.status === 'note') io.note(`note: ${line.text}`);
  }
  for (const warning of await unnamedServers(layout.serverCert, servers))
    io.note(`warning: ${warning}`);
  for (const server of servers.filter((s) => isLoopback(s.host)))
    io.note(
      `warning: ${server.host} is this machine's own loopback: only a teammate on this machine can dial it`,
    );
  io.note(
    `note: the team's CA fingerprint is ${ca.cert.fingerprint256} (chat join shows it too: compare them)`,
  );
  const secret =
    kind === 'generated'
      ? `the passphrase: ${passphrase}`
      : `the passphrase (the one in $${args.passphraseEnv})`;
  io.out(`send ${user} the file ${shown}, and on another channel ${secret}`);
  io.out(`${user} then runs: chat join ${basename(outPath)}`);
}

function serverAddresses(texts: readonly string[], defaultPort: number): ServerAddress[] {
  if (texts.length === 0) {
    throw new ChatError('USAGE', "say where the team's server is with --server HOST[:PORT]", {
      hint: 'the name or address your teammate dials, as in --server chat.example.com (port 8443 by default)',
    });
  }
  const servers: ServerAddress[] = [];
  for (const text of texts) {
    const server = parseServerAddress(text, defaultPort);
    if (!servers.some((s) => s.host === server.host && s.port === server.port))
      servers.push(server);
  }
  return servers;
}

function choosePassphrase(
  variable: string | undefined,
  io: InviteIo,
): { passphrase: string; kind: PassphraseKind } {
  if (variable === undefined)
    return { passphrase: generatePassphrase(io.randomBytes), kind: 'generated' };
  const passphrase = io.env[variable];
  if (passphrase === undefined || passphrase === '') {
    throw new ChatError(
      'USAGE',
      `--passphrase-env ${variable}: the variable ${variable} is not set`,
      {
        hint: `set it first (read -rs ${variable} && export ${variable}), or leave --passphrase-env off for a generated passphrase`,
      },
    );
  }
  const problem = chosenPassphraseProblem(passphrase);
  if (problem !== undefined) {
    throw new ChatError('USAGE', `--passphrase-env ${variable}: ${problem}`, {
      hint: `use ${MIN_CHOSEN_PASSPHRASE_CHARS} characters or more, or leave --passphrase-env off for a generated passphrase`,
    });
  }
  return { passphrase, kind: 'chosen' };
}

// Refused before anything is issued: an invite already there, or a folder
// the invite could not be written to.
async function checkOut(path: string, shown: string, force: boolean): Promise<void> {
  if (shown.trim() === '') {
    throw new ChatError('USAGE', '--out needs a file name', {
      hint: 'give one, as in --out carol.chat-invite, or leave --out off',
    });
  }
  if (!force && (await exists(path))) {
    throw new ChatError('FILE_EXISTS', `${shown} already exists`, {
      hint: 'choose another file with --out, or replace it (and re-issue the certificate) with --force',
    });
  }
  try {
    await access(dirname(path), constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new ChatError('DIR_UNWRITABLE', `cannot write ${shown}: ${fsReason(error)}`, {
      hint: 'choose a writable place with --out',
      cause: error,
    });
  }
}

/**
 * The admin's own certificate, when the profile holds only that one and
 * names no user: the invitee's certificate lands beside it, and `chat tui`
 * would otherwise no longer know whose to use. Kept in settings.json.
 */
async function adminUserToKeep(
  args: InviteArgs,
  io: InviteIo,
  invitee: string,
): Promise<{ file: string; settings: { user: string } } | undefined> {
  if (args.certsFrom !== 'profile' || args.team === undefined) return undefined;
  const place = profilePlace(args.team, io.env, io.home);
  const settings = await readSettings(place.settingsFile);
  if (settings.user !== undefined) return undefined;
  const names = (await listBySuffix(pkiLayout(args.certs).clientsDir, '.crt')).map((n) =>
    basename(n, '.crt'),
  );
  const [only] = names;
  if (names.length !== 1 || only === undefined || only === invitee) return undefined;
  return { file: place.settingsFile, settings: { ...settings, user: only } };
}

// The addresses the server's certificate does not name: the invitee could
// not connect by them. Silent when there is no server certificate here.
async function unnamedServers(
  serverCertPath: string,
  servers: readonly ServerAddress[],
): Promise<string[]> {
  const pem = await readOptional(serverCertPath).catch(() => undefined);
  const cert = pem === undefined ? undefined : tryParseCertificate(pem);
  if (cert === undefined) return [];
  return servers
    .filter((s) => !certificateNames(cert, s.host))
    .map((s) => {
      const flag = certsServerFlag(s.host);
      return `the server's certificate does not name ${s.host}, so a client dialing ${formatServerAddress(s)} will refuse it: run \`chat certs server ${flag} ${s.host}\` and restart chat serve`;
    });
}

function certificateNames(cert: X509Certificate, host: string): boolean {
  return isIP(host) !== 0 ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined;
}
