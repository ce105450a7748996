/**
 * The real `chat tui` process, as users run it (`node bin/chat.js tui`), in
 * a real pseudo-terminal of 100x30 (util-linux `script`), against a
 * `chat serve` already running in its own process (so not the embedded
 * server): the time from spawn to its first frame and to the status bar
 * saying "connected", and its CPU once connected and idle; then the same
 * start against a second server holding 20 rooms × 50 messages the user has
 * read (the backlog of issue 16), to the newest of them on screen. Runs of
 * the two alternate. For reference,
 * `node bin/chat.js --version` (tsx registration and the CLI's imports, no
 * screen) and the pseudo-terminal's own start-up (script, sh, stty).
 * Bounded: a fixed number of runs, a deadline on each. About 45 s; 20-30 s
 * with --quick.
 *
 *   npx tsx bench/tui-process.bench.ts [--quick]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import xterm from '@xterm/headless';
import { loadClientCredentials } from '../src/commands/client-identity.ts';
import { formatTable } from '../src/commands/format-table.ts';
import { issueClient } from '../src/pki/client-certs.ts';
import { initPki } from '../src/pki/init-pki.ts';
import { pkiLayout } from '../src/pki/layout.ts';
import { fillBacklog } from './lib/backlog-fill.ts';
import { cpuMs, rssMiB, waitIdle } from './lib/proc-stats.ts';
import { listening } from './lib/servers.ts';
import { median } from './lib/stats.ts';

const quick = process.argv.includes('--quick');
/** Starts of `chat tui` timed; the median is reported. */
const RUNS = quick ? 3 : 5;
/** How long the connected TUI is watched for its idle CPU (ms). */
const IDLE_MS = quick ? 3_000 : 10_000;
/** The backlog the second server holds for the bench user: rooms, and messages in each. */
const BACKLOG_ROOMS = 20;
const BACKLOG_PER_ROOM = 50;
const COLUMNS = 100;
const ROWS = 30;
/** A start that has not shown "connected" by then fails the bench (ms). */
const START_DEADLINE_MS = 30_000;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHAT_BIN = join(ROOT, 'bin', 'chat.js');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * The environment users have: no NODE_ENV (bin/chat.js picks production),
 * no CHAT_* settings, CI=false (with CI=true Ink draws nothing until exit).
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name !== 'NODE_ENV' && !name.startsWith('CHAT_')) env[name] = value;
  }
  return { ...env, CI: 'false', TERM: 'xterm-256color' };
}

