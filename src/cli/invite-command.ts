import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import type { Argv } from 'yargs';
import pkg from '../../package.json' with { type: 'json' };
import { placed } from './profile-options.ts';
import { certsDirOption, DEFAULT_PORT, type Run } from './shared-options.ts';

// Loaded when they run: the other commands start without scrypt and the X.509 code.
const commands = {
  invite: () => import('../commands/invite.ts'),
  join: () => import('../commands/join.ts'),
  connectTest: () => import('../net/connect-test.ts'),
};

const passphraseEnvOption = {
  type: 'string',
  describe: 'the environment variable holding the passphrase (for scripts)',
} as const;

/** Notes and warnings: stderr, prefixed like every other message of chat there. */
const note = (line: string) => process.stderr.write(`chat: ${line}\n`);
const out = (line: string) => process.stdout.write(`${line}\n`);

/**
 * `chat invite NAME --server HOST` on the admin's machine, and `chat join
 * FILE` on the teammate's: one sealed file carries a teammate in.
 */
export function inviteCommands(y: Argv, run: Run): Argv {
  return y
    .command(
      'invite <name>',
      "issue a teammate's certificate and seal it, with the team CA and the server's address, in one invite file",
      (c) =>
        c
          .positional('name', {
            type: 'string',
            demandOption: true,
            describe: 'the teammate: 1-32 of a-z 0-9 _ -',
          })
          .options({
            server: {
              type: 'string',
              array: true,
              describe: `where the teammate dials the server (required): HOST or HOST:PORT, port ${DEFAULT_PORT} by default; repeatable`,
            },
            certs: { ...certsDirOption, alias: 'dir' },
            out: {
              type: 'string',
              defaultDescription: './NAME.chat-invite',
              describe: 'where to write the invite',
            },
            'passphrase-env': {
              ...passphraseEnvOption,
              describe:
                'seal with the passphrase in this environment variable (12+ characters) instead of a generated one',
            },
            device: {
              type: 'string',
              describe: 'a further device of someone who has a certificate: its own, beside theirs',
            },
            force: {
              type: 'boolean',
              describe:
                'issue a new certificate for someone who has one (revoking it), and replace the file',
            },
            days: {
              type: 'number',
              describe: 'validity of the certificate in days [default: 825]',
            },
          })
          .example('$0 invite carol --server chat.example.com', 'write ./carol.chat-invite')
          .example(
            '$0 invite carol --server 192.0.2.7:9443 --server chat.example.com:9443',
            'two addresses, tried in order',
          )
          .example('$0 invite carol --device phone --server chat.example.com', "carol's phone"),
      run(async (args) =>
        (await commands.invite()).runInvite(
          {
            ...placed(args),
            name: args.name,
            server: (args.server ?? []).map(String),
            defaultPort: DEFAULT_PORT,
          },
          {
            out,
            note,
            now: () => new Date(),
            env: process.env,
            home: homedir(),
            randomBytes: (size) => randomBytes(size),
          },
        ),
      ),
    )
    .command(
      'join <file>',
      'join a team with the invite its admin sent: install its profile, then test the connection',
      (c) =>
        c
          .positional('file', {
            type: 'string',
            demandOption: true,
            describe: 'the invite file (NAME.chat-invite)',
          })
          .options({
            'passphrase-env': {
              ...passphraseEnvOption,
              describe: 'read the passphrase from this environment variable instead of asking',
            },
            force: {
              type: 'boolean',
              describe: 'replace a profile of the same name (the old one is kept aside)',
            },
          })
          .example('$0 join carol.chat-invite', 'asks the passphrase, installs, connects once')
          .example('$0 join carol.chat-invite --team work', 'install it as the profile "work"'),
      run(async (args) => {
        const { testConnection } = await commands.connectTest();
        return (await commands.join()).runJoin(args, {
          out,
          note,
          // A getter: stdin is touched only when the passphrase is typed.
          get stdin() {
            return process.stdin;
          },
          prompt: process.stderr,
          now: () => new Date(),
          env: process.env,
          home: homedir(),
          connect: (server, credentials) =>
            testConnection(server, credentials, { clientName: `chat-join/${pkg.version}` }),
        });
      }),
    );
}
