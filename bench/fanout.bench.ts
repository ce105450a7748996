/**
 * Fan-out through a real `chat serve` in its own process: one sender, R
 * receivers in one room, over TLS on loopback. The server runs with the rate
 * limit and connection caps raised for load (said in the output); every
 * client uses one certificate, so the per-user device cap is raised too.
 * Bounded: a fixed number of messages per case and a deadline per case.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { formatTable } from '../src/commands/format-table.ts';
import { ChatClient, type ClientCredentials } from '../src/net/chat-client.ts';
import { initPki } from '../src/net/pki/init-pki.ts';
import { clientPaths, pkiLayout } from '../src/net/pki/layout.ts';

const quick = process.argv.includes('--quick');
const RECEIVERS = quick ? [10, 50] : [10, 100, 250];
const MESSAGES = quick ? 300 : 1000;
const WINDOW = 32;
const CASE_DEADLINE_MS = 60_000;
const TEXT = 'x'.repeat(100);
const CHAT_BIN = fileURLToPath(new URL('../bin/chat.js', import.meta.url));
const TICKS_PER_SECOND = 100;
/** Receivers and rounds of the comparisons (dashboard closed or open, history in memory or on disk). */
const COMPARE_RECEIVERS = quick ? 50 : 100;
const COMPARE_ROUNDS = quick ? 1 : 3;
/** Messages per comparison run: enough that a run spans several dashboard frames. */
const COMPARE_MESSAGES = quick ? 1000 : 3000;

interface Result {
  receivers: number;
  deliveriesPerSecond: number;
  /** Send to ack, at the sender, ms. */
  ackP50: number;
  ackP99: number;
  p50: number;
  p99: number;
  max: number;
  lost: number;
  duplicated: number;
  cpuMs: number;
  cpuPerDeliveryUs: number;
  peakRssMiB: number;
}

async function cpuTicks(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of /proc/PID/stat; index 11 and 12 after the comm.
  return Number(fields[11]) + Number(fields[12]);
}

async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

type Server = { child: ChildProcess; port: number; pid: number };

const SERVE_ARGS = [
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

/** Each server gets a data directory of its own in the bench's temp dir: it starts with no history. */
let dataDirs = 0;
const freshData = (certsDir: string) => join(certsDir, '..', `data-${++dataDirs}`);

/**
 * `chat serve` with plain logs on stderr (history on disk unless `store` is
 * memory); its port and pid from the "listening" record.
 */
async function startServer(certsDir: string, store: 'disk' | 'memory' = 'disk'): Promise<Server> {
  const args = ['serve', '--certs', certsDir, '--data', freshData(certsDir), '--store', store];
  const child = spawn(process.execPath, [CHAT_BIN, ...args, ...SERVE_ARGS], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CHAT_CERTS_DIR: '' },
  });
  let buffer = '';
  const listening = await new Promise<{ port: number; pid: number }>((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const line = /^.*"msg":"listening".*$/m.exec(buffer)?.[0];
      if (line) resolve(JSON.parse(line));
      if (buffer.length > 1_000_000) buffer = buffer.slice(-10_000);
    });
    child.once('exit', (code) => reject(new Error(`chat serve exited with ${code}`)));
  });
  return { child, ...listening };
}

/**
 * `chat serve --dashboard` in a real pseudo-terminal of 120x35 (util-linux
 * `script`), the screen thrown away: the dashboard renders as it would for
 * an operator. Port and pid come from the "listening" record in its log file.
 */
async function startDashboardServer(certsDir: string, logFile: string): Promise<Server> {
  const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, CHAT_BIN, 'serve', '--dashboard', '--certs', certsDir]
    .concat(SERVE_ARGS, ['--log-file', logFile, '--data', freshData(certsDir)])
    .map(quote)
    .join(' ');
  const child = spawn(
    'script',
    ['-q', '-e', '-c', `stty cols 120 rows 35; exec ${command}`, '/dev/null'],
    {
      // stdin stays open: the dashboard reads keys from the terminal.
      stdio: ['pipe', 'ignore', 'ignore'],
      env: { ...process.env, CHAT_CERTS_DIR: '', TERM: 'xterm-256color' },
    },
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
      throw new Error('chat serve --dashboard did not start (is util-linux `script` installed?)');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Waits until the server process is idle (under 10% of a core over 200 ms),
 * so start-up work (the dashboard loading React and drawing its first frame)
 * is not counted in a case; bounded at 10 s.
 */
async function settled(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  let before = await cpuTicks(pid);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = await cpuTicks(pid);
    if (now - before <= 2) return;
    before = now;
  }
}

