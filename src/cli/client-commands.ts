import type { Argv } from 'yargs';

// Each command's module is loaded when it runs: `chat send` starts without React and Ink.
const commands = {
  send: () => import('../commands/send.ts'),
  tail: () => import('../commands/tail.ts'),
  tui: () => import('../commands/tui.ts'),
};

import { ChatError } from '../errors.ts';
import { ROOM_PATTERN, USER_PATTERN } from '../net/protocol/frames.ts';
import { checkCount } from './number-options.ts';
import { placedClient } from './profile-options.ts';
import {
  certsDirOption,
  DEFAULT_PORT,
  dataDirOption,
  envDefaults,
  type Run,
} from './shared-options.ts';

/** `chat tail --history N`: how many to print first, a whole number of 0 or more. */
function count(history: number): number {
  checkCount(history, '--history');
  return history;
}

/** A room as typed: `general` or `#general`. */
export function roomArgument(value: string): string {
  const room = value.startsWith('#') ? value : `#${value}`;
  if (!ROOM_PATTERN.test(room)) {
    throw new ChatError('USAGE', `invalid room ${JSON.stringify(value)}`, {
      hint: 'rooms are # and 1-32 of a-z 0-9 _ -',
    });
  }
  return room;
}

/** A conversation as typed: a room (`general` or `#general`), or `@user` for your DMs with them. */
export function conversationArgument(value: string): string {
  if (!value.startsWith('@')) return roomArgument(value);
  if (!USER_PATTERN.test(value.slice(1))) {
    throw new ChatError('USAGE', `invalid user ${JSON.stringify(value)}`, {
      hint: 'users are @ and 1-32 of a-z 0-9 _ -',
    });
  }
  return value;
}

/** `--password-env`: for a server run with --require-password. */
export const passwordEnvOption = {
  type: 'string',
  describe:
    'the environment variable holding your password, for a server run with --require-password',
} as const;

/** Where to connect and as whom: what every client command takes. */
export function connectionOptions(c: Argv) {
  return c.options({
    certs: certsDirOption,
    ...envDefaults({
      host: {
        type: 'string',
        defaultDescription: "the team profile's server, else localhost",
        describe: 'the server, as named in its certificate',
      },
      port: {
        type: 'number',
        defaultDescription: `the team profile's, else ${DEFAULT_PORT}`,
        describe: 'the server port (with --server: the port of an address without one)',
      },
      server: {
        type: 'string',
        defaultDescription: "the team profile's server or servers",
        describe:
          'the server, or several nodes of one cluster tried in random order: HOST[:PORT][,HOST[:PORT]…]',
      },
      user: {
        type: 'string',
        describe: 'whose certificate to use [default: your login name, or the only one]',
      },
    }),
  });
}

function clientOptions(c: Argv) {
  return connectionOptions(c)
    .options(
      envDefaults({
        room: { type: 'string', default: '#general', describe: 'the room (# optional)' },
      }),
    )
    .options({ 'password-env': passwordEnvOption });
}

/** `chat tui` (the full-screen client), and `chat send` and `chat tail` for scripts and bots. */
export function clientCommands(y: Argv, run: Run, stopSignal: () => Promise<void>): Argv {
  return y
    .command(
      'tui',
      'the full-screen chat client (on localhost, first run makes certificates and starts a server)',
      (c) =>
        connectionOptions(c)
          .options({
            data: {
              ...dataDirOption,
              describe: 'where a server started here keeps its encrypted history',
            },
            bell: {
              type: 'boolean',
              defaultDescription: 'the bell setting (/set bell), on',
              describe:
                'ring the terminal bell on a mention or DM, this session (--no-bell: never)',
            },
            notify: {
              type: 'boolean',
              defaultDescription: 'the notify setting (/set notify), on',
              describe:
                'desktop notification on a mention or DM while the terminal is unfocused, this session (--no-notify: never)',
            },
          })
          .options(
            envDefaults({
              redraw: {
                type: 'string',
                choices: ['changes', 'frames'],
                default: 'changes',
                describe:
                  'what reaches the terminal: the cells that changed, or every frame whole (frames: if a terminal shows leftovers)',
              },
            }),
          )
          .example('$0 tui', 'chat on localhost (made ready on first run)')
          .example('$0 tui --user bob', "chat as bob, with bob's certificate")
          .example(
            '$0 tui --team work',
            'chat in the team joined with `chat join FILE --team work`',
          ),
      run(async (args) =>
        (await commands.tui()).runTui({
          ...placedClient(args),
          redraw: args.redraw === 'frames' ? 'frames' : 'changes',
        }),
      ),
    )
    .command(
      'send [text..]',
      'send one message (from the arguments or stdin); exit 0 once the server acknowledged it',
      (c) =>
        clientOptions(c)
          .positional('text', {
            type: 'string',
            array: true,
            describe: 'the message; stdin when absent',
          })
          .example('$0 send hello team', 'say hello in #general')
          .example('make 2>&1 | tail -1 | $0 send --room builds', 'post the last line of a build'),
      run(async (args) =>
        (await commands.send()).runSend(
          { ...placedClient(args), room: roomArgument(args.room), text: args.text ?? [] },
          process.stdin,
        ),
      ),
    )
    .command(
      'tail',
      'print messages as they arrive (and DMs to you), until Ctrl+C',
      (c) =>
        clientOptions(c)
          .option('json', { type: 'boolean', describe: 'one JSON object per message' })
          .option('history', {
            type: 'number',
            default: 0,
            describe: 'first print the last N messages',
          })
          .example('$0 tail', 'follow #general')
          .example(
            '$0 tail --room ops --history 20 --json',
            'the last 20 of #ops, then live, as JSON',
          ),
      run(async (args) =>
        (await commands.tail()).runTail(
          { ...placedClient(args), room: roomArgument(args.room), history: count(args.history) },
          {
            out: (line) => process.stdout.write(`${line}\n`),
            err: (line) => process.stderr.write(`${line}\n`),
          },
          stopSignal(),
        ),
      ),
    );
}
