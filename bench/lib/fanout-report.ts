/**
 * The fan-out bench's report: its result types and the tables it prints.
 * Pure: results in, text out.
 */
import { formatTable } from '../../src/commands/format-table.ts';
import type { PhaseResult } from '../load/spec.ts';
import { ratio } from './stats.ts';

/** The servers compared, in the order of the tables. */
export const KINDS = ['chat', 'bare', 'ngircd'] as const;
export type Kind = (typeof KINDS)[number];

/** One server's part of a cell: what it measured, or why not. */
export type Outcome =
  | { ok: true; connectMs: number; resumed: number; result: PhaseResult }
  | { ok: false; error: string };

/** A cell of the matrix: R receivers and S senders, each server's outcome. */
export interface Cell {
  receivers: number;
  senders: number;
  messagesPerSender: number;
  outcomes: Partial<Record<Kind, Outcome>>;
}

/** A load process busier than this (% of one core) limits a figure more than the server does. */
export const LOAD_BOUND_PERCENT = 90;

/**
 * A side busier than this is saturated: the server (summed over its nodes)
 * or the load process at this % of one core, the machine at this % of all
 * its cores.
 */
export const SATURATED_PERCENT = 90;

/** Who set the pace of a phase: the server, the load process, or the machine as a whole. */
export type Side = 'server' | 'load' | 'machine';

/** A number with `digits` decimals, or n/a. */
export const f = (n: number | undefined, digits = 1) =>
  n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits);
