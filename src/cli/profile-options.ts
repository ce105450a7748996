import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ChatError } from '../errors.ts';
import type { ServerAddress } from '../net/server-address.ts';
import { parseServerList, uniqueServers } from '../net/server-list.ts';
import { chooseTeam, type ProfileEnv, profilePlace } from '../profile/profile-paths.ts';
import {
  listTeams,
  type ProfileSettings,
  readSettings,
  settingsServers,
} from '../profile/profile-store.ts';
import { checkClientPort } from './number-options.ts';
import { DEFAULT_PORT } from './shared-options.ts';

/** `--team`: which team's profile a command uses. */
export const teamOption = {
  type: 'string',
  describe: "the team's profile to use [default: $CHAT_TEAM, the only one there is, or default]",
  global: true,
} as const;

/** The commands that connect to a server, and so take its address from the profile. */
const CLIENT_COMMANDS = new Set(['tui', 'send', 'tail', 'history search']);

/** How a command's certs folder was chosen. */
export type CertsFrom = 'explicit' | 'profile';

/** What the profile middleware adds to every command's arguments. */
export interface Placed {
  /** The team whose profile is used (undefined when --certs and --data made it moot). */
  team: string | undefined;
  /** How the team was chosen: named (flag, env), the only profile, or the default. */
  teamFrom: 'flag' | 'env' | 'only' | 'default' | undefined;
  certsFrom: CertsFrom;
}

/** The parsed arguments the middleware reads and completes. */
interface Args {
  _: Array<string | number>;
  team?: string | undefined;
  certs?: string | undefined;
  dir?: string | undefined;
  data?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  /** `--server` (or CHAT_SERVER): a comma-separated list of HOST[:PORT]. */
  server?: string | string[] | undefined;
  servers?: ServerAddress[] | undefined;
  user?: string | undefined;
  [key: string]: unknown;
}

/**
 * Fills in where a command's things are. A team named (--team, CHAT_TEAM)
 * or no --certs/--dir (nor CHAT_CERTS_DIR) means the team's profile (see
 * profile-paths.ts): its folders, and for client commands the server's
 * address and the user from its settings; an explicit --data still wins.
 * An explicit certs folder and no team named leaves profiles out entirely,
 * as a checkout made before profiles expects: the data folder is --data,
 * else `data` beside the certs folder, and a client dials localhost:8443
 * unless told otherwise.
 *
 * A client's servers (`servers`, with `host` and `port` the first of them):
 * --server's list (or CHAT_SERVER's; --port is then the port of an entry
 * without one), else --host and --port, each over the profile's first
 * address, else the profile's list. --server and --host together are refused.
 */
export async function placeArgs(
  argv: Args,
  env: NodeJS.ProcessEnv & ProfileEnv = process.env,
  home: string = homedir(),
): Promise<void> {
  const command = String(argv._[0] ?? '');
  const certsGiven = argv.certs ?? argv.dir ?? nonEmpty(env.CHAT_CERTS_DIR);
  const dataGiven = argv.data ?? nonEmpty(env.CHAT_DATA);
  const client =
    CLIENT_COMMANDS.has(command) || CLIENT_COMMANDS.has(`${command} ${String(argv._[1])}`);
  const teamNamed = nonEmpty(argv.team) ?? nonEmpty(env.CHAT_TEAM);
  let placed: Placed = { team: undefined, teamFrom: undefined, certsFrom: 'explicit' };
  let certs: string;
  let data: string;
  let settings: ProfileSettings = {};
  if (certsGiven === undefined || teamNamed !== undefined) {
    const choice = chooseTeam(argv.team, env, await listTeams(env, home));
    if (!choice.ok) throw new ChatError('USAGE', choice.message, { hint: choice.hint });
    const place = profilePlace(choice.team, env, home);
    certs = certsGiven ?? place.certsDir;
    data = dataGiven ?? place.dataDir;
    placed = {
      team: choice.team,
      teamFrom: choice.how,
      certsFrom: certsGiven === undefined ? 'profile' : 'explicit',
    };
    if (client) settings = await readSettings(place.settingsFile);
  } else {
    certs = certsGiven;
    data = dataGiven ?? join(dirname(resolve(certs)), 'data');
  }
  if (client) {
    const servers = clientServers(argv, settingsServers(settings));
    const [first] = servers;
    if (first === undefined) throw new Error('a client has at least one server');
    argv.servers = servers;
    argv.host = first.host;
    argv.port = first.port;
    argv.user ??= settings.user;
  }
  argv.certs = certs;
  argv.dir = certs;
  argv.data = data;
  Object.assign(argv, placed);
}

// The addresses a client command dials, from its flags and its profile's list.
function clientServers(argv: Args, profile: readonly ServerAddress[]): ServerAddress[] {
  // A repeated --server gives several lists: they are read as one.
  const list = typeof argv.server === 'string' ? nonEmpty(argv.server) : argv.server;
  if (list !== undefined) {
    if (argv.host !== undefined) {
      throw new ChatError('USAGE', '--server and --host both name the server', {
        hint: 'give one: --server HOST:PORT[,HOST:PORT…] for a list, or --host and --port (check CHAT_SERVER and CHAT_HOST)',
      });
    }
    const port = argv.port ?? DEFAULT_PORT;
    checkClientPort(port);
    return parseServerList(list, port, '--server');
  }
  const [first] = profile;
  if (argv.host === undefined && argv.port === undefined && first !== undefined)
    return uniqueServers(profile, 'the profile');
  const host = argv.host ?? first?.host ?? 'localhost';
  const port = argv.port ?? first?.port ?? DEFAULT_PORT;
  checkClientPort(port);
  return [{ host, port }];
}

/**
 * Refuses a relative CHAT_HOME: it would name another folder, so another
 * set of teams, in each directory chat is run from.
 */
export function checkProfileEnv(env: ProfileEnv): void {
  const chatHome = nonEmpty(env.CHAT_HOME);
  if (chatHome !== undefined && !isAbsolute(chatHome)) {
    throw new ChatError('USAGE', `CHAT_HOME=${chatHome} is not an absolute path`, {
      hint: 'give the full path of the folder, as in CHAT_HOME=$HOME/chat-teams',
    });
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Arguments once placeArgs has run: the folders are always set. */
export type PlacedArgs<A> = A & { certs: string; dir: string; data: string } & Placed;

/** Arguments of a client command once placeArgs has run: the server and port too. */
export type PlacedClientArgs<A> = PlacedArgs<A> & {
  host: string;
  port: number;
  servers: ServerAddress[];
};

/** The arguments as placeArgs left them (it runs before every command's handler). */
export function placed<A>(args: A): PlacedArgs<A> {
  return args as unknown as PlacedArgs<A>;
}

/** The arguments of tui, send, tail or history search as placeArgs left them. */
export function placedClient<A>(args: A): PlacedClientArgs<A> {
  return args as unknown as PlacedClientArgs<A>;
}