async function stopServer(server: Server): Promise<void> {
  const exited = once(server.child, 'exit');
  process.kill(server.pid, 'SIGTERM');
  await exited;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function runCase(
  port: number,
  pid: number,
  credentials: ClientCredentials,
  receivers: number,
  messages = MESSAGES,
): Promise<Result> {
  const make = () =>
    new ChatClient({
      host: 'localhost',
      port,
      credentials,
      clientName: 'bench/1',
      rooms: ['#bench'],
      reconnect: false,
      pingIntervalMs: 0,
    });
  const clients = Array.from({ length: receivers }, make);
  const sender = make();
  await Promise.all([...clients, sender].map((c) => c.connect()));

  const latencies: number[] = [];
  const acks: number[] = [];
  const seen = clients.map(() => new Map<number, number>());
  let delivered = 0;
  let finish: () => void = () => {};
  const allDelivered = new Promise<void>((resolve) => {
    finish = resolve;
  });
  clients.forEach((client, i) => {
    client.on('message', (m) => {
      const map = seen[i] as Map<number, number>;
      map.set(m.id, (map.get(m.id) ?? 0) + 1);
      latencies.push(performance.now() - Number(m.text.slice(0, m.text.indexOf(' '))));
      delivered += 1;
      if (delivered === receivers * messages) finish();
    });
  });

  // Connecting is not fan-out: its work (and the dashboard's frames about it) settles first.
  await settled(pid);
  const cpuBefore = await cpuTicks(pid);
  const start = performance.now();
  let next = 0;
  const sendOne = async (): Promise<void> => {
    while (next < messages) {
      next += 1;
      const sent = performance.now();
      await sender.send('#bench', `${sent} ${TEXT}`);
      acks.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, sendOne));
  let deadline: NodeJS.Timeout | undefined;
  const timedOut = new Promise((resolve) => {
    deadline = setTimeout(resolve, CASE_DEADLINE_MS);
  });
  await Promise.race([allDelivered, timedOut]);
  clearTimeout(deadline);
  const elapsed = performance.now() - start;
  const cpuMs = ((await cpuTicks(pid)) - cpuBefore) * (1000 / TICKS_PER_SECOND);
  await Promise.all([...clients, sender].map((c) => c.close()));

  const sorted = latencies.sort((a, b) => a - b);
  const ackSorted = acks.sort((a, b) => a - b);
  let lost = 0;
  let duplicated = 0;
  for (const map of seen) {
    lost += messages - map.size;
    for (const count of map.values()) duplicated += count - 1;
  }
  const deliveries = receivers * messages - lost;
  return {
    receivers,
    deliveriesPerSecond: deliveries / (elapsed / 1000),
    ackP50: percentile(ackSorted, 50),
    ackP99: percentile(ackSorted, 99),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? 0,
    lost,
    duplicated,
    cpuMs,
    cpuPerDeliveryUs: (cpuMs * 1000) / Math.max(1, deliveries),
    peakRssMiB: await peakRss(pid),
  };
}

/** A short fan-out first, so a fresh server's JIT warm-up is not counted against either side. */
async function warmUp(server: Server, credentials: ClientCredentials): Promise<void> {
  await settled(server.pid);
  await runCase(server.port, server.pid, credentials, COMPARE_RECEIVERS, 300);
}

/** Median of the results of one case run several times, by deliveries per second. */
function median(results: Result[]): Result {
  const sorted = [...results].sort((a, b) => a.deliveriesPerSecond - b.deliveriesPerSecond);
  return sorted[Math.floor(sorted.length / 2)] as Result;
}

const f = (n: number, digits = 1) => n.toFixed(digits);

/**
 * The comparison case on two kinds of server, alternated round by round so
 * drift in the machine's load hits both alike; the median of each.
 */
async function alternate(
  startA: (round: number) => Promise<Server>,
  startB: (round: number) => Promise<Server>,
  credentials: ClientCredentials,
): Promise<[Result, Result]> {
  const a: Result[] = [];
  const b: Result[] = [];
  for (let round = 0; round < COMPARE_ROUNDS; round++) {
    for (const [start, results] of [
      [startA, a],
      [startB, b],
    ] as const) {
      const server = await start(round);
      try {
        await warmUp(server, credentials);
        results.push(
          await runCase(server.port, server.pid, credentials, COMPARE_RECEIVERS, COMPARE_MESSAGES),
        );
      } finally {
        await stopServer(server);
      }
    }
  }
  return [median(a), median(b)];
}

/** Two results side by side, and the second as a share of the first. */
function printComparison(
  what: string,
  [labelA, a]: [string, Result],
  [labelB, b]: [string, Result],
) {
  const row = (label: string, r: Result) => [
    label,
    f(r.deliveriesPerSecond, 0),
    f(r.ackP50),
    f(r.ackP99),
    f(r.p99),
    String(r.lost),
    f(r.cpuPerDeliveryUs),
    f(r.peakRssMiB, 0),
  ];
  const share = (x: number, y: number) => `${f((x / y) * 100, 0)}%`;
  console.log(
    formatTable([
      [
        what,
        'DELIVERIES/S',
        'ACK P50 ms',
        'ACK P99 ms',
        'P99 ms',
        'LOST',
        'CPU/DELIVERY us',
        'PEAK RSS MiB',
      ],
      row(labelA, a),
      row(labelB, b),
      [
        `${labelB}/${labelA}`,
        share(b.deliveriesPerSecond, a.deliveriesPerSecond),
        '',
        '',
        '',
        '',
        share(b.cpuPerDeliveryUs, a.cpuPerDeliveryUs),
        '',
      ],
    ]),
  );
}

const dir = await mkdtemp(join(tmpdir(), 'chat-bench-'));
const layout = pkiLayout(join(dir, 'certs'));
let server: Server | undefined;
try {
  await initPki({ layout, now: new Date() }, { user: 'bench' });
  const paths = clientPaths(layout, 'bench');
  const credentials = {
    ca: await readFile(layout.caCert, 'utf8'),
    cert: await readFile(paths.cert, 'utf8'),
    key: await readFile(paths.key, 'utf8'),
  };
  server = await startServer(layout.dir);
  console.log(
    `fan-out: chat serve in its own process (history on disk; rate limit and caps raised for load), 1 sender, ${MESSAGES} messages of ${TEXT.length} bytes, window ${WINDOW}`,
  );
  const results: Result[] = [];
  for (const receivers of RECEIVERS) {
    results.push(await runCase(server.port, server.pid, credentials, receivers));
  }
  await stopServer(server);
  server = undefined;
  console.log(
    formatTable([
      [
        'RECEIVERS',
        'DELIVERIES/S',
        'P50 ms',
        'P99 ms',
        'MAX ms',
        'LOST',
        'DUP',
        'SERVER CPU ms',
        'CPU/DELIVERY us',
        'PEAK RSS MiB',
      ],
      ...results.map((r) => [
        String(r.receivers),
        f(r.deliveriesPerSecond, 0),
        f(r.p50),
        f(r.p99),
        f(r.max),
        String(r.lost),
        String(r.duplicated),
        f(r.cpuMs, 0),
        f(r.cpuPerDeliveryUs),
        f(r.peakRssMiB, 0),
      ]),
    ]),
  );

  // The dashboard must not slow the server: the same case with it closed and
  // open, alternated so drift in the machine's load hits both alike.
  const [closed, open] = await alternate(
    () => startServer(layout.dir),
    (round) => startDashboardServer(layout.dir, join(dir, `dashboard-${round}.log`)),
    credentials,
  );
  console.log(
    `\ndashboard cost: ${COMPARE_RECEIVERS} receivers, ${COMPARE_MESSAGES} messages, median of ${COMPARE_ROUNDS} alternated runs each; dashboard in a 120x35 pseudo-terminal`,
  );
  printComparison('DASHBOARD', ['closed', closed], ['open', open]);

  // What durability costs: the same case with history in memory and on disk
  // (sealed, written and synced before each ack).
  const [memory, disk] = await alternate(
    () => startServer(layout.dir, 'memory'),
    () => startServer(layout.dir, 'disk'),
    credentials,
  );
  console.log(
    `\ndurability cost: ${COMPARE_RECEIVERS} receivers, ${COMPARE_MESSAGES} messages, median of ${COMPARE_ROUNDS} alternated runs each; ACK = send to ack at the sender`,
  );
  printComparison('STORE', ['memory', memory], ['disk', disk]);
} finally {
  if (server) await stopServer(server);
  await rm(dir, { recursive: true, force: true });
}
