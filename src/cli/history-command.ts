import type { Argv } from 'yargs';
import type { HistoryArgs } from '../commands/history.ts';
import { roomArgument } from './client-commands.ts';
import { certsDirOption, dataDirOption, type Run } from './shared-options.ts';

// Loaded when a history command runs.
const history = () => import('../commands/history.ts');
const out = (line: string) => process.stdout.write(`${line}\n`);

/** `chat history verify|export`: the operator's tools for the encrypted history store. */
export function historyCommand(y: Argv, run: Run): Argv {
  return y.command('history', "check or export the server's encrypted history", (y) =>
    y
      .options({
        data: { ...dataDirOption, global: true },
        certs: {
          ...certsDirOption,
          global: true,
          describe: 'the certs directory (for history.key)',
        },
        'history-passphrase-env': {
          type: 'string',
          global: true,
          describe:
            'the environment variable holding the history passphrase, if the server uses one',
        },
      })
      .command(
        'verify',
        'open every record with the key and print what is kept (exit 1 on damage)',
        (c) => c.example('$0 history verify --data /srv/chat/data', "check a server's history"),
        run(async (args) =>
          (await history()).runHistoryVerify(args as unknown as HistoryArgs, { out }),
        ),
      )
      .command(
        'export',
        "print a room's messages, decrypted, as JSON lines (for the operator only)",
        (c) =>
          c
            .option('room', {
              type: 'string',
              demandOption: true,
              describe: 'the room (# optional)',
            })
            .example('$0 history export --room general > general.jsonl', 'a room, oldest first'),
        run(async (args) => {
          const room = roomArgument(String((args as { room: string }).room));
          await (await history()).runHistoryExport(
            { ...(args as unknown as HistoryArgs), room },
            { out },
          );
        }),
      )
      .demandCommand(1, 'say which: verify or export'),
  );
}
