/**
 * What sharing history through Redis costs, and what several nodes on one
 * Redis give, in the same run and on the same load:
 *
 * 1. one `chat serve` node, history on disk (the default store);
 * 2. one node with `--redis`, on a redis-server the bench starts itself
 *    (free loopback port, temporary directory, appendonly yes, appendfsync
 *    always: bench/lib/redis-server.ts);
 * 3. three nodes on one such Redis, the clients spread round-robin over
 *    them: a message sent on one node must reach the receivers on all three;
 * 4. the bare Node TLS fan-out (bench/refs/bare-fanout-server.ts), the
 *    ceiling for a Node server here.
 *
 * Every row gets fresh processes: its own Redis and data directories. The
 * nodes share the certs directory and so the history key. The load is the
 * fan-out bench's generator (bench/load/fanout-load.ts, a process of its own
 * speaking raw TLS): R receivers and S senders in one room, closed loop, a
 * message acknowledged (its window slot free again) once every receiver has
 * it, wherever the receiver is connected. CPU is read from /proc for every
 * node, the Redis and the generator over the measured phase.
 *
 * Bounded: a fixed message count, a stall limit and a deadline per phase, a
 * timeout per case; three alternated rounds, the median shown (one round
 * with --quick). About 1.5 minutes on an idle machine, 2.5 on a busy one;
 * --quick 20-40 s. Results go to
 * bench/results/cluster-<time>.json.
 *
 *   npx tsx bench/cluster.bench.ts [--quick]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { initPki } from '../src/pki/init-pki.ts';
import { pkiLayout } from '../src/pki/layout.ts';
import { type ClusterRow, clusterNotes, clusterTable } from './lib/cluster-report.ts';
import { f, type Outcome } from './lib/fanout-report.ts';
import { issueIdentities } from './lib/identities.ts';
import { type BenchRedis, startRedis } from './lib/redis-server.ts';
import {
  type ErrorLog,
  LOAD_SERVE_ARGS,
  ROOT,
  type Server,
  startBare,
  startChat,
  stopServer,
  watchErrors,
} from './lib/servers.ts';
import { median } from './lib/stats.ts';
import { LoadProcess } from './load/load-process.ts';
import { type ClosedPhase, type Protocol, TEXT_BYTES } from './load/spec.ts';

const quick = process.argv.includes('--quick');
const ROOM = '#bench';
const RECEIVERS = 100;
const SENDERS = 10;
/** Nodes of the cluster row. */
const CLUSTER_NODES = 3;
/** Unacknowledged messages per sender in the closed loop. */
const WINDOW = 32;
/** Measured messages per sender (x S messages, x R deliveries). */
const MESSAGES_PER_SENDER = quick ? 1_000 : 3_000;
/** A first phase on each fresh set of processes, not counted: JIT warm-up, Redis's scripts loaded. */
const WARM_UP_PER_SENDER = quick ? 50 : 200;
/** A phase that sees nothing arrive for this long ends (ms); none lasts past its deadline. */
const STALL_MS = 3_000;
const PHASE_DEADLINE_MS = quick ? 10_000 : 15_000;
/** Receiver users whose certificates the receivers use in turn (devices). */
const RECEIVER_USERS = 5;
const CONNECT_CONCURRENCY = 8;
/**
 * Rounds, each running every configuration once in turn, so drift in the
 * shared machine's load hits all alike; a row shows the median round's run
 * (by deliveries/s), the JSON has them all.
 */
const ROUNDS = quick ? 1 : 3;

/** One configuration: how to start its processes and what to call it. */
interface Config {
  name: string;
  nodes: number;
  store: ClusterRow['store'];
  protocol: Protocol;
}

const CONFIGS: Config[] = [
  { name: 'chat disk', nodes: 1, store: 'disk', protocol: 'chat' },
  { name: 'chat redis', nodes: 1, store: 'redis', protocol: 'chat' },
  { name: `chat redis x${CLUSTER_NODES}`, nodes: CLUSTER_NODES, store: 'redis', protocol: 'chat' },
  { name: 'bare', nodes: 1, store: 'none', protocol: 'bare' },
];