/** `chat serve` (defaults, history in memory); its port and pid from the "listening" record. */
async function startServer(
  certsDir: string,
  dataDir: string,
  extra: readonly string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      ...[CHAT_BIN, 'serve', '--certs', certsDir, '--data', dataDir],
      ...['--store', 'memory', '--port', '0', ...extra],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: userEnv() },
  );
  const { port } = await listening(child, 'chat serve');
  return { child, port };
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Milliseconds from spawn to exit of a command run without a terminal. */
async function timeToExit(command: string, args: string[]): Promise<number> {
  const start = performance.now();
  const child = spawn(command, args, { stdio: 'ignore', env: userEnv() });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}`);
  return performance.now() - start;
}

/** A command in a COLUMNS x ROWS pseudo-terminal; `pid` is the command's own (it execs sh's). */
interface Pty {
  script: ChildProcess;
  /** Resolves with the command's pid, once sh has written it. */
  pid: () => Promise<number>;
  /** Everything the terminal was sent so far, escape codes stripped, and its size in bytes. */
  text: () => string;
  bytes: () => number;
  /** Resolves at the first output for which `test` holds (on the stripped text), ms after spawn. */
  when: (test: (text: string) => boolean) => Promise<number>;
}

function inPty(command: string, pidFile: string): Pty {
  const start = performance.now();
  const script = spawn(
    'script',
    [
      '-q',
      '-e',
      '-c',
      `stty cols ${COLUMNS} rows ${ROWS}; echo $$ > ${quote(pidFile)}; exec ${command}`,
      '/dev/null',
    ],
    // stdin stays open: the TUI reads keys from the terminal.
    { stdio: ['pipe', 'pipe', 'ignore'], env: userEnv() },
  );
  let bytes = 0;
  // The TUI writes only the cells that change: its text is read off a terminal (xterm.js).
  const screen = new xterm.Terminal({ cols: COLUMNS, rows: ROWS, allowProposedApi: true });
  const screenText = () => {
    const rows: string[] = [];
    for (let y = 0; y < ROWS; y++) {
      rows.push(screen.buffer.active.getLine(y)?.translateToString(true) ?? '');
    }
    return rows.join('\n');
  };
  const waiting = new Set<{ test: (text: string) => boolean; done: (ms: number) => void }>();
  script.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const at = performance.now() - start;
    bytes += Buffer.byteLength(chunk);
    screen.write(chunk, () => {
      const text = screenText();
      for (const waiter of waiting) {
        if (waiter.test(text)) {
          waiting.delete(waiter);
          waiter.done(at);
        }
      }
    });
  });
  return {
    script,
    text: () => screenText(),
    bytes: () => bytes,
    pid: async () => {
      const deadline = Date.now() + START_DEADLINE_MS;
      for (;;) {
        const text = await readFile(pidFile, 'utf8').catch(() => '');
        if (/^\d+\n/.test(text)) return Number(text);
        if (Date.now() > deadline) throw new Error('the pseudo-terminal did not start');
        await sleep(5);
      }
    },
    when: (test) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(`not seen within ${START_DEADLINE_MS} ms; the screen:\n${screenText()}`),
          );
        }, START_DEADLINE_MS);
        waiting.add({
          test,
          done: (ms) => {
            clearTimeout(timer);
            resolve(ms);
          },
        });
        script.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`exited with ${code} first; the screen:\n${screenText()}`));
        });
      }),
  };
}

interface Start {
  firstFrameMs: number;
  connectedMs: number;
  /** When a `ready` text was asked for: spawn to that text on screen. */
  readyMs?: number;
  /** utime + stime of the tui process just after it showed "connected" (ms). */
  cpuToConnectedMs: number;
}

interface Idle {
  seconds: number;
  cpuMs: number;
  /** % of one core. */
  cpuPercent: number;
  /** Bytes the TUI wrote to the terminal while idle, per second. */
  bytesPerSecond: number;
  rssMiB: number;
}

/**
 * Starts `chat tui` against the server on `port` in a pseudo-terminal, times
 * its first frame and "connected", then (when `idle`) watches it idle; quits
 * with Ctrl+C on the empty input line, as a user does.
 */
async function runTui(
  port: number,
  certsDir: string,
  dataDir: string,
  pidFile: string,
  idle: boolean,
  ready?: RegExp,
): Promise<{ start: Start; idle?: Idle }> {
  await rm(pidFile, { force: true });
  const command = [process.execPath, CHAT_BIN, 'tui', '--host', 'localhost']
    .concat(['--port', String(port), '--certs', certsDir, '--user', 'bench', '--data', dataDir])
    .map(quote)
    .join(' ');
  const pty = inPty(command, pidFile);
  let pid: number | undefined;
  try {
    const statusBar = new RegExp(`localhost:${port}( \\(embedded\\))? │ connected`);
    const [firstFrameMs, connectedMs, readyMs] = await Promise.all([
      pty.when((text) => text.trim() !== ''),
      pty.when((text) => statusBar.test(text)),
      ready ? pty.when((text) => ready.test(text)) : undefined,
    ]);
    if (pty.text().includes('(embedded)')) {
      throw new Error('chat tui started its own server: the bench server was not found');
    }
    pid = await pty.pid();
    const cpuToConnectedMs = await cpuMs(pid);
    let watched: Idle | undefined;
    if (idle) {
      await waitIdle(pid);
      const cpuBefore = await cpuMs(pid);
      const bytesBefore = pty.bytes();
      const start = performance.now();
      await sleep(IDLE_MS);
      const cpu = (await cpuMs(pid)) - cpuBefore;
      const elapsed = performance.now() - start;
      watched = {
        seconds: elapsed / 1000,
        cpuMs: cpu,
        cpuPercent: (cpu / elapsed) * 100,
        bytesPerSecond: (pty.bytes() - bytesBefore) / (elapsed / 1000),
        rssMiB: await rssMiB(pid),
      };
    }
    const exited = once(pty.script, 'exit');
    pty.script.stdin?.write('\u0003');
    // Ctrl+C on the empty input line quits; SIGTERM if it did not.
    const timer = setTimeout(() => pty.script.kill('SIGTERM'), 5_000);
    await exited;
    clearTimeout(timer);
    return {
      start: {
        firstFrameMs,
        connectedMs,
        cpuToConnectedMs,
        ...(readyMs === undefined ? {} : { readyMs }),
      },
      ...(watched ? { idle: watched } : {}),
    };
  } finally {
    if (pid !== undefined && pty.script.exitCode === null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone: nothing left to stop.
      }
    }
    await stop(pty.script, 'SIGKILL');
  }
}

const f = (n: number, digits = 0) => n.toFixed(digits);

const startedAt = new Date();
const benchStart = performance.now();
const dir = await mkdtemp(join(tmpdir(), 'chat-bench-tui-'));
let server: ChildProcess | undefined;
let backlogServer: ChildProcess | undefined;
try {
  const layout = pkiLayout(join(dir, 'certs'));
  await initPki({ layout, now: new Date() }, { user: 'bench' });
  const started = await startServer(layout.dir, join(dir, 'server-data'));
  server = started.child;
  const pidFile = join(dir, 'tui.pid');

  const version: number[] = [];
  const bareNode: number[] = [];
  const ptyOnly: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    version.push(await timeToExit(process.execPath, [CHAT_BIN, '--version']));
    bareNode.push(await timeToExit(process.execPath, ['-e', '0']));
    await rm(pidFile, { force: true });
    const pty = inPty("printf 'x'", pidFile);
    ptyOnly.push(await pty.when((text) => text.includes('x')));
    await once(pty.script, 'exit');
  }

  // The same TUI against a server holding BACKLOG_ROOMS rooms of
  // BACKLOG_PER_ROOM messages each, all the bench user's: what loading the
  // backlog adds to its start. Its runs alternate with the empty server's.
  await issueClient({ layout, now: new Date() }, { name: 'writer' });
  const credentials = async (user: string) =>
    (await loadClientCredentials(layout.dir, user, user)).credentials;
  const full = await startServer(layout.dir, join(dir, 'full-data'), [
    ...['--rate', '100000', '--burst', '100000'],
    ...['--max-rooms-per-user', '50', '--rooms-per-hour', '1000'],
  ]);
  backlogServer = full.child;
  await fillBacklog({
    port: full.port,
    reader: await credentials('bench'),
    writer: await credentials('writer'),
    readerName: 'bench',
    rooms: BACKLOG_ROOMS,
    perRoom: BACKLOG_PER_ROOM,
  });

  const starts: Start[] = [];
  const backlogStarts: Start[] = [];
  let idle: Idle | undefined;
  for (let i = 0; i < RUNS; i++) {
    const last = i === RUNS - 1;
    const run = await runTui(started.port, layout.dir, join(dir, 'tui-data'), pidFile, last);
    starts.push(run.start);
    idle ??= run.idle;
    const withBacklog = await runTui(
      full.port,
      layout.dir,
      join(dir, 'tui-data'),
      pidFile,
      false,
      /last-of-backlog-\d\d/,
    );
    backlogStarts.push(withBacklog.start);
  }
  if (idle === undefined) throw new Error('the idle TUI was not measured');

  const range = (values: number[]) =>
    `${f(Math.min(...values))}-${f(Math.max(...values))} (${values.map((v) => f(v)).join(', ')})`;
  console.log(
    [
      `chat tui, the real process: node bin/chat.js tui in a ${COLUMNS}x${ROWS} pseudo-terminal (util-linux script), against chat serve (defaults, --store memory) in its own process, over TLS on loopback.`,
      `  ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)}; NODE_ENV unset (bin/chat.js picks production), CI=false, TERM=xterm-256color.`,
      `  From spawn of \`script\`, median of ${RUNS}; first frame: the first output with visible text; connected: the status bar says "localhost:PORT │ connected".`,
    ].join('\n'),
  );
  console.log(
    formatTable([
      ['WHAT', 'MEDIAN ms', 'RANGE ms (RUNS)'],
      [
        'chat tui: spawn → first frame',
        f(median(starts.map((s) => s.firstFrameMs))),
        range(starts.map((s) => s.firstFrameMs)),
      ],
      [
        'chat tui: spawn → "connected"',
        f(median(starts.map((s) => s.connectedMs))),
        range(starts.map((s) => s.connectedMs)),
      ],
      [
        'chat tui: its CPU time by "connected"',
        f(median(starts.map((s) => s.cpuToConnectedMs))),
        range(starts.map((s) => s.cpuToConnectedMs)),
      ],
      [
        `with ${BACKLOG_ROOMS} rooms × ${BACKLOG_PER_ROOM} backlog: spawn → first frame`,
        f(median(backlogStarts.map((s) => s.firstFrameMs))),
        range(backlogStarts.map((s) => s.firstFrameMs)),
      ],
      [
        `with ${BACKLOG_ROOMS} rooms × ${BACKLOG_PER_ROOM} backlog: spawn → "connected"`,
        f(median(backlogStarts.map((s) => s.connectedMs))),
        range(backlogStarts.map((s) => s.connectedMs)),
      ],
      [
        `with ${BACKLOG_ROOMS} rooms × ${BACKLOG_PER_ROOM} backlog: spawn → backlog on screen`,
        f(median(backlogStarts.map((s) => s.readyMs ?? Number.NaN))),
        range(backlogStarts.map((s) => s.readyMs ?? Number.NaN)),
      ],
      [
        'backlog on screen minus "connected" without backlog (medians)',
        f(
          median(backlogStarts.map((s) => s.readyMs ?? Number.NaN)) -
            median(starts.map((s) => s.connectedMs)),
        ),
        '',
      ],
      ['node bin/chat.js --version: spawn → exit', f(median(version)), range(version)],
      ['node -e 0: spawn → exit', f(median(bareNode)), range(bareNode)],
      ['pseudo-terminal alone: spawn → first output', f(median(ptyOnly)), range(ptyOnly)],
    ]),
  );
  console.log(
    `\nidle chat tui: connected, settled, then ${f(idle.seconds, 1)} s watched (utime+stime of the tui process).`,
  );
  console.log(
    formatTable([
      ['CPU ms', 'CPU % OF A CORE', 'BYTES TO TERMINAL/S', 'RSS MiB'],
      [f(idle.cpuMs), f(idle.cpuPercent, 2), f(idle.bytesPerSecond), f(idle.rssMiB)],
    ]),
  );

  const results = join(ROOT, 'bench', 'results');
  await mkdir(results, { recursive: true });
  const file = join(results, `tui-process-${startedAt.toISOString().replaceAll(':', '-')}.json`);
  const report = {
    bench: 'tui-process',
    at: startedAt.toISOString(),
    quick,
    seconds: (performance.now() - benchStart) / 1000,
    machine: { cores: cpus().length, loadavg: loadavg(), node: process.version },
    terminal: { columns: COLUMNS, rows: ROWS },
    runs: RUNS,
    start: {
      firstFrameMedianMs: median(starts.map((s) => s.firstFrameMs)),
      connectedMedianMs: median(starts.map((s) => s.connectedMs)),
      cpuToConnectedMedianMs: median(starts.map((s) => s.cpuToConnectedMs)),
      runs: starts,
    },
    backlog: {
      rooms: BACKLOG_ROOMS,
      perRoom: BACKLOG_PER_ROOM,
      firstFrameMedianMs: median(backlogStarts.map((s) => s.firstFrameMs)),
      connectedMedianMs: median(backlogStarts.map((s) => s.connectedMs)),
      onScreenMedianMs: median(backlogStarts.map((s) => s.readyMs ?? Number.NaN)),
      runs: backlogStarts,
    },
    versionMs: { median: median(version), runs: version },
    nodeMs: { median: median(bareNode), runs: bareNode },
    ptyMs: { median: median(ptyOnly), runs: ptyOnly },
    idle,
  };
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${file} (${f(report.seconds)} s)`);
} finally {
  if (server) await stop(server);
  if (backlogServer) await stop(backlogServer);
  await rm(dir, { recursive: true, force: true });
}
