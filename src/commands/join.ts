import { X509Certificate } from 'node:crypto';
import { open, rename } from 'node:fs/promises';
import { basename } from 'node:path';
import { ChatError } from '../errors.ts';
import {
  ensurePrivateDir,
  errorCode,
  exists,
  fileError,
  readOptional,
  writeFiles,
} from '../fs/files.ts';
import { PUBLIC_MODE, SECRET_MODE } from '../fs/modes.ts';
import type { ClientCredentials } from '../net/client-types.ts';
import type { ConnectTest } from '../net/connect-test.ts';
import type { ServerAddress } from '../net/server-address.ts';
import type { InviteContents } from '../pki/invite-contents.ts';
import {
  MAX_INVITE_BYTES,
  openSealedInvite,
  parseInvite,
  type SealedInvite,
} from '../pki/invite-file.ts';
import { clientPaths, isPkiEntry, pkiLayout } from '../pki/layout.ts';
import {
  chooseTeam,
  type ProfileEnv,
  type ProfilePlace,
  profilePlace,
  TEAM_PATTERN,
} from '../profile/profile-paths.ts';
import { listTeams, writeSettings } from '../profile/profile-store.ts';
import { joinOutcome, type TriedServer } from './join-outcome.ts';
import { readHiddenLine, type TtyInput } from './read-password.ts';

/** `chat join FILE` as parsed (see cli/invite-command.ts). */
export interface JoinArgs {
  file: string;
  /** The profile's name; the invite's team when absent. */
  team?: string | undefined;
  /** The environment variable holding the passphrase; without it, it is typed. */
  passphraseEnv?: string | undefined;
  /** Replace a profile of the same name (it is kept aside, not deleted). */
  force?: boolean | undefined;
}

/** What `chat join` needs from the outside world. */
export interface JoinIo {
  /** A line on stdout. */
  out: (line: string) => void;
  /** A line on stderr (notes). */
  note: (line: string) => void;
  /** Where the passphrase is typed, without echo. */
  stdin: TtyInput;
  /** Where the prompt goes (stderr). */
  prompt: NodeJS.WritableStream;
  now: () => Date;
  env: NodeJS.ProcessEnv & ProfileEnv;
  home: string;
  /** One test connection (see net/connect-test.ts). */
  connect: (server: ServerAddress, credentials: ClientCredentials) => Promise<ConnectTest>;
}

/** Passphrases a person may type before `chat join` gives up. */
const TYPED_ATTEMPTS = 3;

/**
 * `chat join FILE`: opens an invite with its passphrase (typed without
 * echo, or from --passphrase-env), checks it, installs the team's profile
 * (certs/ca.crt, certs/clients/NAME.crt and .key 0600 in 0700 folders,
 * settings.json naming the server, or every address the invite holds, and
 * the user), then connects once to
 * say whether the server takes the new member. A profile of that name is
 * replaced only with --force, and then kept aside. Resolves (exit 0) once
 * installed, also when no server answers now; rejects (exit 1) when a
 * server refused the certificate or could not be trusted.
 */
export async function runJoin(args: JoinArgs, io: JoinIo): Promise<void> {
  const label = args.file;
  const sealed = parseInvite(await readInviteFile(label), label);
  if (args.team !== undefined && !TEAM_PATTERN.test(args.team)) throw badTeam(args.team, 'flag');
  const invite = await openWithPassphrase(sealed, label, args.passphraseEnv, io);
  const team = args.team ?? invite.team;
  if (!TEAM_PATTERN.test(team)) throw badTeam(team, 'invite');
  const place = profilePlace(team, io.env, io.home);
  const keptAside = await makeRoom(place, invite, args.force === true, io.now());
  await install(place, invite);
  io.out(`installed the team ${team}'s profile for ${invite.user} in ${place.configDir}`);
  if (keptAside !== undefined) io.note(`note: the profile it replaced is kept in ${keptAside}`);
  io.out(
    `the team's CA fingerprint is ${invite.caFingerprint} (compare it with the one chat invite showed your admin)`,
  );

  const credentials = { ca: invite.caCert, cert: invite.cert, key: invite.key };
  const tried: TriedServer[] = [];
  for (const server of invite.servers) {
    const result = await io.connect(server, credentials);
    tried.push({ server, result });
    // Only an address that cannot be reached now is a reason to try the next.
    if (result.ok || result.error.code !== 'CONNECT_FAILED') break;
  }
  for (const line of await shadowNotes(team, io)) io.note(`note: ${line}`);
  const outcome = joinOutcome(invite.user, tried);
  if ('error' in outcome) throw outcome.error;
  io.out(outcome.line);
}

// The file, refused in one line when absent or far too big to be an invite.
async function readInviteFile(path: string): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      throw new ChatError('FILE_UNREADABLE', `there is no file ${path}`, {
        hint: 'give the path of the invite file you were sent (NAME.chat-invite)',
      });
    }
    throw fileError(error, path, 'check the file and its permissions', 'read');
  }
  try {
    const buffer = Buffer.alloc(MAX_INVITE_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } catch (error) {
    throw fileError(error, path, 'give the path of the invite file you were sent', 'read');
  } finally {
    await handle.close();
  }
}