const closed = (messagesPerSender: number): ClosedPhase => ({
  kind: 'closed',
  senders: SENDERS,
  messagesPerSender,
  window: WINDOW,
  until: 'all',
  stallMs: STALL_MS,
  deadlineMs: PHASE_DEADLINE_MS,
});

/** The run with the median deliveries/s among those that measured; the first failure if none did. */
function medianRun(all: Run[]): Run {
  const good = all.filter((run) => run.outcome.ok);
  if (good.length === 0) {
    return all[0] ?? { outcome: { ok: false, error: 'not run' }, nodeErrors: [] };
  }
  const rate = (run: Run) => (run.outcome.ok ? run.outcome.result.deliveriesPerSecond : 0);
  const mid = median(good.map(rate));
  return good.find((run) => rate(run) === mid) as Run;
}

const benchStart = performance.now();
const startedAt = new Date();
const dir = await mkdtemp(join(tmpdir(), 'chat-bench-cluster-'));
const layout = pkiLayout(join(dir, 'certs'));
const load = new LoadProcess();
let dataDirs = 0;
let cases = 0;
let servers: Server[] = [];
let redis: BenchRedis | undefined;
let redisVersion = 'n/a';
/** Each configuration's runs: what the load measured, and what each node logged as errors. */
interface Run {
  outcome: Outcome;
  nodeErrors: ErrorLog[];
}
const runs = new Map<Config, Run[]>(CONFIGS.map((config) => [config, []]));
const timings: Array<{ name: string; startMs: number; caseMs: number }> = [];

/** Starts a configuration's processes, runs the warm-up and the measured phase, stops them. */
async function measure(
  config: Config,
  ids: Awaited<ReturnType<typeof issueIdentities>>,
): Promise<Run> {
  const began = performance.now();
  let nodeErrors: ErrorLog[] = [];
  try {
    if (config.store === 'redis') {
      redis = await startRedis();
      redisVersion = redis.version;
    }
    const redisArgs = redis ? ['--redis', redis.url] : [];
    servers = await Promise.all(
      Array.from({ length: config.nodes }, () =>
        config.protocol === 'bare'
          ? startBare(layout.dir)
          : startChat(layout.dir, join(dir, `data-${++dataDirs}`), 'disk', [
              ...LOAD_SERVE_ARGS,
              ...redisArgs,
            ]),
      ),
    );
    if (config.protocol === 'chat') nodeErrors = servers.map(watchErrors);
    const startMs = performance.now() - began;
    const [first, ...more] = servers as [Server, ...Server[]];
    const run = await load.run(
      {
        connection: {
          protocol: config.protocol,
          port: first.port,
          serverPid: first.pid,
          moreNodes: more.map((s) => ({ port: s.port, pid: s.pid })),
          ...(redis ? { sidePids: { redis: redis.pid } } : {}),
          caFile: layout.caCert,
          senderIds: ids.senders,
          receiverIds: ids.receivers,
          receivers: RECEIVERS,
          senders: SENDERS,
          room: ROOM,
          label: `k${cases++}`,
          connectConcurrency: CONNECT_CONCURRENCY,
          connectTimeoutMs: 30_000,
        },
        phases: [closed(WARM_UP_PER_SENDER), closed(MESSAGES_PER_SENDER)],
      },
      30_000 + 2 * (PHASE_DEADLINE_MS + 5_000) + 10_000,
    );
    timings.push({ name: config.name, startMs, caseMs: performance.now() - began - startMs });
    const result = run.ok ? run.phases[1] : undefined;
    const outcome: Outcome = !run.ok
      ? run
      : result
        ? { ok: true, connectMs: run.connectMs, resumed: run.resumed, result }
        : { ok: false, error: 'no result for the measured phase' };
    return { outcome, nodeErrors };
  } catch (error) {
    return { outcome: { ok: false, error: (error as Error).message }, nodeErrors };
  } finally {
    await Promise.all(servers.map((s) => stopServer(s)));
    servers = [];
    await redis?.stop();
    redis = undefined;
  }
}

