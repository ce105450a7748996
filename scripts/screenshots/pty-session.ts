import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { CastEvent } from './asciicast.ts';
import { HeadlessTerminal } from './headless-terminal.ts';
import type { Screen } from './screen-runs.ts';
import type { TerminalTheme } from './terminal-theme.ts';

/**
 * The demo's time, apart from the machine's: typing a key or pausing moves
 * it on, so a recording plays at a person's pace however fast (or slowly)
 * the machine that made it ran.
 */
export class DemoClock {
  now = 0;
  advance(seconds: number): void {
    this.now += seconds;
  }
}

const WAIT_LIMIT_MS = 30_000;
/** How long a program has to exit once asked, before it is killed. */
const EXIT_LIMIT_MS = 5_000;

/**
 * A program in a pseudo-terminal of its own (util-linux `script`), read
 * through a headless terminal. With a clock, every write it makes is kept
 * as a cast event stamped with the clock's time.
 */
export class PtySession {
  readonly events: CastEvent[] = [];
  private readonly terminal: HeadlessTerminal;
  readonly child: ChildProcessWithoutNullStreams;
  private readonly listeners = new Set<() => void>();
  private output = '';
  private lastWrite = Date.now();
  private readonly clock: DemoClock | undefined;
  private failure: Error | undefined;
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    command: readonly string[],
    options: {
      cwd: string;
      env: NodeJS.ProcessEnv;
      columns: number;
      rows: number;
      clock?: DemoClock;
    },
  ) {
    this.clock = options.clock;
    const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;
    this.terminal = new HeadlessTerminal(options.columns, options.rows);
    this.child = spawn(
      'script',
      [
        '-q',
        '-e',
        '-c',
        `stty cols ${options.columns} rows ${options.rows}; exec ${command.map(quote).join(' ')}`,
        '/dev/null',
      ],
      { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.exited = new Promise((resolve) => {
      this.child.once('close', resolve);
      this.child.once('error', (error: NodeJS.ErrnoException) => {
        this.failure = new Error(
          error.code === 'ENOENT'
            ? 'util-linux `script` is not installed: apt-get install bsdutils (it gives each program its own terminal)'
            : `could not start util-linux script: ${error.message}`,
        );
        resolve(null);
      });
    });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
      this.lastWrite = Date.now();
      if (this.clock !== undefined) this.events.push({ time: this.clock.now, data: chunk });
      void this.terminal.write(chunk).then(() => {
        for (const listener of this.listeners) listener();
      });
    });
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
    });
  }

  /**
   * Marks the end of a scene: an empty event holds the screen until the
   * clock's time. Returns how many events the scene has.
   */
  markScene(): number {
    if (this.clock !== undefined) this.events.push({ time: this.clock.now, data: '' });
    return this.events.length;
  }

  /** Sends keys as they are (escape sequences included). */
  keys(text: string): void {
    this.child.stdin.write(text);
  }

  /** Everything the program wrote so far, escape sequences included. */
  written(): string {
    return this.output;
  }

  /** The screen as plain text. */
  text(): string {
    return this.terminal.text();
  }

  screen(theme: TerminalTheme): Screen {
    return this.terminal.screen(theme);
  }

  /** The screen's rows as plain text. */
  rows(): string[] {
    return this.terminal.rows();
  }

  /** Resolves once the screen matches `pattern`; fails with the screen after 30 s or on exit. */
  waitFor(pattern: RegExp): Promise<void> {
    return this.waitUntil(() => pattern.test(this.text()), String(pattern));
  }

  /** Resolves once `shows()` is true of the screen; fails with the screen after 30 s or on exit. */
  waitUntil(shows: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.listeners.delete(look);
        if (error === undefined) resolve();
        else reject(error);
      };
      const look = () => {
        if (shows()) done();
      };
      const timer = setTimeout(
        () =>
          done(
            new Error(
              `${this.name}: ${what} not on screen after ${WAIT_LIMIT_MS} ms:\n${this.text()}`,
            ),
          ),
        WAIT_LIMIT_MS,
      );
      void this.exited.then((code) => {
        if (this.failure !== undefined) done(this.failure);
        else if (!shows()) {
          done(
            new Error(`${this.name} exited (${code}) before ${what}:\n${this.output.slice(-600)}`),
          );
        }
      });
      this.listeners.add(look);
      look();
    });
  }

  /** Resolves with the exit code once the program ends; fails if it is still running after 5 s. */
  async exit(): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`${this.name} did not exit within ${EXIT_LIMIT_MS} ms:\n${this.text()}`),
          ),
        EXIT_LIMIT_MS,
      );
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Resolves once the program has written nothing for `quietMs`: a frame
   * can reach the terminal in pieces, and a picture is taken of a whole one.
   */
  async settle(quietMs = 250): Promise<void> {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    while (Date.now() - this.lastWrite < quietMs && Date.now() < deadline) {
      await new Promise((resolve) =>
        setTimeout(resolve, quietMs - (Date.now() - this.lastWrite) + 5),
      );
    }
  }

  /** Ends the program (SIGTERM, as a closing terminal would) and waits for it. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
    this.terminal.dispose();
  }
}
