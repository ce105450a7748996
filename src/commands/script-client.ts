import pkg from '../../package.json' with { type: 'json' };
import { ChatError } from '../errors.ts';
import { exists } from '../fs/files.ts';
import { ChatClient } from '../net/chat-client.ts';
import { passwordProblem } from '../net/password-rules.ts';
import type { ServerAddress } from '../net/server-address.ts';
import { pkiLayout } from '../pki/layout.ts';
import { loadClientCredentials } from './client-identity.ts';
import { loginName } from './login-name.ts';
import { certsLookup, missingCerts } from './missing-certs.ts';

/** Options `chat send` and `chat tail` share: where to connect, as whom. */
export interface ClientArgs {
  host: string;
  port: number;
  /** Every node to dial (see cli/profile-options.ts); absent: host and port. */
  servers?: readonly ServerAddress[] | undefined;
  certs: string;
  user?: string | undefined;
  room: string;
  /** The environment variable holding the password, for a server that asks for one. */
  passwordEnv?: string | undefined;
  /** An explicit --certs, or the team profile's (see cli/profile-options.ts). */
  certsFrom?: 'explicit' | 'profile';
  team?: string | undefined;
  teamFrom?: 'flag' | 'env' | 'only' | 'default' | undefined;
}

/** Builds a client for a scripting command from its flags; it joins `args.room`, when given. */
export async function scriptClient(
  args: Omit<ClientArgs, 'room'> & { room?: string | undefined },
  program: string,
  reconnect: boolean,
): Promise<ChatClient> {
  const password = passwordFromEnv(args.passwordEnv, process.env);
  if (!(await exists(pkiLayout(args.certs).caCert))) {
    const verdict = missingCerts(certsLookup(args, { mayStartTeam: false, serverAnswers: false }));
    if (verdict !== 'first-run') throw verdict;
  }
  const { credentials } = await loadClientCredentials(args.certs, args.user, loginName());
  return new ChatClient({
    password: ({ user }) => {
      if (password !== undefined) return password;
      throw new ChatError('PASSWORD_REQUIRED', `the server asks for ${user}'s password`, {
        hint: 'put it in an environment variable and name it with --password-env VAR',
      });
    },
    host: args.host,
    port: args.port,
    ...(args.servers === undefined ? {} : { servers: args.servers }),
    credentials,
    clientName: `${program}/${pkg.version}`,
    rooms: args.room === undefined ? [] : [args.room],
    reconnect,
    pingIntervalMs: 0,
    // A program, not the person: the server does not announce it (quiet presence).
    script: true,
  });
}

/**
 * The password in the environment variable `name` (from --password-env), or
 * undefined without the flag. A variable that is unset or empty, or a
 * password the server could never take, is a one-line error before any
 * connection is made. There is no --password flag: argv is visible to every
 * user of the machine (ps), the environment of a process is not.
 */
export function passwordFromEnv(
  name: string | undefined,
  env: NodeJS.ProcessEnv,
): string | undefined {
  if (name === undefined) return undefined;
  const password = env[name];
  if (password === undefined || password === '') {
    throw new ChatError('USAGE', `--password-env ${name}: the variable ${name} is not set`, {
      hint: `set it first, e.g. read -rs ${name} && export ${name}`,
    });
  }
  const problem = passwordProblem(password);
  if (problem !== undefined) {
    throw new ChatError('INVALID_PASSWORD', `--password-env ${name}: ${problem}`, {
      hint: 'put the password set with `chat users add` in it',
    });
  }
  return password;
}
