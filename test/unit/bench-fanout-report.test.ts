import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Cell,
  cpuVsBare,
  cpuVsNgircd,
  incomplete,
  judgeTargets,
  type Kind,
  matrixTable,
  noLoss,
  type Outcome,
  rssVsBare,
  saturatedSides,
  saturationMark,
  serverCpuPercent,
  targetLines,
} from '../../bench/lib/fanout-report.ts';
import type { PhaseResult } from '../../bench/load/spec.ts';

/** A complete phase of 1 s on 2 cores, nobody near a core, 1 µs of CPU per delivery. */
const phase = (over: Partial<PhaseResult> = {}): PhaseResult => ({
  kind: 'closed',
  receivers: 10,
  senders: 1,
  messages: 100,
  expected: 1_000,
  delivered: 1_000,
  nodeDelivered: [1_000],
  lost: 0,
  duplicated: 0,
  elapsedMs: 1_000,
  deliveriesPerSecond: 1_000,
  p50: 1,
  p99: 2,
  max: 3,
  crossNode: { deliveries: 0, p50: Number.NaN, p99: Number.NaN },
  ackP50: Number.NaN,
  ackP99: Number.NaN,
  wallMs: 1_000,
  serverCpuMs: 500,
  nodeCpuMs: [500],
  cpuPerDeliveryUs: 1,
  sideCpuMs: {},
  machineCpuMs: 1_000,
  peakRssMiB: 100,
  loadCpuMs: 300,
  loadCpuPercent: 30,
  paceLagP99Ms: 0,
  paceLagMaxMs: 0,
  errors: 0,
  disconnects: 0,
  nudges: 0,
  idleWaitMs: 0,
  end: 'complete',
  ...over,
});

const ok = (over: Partial<PhaseResult> = {}): Outcome => ({
  ok: true,
  connectMs: 100,
  resumed: 0,
  result: phase(over),
});

const cell = (
  receivers: number,
  senders: number,
  outcomes: Partial<Record<Kind, Outcome>>,
): Cell => ({ receivers, senders, messagesPerSender: 256, outcomes });

const ALL: Kind[] = ['chat', 'bare', 'ngircd'];

describe('saturatedSides', () => {
  const cases: Array<[string, Partial<PhaseResult>, number, string[]]> = [
    ['nobody near a core', {}, 2, []],
    ['the server at 90% of a core', { serverCpuMs: 900 }, 2, ['server']],
    ['the server just below', { serverCpuMs: 899 }, 2, []],
    ['the server summed over nodes', { serverCpuMs: 950, nodeCpuMs: [500, 450] }, 4, ['server']],
    ['over the wall time, a stall included', { serverCpuMs: 900, wallMs: 2_000 }, 2, []],
    ['the load process', { loadCpuMs: 950, loadCpuPercent: 95 }, 2, ['load']],
    ['the machine at 90% of its 2 cores', { machineCpuMs: 1_800 }, 2, ['machine']],
    ['the same busy machine with 4 cores is not', { machineCpuMs: 1_800 }, 4, []],
    [
      'every side at once',
      { serverCpuMs: 1_000, loadCpuMs: 950, machineCpuMs: 1_990 },
      2,
      ['server', 'load', 'machine'],
    ],
  ];
  for (const [what, over, cpus, expected] of cases) {
    it(what, () => assert.deepEqual(saturatedSides(phase(over), cpus), expected));
  }

  it('marks a cell with the sides, none, or n/a without a result', () => {
    assert.equal(
      saturationMark(phase({ serverCpuMs: 990, machineCpuMs: 1_900 }), 2),
      'server+machine',
    );
    assert.equal(saturationMark(phase(), 2), 'none');
    assert.equal(saturationMark(undefined, 2), 'n/a');
  });

  it('gives server CPU as % of one core over the wall time', () => {
    assert.equal(serverCpuPercent(phase({ serverCpuMs: 1_500, wallMs: 1_000 })), 150);
  });
});

describe('matrixTable', () => {
  const rows = (text: string) => text.split('\n').map((line) => line.split(/\s{2,}/));

  it('prints SERVER CPU %, SATURATED and END for each server', () => {
    const table = matrixTable(
      [
        cell(500, 10, {
          chat: ok({ serverCpuMs: 990, end: 'stalled', lost: 7 }),
          bare: { ok: false, error: 'timed out' },
        }),
      ],
      ['chat', 'bare', 'ngircd'],
      2,
    );
    const [head, chat, bare, irc] = rows(table);
    assert.deepEqual(head?.slice(-4), ['SERVER CPU %', 'LOAD CPU %', 'SATURATED', 'END']);
    assert.deepEqual(chat?.slice(0, 2), ['500 x 10', 'chat']);
    assert.deepEqual(chat?.slice(-4), ['99', '30', 'server', 'stalled']);
    assert.equal(chat?.[7], '7');
    assert.deepEqual(bare?.slice(-4), ['n/a', 'n/a', 'n/a', 'failed']);
    assert.deepEqual(irc?.slice(-2), ['n/a', 'n/a']);
  });
});

describe('incomplete', () => {
  it('names phases that stalled, hit the deadline, or saw errors or disconnects', () => {
    assert.deepEqual(
      incomplete([
        ['10 x 1 chat', ok()],
        ['500 x 10 deep chat', ok({ end: 'deadline', delivered: 900, lost: 100, wallMs: 15_000 })],
        ['100 x 1 bare', ok({ disconnects: 2 })],
        ['10 x 1 bare', { ok: false, error: 'x' }],
        ['10 x 1 ngircd', undefined],
      ]),
      [
        '  500 x 10 deep chat: deadline after 15.0 s: 900 of 1000 deliveries, 0 duplicated, 0 errors, 0 disconnects',
        '  100 x 1 bare: complete after 1.0 s: 1000 of 1000 deliveries, 0 duplicated, 0 errors, 2 disconnects',
      ],
    );
  });
});

