/**
 * What a connection costs the server, for `chat serve` and for the bare Node
 * TLS reference (bench/refs/bare-fanout-server.ts), each in its own process:
 *
 * - handshakes: fresh connections, each a full mutual-TLS 1.3 handshake
 *   (no session resumption) with a client certificate the server verifies,
 *   a bounded number in flight, each closed once it counts; with EC P-256
 *   keys and with RSA 2048. Then a few one at a time, for the latency of a
 *   handshake without queueing.
 * - idle connections: many opened and held; the server's RSS before and after.
 *
 * A chat connection counts once `welcome` answers `hello`; a bare one once
 * the server's session ticket arrives, which it sends only after verifying
 * the client's certificate and Finished. The load clients run here, in the
 * bench process, and share the machine's cores with the server. `chat serve`
 * runs with the rate limit and connection caps raised (said in the output);
 * every client uses one certificate. Bounded: fixed counts, a deadline per
 * connection and per phase. About 2.5 minutes; under a minute with --quick.
 *
 *   npx tsx bench/connections.bench.ts [--quick]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import tls, { type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { formatTable } from '../src/commands/format-table.ts';
import { initPki } from '../src/pki/init-pki.ts';
import { clientPaths, pkiLayout } from '../src/pki/layout.ts';
import type { KeySpec } from '../src/pki/profiles.ts';
import { cpuMs, peakRssMiB, rssMiB, waitIdle } from './lib/proc-stats.ts';
import { listening } from './lib/servers.ts';
import { percentile } from './lib/stats.ts';

const quick = process.argv.includes('--quick');
/** Handshakes counted per server and key type. */
const HANDSHAKES = quick ? 300 : 1000;
/** Handshakes one at a time after the loaded run, for unqueued latency. */
const SERIAL_HANDSHAKES = quick ? 30 : 100;
/** Connections held open in the idle case. */
const IDLE = quick ? 500 : 2000;
/** Connections opening at once. */
const IN_FLIGHT = 50;
/** Handshakes before each measured case, not counted: JIT and one-time TLS set-up. */
const WARM_UP = 50;
/** A connection not counted by then is a failure (ms). */
const CONNECT_DEADLINE_MS = 30_000;
/** A phase (all handshakes of a case, or opening the idle connections) stops here (ms). */
const PHASE_DEADLINE_MS = 90_000;
/** After the server settles, before reading its RSS (ms). */
const RSS_WAIT_MS = 2_000;
const HELLO = `${JSON.stringify({ type: 'hello', v: 1, client: 'bench/1' })}\n`;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHAT_BIN = join(ROOT, 'bin', 'chat.js');
const BARE_SERVER = join(ROOT, 'bench', 'refs', 'bare-fanout-server.ts');

/** `chat serve` flags beyond certs, data and store: limits raised so the load is not refused. */
const RAISED = [
  '--rate',
  '1000000',
  '--burst',
  '1000000',
  '--max-per-address',
  '100000',
  '--max-per-user',
  '100000',
  '--max-connections',
  '100000',
  '--max-handshakes',
  '100000',
  '--max-handshakes-per-address',
  '100000',
  '--handshake-timeout',
  '60',
];

type Kind = 'chat' | 'bare';
type Server = { kind: Kind; child: ChildProcess; port: number; pid: number };
type Credentials = { ca: string; cert: string; key: string };

/** CPU time of the whole machine, all cores, in clock ticks: busy (not idle or iowait) and total. */
async function machineTicks(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  // The fourth and fifth are idle and iowait.
  return { busy: total - (ticks[3] ?? 0) - (ticks[4] ?? 0), total };
}

/** The soft limit on open files of a process. */
async function openFilesLimit(pid: number | 'self'): Promise<number> {
  const limits = await readFile(`/proc/${pid}/limits`, 'utf8');
  const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1] ?? '0';
  return soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a server with its log on a pipe (drained here); its port and pid
 * from the `listening` record both servers write to stderr.
 */
