import type { Argv } from 'yargs';
import type { UsersIo } from '../commands/users.ts';
import { placed } from './profile-options.ts';
import { certsDirOption, dataDirOption, type Run } from './shared-options.ts';

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

/**
 * `chat users add|passwd|remove|list|import`: the passwords of `chat serve
 * --require-password`, in users.json of --data, or in Redis with --redis.
 */
export function usersCommand(y: Argv, run: Run, io: UsersIo): Argv {
  return y.command(
    'users',
    'manage the passwords a server asks for with --require-password (second factor)',
    (y) =>
      y
        .option('data', { ...dataDirOption, global: true })
        .options(redisOptions)
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
        .command(
          'import',
          "copy --data's users.json into Redis (--redis), for a team moving to several nodes",
          (c) => c,
          run(async (args) => (await users()).runUsersImport(placed(args), io)),
        )
        .demandCommand(1, 'say which: chat users add, passwd, remove, list or import')
        .example('$0 users add alice', "set alice's password (typed twice, not shown)")
        .example('printf %s "$PW" | $0 users add alice --password-stdin', 'the same from a script')
        .example('$0 users list --data /var/lib/chat', 'who has a password on that server')
        .example(
          '$0 users add alice --redis redis://10.0.0.5:6379',
          'the same for every node of chat serve --redis (also CHAT_REDIS)',
        )
        .example('$0 users import --redis redis://10.0.0.5:6379', 'move users.json into Redis'),
  );
}

// The table of a cluster is in its Redis, sealed with the history key: the
// same --redis, --certs (history.key) and passphrase as chat serve --redis.
const redisOptions = {
  redis: {
    type: 'string',
    global: true,
    describe:
      'the passwords are in this Redis, as chat serve --redis --require-password reads them, not in --data [default: $CHAT_REDIS]',
  },
  'redis-password-env': {
    type: 'string',
    global: true,
    describe: 'the environment variable holding the Redis password',
  },
  certs: {
    ...certsDirOption,
    global: true,
    describe: 'with --redis: the certs directory (for history.key, which seals the table)',
  },
  'history-passphrase-env': {
    type: 'string',
    global: true,
    describe:
      'with --redis: the environment variable holding the history passphrase, if the server uses one',
  },
} as const;