describe('targets', () => {
  const deep = [
    cell(10, 1, {
      chat: ok({ cpuPerDeliveryUs: 1.8 }),
      bare: ok({ cpuPerDeliveryUs: 1 }),
      ngircd: ok({ cpuPerDeliveryUs: 2 }),
    }),
    cell(500, 10, {
      chat: ok({ cpuPerDeliveryUs: 1.2, peakRssMiB: 300 }),
      bare: ok({ cpuPerDeliveryUs: 0.5, peakRssMiB: 200 }),
      ngircd: ok({ cpuPerDeliveryUs: 1.2, peakRssMiB: 15 }),
    }),
  ];

  it('(a) finds the worst cell against bare and counts the cells over 2x', () => {
    assert.deepEqual(cpuVsBare(deep, ALL), {
      target: 'chat CPU/delivery <= 2x bare in every deep-window cell',
      verdict: 'missed',
      measured: 'worst 2.40x at 500 x 10 (1 of 2 cells over)',
    });
  });

  it('(a) is met at exactly 2x', () => {
    const twice = [cell(10, 1, { chat: ok({ cpuPerDeliveryUs: 2 }), bare: ok() })];
    assert.equal(cpuVsBare(twice, ALL).verdict, 'met');
    assert.equal(cpuVsBare(twice, ALL).measured, 'worst 2.00x at 10 x 1 (0 of 1 cells over)');
  });

  it('(a) is missed when a cell has no figure, not judged on the others', () => {
    const failed = [...deep, cell(100, 1, { chat: ok(), bare: { ok: false, error: 'stuck' } })];
    assert.deepEqual(cpuVsBare(failed, ALL), {
      target: 'chat CPU/delivery <= 2x bare in every deep-window cell',
      verdict: 'missed',
      measured: 'no figure for bare at 100 x 1',
    });
  });

  it('(b) needs chat strictly below ngircd: equal is missed', () => {
    assert.deepEqual(cpuVsNgircd(deep, ALL), {
      target: 'chat CPU/delivery below ngircd in every deep-window cell',
      verdict: 'missed',
      measured: 'worst 1.00x at 500 x 10 (1 of 2 cells over)',
    });
    const below = [cell(10, 1, { chat: ok({ cpuPerDeliveryUs: 0.9 }), ngircd: ok() })];
    assert.equal(cpuVsNgircd(below, ALL).verdict, 'met');
  });

  it('(b) is n/a without ngircd', () => {
    assert.deepEqual(cpuVsNgircd(deep, ['chat', 'bare']), {
      target: 'chat CPU/delivery below ngircd in every deep-window cell',
      verdict: 'n/a',
      measured: 'ngircd did not run',
    });
  });

  it('(c) compares peak RSS at 500 x 10', () => {
    assert.deepEqual(rssVsBare(deep, ALL), {
      target: 'chat peak RSS at 500 x 10 deep <= 1.5x bare',
      verdict: 'met',
      measured: '1.50x (300 / 200 MiB)',
    });
    const fat = [cell(500, 10, { chat: ok({ peakRssMiB: 600 }), bare: ok({ peakRssMiB: 200 }) })];
    assert.equal(rssVsBare(fat, ALL).verdict, 'missed');
    assert.equal(rssVsBare(deep.slice(0, 1), ALL).measured, 'no 500 x 10 cell');
    const noChat = [cell(500, 10, { chat: { ok: false, error: 'x' }, bare: ok() })];
    assert.deepEqual(rssVsBare(noChat, ALL).measured, 'no figure for chat');
  });

  it('(d) sums losses and duplicates over every phase and names where', () => {
    assert.deepEqual(
      noLoss([
        ['10 x 1 chat', ok()],
        ['10 x 1 ngircd', undefined],
      ]),
      {
        target: '0 lost, 0 duplicated in every phase of every server',
        verdict: 'met',
        measured: '0 lost, 0 duplicated over 1 phases',
      },
    );
    assert.deepEqual(
      noLoss([
        ['10 x 1 chat', ok({ lost: 3 })],
        ['10 x 1 bare', ok({ duplicated: 2 })],
        ['fixed load chat', { ok: false, error: 'x' }],
      ]),
      {
        target: '0 lost, 0 duplicated in every phase of every server',
        verdict: 'missed',
        measured:
          '3 lost, 2 duplicated over 3 phases: in 10 x 1 chat, 10 x 1 bare; no result for fixed load chat',
      },
    );
  });

  it('prints one line per target, the verdict first', () => {
    assert.deepEqual(targetLines(judgeTargets(deep, ['chat', 'bare'], [['10 x 1 chat', ok()]])), [
      '  missed  chat CPU/delivery <= 2x bare in every deep-window cell: worst 2.40x at 500 x 10 (1 of 2 cells over)',
      '  n/a     chat CPU/delivery below ngircd in every deep-window cell: ngircd did not run',
      '  met     chat peak RSS at 500 x 10 deep <= 1.5x bare: 1.50x (300 / 200 MiB)',
      '  met     0 lost, 0 duplicated in every phase of every server: 0 lost, 0 duplicated over 1 phases',
    ]);
  });
});
