/**
 * The servers the benchmarks measure, each in a process of its own:
 * `chat serve` (plain, or with its dashboard in a pseudo-terminal) and the
 * bare Node TLS fan-out reference. Each reports its port and pid from its
 * `{"msg":"listening",...}` log line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The repository root: `--import tsx` resolves tsx from there. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHAT_BIN = fileURLToPath(new URL('../../bin/chat.js', import.meta.url));
const BARE_SERVER = fileURLToPath(new URL('../refs/bare-fanout-server.ts', import.meta.url));

/** A server under test. `pid` is the server's own process, which `child` may wrap. */
export interface Server {
  child: ChildProcess;
  port: number;
  pid: number;
}

/**
 * `chat serve` raised for load: any free port, no rate limit, many devices
 * and connections per address, info logs.
 */
export const LOAD_SERVE_ARGS: readonly string[] = [
  '--port',
  '0',
  '--rate',
  '1000000',
  '--burst',
  '1000000',
  '--max-per-user',
  '10000',
  '--max-per-address',
  '10000',
  '--log-level',
  'info',
];

const started = new Set<ChildProcess>();
// Whatever way the bench ends, no server outlives it.
process.once('exit', () => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Registers a child process to be killed if the bench exits before stopping it. */
export function track(child: ChildProcess): ChildProcess {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

/** Waits for the `listening` record on the child's stderr; bounded at `timeoutMs`. */
export function listening(child: ChildProcess, what: string, timeoutMs = 30_000): Promise<Server> {
  let buffer = '';
  return new Promise<Server>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not start within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const line = /^.*"msg":"listening".*$/m.exec(buffer)?.[0];
      if (line) {
        clearTimeout(timer);
        const { port, pid } = JSON.parse(line) as { port: number; pid: number };
        resolve({ child, port, pid });
        buffer = '';
      }
      if (buffer.length > 1_000_000) buffer = buffer.slice(-10_000);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before listening`));
    });
  });
}

/**
 * `chat serve` with `args` (raised limits and such), history in `dataDir`
 * on disk or in memory, plain logs on stderr (read for `listening`, then
 * drained).
 */
export function startChat(
  certsDir: string,
  dataDir: string,
  store: 'disk' | 'memory',
  args: readonly string[],
): Promise<Server> {
  const child = track(
    spawn(
      process.execPath,
      [CHAT_BIN, 'serve', '--certs', certsDir, '--data', dataDir, '--store', store, ...args],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CHAT_CERTS_DIR: '' } },
    ),
  );
  return listening(child, 'chat serve');
}

/**
 * `chat serve --dashboard` in a real pseudo-terminal of 120x35 (util-linux
 * `script`), the screen thrown away: the dashboard renders as it would for
 * an operator. Port and pid come from the "listening" record in `logFile`.
 */
export async function startDashboardChat(
  certsDir: string,
  dataDir: string,
  logFile: string,
  args: readonly string[],
): Promise<Server> {
  const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, CHAT_BIN, 'serve', '--dashboard', '--certs', certsDir]
    .concat(args, ['--log-file', logFile, '--data', dataDir])
    .map(quote)
    .join(' ');
  const child = track(
    spawn('script', ['-q', '-e', '-c', `stty cols 120 rows 35; exec ${command}`, '/dev/null'], {
      // stdin stays open: the dashboard reads keys from the terminal.
      stdio: ['pipe', 'ignore', 'ignore'],
      env: { ...process.env, CHAT_CERTS_DIR: '', TERM: 'xterm-256color' },
    }),
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    const text = await readFile(logFile, 'utf8').catch(() => '');
    const line = /^.*"msg":"listening".*$/m.exec(text)?.[0];
    if (line) {
      const { port, pid } = JSON.parse(line) as { port: number; pid: number };
      return { child, port, pid };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('chat serve --dashboard did not start (is util-linux `script` installed?)');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The bare reference server (bench/refs/bare-fanout-server.ts) on a free port. */
export function startBare(certsDir: string): Promise<Server> {
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', BARE_SERVER, '--certs', certsDir, '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  return listening(child, 'the bare server');
}

/** What a server logged at level error or above (pino level >= 50). */
export interface ErrorLog {
  count: number;
  /** The first one's message and its error's message, cut at 300 characters. */
  first?: string;
}

/**
 * Counts the error records a server writes on its stderr from now on (its
 * JSON log lines at pino level 50 or 60), keeping the first: a bench can
 * then say why a server refused what the load saw refused.
 */
export function watchErrors(server: Server): ErrorLog {
  const log: ErrorLog = { count: 0 };
  let partial = '';
  server.child.stderr?.on('data', (chunk: string | Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = (lines.pop() ?? '').slice(-100_000);
    for (const line of lines) {
      if (!/"level":[56]0\b/.test(line)) continue;
      log.count += 1;
      if (log.first !== undefined) continue;
      try {
        const record = JSON.parse(line) as { msg?: string; err?: { message?: string } };
        log.first = `${record.msg ?? ''}: ${record.err?.message ?? ''}`.slice(0, 300);
      } catch {
        log.first = line.slice(0, 300);
      }
    }
  });
  return log;
}

/** SIGTERM to the server, SIGKILL after `graceMs`; resolves when its child has exited. */
export async function stopServer(server: Server, graceMs = 5_000): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = once(server.child, 'exit');
  try {
    process.kill(server.pid, 'SIGTERM');
  } catch {
    // Already gone: its wrapper (script) exits on its own.
  }
  const timer = setTimeout(() => {
    try {
      process.kill(server.pid, 'SIGKILL');
    } catch {}
    server.child.kill('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}
