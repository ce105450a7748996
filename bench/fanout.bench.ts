/**
 * Fan-out against the limit and a real peer: `chat serve` side by side with
 * the bare Node TLS fan-out (bench/refs/bare-fanout-server.ts, the ceiling
 * for a Node server here) and ngircd (bench/refs/ngircd.ts, a mature C IRC
 * server), on the same load generator (bench/load/fanout-load.ts, a process
 * of its own speaking raw TLS). Every server runs in its own process, on
 * loopback, with its limits raised for load (said in the output).
 *
 * 1. Cells of R receivers x S senders in one room, 100-byte texts, closed
 *    loop: each sender keeps a window of unacknowledged messages, a message
 *    counting as acknowledged when the probe receiver has it (the same rule
 *    for the three servers). Then, on the same connections, the same cell
 *    with a deep window (256 per sender, a message settled when every
 *    receiver has it). Each row says which side was saturated (server, load
 *    process, machine); at the end the targets of issue 19 are judged on the
 *    deep-window cells, each met or missed.
 * 2. Latency at a fixed load: 100k deliveries/s (R=500, S=10 at 20 msg/s
 *    each, paced), for a fixed duration.
 * 3. chat alone: dashboard closed vs open, history in memory vs on disk.
 *
 * Bounded: fixed message counts, a stall limit and a deadline per phase, a
 * timeout per case. Results go to bench/results/fanout-<time>.json.
 *
 *   npx tsx bench/fanout.bench.ts [--quick] [--no-ngircd]
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { initPki } from '../src/pki/init-pki.ts';
import { type PkiLayout, pkiLayout } from '../src/pki/layout.ts';
import {
  type Cell,
  cellName,
  comparisonTable,
  failures,
  fixedTable,
  incomplete,
  judgeTargets,
  KINDS,
  type Kind,
  LOAD_BOUND_PERCENT,
  matrixTable,
  type Outcome,
  ratioTable,
  resultOf,
  SATURATED_PERCENT,
  targetLines,
} from './lib/fanout-report.ts';
import { issueIdentities, type LoadIdentities } from './lib/identities.ts';
import { waitIdle } from './lib/proc-stats.ts';
import {
  LOAD_SERVE_ARGS,
  ROOT,
  type Server,
  startBare,
  startChat,
  startDashboardChat,
  stopServer,
} from './lib/servers.ts';
import { median } from './lib/stats.ts';
import { type CaseOutcome, LoadProcess } from './load/load-process.ts';
import { type Identity, type PhaseSpec, type Protocol, TEXT_BYTES } from './load/spec.ts';
import {
  ensureNgircd,
  FLOOD_SETTINGS,
  type Ngircd,
  ngircdDrops,
  startNgircd,
} from './refs/ngircd.ts';

const quick = process.argv.includes('--quick');
/** Leaves ngircd out (its columns say n/a), e.g. where it cannot be installed. */
const withNgircd = !process.argv.includes('--no-ngircd');
const ROOM = '#bench';
const RECEIVERS = [10, 100, 500];
const SENDERS = [1, 10];
/** Unacknowledged messages per sender in the closed loop. */
const WINDOW = 32;
/** The same in the deep-window phase, where a message is settled when every receiver has it. */
const DEEP_WINDOW = 256;
/**
 * Messages per sender of a deep-window phase: the cell's, but at least
 * this, so that each sender's window fills (at R=500, S=10 a cell has only
 * 100 per sender).
 */
const DEEP_MIN_PER_SENDER = quick ? DEEP_WINDOW : 2 * DEEP_WINDOW;
/** Deliveries a cell aims at: its messages are this over R (at least MIN_MESSAGES), split over S. */
const CELL_DELIVERIES = quick ? 60_000 : 200_000;
const MIN_MESSAGES = quick ? 300 : 1_000;
/** The fixed load: R=500, S=10 at 20 msg/s each = 100k deliveries/s. */
const FIXED = { receivers: 500, senders: 10, ratePerSender: 20, durationMs: quick ? 2_000 : 5_000 };
/**
 * Messages per sender of a first phase on each fresh server (on the
 * connections of the first cells), not counted: JIT warm-up, the load
 * process's too.
 */
