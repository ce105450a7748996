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

/** A number with `digits` decimals, or n/a. */
export const f = (n: number | undefined, digits = 1) =>
  n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits);
/** A ratio as `1.23x`, or n/a. */
export const times = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}x` : 'n/a');
/** The load process's CPU (% of a core), starred when it is the limit. */
export const loadCpu = (r: PhaseResult | undefined) =>
  r ? `${f(r.loadCpuPercent, 0)}${r.loadCpuPercent >= LOAD_BOUND_PERCENT ? '*' : ''}` : 'n/a';

/** The result of an outcome, if it has one. */
export const resultOf = (outcome: Outcome | undefined) =>
  outcome?.ok ? outcome.result : undefined;

/** One row per cell and server. */
export function matrixTable(cells: Cell[], present: Kind[]): string {
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
      'LOAD CPU %',
    ],
  ];
  for (const cell of cells) {
    for (const kind of present) {
      const r = resultOf(cell.outcomes[kind]);
      rows.push([
        `${cell.receivers} x ${cell.senders}`,
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
        loadCpu(r),
      ]);
    }
  }
  return formatTable(rows);
}

/** chat over each reference, per cell: deliveries/s and CPU per delivery. */
export function ratioTable(cells: Cell[]): string {
  const rows = [
    ['R x S', 'DELIVERIES/S chat/bare', 'chat/ngircd', 'CPU/DELIVERY chat/bare', 'chat/ngircd'],
  ];
  for (const cell of cells) {
    const [chat, bare, irc] = KINDS.map((k) => resultOf(cell.outcomes[k]));
    rows.push([
      `${cell.receivers} x ${cell.senders}`,
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