async function openWithPassphrase(
  sealed: SealedInvite,
  label: string,
  variable: string | undefined,
  io: JoinIo,
): Promise<InviteContents> {
  if (variable !== undefined) {
    const passphrase = io.env[variable];
    if (passphrase === undefined || passphrase === '') {
      throw new ChatError(
        'USAGE',
        `--passphrase-env ${variable}: the variable ${variable} is not set`,
        {
          hint: `set it first, e.g. read -rs ${variable} && export ${variable}`,
        },
      );
    }
    return openSealedInvite(sealed, passphrase, io.now(), label);
  }
  if (!io.stdin.isTTY || io.stdin.setRawMode === undefined) {
    throw new ChatError('USAGE', 'no terminal to type the passphrase in', {
      hint: `put it in an environment variable and name it: chat join ${label} --passphrase-env VAR`,
    });
  }
  for (let attempt = 1; ; attempt += 1) {
    const typed = await readHiddenLine(`passphrase for ${basename(label)}: `, io.stdin, io.prompt);
    try {
      return await openSealedInvite(sealed, typed, io.now(), label);
    } catch (error) {
      if (!(error instanceof ChatError) || error.code !== 'INVITE_PASSPHRASE') throw error;
      if (attempt >= TYPED_ATTEMPTS) throw error;
      io.prompt.write('that passphrase does not open it: try again\n');
    }
  }
}

/**
 * Refuses a profile already there (another team's CA, or this team's)
 * unless `force`; with it, moves the old one aside and returns where.
 */
async function makeRoom(
  place: ProfilePlace,
  invite: InviteContents,
  force: boolean,
  now: Date,
): Promise<string | undefined> {
  const caPem = await readOptional(pkiLayout(place.certsDir).caCert);
  if (caPem === undefined && !(await exists(place.settingsFile))) return undefined;
  if (!force) {
    const same = caPem !== undefined && fingerprintOf(caPem) === invite.caFingerprint;
    // Said, since --force would move an admin's CA key aside with the rest.
    const withKey = (await exists(pkiLayout(place.certsDir).caKey)) ? ', with its CA key' : '';
    throw new ChatError(
      'PROFILE_EXISTS',
      same
        ? `this machine already has the team ${place.team}'s profile (${place.configDir}${withKey})`
        : `this machine already has a profile named ${place.team} (${place.configDir}${withKey}), of another team`,
      {
        hint: same
          ? 'replace it with --force (the old one is kept aside)'
          : `join under another name with --team OTHER, or replace it with --force (the old one is kept aside)`,
      },
    );
  }
  const stamp = `.replaced-${now.toISOString().replace(/[-:]|\.\d+/g, '')}`;
  const aside = await moveAside(place.configDir, stamp);
  // Under XDG the old team's history and users live apart from its keys: they go with them.
  const inside = place.dataDir.startsWith(`${place.configDir}/`);
  const dataAside = inside ? undefined : await moveAside(place.dataDir, stamp);
  return dataAside === undefined ? aside : `${aside} (its server data in ${dataAside})`;
}

// Renames `path` to `path + stamp`; undefined when there was nothing there.
async function moveAside(path: string, stamp: string): Promise<string | undefined> {
  try {
    await rename(path, `${path}${stamp}`);
    return `${path}${stamp}`;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw fileError(error, path, 'move it away yourself, then run chat join again');
  }
}

async function install(place: ProfilePlace, invite: InviteContents): Promise<void> {
  const hint = 'choose a writable place with CHAT_HOME or XDG_CONFIG_HOME';
  const layout = pkiLayout(place.certsDir);
  await ensurePrivateDir(place.configDir, hint, (name) => isPkiEntry(name));
  await ensurePrivateDir(place.certsDir, hint, (name) => isPkiEntry(name));
  await ensurePrivateDir(layout.clientsDir, hint, (name) => isPkiEntry(name, 'clients'));
  const paths = clientPaths(layout, invite.user);
  await writeFiles(
    [
      { path: layout.caCert, data: invite.caCert, mode: PUBLIC_MODE },
      { path: paths.key, data: invite.key, mode: SECRET_MODE },
      { path: paths.cert, data: invite.cert, mode: PUBLIC_MODE },
    ],
    hint,
  );
  await writeSettings(place.settingsFile, { server: profileServer(invite), user: invite.user });
}

// One address as a profile always held it; several (the nodes of a cluster,
// or names of one server) as a list, which clients try in random order.
function profileServer(invite: InviteContents): ServerAddress | ServerAddress[] {
  const [first, ...more] = invite.servers;
  if (first === undefined) throw new Error('an opened invite names a server');
  return more.length === 0 ? first : invite.servers;
}

// What would make `chat tui` alone use something other than this profile.
async function shadowNotes(team: string, io: JoinIo): Promise<string[]> {
  const notes: string[] = [];
  const certsDir = io.env.CHAT_CERTS_DIR;
  if (certsDir !== undefined && certsDir !== '')
    notes.push(
      `CHAT_CERTS_DIR is set, so chat reads ${certsDir} instead of this profile: unset it`,
    );
  const choice = chooseTeam(undefined, io.env, await listTeams(io.env, io.home));
  if (!choice.ok || choice.team !== team) {
    const why =
      choice.ok && choice.how === 'env'
        ? `CHAT_TEAM is ${choice.team}`
        : 'this machine has the profiles of several teams';
    notes.push(`${why}: give chat --team ${team} (or set CHAT_TEAM=${team})`);
  }
  return notes;
}

function fingerprintOf(pem: string): string | undefined {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    return undefined;
  }
}

function badTeam(name: string, from: 'flag' | 'invite'): ChatError {
  return new ChatError(
    'USAGE',
    from === 'flag'
      ? `invalid team name ${JSON.stringify(name)}`
      : `the invite names its team ${JSON.stringify(name)}, which cannot name a profile`,
    {
      hint:
        from === 'flag'
          ? 'team names are 1-32 of a-z 0-9 _ - (starting with a letter or digit)'
          : 'choose a name for it with --team NAME',
    },
  );
}
