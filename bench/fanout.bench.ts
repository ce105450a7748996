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

interface Result {
  receivers: number;
  deliveriesPerSecond: number;
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

async function startServer(certsDir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      CHAT_BIN,
      'serve',
      '--port',
      '0',
      '--certs',
      certsDir,
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
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CHAT_CERTS_DIR: '' } },
  );
  let buffer = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const match = /"port":(\d+)[^\n]*"msg":"listening"/.exec(buffer);
      if (match) resolve(Number(match[1]));
      if (buffer.length > 1_000_000) buffer = buffer.slice(-10_000);
    });
    child.once('exit', (code) => reject(new Error(`chat serve exited with ${code}`)));
  });
  return { child, port };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function runCase(
  port: number,
  pid: number,
  credentials: ClientCredentials,
  receivers: number,
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
      if (delivered === receivers * MESSAGES) finish();
    });
  });

  const cpuBefore = await cpuTicks(pid);
  const start = performance.now();
  let next = 0;
  const sendOne = async (): Promise<void> => {
    while (next < MESSAGES) {
      next += 1;
      await sender.send('#bench', `${performance.now()} ${TEXT}`);
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
  let lost = 0;
  let duplicated = 0;
  for (const map of seen) {
    lost += MESSAGES - map.size;
    for (const count of map.values()) duplicated += count - 1;
  }
  const deliveries = receivers * MESSAGES - lost;
  return {
    receivers,
    deliveriesPerSecond: deliveries / (elapsed / 1000),
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

const dir = await mkdtemp(join(tmpdir(), 'chat-bench-'));
const layout = pkiLayout(join(dir, 'certs'));
let server: { child: ChildProcess; port: number } | undefined;
try {
  await initPki({ layout, now: new Date() }, { user: 'bench' });
  const paths = clientPaths(layout, 'bench');
  const credentials = {
    ca: await readFile(layout.caCert, 'utf8'),
    cert: await readFile(paths.cert, 'utf8'),
    key: await readFile(paths.key, 'utf8'),
  };
  server = await startServer(layout.dir);
  const pid = server.child.pid as number;
  console.log(
    `fan-out: chat serve in its own process (rate limit and caps raised for load), 1 sender, ${MESSAGES} messages of ${TEXT.length} bytes, window ${WINDOW}`,
  );
  const results: Result[] = [];
  for (const receivers of RECEIVERS)
    results.push(await runCase(server.port, pid, credentials, receivers));
  const f = (n: number, digits = 1) => n.toFixed(digits);
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
} finally {
  if (server) {
    const exited = once(server.child, 'exit');
    server.child.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
}
