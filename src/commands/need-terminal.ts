import { ChatError } from '../errors.ts';

/** Whether each of a full-screen command's streams is a terminal (`isTTY`). */
export interface TerminalStreams {
  stdin: boolean;
  stdout: boolean;
}

/**
 * Why `chat tui` cannot run with these streams, as a USAGE error (exit 2),
 * or undefined when both are terminals. Pure: the caller reads `isTTY`. A
 * pipe or a file on stdin cannot type, and escapes written into a file are
 * garbage: the hint names the scripting command that does what was meant.
 */
export function terminalProblem(streams: TerminalStreams): ChatError | undefined {
  if (streams.stdin && streams.stdout) return undefined;
  const which =
    !streams.stdin && !streams.stdout
      ? 'stdin and stdout are not terminals'
      : !streams.stdin
        ? 'stdin is not a terminal'
        : 'stdout is not a terminal';
  const hint =
    !streams.stdin && streams.stdout
      ? 'run it in a terminal; to send from a pipe use `chat send` (echo hi | chat send)'
      : streams.stdin
        ? 'run it in a terminal; to save or pipe messages use `chat tail`'
        : 'run it in a terminal; scripts use `chat send` and `chat tail`';
  return new ChatError('USAGE', `chat tui needs a terminal: ${which}`, { hint });
}
