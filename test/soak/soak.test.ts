import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSummary, runSoak } from './soak.ts';

/**
 * The soak of test/soak/soak.ts, short: 60 clients of 6 users for 20 s.
 * Its checks wait for events with deadlines, not for fixed times, so a slow
 * machine makes it slower, not red. `npm run soak` runs the long one.
 */
describe('soak', () => {
  it('loses, duplicates and leaks nothing with 60 clients joining, parting, sending and dropping for 20 s', {
    timeout: 180_000,
  }, async (t) => {
    const report = await runSoak({
      seconds: 20,
      clients: 60,
      users: 6,
      rooms: 5,
      seed: 8,
      actionMs: 1_000,
      // Appends that take a while, as on disk: the races of delivery get room to happen.
      storeDelayMs: 10,
      settleMs: 60_000,
    });
    for (const line of formatSummary(report).split('\n')) t.diagnostic(line);
    assert.deepEqual(report.violations, []);
    assert.equal(report.lost, 0);
    assert.equal(report.duplicated, 0);
    // The run must have done what it checks.
    assert.ok(report.acked > 200, `${report.acked} messages acknowledged`);
    assert.ok(report.welcomes > report.options.clients + 50, `${report.welcomes} welcomes`);
    assert.ok(report.joins > 0 && report.rejoins > 0 && report.parts > 0 && report.restarts > 0);
  });
});
