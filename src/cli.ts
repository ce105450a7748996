import yargs from 'yargs';
import pkg from '../package.json' with { type: 'json' };
import { certsCommand } from './cli/certs-command.ts';
import { clientCommands } from './cli/client-commands.ts';
import { historyCommand } from './cli/history-command.ts';
import { inviteCommands } from './cli/invite-command.ts';
import { checkDays, checkNumbers } from './cli/number-options.ts';
import { checkProfileEnv, placeArgs, teamOption } from './cli/profile-options.ts';
import { serveCommand } from './cli/serve-command.ts';
import type { Run } from './cli/shared-options.ts';
import { usersCommand } from './cli/users-command.ts';
import type { CertsIo } from './commands/certs.ts';
import { loginName } from './commands/login-name.ts';
import { usageMessage } from './commands/usage-message.ts';
import { ChatError, describeError } from './errors.ts';

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
  // `chat certs list | head -1` closes the pipe early: that is the reader's
  // choice, not an error worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const io: CertsIo = {
    out: (line) => process.stdout.write(`${line}\n`),
    now: () => new Date(),
    loginName,
  };
  const run: Run = (command) => async (args) => {
    await command(args).catch((error: unknown) => {
      exitCode = reportError(error);
    });
  };
  // Long-running commands end on the first Ctrl+C or SIGTERM.
  const stopSignal = () =>
    new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });

  const parser = yargs(argv)
    .scriptName('chat')
    .usage('$0 <command> [options]\n\nA secure, self-hosted team chat that lives in your terminal.')
    .option('team', teamOption)
    // Read by the screens that colour (the TUI, the dashboard) with NO_COLOR: see color-choice.ts.
    .option('color', {
      type: 'boolean',
      global: true,
      describe: 'colours on screen [default: on, off when NO_COLOR is set] (--no-color: none)',
    })
    // After parsing: where the certs, data and server are, from the flags or the team's profile.
    .middleware(async (args) => {
      // getOptions() is yargs' own, missing from its types.
      checkNumbers(args, (parser as unknown as NumberOptions).getOptions().number);
      checkDays(args);
      checkProfileEnv(process.env);
      // join takes its profile from the invite, not from what is on this machine.
      if (args._.length > 0 && args._[0] !== 'completion' && args._[0] !== 'join')
        await placeArgs(args);
    });
  certsCommand(parser, run, io);
  serveCommand(parser, run);
  historyCommand(parser, run);
  clientCommands(parser, run, stopSignal);
  inviteCommands(parser, run);
  usersCommand(parser, run, {
    out: (line) => process.stdout.write(`${line}\n`),
    // Getters: process.stdin is only touched by a users command that reads it.
    get stdin() {
      return process.stdin;
    },
    prompt: process.stderr,
    now: () => new Date(),
  });
  parser
    .completion('completion', 'print a shell completion script (bash, zsh)')
    .demandCommand(1, 'say which command to run')
    .strict()
    .recommendCommands()
    .version(pkg.version)
    .alias('version', 'V')
    .help()
    .alias('help', 'h')
    .example('$0 certs', "create the team's PKI in your profile")
    .example('$0 serve', 'run the server on 127.0.0.1:8443')
    .example('echo hello | $0 send', 'say hello in #general')
    .example('$0 tail', 'follow #general')
    .epilogue(
      "Docs: README.md and docs/. Each team's profile lives in ~/.config/chat/TEAM (CHAT_HOME, XDG_CONFIG_HOME and XDG_DATA_HOME move it; CHAT_CERTS_DIR and CHAT_DATA name folders outright). NO_COLOR=1 (or --no-color) turns colours off.",
    )
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

/** The part of a yargs instance that lists the options declared as numbers. */
interface NumberOptions {
  getOptions(): { number: string[] };
}

/** Every command and subcommand name, to tell a mistyped command from a stray word. */
const COMMAND_NAMES = new Set([
  'certs',
  'serve',
  'send',
  'tail',
  'client',
  'server',
  'list',
  'revoke',
  'bundle',
  'completion',
  'tui',
  'users',
  'add',
  'passwd',
  'remove',
  'import',
  'history',
  'verify',
  'export',
  'search',
  'invite',
  'join',
]);

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
