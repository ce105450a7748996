import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CoreShares, coreShares, saturated } from '../../bench/lib/cluster-report.ts';
import type { PhaseResult } from '../../bench/load/spec.ts';

const shares = (over: Partial<CoreShares>): CoreShares => ({
  server: 0.5,
  nodes: [0.5],
  redis: Number.NaN,
  generator: 0.3,
  machine: 0.8,
  others: 0,
  ...over,
});

describe('saturated', () => {
  const cases: Array<[string, Partial<CoreShares>, number, string[]]> = [
    ['nothing near a core', {}, 2, []],
    ['the server at 0.9 of a core', { server: 0.9 }, 2, ['server']],
    ['the server summed over nodes', { server: 0.95, nodes: [0.3, 0.3, 0.35] }, 4, ['server']],
    ['Redis', { redis: 0.92 }, 4, ['Redis']],
    ['no Redis (NaN) counts nothing', { redis: Number.NaN, server: 0.2 }, 1, []],
    ['the generator just below', { generator: 0.899 }, 2, []],
    ['the generator', { generator: 1.0 }, 4, ['generator']],
    [
      'the machine when it was 90% busy over its cores',
      { server: 1.1, redis: 0.3, generator: 0.5, machine: 1.9 },
      2,
      ['server', 'cores (1.90 of 2)'],
    ],
    [
      'the machine when others kept it busy',
      { server: 0.5, generator: 0.2, machine: 1.85, others: 1.15 },
      2,
      ['cores (1.85 of 2)'],
    ],
  ];
  for (const [what, over, cpus, expected] of cases) {
    it(what, () => assert.deepEqual(saturated(shares(over), cpus), expected));
  }
});

describe('coreShares', () => {
  it('divides CPU ms by the phase wall time, Redis NaN when not measured, others what is left', () => {
    const r = {
      wallMs: 2_000,
      serverCpuMs: 1_500,
      nodeCpuMs: [1_000, 500],
      sideCpuMs: {},
      loadCpuMs: 400,
      machineCpuMs: 3_000,
    } as unknown as PhaseResult;
    const got = coreShares(r);
    assert.deepEqual(
      { ...got, redis: Number.isNaN(got.redis) },
      { server: 0.75, nodes: [0.5, 0.25], redis: true, generator: 0.2, machine: 1.5, others: 0.55 },
    );
  });
});
