import { X509Certificate } from 'node:crypto';
import { homedir } from 'node:os';
import { createElement } from 'react';
import pkg from '../../package.json' with { type: 'json' };
import { exists } from '../fs/files.ts';
import { ChatClient } from '../net/chat-client.ts';
import { keyringFor } from '../net/e2ee/client-keyring.ts';
import { type DmKeyring, memoryPins } from '../net/e2ee/dm-keyring.ts';
import { portAnswers } from '../net/port-probe.ts';
import type { ServerAddress } from '../net/server-address.ts';
import { formatServerList } from '../net/server-list.ts';
import { commonNameOf } from '../pki/inspect.ts';
import { pkiLayout } from '../pki/layout.ts';
import { pinsFile, userPinsFile } from '../profile/pins-file.ts';
import { DEFAULT_TEAM, profilePlace } from '../profile/profile-paths.ts';
import type { ChatServer } from '../server/chat-server.ts';
import { ColorContext } from '../ui/hooks/use-color.ts';
import type { IgnoreSource } from '../ui/hooks/use-ignore.ts';
import type { SettingsSource } from '../ui/hooks/use-settings.ts';
import { colorEnabled } from '../ui/text/color-choice.ts';
import { App } from '../ui/tui/App.tsx';
import { keepStylesWithoutColor } from '../ui/tui/keep-styles.ts';
import { PasswordPrompter } from '../ui/tui/password-prompter.ts';
import { runFullscreen } from '../ui/tui/run-fullscreen.ts';
import { loadClientCredentials } from './client-identity.ts';
import { loginName } from './login-name.ts';
import { certsLookup, missingCerts } from './missing-certs.ts';
import { terminalProblem } from './need-terminal.ts';
import { loadTuiSettings } from './tui-settings.ts';

