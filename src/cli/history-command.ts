import type { Argv } from 'yargs';
import type { HistoryArgs } from '../commands/history.ts';
import { ChatError } from '../errors.ts';
import { USER_PATTERN } from '../net/protocol/frames.ts';
import { dmKey } from '../server/conversations.ts';
import {
  connectionOptions,
  conversationArgument,
  passwordEnvOption,
  roomArgument,
} from './client-commands.ts';
import { placedClient } from './profile-options.ts';
import { certsDirOption, dataDirOption, type Run } from './shared-options.ts';

// Loaded when a history command runs.
const history = () => import('../commands/history.ts');
const historySearch = () => import('../commands/history-search.ts');
const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/**
 * `chat history search`: a user's search of their own conversations, on
 * the server; `verify|export`: the operator's tools for the encrypted
 * history store.
 */
export function historyCommand(y: Argv, run: Run): Argv {
  return y.command(
    'history',
    "search your conversations, or check or export the server's encrypted history",
    (y) =>
      y
        .command(
          'verify',
          'open every record with the key and print what is kept (exit 1 on damage)',
          (c) =>
            storeOptions(c)
              .example('$0 history verify --data /srv/chat/data', "check a server's history")
              .example(
                '$0 history verify --redis redis://10.0.0.5:6379',
                'check the history in Redis',
              ),
          run(async (args) =>
            (await history()).runHistoryVerify(args as unknown as HistoryArgs, { out }),
          ),
        )
        .command(
          'export',
          "print a room's (or two users' direct) messages, decrypted, as JSON lines (for the operator only)",
          (c) =>
            storeOptions(c)
              .option('room', {
                type: 'string',
                describe: 'the room (# optional)',
              })
              .option('dm', {
                type: 'string',
                describe: 'instead of a room: the direct messages of two users, as alice,bob',
              })
              .example('$0 history export --room general > general.jsonl', 'a room, oldest first')
              .example(
                '$0 history export --dm alice,bob',
                'their direct messages (sealed ones stay sealed)',
              ),
          run(async (args) => {
            const given = args as { room?: string; dm?: string };
            const room = exportedConversation(given.room, given.dm);
            await (await history()).runHistoryExport(
              { ...(args as unknown as HistoryArgs), room },
              { out },
            );
          }),
        )
        .command(
          'search <words..>',
          'search your own conversations on the server for messages holding every word (any case), newest first',
          (c) =>
            connectionOptions(c)
              .positional('words', { type: 'string', array: true, describe: 'the words to find' })
              .options({
                room: {
                  type: 'string',
                  describe:
                    'only this conversation: a room you are in, or @user for your DMs with them',
                },
                limit: { type: 'number', describe: 'most matches, 1 to 100 [default: 100]' },
                json: { type: 'boolean', describe: 'one JSON object (msg or dm frame) per line' },
                'password-env': passwordEnvOption,
              })
              .example('$0 history search deploy friday', 'every message of yours saying both')
              .example('$0 history search outage --room ops --json', 'in #ops, as JSON')
              .example('$0 history search invoice --room @bob', 'your DMs with bob'),
          run(async (args) => {
            const a = placedClient(args);
            const room = a.room === undefined ? undefined : conversationArgument(String(a.room));
            await (await historySearch()).runHistorySearch(
              { ...a, words: (a.words ?? []).map(String), room },
              { out, err },
            );
          }),
        )
        .demandCommand(1, 'say which: search, verify or export'),
  );
}

/** Where the operator's tools find the store: its data directory and its key. */
function storeOptions(c: Argv): Argv {
  return c.options({
    data: dataDirOption,
    certs: { ...certsDirOption, describe: 'the certs directory (for history.key)' },
    'history-passphrase-env': {
      type: 'string',
      describe: 'the environment variable holding the history passphrase, if the server uses one',
    },
    redis: {
      type: 'string',
      describe:
        'the history is in this Redis, as chat serve --redis keeps it [default: $CHAT_REDIS]',
    },
    'redis-password-env': {
      type: 'string',
      describe: 'the environment variable holding the Redis password',
    },
  });
}

/** The conversation `chat history export` reads: `--room R`, or `--dm A,B` (exactly one of them). */
function exportedConversation(room: string | undefined, dm: string | undefined): string {
  if ((room === undefined) === (dm === undefined)) {
    throw new ChatError('USAGE', 'give --room ROOM or --dm USER,USER (one of them)', {
      hint: 'chat history export --room general, or --dm alice,bob for their direct messages',
    });
  }
  if (room !== undefined) return roomArgument(room);
  const users = (dm ?? '').split(',').map((u) => u.trim().replace(/^@/, ''));
  const [a, b] = users;
  if (
    users.length !== 2 ||
    a === undefined ||
    b === undefined ||
    !USER_PATTERN.test(a) ||
    !USER_PATTERN.test(b)
  ) {
    throw new ChatError('USAGE', `invalid --dm ${JSON.stringify(dm)}`, {
      hint: 'name two users with a comma between, as alice,bob',
    });
  }
  return dmKey(a, b);
}