async function startServer(kind: Kind, certsDir: string, dataDir: string): Promise<Server> {
  const args =
    kind === 'chat'
      ? [CHAT_BIN, 'serve', '--certs', certsDir, '--data', dataDir, '--store', 'memory']
          .concat(['--port', '0', '--log-level', 'info'])
          .concat(RAISED)
      : ['--import', 'tsx', BARE_SERVER, '--certs', certsDir, '--port', '0'];
  // The repo root as cwd: `--import tsx` resolves tsx from there.
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CHAT_CERTS_DIR: '' },
  });
  const { port, pid } = await listening(child, `the ${kind} server`);
  return { kind, child, port, pid };
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = once(server.child, 'exit');
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * A connection that counted: how long it took and how long until the
 * server's first session ticket, its TLS handshake done (ms); its socket,
 * still open.
 */
type Opened = { ms: number; tlsMs: number; socket: TLSSocket };

/**
 * Opens one connection and resolves once it counts (see the file comment):
 * for chat, after `hello` is answered with `welcome`; for bare, at the
 * server's first session ticket. Rejects on an error frame, an error, a
 * close or the deadline. Everything the server sends later is read and
 * dropped, so a held socket never backs up.
 */
function open(kind: Kind, port: number, credentials: Credentials): Promise<Opened> {
  const start = performance.now();
  return new Promise<Opened>((resolve, reject) => {
    let counted = false;
    let tlsMs = Number.NaN;
    const socket = tls.connect({ host: '127.0.0.1', port, ...credentials });
    // As ChatClient does: hello is not held back by Nagle behind the handshake's last flight.
    socket.setNoDelay(true);
    const fail = (why: string) => {
      if (counted) return;
      counted = true;
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(why));
    };
    const count = () => {
      if (counted) return;
      counted = true;
      clearTimeout(timer);
      resolve({ ms: performance.now() - start, tlsMs, socket });
    };
    const timer = setTimeout(() => fail('no answer in time'), CONNECT_DEADLINE_MS);
    socket.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
    socket.on('close', () => fail('closed before it counted'));
    socket.once('session', () => {
      tlsMs = performance.now() - start;
      if (kind === 'bare') count();
    });
    if (kind === 'bare') {
      socket.resume();
      return;
    }
    socket.once('secureConnect', () => socket.write(HELLO));
    let line = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      if (counted) return;
      line += chunk;
      const end = line.indexOf('\n');
      if (end < 0) return;
      let frame: { type?: string; code?: string };
      try {
        frame = JSON.parse(line.slice(0, end));
      } catch {
        fail(`not JSON: ${line.slice(0, Math.min(end, 80))}`);
        return;
      }
      if (frame.type === 'welcome') count();
      else fail(`${frame.type} ${frame.code ?? ''}`.trim());
    });
  });
}

/** Ends a connection (close_notify, then FIN) and resolves when the socket has closed. */
function close(socket: TLSSocket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  const closed = once(socket, 'close').then(() => undefined);
  socket.end();
  // A server that never closes its side is not waited for past the deadline.
  const timer = setTimeout(() => socket.destroy(), 10_000);
  return closed.finally(() => clearTimeout(timer));
}

/** What a run of `open` calls did. */
type Opening = {
  times: number[];
  tlsTimes: number[];
  failures: number;
  firstFailure: string;
  elapsedMs: number;
};

/**
 * Opens `count` connections, `inFlight` at a time, until the phase deadline;
 * `each` gets every connection that counted (to close or keep it).
 */
