import { readFile } from 'node:fs/promises';
import { errorCode } from './files.ts';

/**
 * The state letter of a process from the text of `/proc/PID/stat` ('R', 'S',
 * 'Z'…), or undefined when the text is not one. The second field is the
 * command name in parentheses, which may itself hold spaces and ')': the
 * state is the first field after the last ')'.
 */
export function parseStatState(text: string): string | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  return /^ ([A-Za-z])(?:\s|$)/.exec(text.slice(close + 1))?.[1];
}

/**
 * Whether process `pid` still runs. Signal 0 only asks whether the process
 * exists (EPERM: it does, as another user's), and a zombie exists too: one
 * killed with SIGKILL whose parent has not reaped it yet still answers, for
 * as long as the parent takes. Where /proc tells (Linux), a zombie ('Z') or
 * dead ('X') process counts as gone; elsewhere signal 0 decides alone.
 */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (errorCode(error) !== 'EPERM') return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  const state = stat === undefined ? undefined : parseStatState(stat);
  return state !== 'Z' && state !== 'X' && state !== 'x';
}
