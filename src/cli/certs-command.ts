import type { Argv } from 'yargs';
import type { CertsIo } from '../commands/certs.ts';

// Loaded when a certs command runs: the others start without the X.509 library.
const certs = () => import('../commands/certs.ts');

import { ChatError } from '../errors.ts';
import { REVOCATION_REASONS } from '../pki/revocation-reasons.ts';
import { placed } from './profile-options.ts';
import { certsDirOption, type Run } from './shared-options.ts';

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

/** `chat certs` and its subcommands. */
export function certsCommand(y: Argv, run: Run, io: CertsIo): Argv {
  return y.command(
    'certs',
    "create the team's certificate authority, server and client certificates, and history key",
    (y) =>
      y
        .option('dir', { ...certsDirOption, alias: 'certs', global: true })
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
              .option('device', {
                type: 'string',
                describe: 'a further device of the user: its own certificate, the same name',
              })
              .option('days', daysOption)
              .option('force', {
                type: 'boolean',
                describe: 'replace an existing certificate (and revoke it)',
              }),
          run(async (args) => (await certs()).runCertsClient(placed(args), io)),
        )
        .command(
          'server',
          're-issue the server certificate for the names it is reached by',
          (c) => c.option('host', hostOption).option('ip', ipOption).option('days', daysOption),
          run(async (args) => (await certs()).runCertsServer(placed(args), io)),
        )
        .command(
          'list',
          'list every certificate with fingerprint, expiry and status',
          (c) => c.option('json', { type: 'boolean', describe: 'one JSON object per line' }),
          run(async (args) => (await certs()).runCertsList(placed(args), io)),
        )
        .command(
          'revoke <name>',
          "revoke a teammate's certificate (adds it to crl.pem)",
          (c) =>
            c
              .positional('name', { type: 'string', demandOption: true, describe: 'user name' })
              .option('device', {
                type: 'string',
                describe: "revoke only this device's certificate [default: every one of the user]",
              })
              .option('reason', {
                choices: REVOCATION_REASONS,
                default: 'cessation-of-operation',
                describe: 'reason recorded in the CRL',
              }),
          run(async (args) => (await certs()).runCertsRevoke(placed(args), io)),
        )
        // Retired: an invite carries the same and the server's address, sealed.
        .command(
          'bundle [name]',
          false,
          (c) => c.positional('name', { type: 'string' }).strict(false),
          run(async (args) => {
            const name = args.name ?? 'NAME';
            throw new ChatError(
              'USAGE',
              `\`chat certs bundle\` is gone: \`chat invite ${name} --server HOST\` replaced it`,
              {
                hint: `it seals the CA certificate, ${name}'s certificate and key and the server's address in one file, which ${name} opens with \`chat join FILE\``,
              },
            );
          }),
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
        .example('$0 certs', "make everything missing in your team's profile")
        .example('$0 certs --host chat.example.com', 'also name the server by its DNS name')
        .example('$0 certs client alice', 'issue a certificate for alice')
        .example('$0 certs client alice --device phone', "a second certificate, for alice's phone")
        .example('$0 certs revoke alice', "cut alice's certificate off"),
    run(async (args) => (await certs()).runCertsInit(placed(args), io)),
  );
}
