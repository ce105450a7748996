import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PtySession } from '../../scripts/screenshots/pty-session.ts';
import { tempDir } from './pki.ts';

/** The real `chat` launcher, as `npx chat` runs it. */
export const CHAT_BIN = fileURLToPath(new URL('../../bin/chat.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment a `chat` child runs in: the team's things in `cwd`
 * (./certs and ./data, as explicit folders), and a home of its own inside
 * `cwd`, so that nothing a test runs ever touches the real user's profiles.
 * A test of profiles clears CHAT_CERTS_DIR and CHAT_DATA in `env`.
 */
export function chatEnv(cwd: string, env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...chatPlaces(cwd), ...env };
}

/** chatEnv's own variables as `NAME=value` words for `env …` in a shell command line. */
export function chatEnvWords(cwd: string, env: NodeJS.ProcessEnv = {}): string {
  return Object.entries({ ...chatPlaces(cwd), ...env })
    .map(([name, value]) => `${name}='${String(value ?? '').replaceAll("'", "'\\''")}'`)
    .join(' ');
}

function chatPlaces(cwd: string): NodeJS.ProcessEnv {
  return {
    HOME: join(cwd, '.home'),
    XDG_CONFIG_HOME: '',
    XDG_DATA_HOME: '',
    CHAT_HOME: '',
    CHAT_TEAM: '',
    CHAT_CERTS_DIR: 'certs',
    CHAT_DATA: 'data',
  };
}

/** Runs `chat ARGS` as a child process in `cwd` and collects its output. */
export function runChat(
  args: string[],
  options: {
    cwd: string;
    env?: NodeJS.ProcessEnv;
    uid?: number;
    gid?: number;
    /** Another launcher than the checkout's (an installed package's). */
    bin?: string;
  },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? CHAT_BIN, ...args], {
      cwd: options.cwd,
      env: chatEnv(options.cwd, options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running `chat` child whose output lines can be awaited. */
export function startChat(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  bin: string = CHAT_BIN,
) {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: chatEnv(cwd, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const waiters: Array<{
    stream: 'stdout' | 'stderr';
    test: RegExp;
    resolve: (line: string) => void;
  }> = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    let partial = '';
    child[stream].setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines[stream].push(line);
        for (const w of waiters.filter((w) => w.stream === stream && w.test.test(line))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
  }
  // A child that exits fails every wait still open, with what it said, instead of hanging the test.
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => {
      setImmediate(() =>
        reject(
          new Error(
            `chat ${args[0]} exited (${signal ?? code}): ${lines.stderr.slice(-3).join(' | ')}`,
          ),
        ),
      );
    });
  });
  exited.catch(() => {});
  const waitFor = (stream: 'stdout' | 'stderr', test: RegExp) =>
    Promise.race([
      new Promise<string>((resolve) => {
        const found = lines[stream].find((l) => test.test(l));
        if (found) resolve(found);
        else waiters.push({ stream, test, resolve });
      }),
      exited,
    ]);
  return { child, lines, waitFor };
}

/** Stops a chat child with SIGTERM; resolves with its exit code. */
export async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  return code as number | null;
}

/**
 * A `chat serve` child that is listening: its port and pid, and the whole
 * `listening` record for checks of what it says.
 */
export type Serving = ReturnType<typeof startChat> & {
  port: number;
  pid: number;
  listening: Record<string, unknown>;
};

/** Starts `chat serve --port 0 ARGS` in `cwd` and resolves once it listens. */
export async function startServe(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  bin: string = CHAT_BIN,
): Promise<Serving> {
  const server = startChat(['serve', '--port', '0', ...args], cwd, env, bin);
  const listening = JSON.parse(await server.waitFor('stderr', /"msg":"listening"/)) as {
    port: number;
    pid: number;
  };
  return { ...server, port: listening.port, pid: listening.pid, listening };
}

/**
 * A temp directory whose `certs/` the real CLI made: `chat certs --user
 * FIRST`, then `chat certs client NAME` for each other user. Remove it with
 * `cleanup()`.
 */
export async function teamMadeByCli(
  users: readonly string[] = ['ada'],
): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const dir = await tempDir();
  const [first = 'ada', ...others] = users;
  for (const args of [['certs', '--user', first], ...others.map((u) => ['certs', 'client', u])]) {
    const made = await runChat(args, { cwd: dir.path });
    assert.equal(made.code, 0, made.stderr);
  }
  return dir;
}

/**
 * Starts `chat ARGS` in a pseudo-terminal of its own, 100x30 (the
 * screenshots' PtySession: util-linux `script`, read through xterm.js):
 * `keys` types into it, `waitFor` resolves once the output so far, or the
 * screen it draws, matches (30 s at most), `exited` with the exit code. Its
 * output is as the terminal got it (escape sequences included, CRLF line
 * ends turned to LF).
 */
export function startChatInPty(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const session = new PtySession('chat', [process.execPath, CHAT_BIN, ...args], {
    cwd: options.cwd,
    env: { ...chatEnv(options.cwd, options.env), CI: 'false', TERM: 'xterm-256color' },
    columns: 100,
    rows: 30,
  });
  // A full-screen program writes only the cells that change, so its words
  // are read off the screen as well as out of the bytes.
  const output = () => session.written().replaceAll('\r\n', '\n');
  const screen = () => session.text();
  return {
    child: session.child,
    exited: session.exited,
    output,
    screen,
    keys: (text: string) => session.keys(text),
    waitFor: (pattern: RegExp) =>
      session.waitUntil(() => pattern.test(output()) || pattern.test(screen()), String(pattern)),
  };
}

/** Runs `chat ARGS` in a pseudo-terminal of its own until it exits (see startChatInPty). */
export async function runChatInPty(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number | null; output: string }> {
  const running = startChatInPty(args, options);
  const code = await running.exited;
  return { code, output: running.output() };
}

/**
 * Another machine, as far as `chat` can tell: a home with XDG folders of its
 * own (config/ and data/ in it), and the environment that makes `chat` use
 * the team profiles there (CHAT_CERTS_DIR and CHAT_DATA cleared).
 */
export function machineAt(home: string) {
  const config = join(home, 'config');
  const data = join(home, 'data');
  return {
    home,
    config,
    data,
    env: {
      HOME: home,
      XDG_CONFIG_HOME: config,
      XDG_DATA_HOME: data,
      CHAT_CERTS_DIR: '',
      CHAT_DATA: '',
    } as NodeJS.ProcessEnv,
  };
}

/**
 * A user error as the CLI reports it: exit `code`, exactly one line on
 * stderr (or, from a pseudo-terminal, in its output) starting `chat: ` and
 * matching `pattern`, no stack trace.
 */
export function assertOneLineError(
  result: { code: number | null; stderr?: string; output?: string },
  code: number,
  pattern: RegExp,
): void {
  const said = result.stderr ?? result.output ?? '';
  assert.equal(result.code, code, said);
  const lines = said.trimEnd().split('\n');
  assert.equal(lines.length, 1, said);
  assert.match(lines[0] ?? '', /^chat: /);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(said, /\n\s+at /);
}

/** A loopback port nothing listens on (just now). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