async function openMany(
  kind: Kind,
  port: number,
  credentials: Credentials,
  count: number,
  inFlight: number,
  each: (socket: TLSSocket) => void,
): Promise<Opening> {
  const times: number[] = [];
  const tlsTimes: number[] = [];
  let failures = 0;
  let firstFailure = '';
  let next = 0;
  const start = performance.now();
  const deadline = start + PHASE_DEADLINE_MS;
  const worker = async () => {
    while (next < count && performance.now() < deadline) {
      next += 1;
      try {
        const opened = await open(kind, port, credentials);
        times.push(opened.ms);
        tlsTimes.push(opened.tlsMs);
        each(opened.socket);
      } catch (error) {
        failures += 1;
        firstFailure ||= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  return { times, tlsTimes, failures, firstFailure, elapsedMs: performance.now() - start };
}

interface HandshakeResult {
  server: Kind;
  key: string;
  handshakes: number;
  failures: number;
  firstFailure: string;
  perSecond: number;
  /** Server utime + stime over the run, closes included, per handshake. */
  serverCpuMsPer: number;
  /** The same for the bench process (the clients). */
  clientCpuMsPer: number;
  /** CPU while handshaking, as % of one core: the server, the clients. */
  serverBusy: number;
  clientBusy: number;
  /** Of all cores, by every process on the machine, while handshaking (%). */
  machineBusy: number;
  p50: number;
  p99: number;
  max: number;
  /** One at a time: no queueing; to the count, and to the server's session ticket. */
  serialP50: number;
  serialP99: number;
  serialTlsP50: number;
}

async function handshakes(
  kind: Kind,
  key: string,
  certsDir: string,
  dataDir: string,
  credentials: Credentials,
): Promise<HandshakeResult> {
  const server = await startServer(kind, certsDir, dataDir);
  try {
    const closing: Promise<void>[] = [];
    const closeIt = (socket: TLSSocket) => {
      closing.push(close(socket));
    };
    await openMany(kind, server.port, credentials, WARM_UP, IN_FLIGHT, closeIt);
    await Promise.all(closing.splice(0));
    await waitIdle(server.pid);

    const cpuBefore = await cpuMs(server.pid);
    const clientBefore = process.cpuUsage();
    const machineBefore = await machineTicks();
    const run = await openMany(kind, server.port, credentials, HANDSHAKES, IN_FLIGHT, closeIt);
    const serverBusyMs = (await cpuMs(server.pid)) - cpuBefore;
    const clientBusy = process.cpuUsage(clientBefore);
    const machine = await machineTicks();
    await Promise.all(closing.splice(0));
    // The server's last closes are counted too.
    await waitIdle(server.pid);
    const serverCpu = (await cpuMs(server.pid)) - cpuBefore;
    const client = process.cpuUsage(clientBefore);

    const serial = await openMany(kind, server.port, credentials, SERIAL_HANDSHAKES, 1, closeIt);
    await Promise.all(closing.splice(0));

    const sorted = [...run.times].sort((a, b) => a - b);
    const serialSorted = [...serial.times].sort((a, b) => a - b);
    const serialTls = [...serial.tlsTimes].sort((a, b) => a - b);
    const counted = Math.max(1, run.times.length);
    const busy = (ms: number) => (ms / run.elapsedMs) * 100;
    return {
      server: kind,
      key,
      handshakes: run.times.length,
      failures: run.failures + serial.failures,
      firstFailure: run.firstFailure || serial.firstFailure,
      perSecond: run.times.length / (run.elapsedMs / 1000),
      serverCpuMsPer: serverCpu / counted,
      clientCpuMsPer: (client.user + client.system) / 1000 / counted,
      serverBusy: busy(serverBusyMs),
      clientBusy: busy((clientBusy.user + clientBusy.system) / 1000),
      machineBusy:
        ((machine.busy - machineBefore.busy) / Math.max(1, machine.total - machineBefore.total)) *
        100,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? 0,
      serialP50: percentile(serialSorted, 50),
      serialP99: percentile(serialSorted, 99),
      serialTlsP50: percentile(serialTls, 50),
    };
  } finally {
    await stopServer(server);
  }
}

interface IdleResult {
  server: Kind;
  connections: number;
  failures: number;
  firstFailure: string;
  /** Held connections the server closed during the wait. */
  droppedWhileIdle: number;
  openSeconds: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  peakRssMiB: number;
  perConnectionKiB: number;
  openFilesLimit: number;
}

async function idle(
  kind: Kind,
  certsDir: string,
  dataDir: string,
  credentials: Credentials,
): Promise<IdleResult> {
  const server = await startServer(kind, certsDir, dataDir);
  const held: TLSSocket[] = [];
  try {
    const limit = await openFilesLimit(server.pid);
    if (limit < IDLE + 100) {
      throw new Error(
        `the ${kind} server may open only ${limit} files, fewer than ${IDLE} connections need: raise \`ulimit -n\``,
      );
    }
    const closing: Promise<void>[] = [];
    await openMany(kind, server.port, credentials, WARM_UP, IN_FLIGHT, (socket) => {
      closing.push(close(socket));
    });
    await Promise.all(closing);
    await waitIdle(server.pid);
    await sleep(RSS_WAIT_MS);
    const before = (await rssMiB(server.pid)) * 1024;

    let dropped = 0;
    const run = await openMany(kind, server.port, credentials, IDLE, IN_FLIGHT, (socket) => {
      held.push(socket);
      socket.once('close', () => {
        dropped += 1;
      });
    });
    await waitIdle(server.pid);
    await sleep(RSS_WAIT_MS);
    const after = (await rssMiB(server.pid)) * 1024;
    const peak = (await peakRssMiB(server.pid)) * 1024;
    return {
      server: kind,
      connections: held.length,
      failures: run.failures,
      firstFailure: run.firstFailure,
      droppedWhileIdle: dropped,
      openSeconds: run.elapsedMs / 1000,
      rssBeforeMiB: before / 1024,
      rssAfterMiB: after / 1024,
      peakRssMiB: peak / 1024,
      perConnectionKiB: (after - before) / Math.max(1, held.length),
      openFilesLimit: limit,
    };
  } finally {
    for (const socket of held) socket.destroy();
    await stopServer(server);
  }
}

/** Makes a PKI of `key` in `dir` and reads the client's credentials. */
async function pki(dir: string, key: KeySpec): Promise<Credentials> {
  const layout = pkiLayout(dir);
  await initPki({ layout, now: new Date() }, { user: 'bench', key });
  const paths = clientPaths(layout, 'bench');
  return {
    ca: await readFile(layout.caCert, 'utf8'),
    cert: await readFile(paths.cert, 'utf8'),
    key: await readFile(paths.key, 'utf8'),
  };
}

const f = (n: number, digits = 1) => n.toFixed(digits);

const startedAt = new Date();
const benchStart = performance.now();
const dir = await mkdtemp(join(tmpdir(), 'chat-bench-connections-'));
try {
  const ownLimit = await openFilesLimit('self');
  if (ownLimit < IDLE + 100) {
    throw new Error(
      `this process may open only ${ownLimit} files, fewer than ${IDLE} connections need: raise \`ulimit -n\``,
    );
  }
  const keys: { label: string; spec: KeySpec }[] = [
    { label: 'EC P-256', spec: { type: 'ec' } },
    { label: 'RSA 2048', spec: { type: 'rsa', size: 2048 } },
  ];
  const pkis = new Map<string, { certs: string; credentials: Credentials }>();
  for (const { label, spec } of keys) {
    const certs = join(dir, `certs-${spec.type}`);
    pkis.set(label, { certs, credentials: await pki(certs, spec) });
  }
  let dataDirs = 0;
  const freshData = () => join(dir, `data-${++dataDirs}`);

  console.log(
    [
      `connections: chat serve (node bin/chat.js serve --store memory --log-level info, raised: ${RAISED.join(' ')}) and the bare reference (node --import tsx bench/refs/bare-fanout-server.ts), each in its own process; clients in this process; TLS 1.3, loopback.`,
      `  ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)}; clients and server share the cores.`,
      `  handshakes: ${HANDSHAKES} fresh connections per case (full handshake, client certificate verified by the server), ${IN_FLIGHT} in flight, each closed once it counts; ${WARM_UP} uncounted first.`,
      "  chat counts at welcome (after hello); bare at the server's session ticket (sent after it verified the client). Time: from connect to that, queueing in flight included.",
      `  SERIAL: ${SERIAL_HANDSHAKES} more, one at a time (no queueing); TLS = to the server's session ticket. CPU/HS: utime+stime over the run (closes included) / handshakes.`,
      '  BUSY: CPU while handshaking, server and clients as % of one core, the machine (every process) as % of all cores.',
    ].join('\n'),
  );

  const handshakeResults: HandshakeResult[] = [];
  for (const { label } of keys) {
    const { certs, credentials } = pkis.get(label) as { certs: string; credentials: Credentials };
    for (const kind of ['chat', 'bare'] as const) {
      handshakeResults.push(await handshakes(kind, label, certs, freshData(), credentials));
    }
  }
  console.log(
    formatTable([
      [
        'SERVER',
        'KEYS',
        'HANDSHAKES',
        'FAILED',
        'HS/S',
        'SERVER CPU/HS ms',
        'CLIENT CPU/HS ms',
        'P50 ms',
        'P99 ms',
        'MAX ms',
        'SERVER/CLIENT/MACHINE BUSY %',
        'SERIAL TLS P50 ms',
        'SERIAL P50 ms',
        'SERIAL P99 ms',
      ],
      ...handshakeResults.map((r) => [
        r.server,
        r.key,
        String(r.handshakes),
        r.failures > 0 ? `${r.failures} (${r.firstFailure})` : '0',
        f(r.perSecond, 0),
        f(r.serverCpuMsPer, 2),
        f(r.clientCpuMsPer, 2),
        f(r.p50),
        f(r.p99),
        f(r.max),
        `${f(r.serverBusy, 0)}/${f(r.clientBusy, 0)}/${f(r.machineBusy, 0)}`,
        f(r.serialTlsP50, 2),
        f(r.serialP50, 2),
        f(r.serialP99, 2),
      ]),
    ]),
  );

  const ec = pkis.get('EC P-256') as { certs: string; credentials: Credentials };
  const idleResults: IdleResult[] = [];
  for (const kind of ['chat', 'bare'] as const) {
    idleResults.push(await idle(kind, ec.certs, freshData(), ec.credentials));
  }
  console.log(
    `\nidle connections: ${IDLE} opened (EC P-256, ${IN_FLIGHT} in flight) after ${WARM_UP} opened and closed, then held; VmRSS after settling + ${RSS_WAIT_MS / 1000} s, before and after.`,
  );
  console.log(
    formatTable([
      [
        'SERVER',
        'HELD',
        'FAILED',
        'DROPPED',
        'OPEN s',
        'RSS BEFORE MiB',
        'RSS AFTER MiB',
        'PEAK RSS MiB',
        'RSS/CONN KiB',
        'NOFILE',
      ],
      ...idleResults.map((r) => [
        r.server,
        String(r.connections),
        r.failures > 0 ? `${r.failures} (${r.firstFailure})` : '0',
        String(r.droppedWhileIdle),
        f(r.openSeconds),
        f(r.rssBeforeMiB),
        f(r.rssAfterMiB),
        f(r.peakRssMiB),
        f(r.perConnectionKiB),
        String(r.openFilesLimit),
      ]),
    ]),
  );

  const results = join(ROOT, 'bench', 'results');
  await mkdir(results, { recursive: true });
  const file = join(results, `connections-${startedAt.toISOString().replaceAll(':', '-')}.json`);
  const report = {
    bench: 'connections',
    at: startedAt.toISOString(),
    quick,
    seconds: (performance.now() - benchStart) / 1000,
    machine: { cores: cpus().length, loadavg: loadavg(), node: process.version },
    chatServeFlags: ['--store', 'memory', '--log-level', 'info', ...RAISED],
    settings: { HANDSHAKES, SERIAL_HANDSHAKES, IDLE, IN_FLIGHT, WARM_UP, RSS_WAIT_MS },
    handshakes: handshakeResults,
    idle: idleResults,
  };
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${file} (${f(report.seconds, 0)} s)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
