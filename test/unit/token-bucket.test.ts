import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBucket } from '../../src/net/token-bucket.ts';

describe('TokenBucket', () => {
  it('starts full, allows a burst of capacity, then refuses', () => {
    const bucket = new TokenBucket(20, 5, 1000);
    for (let i = 0; i < 20; i++) assert.equal(bucket.take(1000), true, `take ${i}`);
    assert.equal(bucket.take(1000), false);
    assert.equal(bucket.tokens, 0);
  });

  it('refuses without taking anything', () => {
    const bucket = new TokenBucket(5, 1, 0);
    assert.equal(bucket.take(0, 3), true);
    assert.equal(bucket.take(0, 3), false);
    assert.equal(bucket.tokens, 2);
    assert.equal(bucket.take(0, 2), true);
  });

  it('refills with elapsed time', () => {
    const bucket = new TokenBucket(20, 5, 0);
    assert.equal(bucket.take(0, 20), true);
    assert.equal(bucket.take(199), false);
    assert.equal(bucket.take(200), true);
    assert.equal(bucket.take(200), false);
    assert.equal(bucket.take(1200, 5), true);
    assert.equal(bucket.take(1200), false);
  });

  it('caps the refill at capacity', () => {
    const bucket = new TokenBucket(20, 5, 0);
    bucket.take(0, 20);
    assert.equal(bucket.take(3_600_000), true);
    assert.equal(bucket.tokens, 19);
    assert.equal(bucket.take(3_600_000, 19), true);
    assert.equal(bucket.take(3_600_000), false);
  });

  it('refills fractions of a token', () => {
    const bucket = new TokenBucket(2, 5, 0);
    bucket.take(0, 2);
    assert.equal(bucket.take(100), false);
    assert.equal(bucket.tokens, 0.5);
    assert.equal(bucket.take(150), false);
    assert.equal(bucket.tokens, 0.75);
    assert.equal(bucket.take(200), true);
    assert.equal(bucket.tokens, 0);
  });

  it('takes a whole token after thirds that add up to one', () => {
    const bucket = new TokenBucket(1, 1, 0);
    bucket.take(0);
    assert.equal(bucket.take(1000 / 3), false);
    assert.equal(bucket.take((2 * 1000) / 3), false);
    assert.equal(bucket.take(1000), true);
  });

  it('refuses a count above capacity, whatever the wait', () => {
    const bucket = new TokenBucket(3, 1, 0);
    assert.equal(bucket.take(1e9, 4), false);
    assert.equal(bucket.tokens, 3);
  });

  it('refills nothing when the time goes backwards', () => {
    const bucket = new TokenBucket(10, 10, 1000);
    bucket.take(1000, 10);
    assert.equal(bucket.take(500), false);
    assert.equal(bucket.take(600), true);
  });

  it('counts violations: 3 allowed in 10 s, the 4th refused', () => {
    const violations = new TokenBucket(3, 3 / 10, 0);
    assert.deepEqual(
      [0, 100, 200, 300].map((t) => violations.take(t)),
      [true, true, true, false],
    );
  });

  it('refuses bad parameters', () => {
    assert.throws(() => new TokenBucket(0, 1, 0), RangeError);
    assert.throws(() => new TokenBucket(1, -1, 0), RangeError);
    assert.throws(() => new TokenBucket(Number.NaN, 1, 0), RangeError);
    assert.throws(() => new TokenBucket(1, 1, 0).take(0, -1), RangeError);
  });
});