/** `chat tui` options, with where they came from (see cli/profile-options.ts). */
export interface TuiArgs {
  host: string;
  port: number;
  /** Every node to dial (see cli/profile-options.ts); absent: host and port. */
  servers?: readonly ServerAddress[] | undefined;
  certs: string;
  /** The embedded server's data directory (its encrypted history). */
  data: string;
  user?: string | undefined;
  /** `--bell`/`--no-bell`: over the `bell` setting for this session; neither: the setting. */
  bell?: boolean | undefined;
  /** `--notify`/`--no-notify`: over the `notify` setting for this session; neither: the setting. */
  notify?: boolean | undefined;
  /** `--color` (true), `--no-color` (false), or neither: then NO_COLOR decides. */
  color?: boolean | undefined;
  /** An explicit --certs, or the team profile's. */
  certsFrom?: 'explicit' | 'profile';
  team?: string | undefined;
  teamFrom?: 'flag' | 'env' | 'only' | 'default' | undefined;
  /** `--redraw`: the cells that changed (the default) or whole frames, see `runFullscreen`. */
  redraw?: 'changes' | 'frames' | undefined;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

/** What the TUI starts with: a client, and what first-run did for it (notices to show). */
export interface TuiSession {
  client: ChatClient;
  /** Seals and opens direct messages with this device's key; pins in the profile. */
  keyring: DmKeyring;
  notices: string[];
  /** Asks for the password on screen when the server wants one (--require-password). */
  passwords: PasswordPrompter;
  /** The server started in this process, if none was listening. */
  embedded: ChatServer | undefined;
  /** The TUI's settings (/set), from the profile and the flags. */
  settings: SettingsSource;
  /** The /ignore list, from the profile. */
  ignore: IgnoreSource;
}

/**
 * Prepares `chat tui`: the first run of the default profile against
 * localhost, with nothing listening there, makes the team's certificates;
 * against localhost with nothing listening, a profile holding the server's
 * certificate (the admin's) starts a server inside this process. Otherwise it never makes or starts anything, and explains what is
 * missing instead (see missing-certs.ts).
 */
export async function prepareTui(args: TuiArgs): Promise<TuiSession> {
  // A cluster's list is never this machine's own first run or embedded server.
  const local = LOCAL_HOSTS.has(args.host) && (args.servers?.length ?? 1) === 1;
  const notices: string[] = [];
  const layout = pkiLayout(args.certs);
  let answers: boolean | undefined;
  const serverAnswers = async () => {
    answers ??= await portAnswers(args.host, args.port);
    return answers;
  };
  if (!(await exists(layout.caCert))) {
    const verdict = missingCerts(
      certsLookup(args, {
        // Only the default profile: a team named, or the only one there is, was made or joined on purpose.
        mayStartTeam: local && args.certsFrom === 'profile' && args.team === DEFAULT_TEAM,
        serverAnswers: local && (await serverAnswers()),
      }),
    );
    if (verdict !== 'first-run') throw verdict;
    // Loaded only for a first run: the X.509 libraries cost a TUI's start otherwise.
    const { initPki } = await import('../pki/init-pki.ts');
    await initPki({ layout, now: new Date() }, { user: args.user ?? loginName() });
    notices.push(`first run: made the team's certificates in ${args.certs}/`);
  }
  let embedded: ChatServer | undefined;
  // Only a profile that can serve (the admin's) starts a server; a joined one
  // waits for its team's server instead, and says so on screen.
  const canServe = (await exists(layout.serverCert)) && (await exists(layout.serverKey));
  if (local && canServe && !(await serverAnswers())) {
    const { startEmbeddedServer } = await import('./embedded-server.ts');
    embedded = await startEmbeddedServer({
      port: args.port,
      certsDir: args.certs,
      dataDir: args.data,
    });
    notices.push(
      `no server was running: started one in this process on 127.0.0.1:${args.port} (it stops when you quit)`,
    );
  }
  const { credentials } = await loadClientCredentials(args.certs, args.user, loginName());
  const settings = await loadTuiSettings(args);
  notices.push(...settings.notices);
  const passwords = new PasswordPrompter();
  const client = new ChatClient({
    host: args.host,
    port: args.port,
    ...(args.servers === undefined ? {} : { servers: args.servers }),
    credentials,
    clientName: `chat-tui/${pkg.version}`,
    password: passwords.ask,
    // The App fills rooms joined later with as many (its `backlog` defaults to the setting).
    backlog: settings.source.saved.backlog,
  });
  // Direct messages are sealed end to end with this device's key; pins
  // live in the team's profile (for the session alone without one).
  const me = commonNameOf(new X509Certificate(credentials.cert));
  const place =
    args.team === undefined ? undefined : profilePlace(args.team, process.env, homedir());
  const pinsPlace = place === undefined ? undefined : userPinsFile(place, me);
  const pins = pinsPlace === undefined ? memoryPins() : pinsFile(pinsPlace.file, pinsPlace.legacy);
  if (args.team === undefined) {
    notices.push(
      'no team profile (--certs given): the certificates you pin and verify for DMs last for this session only',
    );
  }
  const keyring = keyringFor(client, credentials, me, pins);
  return {
    client,
    keyring,
    notices,
    embedded,
    passwords,
    settings: settings.source,
    ignore: settings.ignore,
  };
}

/**
 * `chat tui`: the full-screen client until /quit or Ctrl+C on an empty line.
 * Without a terminal on stdin and stdout it does nothing but say so (a USAGE
 * error, exit 2). The terminal is restored on every way out; an embedded
 * server stops with it.
 */
export async function runTui(args: TuiArgs): Promise<void> {
  // First: nothing is made, started or drawn for a pipe or a file.
  const problem = terminalProblem({
    stdin: process.stdin.isTTY === true,
    stdout: process.stdout.isTTY === true,
  });
  if (problem) throw problem;
  const session = await prepareTui(args);
  keepStylesWithoutColor(args.color, process.env);
  try {
    await runFullscreen(
      createElement(
        ColorContext.Provider,
        { value: colorEnabled(process.env, args.color) },
        createElement(App, {
          client: session.client,
          // Said in the status bar for as long as it runs: quitting stops that server.
          server: `${formatServerList(args.servers ?? [args])}${session.embedded ? ' (embedded)' : ''}`,
          settings: session.settings,
          ignore: session.ignore,
          tmux: (process.env.TMUX ?? '') !== '',
          notices: session.notices,
          passwords: session.passwords,
          keyring: session.keyring,
        }),
      ),
      process.stdout,
      { redraw: args.redraw ?? 'changes' },
    );
  } finally {
    await session.client.close();
    await session.embedded?.close();
  }
}
