import type { Argv } from 'yargs';
import type { UsersIo } from '../commands/users.ts';
import { placed } from './profile-options.ts';
import { dataDirOption, type Run } from './shared-options.ts';

// Loaded when a users command runs: the others start without scrypt and the users file.
const users = () => import('../commands/users.ts');

const nameArgument = {
  type: 'string',
  demandOption: true,
  describe: 'user name: the name in their certificate',
} as const;
const passwordStdinOption = {
  type: 'boolean',
  describe: 'read the password from the first line of stdin instead of asking',
} as const;

/** `chat users add|passwd|remove|list`: the passwords of `chat serve --require-password`. */
export function usersCommand(y: Argv, run: Run, io: UsersIo): Argv {
  return y.command(
    'users',
    'manage the passwords a server asks for with --require-password (second factor)',
    (y) =>
      y
        .option('data', { ...dataDirOption, global: true })
        .command(
          'add <name>',
          'set a password for a user who has none (asked twice, not shown)',
          (c) => c.positional('name', nameArgument).option('password-stdin', passwordStdinOption),
          run(async (args) => (await users()).runUsersAdd(placed(args), io)),
        )
        .command(
          'passwd <name>',
          "change a user's password",
          (c) => c.positional('name', nameArgument).option('password-stdin', passwordStdinOption),
          run(async (args) => (await users()).runUsersPasswd(placed(args), io)),
        )
        .command(
          'remove <name>',
          "remove a user's password (with --require-password they can no longer log in)",
          (c) => c.positional('name', nameArgument),
          run(async (args) => (await users()).runUsersRemove(placed(args), io)),
        )
        .command(
          'list',
          'list the users with a password, and when it was set (never the hashes)',
          (c) => c.option('json', { type: 'boolean', describe: 'one JSON object per line' }),
          run(async (args) => (await users()).runUsersList(placed(args), io)),
        )
        .demandCommand(1, 'say which: chat users add, passwd, remove or list')
        .example('$0 users add alice', "set alice's password (typed twice, not shown)")
        .example('printf %s "$PW" | $0 users add alice --password-stdin', 'the same from a script')
        .example('$0 users list --data /var/lib/chat', 'who has a password on that server'),
  );
}