const WARM_UP_PER_SENDER = quick ? 100 : 200;
/** A phase that sees nothing arrive for this long ends (ms); none lasts past its deadline. */
const STALL_MS = 3_000;
const PHASE_DEADLINE_MS = quick ? 15_000 : 30_000;
/** The chat-only comparisons: receivers, messages (one sender), rounds. */
const COMPARE_RECEIVERS = quick ? 50 : 100;
const COMPARE_MESSAGES = quick ? 1_000 : 3_000;
const COMPARE_WARM_UP = quick ? 150 : 300;
const COMPARE_ROUNDS = quick ? 1 : 3;
/** Client certificates: one per sender, and receiver users with many devices each. */
const SENDER_USERS = 10;
const RECEIVER_USERS = 5;
/** Connections opened at once: ngircd's listen backlog is 10. */
const CONNECT_CONCURRENCY = 8;

/** `chat serve` raised for load (bench/lib/servers.ts). */
const SERVE_ARGS = LOAD_SERVE_ARGS;

const PROTOCOL: Record<Kind, Protocol> = { chat: 'chat', bare: 'bare', ngircd: 'irc' };

/** A server of the matrix, ready for cases. */
interface Target {
  kind: Kind;
  server: Server;
  senderIds: Identity[];
  receiverIds: Identity[];
}

let load: LoadProcess | undefined;
/** Every case run, with its wall time: where the bench's time goes. */
const caseLog: Array<{
  kind: Kind;
  receivers: number;
  phases: number;
  wallMs: number;
  connectMs?: number;
}> = [];
let caseCount = 0;
let dataDirs = 0;

/** Runs one case of `phases` on `target` with R receivers and S senders. */
async function runCase(
  target: Target,
  caFile: string,
  receivers: number,
  senders: number,
  phases: PhaseSpec[],
): Promise<CaseOutcome> {
  if (!load?.alive) load = new LoadProcess();
  const phaseMs = phases.reduce(
    (sum, p) => sum + 5_000 + (p.kind === 'closed' ? p.deadlineMs : p.durationMs + p.drainMs),
    0,
  );
  const started = performance.now();
  const outcome = await load.run(
    {
      connection: {
        protocol: PROTOCOL[target.kind],
        port: target.server.port,
        serverPid: target.server.pid,
        caFile,
        senderIds: target.senderIds,
        receiverIds: target.receiverIds,
        receivers,
        senders,
        room: ROOM,
        label: `c${(caseCount++ % 1296).toString(36)}`,
        connectConcurrency: CONNECT_CONCURRENCY,
        connectTimeoutMs: 60_000,
      },
      phases,
    },
    60_000 + phaseMs + 10_000,
  );
  caseLog.push({
    kind: target.kind,
    receivers,
    phases: phases.length,
    wallMs: performance.now() - started,
    ...(outcome.ok ? { connectMs: outcome.connectMs } : {}),
  });
  return outcome;
}

const closed = (
  senders: number,
  messagesPerSender: number,
  until: 'probe' | 'ack' | 'all' = 'probe',
  window = WINDOW,
): PhaseSpec => ({
  kind: 'closed',
  senders,
  messagesPerSender,
  window,
  until,
  stallMs: STALL_MS,
  deadlineMs: PHASE_DEADLINE_MS,
});

function messagesPerSender(receivers: number, senders: number): number {
  return Math.ceil(Math.max(MIN_MESSAGES, CELL_DELIVERIES / receivers) / senders);
}

