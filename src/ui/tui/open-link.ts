/**
 * Opens a link with the platform's opener (`/open`): a program started
 * detached, without a shell, the URL one argument of its own, its output
 * thrown away so nothing reaches the chat's screen.
 */
import { spawn } from 'node:child_process';
import { isLinkable } from '../text/links.ts';

/** A program and its arguments. */
export type OpenerCommand = { command: string; args: string[] };

/**
 * What opens `url` on `platform` (a `process.platform` value): `open` on
 * macOS; on Windows `rundll32 url.dll,FileProtocolHandler`, which hands the
 * URL to the default browser as it is, where `cmd /c start` would read its
 * `&` as a second command and its `%NAME%` as a variable; `xdg-open`
 * elsewhere. Pure.
 */
export function openerCommand(url: string, platform: NodeJS.Platform): OpenerCommand {
  if (platform === 'darwin') return { command: 'open', args: [url] };
  if (platform === 'win32') {
    return { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
  }
  return { command: 'xdg-open', args: [url] };
}

/** What became of an attempt to open a link. */
export type OpenOutcome =
  | { kind: 'opened' }
  /** The opener could not start (`code`: the system's, e.g. ENOENT) or ended with a non-zero `status`. */
  | { kind: 'failed'; command: string; code?: string; status?: number };

/**
 * Starts the opener for `url` and tells `report` once what became of it:
 * `opened` when it started, then `failed` only if it exits with a non-zero
 * status; `failed` alone when it cannot start. A URL that `isLinkable`
 * refuses is never handed over (`failed` with code `EINVAL`). Never throws.
 */
export function openLink(
  url: string,
  report: (outcome: OpenOutcome) => void,
  platform: NodeJS.Platform = process.platform,
): void {
  const { command, args } = openerCommand(url, platform);
  if (!isLinkable(url)) {
    report({ kind: 'failed', command, code: 'EINVAL' });
    return;
  }
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', shell: false });
    let started = false;
    child.once('spawn', () => {
      started = true;
      report({ kind: 'opened' });
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (!started) report({ kind: 'failed', command, code: error.code ?? 'EIO' });
    });
    child.once('exit', (status) => {
      if (started && status !== null && status !== 0) report({ kind: 'failed', command, status });
    });
    // The chat may quit before the browser does: the opener is not its child to wait for.
    child.unref();
  } catch (error) {
    report({ kind: 'failed', command, code: (error as NodeJS.ErrnoException).code ?? 'EIO' });
  }
}

/**
 * One line saying what became of opening link `n` (`url`): what happened,
 * and when it failed, what to do.
 */
export function openNotice(n: number, url: string, outcome: OpenOutcome): string {
  if (outcome.kind === 'opened') return `opened ${n}: ${url}`;
  const { command } = outcome;
  if (outcome.code === 'ENOENT') {
    const install = command === 'xdg-open' ? 'xdg-utils' : command;
    return `cannot open link ${n}: ${command} was not found; install ${install}, or copy the link from the pane`;
  }
  if (outcome.status !== undefined) {
    return `${command} could not open link ${n} (exit status ${outcome.status}): is a default browser set?`;
  }
  return `cannot open link ${n}: ${command} failed (${outcome.code}); copy the link from the pane`;
}
