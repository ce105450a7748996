import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { CHAT_BIN, chatEnvWords } from './cli.ts';

const exec = promisify(execFile);

/** `'text'` for sh, whatever it holds. */
export function shellWord(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * A real terminal: a detached tmux session running one shell command line
 * in `cwd`, then `[exited N]`. With `rawTo`, it waits for `go()` before it
 * runs, so that every byte the program writes is copied to that file
 * (tmux pipe-pane) from the first.
 */
export class TmuxTerminal {
  private constructor(
    readonly name: string,
    private readonly rawTo: string | undefined,
  ) {}

  static async start(
    name: string,
    cwd: string,
    commandLine: string,
    options: { columns?: number; rows?: number; rawTo?: string } = {},
  ): Promise<TmuxTerminal> {
    await exec('tmux', ['kill-session', '-t', name]).catch(() => {});
    const gate = options.rawTo === undefined ? '' : 'read -r _ && ';
    await exec('tmux', [
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      String(options.columns ?? 100),
      '-y',
      String(options.rows ?? 30),
      '-c',
      cwd,
      `${gate}${commandLine}; echo "[exited $?]"; sleep 60`,
    ]);
    const terminal = new TmuxTerminal(name, options.rawTo);
    if (options.rawTo !== undefined) {
      await exec('tmux', ['pipe-pane', '-t', name, '-o', `cat >> ${shellWord(options.rawTo)}`]);
      await exec('tmux', ['send-keys', '-t', name, 'Enter']);
    }
    return terminal;
  }

  /** The screen as text; with `escapes`, its styles as tmux writes them (capture-pane -e). */
  async screen(escapes = false): Promise<string> {
    const { stdout } = await exec('tmux', [
      'capture-pane',
      '-p',
      ...(escapes ? ['-e'] : []),
      '-t',
      this.name,
    ]);
    return stdout;
  }

  /** Every byte the program wrote so far (needs `rawTo`). */
  async raw(): Promise<string> {
    assert.ok(this.rawTo, 'started without rawTo');
    return readFile(this.rawTo, 'utf8');
  }

  /** Waits until the screen no longer matches (an overlay closed), polling; bounded. */
  async waitForGone(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      if (!pattern.test(screen)) return screen;
      if (Date.now() > deadline) assert.fail(`${pattern} still on screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Waits until the screen matches, polling (a terminal has no event to await); bounded. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline) assert.fail(`${pattern} not on screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Types text literally, then Enter unless told not to. */
  async type(text: string, enter = true): Promise<void> {
    await exec('tmux', ['send-keys', '-t', this.name, '-l', text]);
    if (enter) await exec('tmux', ['send-keys', '-t', this.name, 'Enter']);
  }

  /** Presses keys by tmux name (Escape, C-c, M-1…). */
  async press(...keys: string[]): Promise<void> {
    await exec('tmux', ['send-keys', '-t', this.name, ...keys]);
  }

  /** Writes bytes to the program as the terminal would (say, a mouse report tmux cannot make up). */
  async input(bytes: string): Promise<void> {
    await exec('tmux', [
      'send-keys',
      '-t',
      this.name,
      '-H',
      ...(Buffer.from(bytes).toString('hex').match(/../g) ?? []),
    ]);
  }

  /** The mouse modes the program asked the terminal for (tmux's pane flags): standard (1000), button (1002), all motion (1003), SGR (1006). */
  async mouseModes(): Promise<{ standard: boolean; button: boolean; all: boolean; sgr: boolean }> {
    const { stdout } = await exec('tmux', [
      'display-message',
      '-p',
      '-t',
      this.name,
      '#{mouse_standard_flag} #{mouse_button_flag} #{mouse_all_flag} #{mouse_sgr_flag}',
    ]);
    const [standard, button, all, sgr] = stdout
      .trim()
      .split(' ')
      .map((flag) => flag === '1');
    return {
      standard: standard === true,
      button: button === true,
      all: all === true,
      sgr: sgr === true,
    };
  }

  async resize(columns: number, rows: number): Promise<void> {
    await exec('tmux', [
      'resize-window',
      '-t',
      this.name,
      '-x',
      String(columns),
      '-y',
      String(rows),
    ]);
  }

  async stop(): Promise<void> {
    await exec('tmux', ['kill-session', '-t', this.name]).catch(() => {});
  }
}

/**
 * The shell command line that runs `chat ARGS` in `cwd` as the tests' `chat`
 * children run (chatEnv's places, CI=false: with CI set Ink renders nothing
 * until exit and chalk writes no styles), with `env` over it.
 */
export function chatCommandLine(
  cwd: string,
  args: readonly string[],
  env: Record<string, string> = {},
): string {
  const words = [process.execPath, CHAT_BIN, ...args].map(shellWord).join(' ');
  return `env CI=false ${chatEnvWords(cwd, env)} ${words}`;
}

/**
 * `chat tui --user USER --port PORT` in a 110x32 tmux terminal of its own,
 * in the team folder `cwd`; `started` collects it for the test's clean-up.
 */
export async function startTui(
  name: string,
  cwd: string,
  user: string,
  port: number,
  started: TmuxTerminal[],
): Promise<TmuxTerminal> {
  const terminal = await TmuxTerminal.start(
    name,
    cwd,
    chatCommandLine(cwd, ['tui', '--user', user, '--port', String(port)]),
    { columns: 110, rows: 32 },
  );
  started.push(terminal);
  return terminal;
}
