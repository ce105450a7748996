/**
 * The cluster bench's report: its rows, which side of a run was saturated,
 * and the table it prints. Pure: results in, text out.
 */
import { formatTable } from '../../src/commands/format-table.ts';
import type { PhaseResult } from '../load/spec.ts';
import { f, type Outcome, resultOf } from './fanout-report.ts';

/** A process busier than this (fraction of one core) is the limit of its row. */
export const SATURATED_CORES = 0.9;

/** One configuration measured: what ran, and what it measured or why not. */
export interface ClusterRow {
  /** Short name for the table, e.g. "chat redis x3". */
  name: string;
  /** Server processes (nodes) the clients were spread over. */
  nodes: number;
  /** Where history went: the data directory, Redis, or nowhere (the bare reference). */
  store: 'disk' | 'redis' | 'none';
  outcome: Outcome;
  /** Error records each node logged during the row (warm-up included); none for bare. */
  nodeErrors?: Array<{ count: number; first?: string }>;
}

/** CPU of one phase as fractions of one core (1 = a whole core), over its wall time. */
export interface CoreShares {
  /** All nodes summed. */
  server: number;
  /** Each node. */
  nodes: number[];
  /** The Redis the nodes share; NaN when none ran. */
  redis: number;
  /** The load generator. */
  generator: number;
  /** The whole machine, every process (so up to its number of CPUs). */
  machine: number;
  /** What the machine used beyond the measured processes: others sharing it. */
  others: number;
}

/** The phase's CPU as fractions of a core, over `wallMs` (start to end, a stall included). */
export function coreShares(r: PhaseResult): CoreShares {
  const share = (ms: number | undefined) => (ms === undefined ? Number.NaN : ms / r.wallMs);
  const ours = r.serverCpuMs + (r.sideCpuMs.redis ?? 0) + r.loadCpuMs;
  return {
    server: share(r.serverCpuMs),
    nodes: r.nodeCpuMs.map(share),
    redis: share(r.sideCpuMs.redis),
    generator: share(r.loadCpuMs),
    machine: share(r.machineCpuMs),
    // /proc/stat and the processes' own ticks are read a moment apart: never below 0.
    others: share(Math.max(0, r.machineCpuMs - ours)),
  };
}

/**
 * The sides at or above SATURATED_CORES (server summed over nodes, Redis,
 * generator), then `cores` when the machine as a whole was 90% busy over
 * its `cpus` (every process, others' included): there no one process is
 * the limit, the machine is.
 */
export function saturated(shares: CoreShares, cpus: number): string[] {
  const sides: string[] = [];
  if (shares.server >= SATURATED_CORES) sides.push('server');
  if (shares.redis >= SATURATED_CORES) sides.push('Redis');
  if (shares.generator >= SATURATED_CORES) sides.push('generator');
  if (shares.machine >= SATURATED_CORES * cpus) {
    sides.push(`cores (${f(shares.machine, 2)} of ${cpus})`);
  }
  return sides;
}

/** One line per row: throughput, latency, CPU per side as fractions of a core, and the limit. */
export function clusterTable(rows: ClusterRow[], cpus: number): string {
  const table = [
    [
      'SERVER',
      'NODES',
      'DELIVERIES/S',
      'CPU/DELIVERY us',
      'P50 ms',
      'P99 ms',
      'LOST',
      'SERVER CPU',
      'REDIS CPU',
      'GEN CPU',
      'OTHER CPU',
      'SATURATED',
    ],
  ];
  for (const row of rows) {
    const r = resultOf(row.outcome);
    const shares = r ? coreShares(r) : undefined;
    const limit = shares ? saturated(shares, cpus) : [];
    table.push([
      row.name,
      String(row.nodes),
      f(r?.deliveriesPerSecond, 0),
      f(r?.cpuPerDeliveryUs, 2),
      f(r?.p50),
      f(r?.p99),
      r ? String(r.lost) : 'n/a',
      f(shares?.server, 2),
      row.store === 'redis' ? f(shares?.redis, 2) : '-',
      f(shares?.generator, 2),
      f(shares?.others, 2),
      r ? limit.join(', ') || 'none' : 'n/a',
    ]);
  }
  return formatTable(table);
}

/** Lines worth reading under the table: failures, incomplete phases, per-node CPU. */
export function clusterNotes(rows: ClusterRow[]): string[] {
  const notes: string[] = [];
  for (const row of rows) {
    (row.nodeErrors ?? []).forEach((log, i) => {
      if (log.count > 0) {
        notes.push(`  ${row.name}: node ${i} logged ${log.count} errors, the first: ${log.first}`);
      }
    });
    if (!row.outcome.ok) {
      notes.push(`  ${row.name}: failed: ${row.outcome.error}`);
      continue;
    }
    const r = row.outcome.result;
    if (r.end !== 'complete') {
      notes.push(
        `  ${row.name}: ${r.end} after ${f(r.wallMs / 1000)} s: ${r.delivered} of ${r.expected} deliveries (LOST ${r.lost}: not delivered when the phase ended), ${r.duplicated} duplicated, ${r.errors} error frames, ${r.disconnects} disconnects`,
      );
    } else if (r.errors > 0 || r.disconnects > 0 || r.duplicated > 0) {
      notes.push(
        `  ${row.name}: ${r.errors} error frames, ${r.disconnects} disconnects, ${r.duplicated} duplicated`,
      );
    }
    if (r.firstError !== undefined) notes.push(`  ${row.name}: first error: ${r.firstError}`);
    if (row.nodes > 1) {
      const shares = coreShares(r);
      notes.push(
        `  ${row.name}: server CPU per node ${shares.nodes.map((s) => f(s, 2)).join(' + ')} of a core; deliveries at each node's receivers ${r.nodeDelivered.join(' + ')}; ${r.crossNode.deliveries} crossed nodes (sender on another node), latency p50 ${f(r.crossNode.p50)} ms, p99 ${f(r.crossNode.p99)} ms`,
      );
    }
  }
  return notes;
}