/** A ratio as `1.23x`, or n/a. */
export const times = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}x` : 'n/a');
/** The load process's CPU (% of a core), starred when it is the limit. */
export const loadCpu = (r: PhaseResult | undefined) =>
  r ? `${f(r.loadCpuPercent, 0)}${r.loadCpuPercent >= LOAD_BOUND_PERCENT ? '*' : ''}` : 'n/a';

/** Server CPU over the phase's wall time, summed over its nodes, % of one core. */
export const serverCpuPercent = (r: PhaseResult) => (r.serverCpuMs / r.wallMs) * 100;

/**
 * The sides of a phase at or above SATURATED_PERCENT, in the order server,
 * load, machine; the machine's CPU (every process) is over all `cpus` of
 * it. Empty when none was: then latency or the window set the pace.
 */
export function saturatedSides(r: PhaseResult, cpus: number): Side[] {
  const sides: Side[] = [];
  if (serverCpuPercent(r) >= SATURATED_PERCENT) sides.push('server');
  if ((r.loadCpuMs / r.wallMs) * 100 >= SATURATED_PERCENT) sides.push('load');
  if ((r.machineCpuMs / (r.wallMs * cpus)) * 100 >= SATURATED_PERCENT) sides.push('machine');
  return sides;
}

/** The saturation mark of a table cell: the sides joined with `+`, `none`, or n/a without a result. */
export const saturationMark = (r: PhaseResult | undefined, cpus: number) =>
  r ? saturatedSides(r, cpus).join('+') || 'none' : 'n/a';

/** The result of an outcome, if it has one. */
export const resultOf = (outcome: Outcome | undefined) =>
  outcome?.ok ? outcome.result : undefined;

/**
 * One row per cell and server: what it measured, the server's CPU as % of a
 * core, the load's, which side was saturated (see saturatedSides; `cpus`
 * is the machine's) and how the phase ended (`failed` when it has no result).
 */
export function matrixTable(cells: Cell[], present: Kind[], cpus: number): string {
  const rows = [
    [
      'R x S',
      'SERVER',
      'MSGS',
      'DELIVERIES/S',
      'P50 ms',
      'P99 ms',
      'MAX ms',
      'LOST',
      'DUP',
      'SERVER CPU ms',
      'CPU/DELIVERY us',
      'PEAK RSS MiB',
      'SERVER CPU %',
      'LOAD CPU %',
      'SATURATED',
      'END',
    ],
  ];
  for (const cell of cells) {
    for (const kind of present) {
      const r = resultOf(cell.outcomes[kind]);
      rows.push([
        cellName(cell),
        kind,
        r ? String(r.messages) : 'n/a',
        f(r?.deliveriesPerSecond, 0),
        f(r?.p50),
        f(r?.p99),
        f(r?.max),
        r ? String(r.lost) : 'n/a',
        r ? String(r.duplicated) : 'n/a',
        f(r?.serverCpuMs, 0),
        f(r?.cpuPerDeliveryUs, 2),
        f(r?.peakRssMiB, 0),
        f(r ? serverCpuPercent(r) : undefined, 0),
        f(r?.loadCpuPercent, 0),
        saturationMark(r, cpus),
        r ? r.end : cell.outcomes[kind] ? 'failed' : 'n/a',
      ]);
    }
  }
  return formatTable(rows);
}

/** `R x S`, as the tables name a cell. */
export const cellName = (cell: { receivers: number; senders: number }) =>
  `${cell.receivers} x ${cell.senders}`;

/** chat over each reference, per cell: deliveries/s and CPU per delivery. */
export function ratioTable(cells: Cell[]): string {
  const rows = [
    ['R x S', 'DELIVERIES/S chat/bare', 'chat/ngircd', 'CPU/DELIVERY chat/bare', 'chat/ngircd'],
  ];
  for (const cell of cells) {
    const [chat, bare, irc] = KINDS.map((k) => resultOf(cell.outcomes[k]));
    rows.push([
      cellName(cell),
      times(ratio(chat?.deliveriesPerSecond, bare?.deliveriesPerSecond)),
      times(ratio(chat?.deliveriesPerSecond, irc?.deliveriesPerSecond)),
      times(ratio(chat?.cpuPerDeliveryUs, bare?.cpuPerDeliveryUs)),
      times(ratio(chat?.cpuPerDeliveryUs, irc?.cpuPerDeliveryUs)),
    ]);
  }
  return formatTable(rows);
}

/** The fixed load, one row per server, then chat's ratios. */
export function fixedTable(outcomes: Partial<Record<Kind, Outcome>>, present: Kind[]): string {
  const rows = [
    [
      'SERVER',
      'DELIVERIES/S',
      'P50 ms',
      'P99 ms',
      'MAX ms',
      'LOST',
      'CPU/DELIVERY us',
      'SERVER CPU %',
      'LOAD CPU %',
      'PACE LAG P99 ms',
    ],
  ];
  for (const kind of present) {
    const r = resultOf(outcomes[kind]);
    rows.push([
      kind,
      f(r?.deliveriesPerSecond, 0),
      f(r?.p50),
      f(r?.p99),
      f(r?.max),
      r ? String(r.lost) : 'n/a',
      f(r?.cpuPerDeliveryUs, 2),
      f(r ? (r.serverCpuMs / r.elapsedMs) * 100 : undefined, 0),
      loadCpu(r),
      f(r?.paceLagP99Ms),
    ]);
  }
  const [chat, bare, irc] = KINDS.map((k) => resultOf(outcomes[k]));
  rows.push([
    'chat/bare',
    '',
    '',
    times(ratio(chat?.p99, bare?.p99)),
    '',
    '',
    times(ratio(chat?.cpuPerDeliveryUs, bare?.cpuPerDeliveryUs)),
  ]);
  rows.push([
    'chat/ngircd',
    '',
    '',
    times(ratio(chat?.p99, irc?.p99)),
    '',
    '',
    times(ratio(chat?.cpuPerDeliveryUs, irc?.cpuPerDeliveryUs)),
  ]);
  return formatTable(rows);
}

/** Two chat configurations side by side, and the second as a share of the first. */
export function comparisonTable(
  what: string,
  [labelA, a]: [string, Outcome],
  [labelB, b]: [string, Outcome],
) {
  const row = (label: string, outcome: Outcome) => {
    const r = resultOf(outcome);
    return [
      label,
      f(r?.deliveriesPerSecond, 0),
      f(r?.ackP50),
      f(r?.ackP99),
      f(r?.p99),
      r ? String(r.lost) : 'n/a',
      f(r?.cpuPerDeliveryUs, 2),
      f(r?.peakRssMiB, 0),
    ];
  };
  const ra = resultOf(a);
  const rb = resultOf(b);
  const share = (x: number | undefined, y: number | undefined) => {
    const value = ratio(x, y);
    return Number.isFinite(value) ? `${(value * 100).toFixed(0)}%` : 'n/a';
  };
  return formatTable([
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
      share(rb?.deliveriesPerSecond, ra?.deliveriesPerSecond),
      share(rb?.ackP50, ra?.ackP50),
      share(rb?.ackP99, ra?.ackP99),
      '',
      '',
      share(rb?.cpuPerDeliveryUs, ra?.cpuPerDeliveryUs),
      '',
    ],
  ]);
}

/** Failed cases, one line each, so a table's n/a says why. */
export function failures(entries: Array<[string, Outcome | undefined]>): string[] {
  return entries.flatMap(([what, o]) => (o && !o.ok ? [`  ${what}: failed: ${o.error}`] : []));
}

/**
 * Phases that ended before every delivery (stalled or at the deadline), or
 * with errors or disconnects, one line each: the tables' LOST and END say
 * that it happened, this says how far it got.
 */
export function incomplete(entries: Array<[string, Outcome | undefined]>): string[] {
  return entries.flatMap(([what, o]) => {
    const r = resultOf(o);
    if (!r || (r.end === 'complete' && r.errors === 0 && r.disconnects === 0)) return [];
    const first = r.firstError === undefined ? '' : `; first error: ${r.firstError}`;
    return [
      `  ${what}: ${r.end} after ${f(r.wallMs / 1000)} s: ${r.delivered} of ${r.expected} deliveries, ${r.duplicated} duplicated, ${r.errors} errors, ${r.disconnects} disconnects${first}`,
    ];
  });
}

/** A target's verdict; n/a only when its reference server did not run at all. */
export type Verdict = 'met' | 'missed' | 'n/a';

/** One target judged: what it asks, the verdict, and what was measured (the ratio first). */
export interface TargetResult {
  target: string;
  verdict: Verdict;
  measured: string;
}

/** Deep-window CPU per delivery: chat over bare, at most this in every cell. */
export const CPU_VS_BARE = 2;
/** Peak RSS in the deep-window RSS_CELL: chat over bare, at most this. */
export const RSS_VS_BARE = 1.5;
/** The cell whose peak RSS is judged. */
export const RSS_CELL = { receivers: 500, senders: 10 } as const;

/**
 * chat's CPU per delivery over `reference`'s in every cell: met when the
 * worst ratio is within `limit` (`<=`, or `<` when `strict`). Missed when a
 * cell lacks a figure of either, since then it is not shown; n/a when the
 * reference did not run at all.
 */
function cpuPerDeliveryTarget(
  target: string,
  cells: Cell[],
  present: Kind[],
  reference: Kind,
  limit: number,
  strict: boolean,
): TargetResult {
  if (!present.includes(reference)) {
    return { target, verdict: 'n/a', measured: `${reference} did not run` };
  }
  if (cells.length === 0) return { target, verdict: 'missed', measured: 'no cells' };
  let worst: { cell: Cell; ratio: number } | undefined;
  let over = 0;
  for (const cell of cells) {
    for (const kind of ['chat', reference] as const) {
      if (!resultOf(cell.outcomes[kind])) {
        return {
          target,
          verdict: 'missed',
          measured: `no figure for ${kind} at ${cellName(cell)}`,
        };
      }
    }
    const value = ratio(
      resultOf(cell.outcomes.chat)?.cpuPerDeliveryUs,
      resultOf(cell.outcomes[reference])?.cpuPerDeliveryUs,
    );
    if (!Number.isFinite(value)) {
      return { target, verdict: 'missed', measured: `no ratio at ${cellName(cell)}` };
    }
    if (strict ? value >= limit : value > limit) over += 1;
    if (!worst || value > worst.ratio) worst = { cell, ratio: value };
  }
  const { cell, ratio: value } = worst as { cell: Cell; ratio: number };
  return {
    target,
    verdict: over === 0 ? 'met' : 'missed',
    measured: `worst ${times(value)} at ${cellName(cell)} (${over} of ${cells.length} cells over)`,
  };
}

/** (a) chat's server CPU per delivery at most CPU_VS_BARE x bare's, in every deep-window cell. */
export const cpuVsBare = (deep: Cell[], present: Kind[]) =>
  cpuPerDeliveryTarget(
    `chat CPU/delivery <= ${CPU_VS_BARE}x bare in every deep-window cell`,
    deep,
    present,
    'bare',
    CPU_VS_BARE,
    false,
  );

/** (b) chat's server CPU per delivery below ngircd's in every deep-window cell. */
export const cpuVsNgircd = (deep: Cell[], present: Kind[]) =>
  cpuPerDeliveryTarget(
    'chat CPU/delivery below ngircd in every deep-window cell',
    deep,
    present,
    'ngircd',
    1,
    true,
  );

/** (c) chat's peak RSS at most RSS_VS_BARE x bare's in the deep-window RSS_CELL. */
export function rssVsBare(deep: Cell[], present: Kind[]): TargetResult {
  const target = `chat peak RSS at ${cellName(RSS_CELL)} deep <= ${RSS_VS_BARE}x bare`;
  if (!present.includes('bare')) return { target, verdict: 'n/a', measured: 'bare did not run' };
  const cell = deep.find(
    (c) => c.receivers === RSS_CELL.receivers && c.senders === RSS_CELL.senders,
  );
  if (!cell) return { target, verdict: 'missed', measured: `no ${cellName(RSS_CELL)} cell` };
  const chat = resultOf(cell.outcomes.chat);
  const bare = resultOf(cell.outcomes.bare);
  const value = ratio(chat?.peakRssMiB, bare?.peakRssMiB);
  if (!Number.isFinite(value)) {
    return { target, verdict: 'missed', measured: `no figure for ${chat ? 'bare' : 'chat'}` };
  }
  return {
    target,
    verdict: value <= RSS_VS_BARE ? 'met' : 'missed',
    measured: `${times(value)} (${f(chat?.peakRssMiB, 0)} / ${f(bare?.peakRssMiB, 0)} MiB)`,
  };
}

/**
 * (d) 0 lost and 0 duplicated in every phase: missed as well when a phase
 * has no result (its losses are unknown).
 */
export function noLoss(phases: Array<[string, Outcome | undefined]>): TargetResult {
  const target = '0 lost, 0 duplicated in every phase of every server';
  const ran = phases.filter(([, o]) => o !== undefined);
  const failed = ran.filter(([, o]) => !resultOf(o)).map(([what]) => what);
  let lost = 0;
  let duplicated = 0;
  const bad: string[] = [];
  for (const [what, o] of ran) {
    const r = resultOf(o);
    if (!r) continue;
    lost += r.lost;
    duplicated += r.duplicated;
    if (r.lost > 0 || r.duplicated > 0) bad.push(what);
  }
  const where = [
    ...(bad.length > 0 ? [`in ${bad.join(', ')}`] : []),
    ...(failed.length > 0 ? [`no result for ${failed.join(', ')}`] : []),
  ];
  return {
    target,
    verdict: bad.length === 0 && failed.length === 0 && ran.length > 0 ? 'met' : 'missed',
    measured: `${lost} lost, ${duplicated} duplicated over ${ran.length} phases${where.length > 0 ? `: ${where.join('; ')}` : ''}`,
  };
}

/** The fan-out bench's targets, (a) to (d), judged on the deep-window cells and every phase. */
export function judgeTargets(
  deep: Cell[],
  present: Kind[],
  phases: Array<[string, Outcome | undefined]>,
): TargetResult[] {
  return [
    cpuVsBare(deep, present),
    cpuVsNgircd(deep, present),
    rssVsBare(deep, present),
    noLoss(phases),
  ];
}

/** One line per target: the verdict, what it asks, what was measured. */
export function targetLines(targets: TargetResult[]): string[] {
  return targets.map((t) => `  ${t.verdict.padEnd(6)}  ${t.target}: ${t.measured}`);
}