try {
  await initPki({ layout, now: new Date() }, { user: 'bench' });
  const ids = await issueIdentities(layout, { senders: SENDERS, receivers: RECEIVER_USERS });
  const cores = cpus().length;
  console.log(
    `cluster: ${TEXT_BYTES}-byte texts, R=${RECEIVERS} receivers and S=${SENDERS} senders in one room, TLS 1.3 on loopback, closed loop (window ${WINDOW} per sender, a message acknowledged once every receiver has it), ${MESSAGES_PER_SENDER * SENDERS} messages measured after ${WARM_UP_PER_SENDER * SENDERS} of warm-up. ${cores} CPUs, load average ${loadavg()[0]?.toFixed(2)}.`,
  );
  console.log(
    `  chat: node bin/chat.js serve, raised for load (${LOAD_SERVE_ARGS.slice(2, 10).join(' ')}); redis rows: --redis on a fresh redis-server (appendonly yes, appendfsync always); x${CLUSTER_NODES}: receivers and senders round-robin over the nodes`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (const config of CONFIGS) (runs.get(config) as Run[]).push(await measure(config, ids));
  }
  const rows: ClusterRow[] = CONFIGS.map((config) => {
    const run = medianRun(runs.get(config) as Run[]);
    return { ...config, outcome: run.outcome, nodeErrors: run.nodeErrors };
  });
  console.log(
    `\n${ROUNDS > 1 ? `median of ${ROUNDS} alternated rounds by deliveries/s` : 'one round'}; ${redisVersion}`,
  );
  console.log(clusterTable(rows, cores));
  console.log(
    'CPU columns are fractions of one core over the measured phase (SERVER summed over the nodes; OTHER: what processes outside the bench took of the machine meanwhile); CPU/DELIVERY is all nodes together. SATURATED: a side at 0.9 of a core or more; "cores" when the machine as a whole was 90% busy.',
  );
  const notes = clusterNotes(rows);
  if (ROUNDS > 1) {
    for (const config of CONFIGS) {
      const each = (runs.get(config) as Run[]).map(({ outcome: o, nodeErrors }) => {
        if (!o.ok) return 'failed';
        const marks = [
          ...(o.result.end === 'complete' ? [] : [o.result.end]),
          ...(o.result.errors > 0 ? [`${o.result.errors} error frames`] : []),
          ...(nodeErrors.some((log) => log.count > 0)
            ? [`node errors ${nodeErrors.map((log) => log.count).join('+')}`]
            : []),
        ];
        return `${f(o.result.deliveriesPerSecond, 0)}${marks.length > 0 ? ` (${marks.join(', ')})` : ''}`;
      });
      notes.push(`  ${config.name}: deliveries/s of each round ${each.join(', ')}`);
    }
  }
  if (notes.length > 0) console.log(['\nnotes:', ...notes].join('\n'));

  const durationMs = performance.now() - benchStart;
  const results = join(ROOT, 'bench', 'results');
  await mkdir(results, { recursive: true });
  const file = join(results, `cluster-${startedAt.toISOString().replaceAll(':', '-')}.json`);
  await writeFile(
    file,
    `${JSON.stringify(
      {
        bench: 'cluster',
        startedAt: startedAt.toISOString(),
        durationMs,
        timings,
        quick,
        host: { cpus: cores, model: cpus()[0]?.model, loadavg: loadavg(), node: process.version },
        servers: {
          chat: { command: 'node bin/chat.js serve', args: LOAD_SERVE_ARGS },
          redis: { version: redisVersion, config: 'appendonly yes, appendfsync always, save ""' },
          bare: { command: 'node --import tsx bench/refs/bare-fanout-server.ts' },
        },
        settings: {
          textBytes: TEXT_BYTES,
          receivers: RECEIVERS,
          senders: SENDERS,
          window: WINDOW,
          until: 'all',
          messagesPerSender: MESSAGES_PER_SENDER,
          warmUpPerSender: WARM_UP_PER_SENDER,
          stallMs: STALL_MS,
          phaseDeadlineMs: PHASE_DEADLINE_MS,
          clusterNodes: CLUSTER_NODES,
        },
        rows: rows.map((row, i) => ({ ...row, runs: runs.get(CONFIGS[i] as Config) })),
      },
      (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value),
      2,
    )}\n`,
  );
  console.log(
    `\nresults: ${file.slice(ROOT.length)} (cluster bench took ${(durationMs / 1000).toFixed(0)} s)`,
  );
} finally {
  await Promise.all(servers.map((s) => stopServer(s)));
  await redis?.stop();
  await load.close();
  await rm(dir, { recursive: true, force: true });
}