const outcomeOf = (run: CaseOutcome, phase: number): Outcome => {
  if (!run.ok) return run;
  const result = run.phases[phase];
  return result
    ? { ok: true, connectMs: run.connectMs, resumed: run.resumed, result }
    : { ok: false, error: 'no result' };
};

/**
 * The chat-only comparisons on fresh servers, round after round, each round
 * running every configuration once in turn so drift in the machine's load
 * hits all alike; the median of each. One sender, window of acks as in
 * `chat send`: an ack waits for the history store.
 */
async function compareChat(
  dir: string,
  layout: PkiLayout,
  ids: LoadIdentities,
): Promise<Record<'disk' | 'open' | 'memory', { median: Outcome; runs: Outcome[] }>> {
  const configs = {
    disk: () => startChat(layout.dir, join(dir, `data-${++dataDirs}`), 'disk', SERVE_ARGS),
    open: () =>
      startDashboardChat(
        layout.dir,
        join(dir, `data-${++dataDirs}`),
        join(dir, `dashboard-${dataDirs}.log`),
        SERVE_ARGS,
      ),
    memory: () => startChat(layout.dir, join(dir, `data-${++dataDirs}`), 'memory', SERVE_ARGS),
  };
  const runs: Record<keyof typeof configs, Outcome[]> = { disk: [], open: [], memory: [] };
  for (let round = 0; round < COMPARE_ROUNDS; round++) {
    for (const name of Object.keys(configs) as Array<keyof typeof configs>) {
      let server: Server | undefined;
      try {
        server = await configs[name]();
        // Start-up work (the dashboard loading React, its first frames) is not fan-out.
        await waitIdle(server.pid, { timeoutMs: 10_000 });
        const target: Target = {
          kind: 'chat',
          server,
          senderIds: ids.senders,
          receiverIds: ids.receivers,
        };
        const run = await runCase(target, layout.caCert, COMPARE_RECEIVERS, 1, [
          closed(1, COMPARE_WARM_UP, 'ack'),
          closed(1, COMPARE_MESSAGES, 'ack'),
        ]);
        runs[name].push(outcomeOf(run, 1));
      } catch (error) {
        runs[name].push({ ok: false, error: (error as Error).message });
      } finally {
        if (server) await stopServer(server);
      }
    }
  }
  const pick = (outcomes: Outcome[]): Outcome => {
    const good = outcomes.filter((o) => o.ok);
    if (good.length === 0) return outcomes[0] ?? { ok: false, error: 'not run' };
    const mid = median(good.map((o) => (o.ok ? o.result.deliveriesPerSecond : 0)));
    return good.find((o) => o.ok && o.result.deliveriesPerSecond === mid) as Outcome;
  };
  return {
    disk: { median: pick(runs.disk), runs: runs.disk },
    open: { median: pick(runs.open), runs: runs.open },
    memory: { median: pick(runs.memory), runs: runs.memory },
  };
}

