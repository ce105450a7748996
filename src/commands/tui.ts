import { createElement } from 'react';
import pkg from '../../package.json' with { type: 'json' };
import { ChatError } from '../errors.ts';
import { ChatClient } from '../net/chat-client.ts';
import { pkiLayout } from '../net/pki/layout.ts';
import { exists } from '../net/pki/pki-files.ts';
import { portAnswers } from '../net/port-probe.ts';
import type { ChatServer } from '../server/chat-server.ts';
import { App } from '../ui/tui/App.tsx';
import { PasswordPrompter } from '../ui/tui/password-prompter.ts';
import { runFullscreen } from '../ui/tui/run-fullscreen.ts';
import { loadClientCredentials } from './client-identity.ts';
import { loginName } from './login-name.ts';

/** `chat tui` options. */
export interface TuiArgs {
  host: string;
  port: number;
  certs: string;
  /** The embedded server's data directory (its encrypted history). */
  data: string;
  user?: string;
  bell: boolean;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

/** What the TUI starts with: a client, and what first-run did for it (notices to show). */
export interface TuiSession {
  client: ChatClient;
  notices: string[];
  /** Asks for the password on screen when the server wants one (--require-password). */
  passwords: PasswordPrompter;
  /** The server started in this process, if none was listening. */
  embedded: ChatServer | undefined;
}

/**
 * Prepares `chat tui`: against localhost, a first run makes the certificates
 * and, when nothing listens on the port, starts a server inside this process;
 * against another host it never makes or starts anything and explains what
 * is missing instead.
 */
export async function prepareTui(args: TuiArgs): Promise<TuiSession> {
  const local = LOCAL_HOSTS.has(args.host);
  const notices: string[] = [];
  const layout = pkiLayout(args.certs);
  if (!(await exists(layout.caCert))) {
    if (!local) {
      throw new ChatError('NO_CLIENT_CERT', `${layout.caCert} is missing`, {
        hint: 'unpack the bundle your admin gave you and point --certs at it',
      });
    }
    // Loaded only for a first run: the X.509 libraries cost a TUI's start otherwise.
    const { initPki } = await import('../net/pki/init-pki.ts');
    await initPki({ layout, now: new Date() }, { user: args.user ?? loginName() });
    notices.push(`first run: made the team's certificates in ${args.certs}/`);
  }
  let embedded: ChatServer | undefined;
  if (local && !(await portAnswers(args.host, args.port))) {
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
  const passwords = new PasswordPrompter();
  const client = new ChatClient({
    host: args.host,
    port: args.port,
    credentials,
    clientName: `chat-tui/${pkg.version}`,
    password: passwords.ask,
  });
  return { client, notices, embedded, passwords };
}

/**
 * `chat tui`: the full-screen client until /quit or Ctrl+C on an empty line.
 * The terminal is restored on every way out; an embedded server stops with it.
 */
export async function runTui(args: TuiArgs): Promise<void> {
  const session = await prepareTui(args);
  try {
    await runFullscreen(
      createElement(App, {
        client: session.client,
        // Said in the status bar for as long as it runs: quitting stops that server.
        server: `${args.host}:${args.port}${session.embedded ? ' (embedded)' : ''}`,
        bell: args.bell,
        notices: session.notices,
        passwords: session.passwords,
      }),
    );
  } finally {
    await session.client.close();
    await session.embedded?.close();
  }
}
