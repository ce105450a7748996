import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay } from '../../src/net/backoff.ts';

const options = { baseMs: 500, maxMs: 30_000 };
const fixed = (value: number) => () => value;

describe('backoffDelay', () => {
  it('doubles from baseMs for the first retry', () => {
    const caps = [0, 1, 2, 3, 4, 5].map((attempt) => 2 * backoffDelay(attempt, options, fixed(0)));
    assert.deepEqual(caps, [500, 1000, 2000, 4000, 8000, 16_000]);
  });

  it('is capped at maxMs', () => {
    for (const attempt of [6, 7, 20, 60]) {
      assert.equal(backoffDelay(attempt, options, fixed(0)), 15_000);
      assert.ok(backoffDelay(attempt, options, fixed(0.999)) < 30_000);
    }
  });

  it('keeps the jitter within [cap / 2, cap)', () => {
    assert.equal(backoffDelay(0, options, fixed(0)), 250);
    assert.equal(backoffDelay(0, options, fixed(0.999)), 250 + 0.999 * 250);
    assert.equal(backoffDelay(3, options, fixed(0)), 2000);
    assert.equal(backoffDelay(3, options, fixed(0.999)), 2000 + 0.999 * 2000);
    assert.equal(backoffDelay(10, options, fixed(0.5)), 22_500);
    for (let attempt = 0; attempt < 12; attempt++) {
      const cap = Math.min(30_000, 500 * 2 ** attempt);
      const delay = backoffDelay(attempt, options, Math.random);
      assert.ok(delay >= cap / 2 && delay < cap, `attempt ${attempt}: ${delay}`);
    }
  });

  it('does not overflow for large attempts', () => {
    for (const attempt of [1023, 1024, 5000, Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY]) {
      assert.equal(backoffDelay(attempt, options, fixed(0)), 15_000, `attempt ${attempt}`);
    }
    assert.equal(backoffDelay(1e6, { baseMs: Number.MAX_VALUE, maxMs: 1000 }, fixed(0)), 500);
    assert.equal(backoffDelay(1e6, { baseMs: 0, maxMs: 1000 }, fixed(0.5)), 0);
  });

  it('treats a negative or NaN attempt as the first retry', () => {
    assert.equal(backoffDelay(-3, options, fixed(0)), 250);
    assert.equal(backoffDelay(Number.NaN, options, fixed(0)), 250);
  });

  it('refuses negative or infinite bounds', () => {
    assert.throws(() => backoffDelay(0, { baseMs: -1, maxMs: 10 }, Math.random), RangeError);
    assert.throws(() => backoffDelay(0, { baseMs: 1, maxMs: Number.NaN }, Math.random), RangeError);
    assert.throws(
      () => backoffDelay(0, { baseMs: 1, maxMs: Number.POSITIVE_INFINITY }, Math.random),
      RangeError,
    );
  });
});
