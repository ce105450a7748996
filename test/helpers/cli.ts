import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { tempDir } from './pki.ts';

/** The real `chat` launcher, as `npx chat` runs it. */
export const CHAT_BIN = fileURLToPath(new URL('../../bin/chat.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `chat ARGS` as a child process in `cwd` and collects its output. */
export function runChat(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHAT_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, CHAT_CERTS_DIR: '', ...options.env },
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
export function startChat(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [CHAT_BIN, ...args], {
    cwd,
    env: { ...process.env, CHAT_CERTS_DIR: '', ...env },
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
): Promise<Serving> {
  const server = startChat(['serve', '--port', '0', ...args], cwd, env);
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
