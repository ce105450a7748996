import { userInfo } from 'node:os';
import yargs, { type Argv } from 'yargs';
import pkg from '../package.json' with { type: 'json' };
import {
  type CertsIo,
  runCertsBundle,
  runCertsClient,
  runCertsInit,
  runCertsList,
  runCertsRevoke,
  runCertsServer,
} from './commands/certs.ts';
import { usageMessage } from './commands/usage-message.ts';
import { ChatError, describeError } from './errors.ts';
import { REVOCATION_REASONS } from './net/pki/crl.ts';

/** Exit codes: 0 done, 1 the command failed, 2 the command line was wrong. */
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

/**
 * Runs the `chat` command line and resolves to the exit code. Errors a user
 * can fix print one line on stderr; only a bug prints a stack, and only with
 * CHAT_DEBUG=1.
 */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const fail = (error: unknown) => {
    exitCode = reportError(error);
  };
  const io: CertsIo = {
    out: (line) => process.stdout.write(`${line}\n`),
    now: () => new Date(),
    loginName: () => userInfo().username,
  };
  const run =
    <A>(command: (args: A, io: CertsIo) => Promise<void>) =>
    async (args: A) => {
      await command(args, io).catch(fail);
    };

  const parser = yargs(argv)
    .scriptName('chat')
    .usage('$0 <command> [options]\n\nA secure, self-hosted team chat that lives in your terminal.')
    .command(
      'certs',
      "create the team's certificate authority, server and client certificates, and history key",
      (y) =>
        certsOptions(y)
          .command(
            'client <name>',
            'issue a client certificate for a teammate',
            (c) =>
              c
                .positional('name', {
                  type: 'string',
                  demandOption: true,
                  describe: 'user name: 1-32 of a-z 0-9 _ -',
                })
                .option('days', daysOption)
                .option('force', {
                  type: 'boolean',
                  describe: 'replace an existing certificate (and revoke it)',
                }),
            run(runCertsClient),
          )
          .command(
            'server',
            're-issue the server certificate for the names it is reached by',
            (c) => c.option('host', hostOption).option('ip', ipOption).option('days', daysOption),
            run(runCertsServer),
          )
          .command(
            'list',
            'list every certificate with fingerprint, expiry and status',
            (c) => c.option('json', { type: 'boolean', describe: 'one JSON object per line' }),
            run(runCertsList),
          )
          .command(
            'revoke <name>',
            "revoke a teammate's certificate (adds it to crl.pem)",
            (c) =>
              c
                .positional('name', { type: 'string', demandOption: true, describe: 'user name' })
                .option('reason', {
                  choices: REVOCATION_REASONS,
                  default: 'cessation-of-operation',
                  describe: 'reason recorded in the CRL',
                }),
            run(runCertsRevoke),
          )
          .command(
            'bundle <name>',
            'pack what a teammate needs to connect (CA cert, their cert and key)',
            (c) =>
              c
                .positional('name', { type: 'string', demandOption: true, describe: 'user name' })
                .option('out', {
                  type: 'string',
                  describe: 'where to write it [default: <dir>/bundles/<name>]',
                })
                .option('force', { type: 'boolean', describe: 'replace an existing bundle' }),
            run(runCertsBundle),
          )
          // Options of `chat certs` itself; global: false keeps them off the subcommands.
          .options({
            user: {
              type: 'string',
              global: false,
              describe: 'your user name [default: your login name]',
            },
            'key-type': {
              choices: ['ec', 'rsa'] as const,
              global: false,
              describe: 'key algorithm [default: ec (P-256)]',
            },
            'key-size': {
              type: 'number',
              global: false,
              describe: 'RSA key size: 2048, 3072 or 4096 [default: 2048]',
            },
            host: { ...hostOption, global: false },
            ip: { ...ipOption, global: false },
            days: { ...daysOption, global: false },
            'ca-days': {
              type: 'number',
              global: false,
              describe: 'validity of a new CA in days [default: 3650]',
            },
            force: {
              type: 'boolean',
              global: false,
              describe: 're-create the CA and certificates (the history key is kept)',
            },
          })
          .example('$0 certs', 'make everything missing in ./certs')
          .example('$0 certs --host chat.example.com', 'also name the server by its DNS name')
          .example('$0 certs client alice', 'issue a certificate for alice')
          .example('$0 certs bundle alice', 'pack it, with the CA certificate, for her')
          .example('$0 certs revoke alice', "cut alice's certificate off"),
      run(runCertsInit),
    )
    .completion('completion', 'print a shell completion script (bash, zsh)')
    .demandCommand(1, 'say which command to run')
    .strict()
    .recommendCommands()
    .version(pkg.version)
    .alias('version', 'V')
    .help()
    .alias('help', 'h')
    .example('$0 certs', "create the team's PKI in ./certs")
    .example('$0 certs list', 'show every certificate and its status')
    .epilogue('Docs: README.md. Environment: CHAT_CERTS_DIR sets the certs directory.')
    .wrap(Math.min(100, process.stdout.columns || 80))
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      const line = usageMessage(message, argv, COMMAND_NAMES);
      throw new ChatError('USAGE', line.message, { hint: line.hint });
    });

  try {
    await parser.parseAsync();
  } catch (error) {
    return reportError(error);
  }
  return exitCode;
}

/** Every command and subcommand name, to tell a mistyped command from a stray word. */
const COMMAND_NAMES = new Set([
  'certs',
  'client',
  'server',
  'list',
  'revoke',
  'bundle',
  'completion',
]);

const daysOption = {
  type: 'number',
  describe: 'validity of new certificates in days [default: 825]',
} as const;
const hostOption = {
  type: 'string',
  array: true,
  describe: 'a DNS name of the server (repeatable)',
} as const;
const ipOption = {
  type: 'string',
  array: true,
  describe: 'an IP address of the server (repeatable)',
} as const;

function certsOptions(y: Argv) {
  return y.option('dir', {
    alias: 'certs',
    type: 'string',
    default: process.env.CHAT_CERTS_DIR || 'certs',
    defaultDescription: '$CHAT_CERTS_DIR or ./certs',
    describe: 'the certs directory',
    global: true,
  });
}

function reportError(error: unknown): number {
  if (error instanceof ChatError) {
    process.stderr.write(`chat: ${describeError(error)}\n`);
    return error.code === 'USAGE' ? EXIT_USAGE : EXIT_FAILED;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`chat: unexpected error: ${message} (run with CHAT_DEBUG=1 for details)\n`);
  if (process.env.CHAT_DEBUG === '1' && error instanceof Error)
    process.stderr.write(`${error.stack}\n`);
  return EXIT_FAILED;
}
