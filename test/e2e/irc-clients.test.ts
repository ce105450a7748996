import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type Serving, startServe, stop, teamMadeByCli } from '../helpers/cli.ts';
import { shellWord, startTui, TmuxTerminal } from '../helpers/tmux.ts';

/** Where alice's IRC client finds her certificate, key and the team's CA. */
interface AliceFiles {
  /** A folder of the test's own: the client's home and config. */
  home: string;
  cert: string;
  key: string;
  ca: string;
}

/**
 * One IRC client from Debian's packages, as docs/IRC.md tells alice to set
 * it up: its command line in a home of its own, then what she types.
 */
interface IrcClientSetup {
  name: string;
  /** Writes what the client needs into `files.home`; the command line that starts it. */
  start(files: AliceFiles): Promise<string>;
  /**
   * What alice types once the client is up, to connect: each command, and
   * what the client shows once it has taken it. A command typed before the
   * last one was read can arrive with it, and weechat asks whether several
   * lines at once were a paste.
   */
  connect(files: AliceFiles, ircPort: number): Array<{ type: string; shows?: RegExp }>;
  /** The client is up and reads what is typed. */
  ready: RegExp;
  /** Typed to see the server's messages (the welcome, notices). */
  serverWindow: string;
  /** Typed to see #general. */
  generalWindow: string;
  /** A line in #general from `from`, as the client shows it. */
  said: (from: string, text: string) => RegExp;
  /** The topic set from IRC, as the client shows it. */
  topicSet: (text: string) => RegExp;
}

const CLIENTS: IrcClientSetup[] = [
  {
    name: 'irssi',
    start: async (files) =>
      `env HOME=${shellWord(files.home)} irssi --home=${shellWord(join(files.home, 'irssi'))} -n alice`,
    // Three lines: fewer than irssi's paste_verify_line_count (5) asks about.
    connect: (files, ircPort) => [
      { type: '/network add -sasl_mechanism EXTERNAL chat' },
      {
        type: `/server add -tls -tls_cert ${files.cert} -tls_pkey ${files.key} -tls_cafile ${files.ca} -network chat localhost ${ircPort}`,
      },
      { type: '/connect chat' },
    ],
    ready: /Irssi v\d/,
    serverWindow: '/window 1',
    generalWindow: '/window goto #general',
    said: (from, text) => new RegExp(`< ${from}> ${text}`),
    topicSet: (text) => new RegExp(`alice changed the topic of #general to: ${text}`),
  },
  {
    name: 'weechat',
    start: async (files) => {
      // weechat wants the certificate and its key in one file; our .crt ends without a newline, so one goes between.
      const pem = join(files.home, 'alice.pem');
      const [cert, key] = await Promise.all([
        readFile(files.cert, 'utf8'),
        readFile(files.key, 'utf8'),
      ]);
      await writeFile(pem, `${cert.trimEnd()}\n${key}`, { mode: 0o600 });
      return `env HOME=${shellWord(files.home)} weechat --dir ${shellWord(join(files.home, 'weechat'))}`;
    },
    connect: (files, ircPort) => {
      const set = (option: string, value: string) => ({
        type: `/set ${option} ${value}`,
        shows: new RegExp(`Option changed: ${option.replaceAll('.', '\\.')} = `),
      });
      return [
        { type: `/server add chat localhost/${ircPort} -ssl`, shows: /irc: server added: chat/ },
        set('irc.server.chat.ssl_cert', join(files.home, 'alice.pem')),
        set('irc.server.chat.ssl_verify', 'on'),
        // Reloads every system certificate: slow on a loaded machine.
        set('weechat.network.gnutls_ca_user', files.ca),
        set('irc.server.chat.sasl_mechanism', 'external'),
        set('irc.server.chat.nicks', 'alice'),
        { type: '/connect chat' },
      ];
    },
    ready: /\[core\] 1:weechat/,
    serverWindow: '/buffer 1',
    generalWindow: '/buffer #general',
    said: (from, text) => new RegExp(`${from} \\| ${text}`),
    topicSet: (text) => new RegExp(`alice has changed topic for #general[\\s\\S]*${text}`),
  },
];

/**
 * Issue 22: real IRC clients in real terminals against `chat serve
 * --irc-port`, with bob in `chat tui`. alice connects over TLS with her
 * client certificate and SASL EXTERNAL, the server's name checked
 * (`localhost`). Each client gets a team and a server of its own.
 */
