import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateMeter } from '../../src/server/rate-meter.ts';

/** Second 100, in ms: a time well past the window, as a monotonic clock gives. */
const T = 100_000;

describe('RateMeter.series', () => {
  it('is all zeros, window long, before anything is recorded', () => {
    assert.deepEqual(new RateMeter(5).series(T), [0, 0, 0, 0, 0]);
    assert.equal(new RateMeter().series(T).length, 60);
  });

  it('counts per whole second, oldest first, the current second last', () => {
    const meter = new RateMeter(5);
    meter.record(T);
    meter.record(T + 999);
    meter.record(T + 1000, 3);
    meter.record(T + 3500);
    assert.deepEqual(meter.series(T + 3999), [0, 2, 3, 0, 1]);
  });

  it('slides: seconds older than the window drop out', () => {
    const meter = new RateMeter(5);
    meter.record(T, 2);
    meter.record(T + 2000, 4);
    const cases: Array<[now: number, want: number[]]> = [
      [T, [0, 0, 0, 0, 2]],
      [T + 2000, [0, 0, 2, 0, 4]],
      [T + 4999, [2, 0, 4, 0, 0]],
      [T + 5000, [0, 4, 0, 0, 0]],
      [T + 6000, [4, 0, 0, 0, 0]],
      [T + 7000, [0, 0, 0, 0, 0]],
    ];
    for (const [now, want] of cases) assert.deepEqual(meter.series(now), want, `at ${now}`);
  });

  it('reuses a slot after the window wraps, starting its count again', () => {
    const meter = new RateMeter(5);
    meter.record(T, 7);
    // Second 105 has the slot of second 100: the old 7 must not leak into it.
    meter.record(T + 5000);
    assert.deepEqual(meter.series(T + 5000), [0, 0, 0, 0, 1]);
    meter.record(T + 10_000, 2);
    meter.record(T + 10_500);
    assert.deepEqual(meter.series(T + 10_999), [0, 0, 0, 0, 3]);
  });

  it('does not show a stale slot that was never reused', () => {
    const meter = new RateMeter(5);
    meter.record(T + 1000, 9);
    assert.deepEqual(meter.series(T + 6000), [0, 0, 0, 0, 0]);
  });
});

describe('RateMeter.perSecond', () => {
  it('is 0 with nothing recorded', () => {
    assert.equal(new RateMeter(5).perSecond(T), 0);
  });

  it('averages the last complete seconds, leaving out the current one', () => {
    const meter = new RateMeter(10);
    meter.record(T, 2);
    meter.record(T + 1000, 4);
    meter.record(T + 2000, 100);
    const cases: Array<[now: number, seconds: number, want: number]> = [
      [T + 2500, 2, 3],
      [T + 2500, 1, 4],
      [T + 2500, 4, 1.5],
      [T + 3000, 3, (2 + 4 + 100) / 3],
      [T + 3000, 1, 100],
    ];
    for (const [now, seconds, want] of cases) {
      assert.equal(meter.perSecond(now, seconds), want, `at ${now} over ${seconds} s`);
    }
  });

  it('defaults to the last 5 complete seconds', () => {
    const meter = new RateMeter(60);
    for (let s = 0; s < 10; s++) meter.record(T + s * 1000, s);
    assert.equal(meter.perSecond(T + 10_000), (5 + 6 + 7 + 8 + 9) / 5);
  });

  it('averages over the complete seconds the window holds when asked for more', () => {
    const meter = new RateMeter(5);
    for (let s = 0; s < 5; s++) meter.record(T + s * 1000, 8);
    assert.equal(meter.perSecond(T + 4000, 60), 8);
  });
});