const benchStart = performance.now();
const startedAt = new Date();
const dir = await mkdtemp(join(tmpdir(), 'chat-bench-'));
const layout = pkiLayout(join(dir, 'certs'));
const targets: Target[] = [];
try {
  await initPki({ layout, now: new Date() }, { user: 'bench' });
  const ids = await issueIdentities(layout, { senders: SENDER_USERS, receivers: RECEIVER_USERS });
  const ngircd = withNgircd
    ? await ensureNgircd((line) => console.log(line))
    : { unavailable: 'left out with --no-ngircd' };

  const [chat, bare, irc] = await Promise.all([
    startChat(layout.dir, join(dir, `data-${++dataDirs}`), 'disk', SERVE_ARGS),
    startBare(layout.dir),
    'binary' in ngircd
      ? startNgircd(ngircd.binary, join(dir, 'ngircd'), {
          certFile: layout.serverCert,
          keyFile: layout.serverKey,
        }).catch((error: Error) => error)
      : Promise.resolve(new Error(ngircd.unavailable)),
  ]);
  targets.push({ kind: 'chat', server: chat, senderIds: ids.senders, receiverIds: ids.receivers });
  targets.push({ kind: 'bare', server: bare, senderIds: ids.senders, receiverIds: ids.receivers });
  const ircUnavailable = irc instanceof Error ? irc.message : undefined;
  if (!(irc instanceof Error)) {
    targets.push({ kind: 'ngircd', server: irc, senderIds: [], receiverIds: [] });
  }
  const present = targets.map((t) => t.kind);
  const ngircdVersion = 'version' in ngircd ? ngircd.version : 'ngircd';

  console.log(
    `fan-out: ${TEXT_BYTES}-byte texts to R receivers from S senders in one room, TLS 1.3 on loopback; each server in its own process, the load in another (bench/load/fanout-load.ts, raw node:tls). ${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(2)}.`,
  );
  console.log(
    `  chat:   node bin/chat.js serve, history on disk, raised for load: ${SERVE_ARGS.slice(2, 10).join(' ')}`,
  );
  console.log(
    '  bare:   bench/refs/bare-fanout-server.ts (newline frames to every other socket, writes coalesced per tick)',
  );
  console.log(
    ircUnavailable
      ? `  ngircd: n/a (${ircUnavailable})`
      : `  ngircd: ${ngircdVersion} (GnuTLS), TLS on 127.0.0.1, flood protection off (${FLOOD_SETTINGS.join(', ')}), MaxConnectionsIP = 0, no DNS/ident, ping timeouts 1 h`,
  );

  // One connection set per server and R: the cells of every S run on it,
  // most senders first; the senders a phase does not use are disconnected.
  // The fixed load runs on the connections of its cell, right after it;
  // each cell's deep-window phase after that.
  const matrixStart = performance.now();
  const cells: Cell[] = [];
  const deepCells: Cell[] = [];
  let fixed: Partial<Record<Kind, Outcome>> = {};
  const sendersDown = [...SENDERS].sort((a, b) => b - a);
  for (const receivers of RECEIVERS) {
    const row = SENDERS.map(
      (senders): Cell => ({
        receivers,
        senders,
        messagesPerSender: messagesPerSender(receivers, senders),
        outcomes: {},
      }),
    );
    const deepRow = row.map(
      (cell): Cell => ({
        ...cell,
        messagesPerSender: Math.max(cell.messagesPerSender, DEEP_MIN_PER_SENDER),
        outcomes: {},
      }),
    );
    for (const target of targets) {
      const phases: PhaseSpec[] = [];
      const at = new Map<Cell | 'fixed', number>();
      if (receivers === RECEIVERS[0]) {
        phases.push(closed(sendersDown[0] as number, WARM_UP_PER_SENDER));
      }
      for (const senders of sendersDown) {
        const cell = row.find((c) => c.senders === senders) as Cell;
        at.set(cell, phases.push(closed(senders, cell.messagesPerSender)) - 1);
        if (receivers === FIXED.receivers && senders === FIXED.senders) {
          const open: PhaseSpec = {
            kind: 'open',
            senders,
            ratePerSender: FIXED.ratePerSender,
            durationMs: FIXED.durationMs,
            drainMs: 3_000,
          };
          at.set('fixed', phases.push(open) - 1);
        }
        const deep = deepRow.find((c) => c.senders === senders) as Cell;
        at.set(deep, phases.push(closed(senders, deep.messagesPerSender, 'all', DEEP_WINDOW)) - 1);
      }
      const run = await runCase(target, layout.caCert, receivers, sendersDown[0] as number, phases);
      for (const cell of [...row, ...deepRow]) {
        cell.outcomes[target.kind] = outcomeOf(run, at.get(cell) as number);
      }
      const fixedAt = at.get('fixed');
      if (fixedAt !== undefined) fixed = { ...fixed, [target.kind]: outcomeOf(run, fixedAt) };
    }
    cells.push(...row);
    deepCells.push(...deepRow);
  }
  const drops = irc instanceof Error ? 0 : await ngircdDrops((irc as Ngircd).logFile);
  for (const target of targets.splice(0)) await stopServer(target.server);

  console.log(
    `\ncells: closed loop, window ${WINDOW} per sender, a message acknowledged when the probe receiver has it; messages per cell: ${cells.map((c) => `${c.receivers}x${c.senders} ${c.messagesPerSender * c.senders}`).join(', ')}. Latency is send to receipt; CPU is user+system from /proc; peak RSS is VmHWM during the phase, from the RSS at its start (memory an earlier phase left counts: each R's S=1 cells run after its S=10 deep window); SERVER CPU and LOAD CPU (the load process) are over the phase's wall time, 100% = one core; SATURATED names each side at ${SATURATED_PERCENT}% or more: server (summed over nodes), load, machine (all ${cpus().length} cores, every process); END: complete, stalled (nothing arrived for ${STALL_MS / 1000} s) or deadline (${PHASE_DEADLINE_MS / 1000} s).`,
  );
  console.log(matrixTable(cells, present, cpus().length));
  console.log(
    `\ndeep window: the same connections right after each cell, closed loop, window ${DEEP_WINDOW} per sender, a message settled when every receiver has it; messages per cell: ${deepCells.map((c) => `${c.receivers}x${c.senders} ${c.messagesPerSender * c.senders}`).join(', ')}. Columns as above.`,
  );
  console.log(matrixTable(deepCells, present, cpus().length));
  console.log(
    '\nchat as a multiple of the references (deliveries/s: higher is better; CPU/delivery: lower is better)',
  );
  console.log(ratioTable(cells));
  console.log('\nthe same, deep window');
  console.log(ratioTable(deepCells));

  const rate = FIXED.receivers * FIXED.senders * FIXED.ratePerSender;
  console.log(
    `\nlatency at a fixed load: ${rate / 1000}k deliveries/s (R=${FIXED.receivers}, S=${FIXED.senders} at ${FIXED.ratePerSender} msg/s each, paced, open loop) for ${FIXED.durationMs / 1000} s, on the connections of the ${FIXED.receivers} x ${FIXED.senders} cell`,
  );
  console.log(fixedTable(fixed, present));

  const loadBound = Object.values(fixed)
    .map(resultOf)
    .some((r) => r && r.loadCpuPercent >= LOAD_BOUND_PERCENT);
  if (loadBound) {
    console.log(
      `* the load process used ${LOAD_BOUND_PERCENT}% of a core or more: there the load generator, not the server, is the limit`,
    );
  }
  const fanoutPhases: Array<[string, Outcome | undefined]> = [
    ...cells.flatMap((c) =>
      KINDS.map((k): [string, Outcome | undefined] => [`${cellName(c)} ${k}`, c.outcomes[k]]),
    ),
    ...deepCells.flatMap((c) =>
      KINDS.map((k): [string, Outcome | undefined] => [`${cellName(c)} deep ${k}`, c.outcomes[k]]),
    ),
    ...KINDS.map((k): [string, Outcome | undefined] => [`fixed load ${k}`, fixed[k]]),
  ];
  const notes = [...failures(fanoutPhases), ...incomplete(fanoutPhases)];
  if (drops > 0) notes.push(`  ngircd dropped ${drops} clients for a full buffer (its log)`);
  const nudges = [...cells.map((c) => c.outcomes.ngircd), fixed.ngircd]
    .map(resultOf)
    .reduce((sum, r) => sum + (r?.nudges ?? 0), 0);
  if (nudges > 0) {
    notes.push(
      `  ngircd: the load wrote ${nudges} empty line(s) to get TLS records GnuTLS had buffered read (bench/refs/ngircd.ts)`,
    );
  }
  if (notes.length > 0) console.log(['\nnotes:', ...notes].join('\n'));

  const matrixMs = performance.now() - matrixStart;
  const compareStart = performance.now();
  const compared = await compareChat(dir, layout, ids);
  const compareMs = performance.now() - compareStart;
  console.log(
    `\ndashboard cost: ${COMPARE_RECEIVERS} receivers, 1 sender, ${COMPARE_MESSAGES} messages (window ${WINDOW} of acks), median of ${COMPARE_ROUNDS} alternated runs each; dashboard in a 120x35 pseudo-terminal`,
  );
  console.log(
    comparisonTable('DASHBOARD', ['closed', compared.disk.median], ['open', compared.open.median]),
  );
  console.log(
    `\ndurability cost: the same case with history in memory and on disk (sealed, written and synced before each ack; disk = the dashboard-closed runs above); ACK = send to ack at the sender`,
  );
  console.log(
    comparisonTable('STORE', ['memory', compared.memory.median], ['disk', compared.disk.median]),
  );
  const compareNotes = failures([
    ['dashboard closed / disk', compared.disk.median],
    ['dashboard open', compared.open.median],
    ['memory', compared.memory.median],
  ]);
  if (compareNotes.length > 0) console.log(['\nnotes:', ...compareNotes].join('\n'));

  const targetResults = judgeTargets(deepCells, present, [
    ...fanoutPhases,
    ...(['disk', 'open', 'memory'] as const).flatMap((name) =>
      compared[name].runs.map((o, i): [string, Outcome] => [`${name} run ${i + 1}`, o]),
    ),
  ]);
  console.log(
    `\ntargets (issue 19; CPU and RSS judged on the deep-window cells, losses over every phase above)`,
  );
  console.log(targetLines(targetResults).join('\n'));

  const durationMs = performance.now() - benchStart;
  const results = join(ROOT, 'bench', 'results');
  await mkdir(results, { recursive: true });
  const file = join(results, `fanout-${startedAt.toISOString().replaceAll(':', '-')}.json`);
  await writeFile(
    file,
    `${JSON.stringify(
      {
        bench: 'fanout',
        startedAt: startedAt.toISOString(),
        durationMs,
        timings: { setupMs: matrixStart - benchStart, matrixMs, compareMs, cases: caseLog },
        quick,
        host: {
          cpus: cpus().length,
          model: cpus()[0]?.model,
          loadavg: loadavg(),
          node: process.version,
        },
        servers: {
          chat: { command: 'node bin/chat.js serve', store: 'disk', args: SERVE_ARGS },
          bare: { command: 'node --import tsx bench/refs/bare-fanout-server.ts' },
          ngircd: ircUnavailable
            ? { unavailable: ircUnavailable }
            : {
                version: ngircdVersion,
                config: await readFile((irc as Ngircd).configFile, 'utf8'),
                droppedForFullBuffer: drops,
              },
        },
        settings: {
          textBytes: TEXT_BYTES,
          window: WINDOW,
          deepWindow: DEEP_WINDOW,
          deepMinPerSender: DEEP_MIN_PER_SENDER,
          cellDeliveries: CELL_DELIVERIES,
          minMessages: MIN_MESSAGES,
          stallMs: STALL_MS,
          phaseDeadlineMs: PHASE_DEADLINE_MS,
          fixed: FIXED,
          compare: {
            receivers: COMPARE_RECEIVERS,
            messages: COMPARE_MESSAGES,
            rounds: COMPARE_ROUNDS,
          },
        },
        cells,
        deepCells,
        fixedLoad: fixed,
        comparisons: compared,
        targets: targetResults,
      },
      (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value),
      2,
    )}\n`,
  );
  console.log(
    `\nresults: ${file.slice(ROOT.length)} (fan-out bench took ${(durationMs / 1000).toFixed(0)} s)`,
  );
} finally {
  for (const target of targets) await stopServer(target.server);
  await load?.close();
  await rm(dir, { recursive: true, force: true });
}