describe('irssi and weechat talk to chat tui through the IRC gateway', () => {
  const terminals: TmuxTerminal[] = [];
  const servers: Serving[] = [];
  const dirs: Array<{ path: string; cleanup: () => Promise<void> }> = [];

  after(async () => {
    await Promise.all(terminals.map((t) => t.stop()));
    await Promise.all(servers.map((s) => stop(s.child)));
    await Promise.all(dirs.map((d) => d.cleanup()));
  });

  for (const client of CLIENTS) {
    it(`${client.name}: welcome, #general, messages both ways, a topic, direct messages, history`, async () => {
      const dir = await teamMadeByCli(['alice', 'bob']);
      dirs.push(dir);
      const server = await startServe(['--irc-port', '0'], dir.path);
      servers.push(server);
      const ircPort = Number(server.listening.ircPort);
      assert.ok(ircPort > 0, JSON.stringify(server.listening));

      const bob = await startTui(`irc-${client.name}-bob`, dir.path, 'bob', server.port, terminals);
      await bob.waitFor(/1 user\b/);

      const certs = join(dir.path, 'certs');
      const files: AliceFiles = {
        home: join(dir.path, `${client.name}-home`),
        cert: join(certs, 'clients', 'alice.crt'),
        key: join(certs, 'clients', 'alice.key'),
        ca: join(certs, 'ca.crt'),
      };
      await mkdir(files.home, { recursive: true });
      const alice = await TmuxTerminal.start(
        `irc-${client.name}-alice`,
        dir.path,
        await client.start(files),
        { columns: 140, rows: 40 },
      );
      terminals.push(alice);
      await alice.waitFor(client.ready);
      for (const command of client.connect(files, ircPort)) {
        await alice.type(command.type);
        if (command.shows !== undefined) await alice.waitFor(command.shows);
      }

      // Registered with her certificate's name, and in #general (her
      // client's screen says why not, if not).
      await bob.waitFor(/2 users/).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${client.name}'s screen:\n${await alice.screen()}`);
      });
      await alice.type(client.serverWindow);
      await alice.waitFor(/SASL authentication succe(eded|ssful)/);
      await alice.waitFor(/Welcome to chat, alice/);
      await alice.type(client.generalWindow);
      await alice.waitFor(/alice \(?\[?alice@chat\]?\)? has joined #general/);

      await alice.type(`hello from ${client.name}`);
      await bob.waitFor(new RegExp(`<alice> hello from ${client.name}`));
      await bob.type('hi back from the tui');
      await alice.waitFor(client.said('bob', 'hi back from the tui'));

      await alice.type(`/topic release on friday, says ${client.name}`);
      const topic = await bob.waitFor(
        new RegExp(`alice set the topic: release on friday, says ${client.name}`),
      );
      assert.match(
        topic.split('\n')[0] ?? '',
        /│ #general │ release on friday/,
        'in the status bar',
      );
      await alice.waitFor(client.topicSet(`release on friday, says ${client.name}`));

      // A DM from IRC reaches bob in clear (the TUI says so); bob's answer is
      // sealed end to end, which IRC cannot open: alice is told one came.
      await alice.type(`/msg bob psst from ${client.name}`);
      await bob.waitFor(/@alice\s+1!/);
      await bob.press('M-2');
      await bob.waitFor(new RegExp(`<alice> \\(not sealed\\) psst from ${client.name}`));
      await bob.type('sealed answer');
      await bob.waitFor(/<bob> sealed answer/);
      await alice.type(client.serverWindow);
      await alice.waitFor(/bob sent a sealed direct message/);
      assert.doesNotMatch(await alice.screen(), /sealed answer/);

      // History: what bob said in a room before alice joined it is played back to her IRC client.
      await bob.type('/join #log');
      await bob.waitFor(/\[#log\]/);
      await bob.type(`kept in the log for ${client.name}`);
      await bob.waitFor(new RegExp(`<bob> kept in the log for ${client.name}`));
      await alice.type('/join #log');
      await alice.waitFor(/#log/);
      await alice.type(client.generalWindow.replace('#general', '#log'));
      // bob created #log, so he operates it: shown as @bob, which `said` does not expect.
      await alice.waitFor(new RegExp(`bob\\S*\\s*\\S?\\s*kept in the log for ${client.name}`));
    });
  }
});
