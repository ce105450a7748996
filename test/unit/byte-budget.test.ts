import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteBudget } from '../../src/server/byte-budget.ts';
import { newestWithin } from '../../src/server/page-bytes.ts';

/** Lets every settled promise run its callbacks. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ByteBudget', () => {
  it('takes at once what fits and refuses what does not', () => {
    const budget = new ByteBudget(100);
    assert.equal(budget.tryTake(60), true);
    assert.equal(budget.tryTake(50), false, 'over the capacity');
    assert.equal(budget.inUse, 60, 'a refused request takes nothing');
    assert.equal(budget.tryTake(40), true);
    assert.equal(budget.inUse, 100);
  });

  it('sizes a request larger than the whole budget to the budget', () => {
    const budget = new ByteBudget(100);
    assert.equal(budget.sizeOf(5_000), 100);
    assert.equal(budget.sizeOf(-3), 0);
    assert.equal(budget.tryTake(5_000), true, 'it goes, alone');
    assert.equal(budget.inUse, 100);
    budget.give(budget.sizeOf(5_000));
    assert.equal(budget.inUse, 0);
  });

  it('serves waiters first come, first served, as bytes come back', async () => {
    const budget = new ByteBudget(100);
    assert.ok(budget.tryTake(90));
    const order: string[] = [];
    const big = budget.take(80).then(() => order.push('big'));
    const small = budget.take(10).then(() => order.push('small'));
    assert.equal(budget.tryTake(5), false, 'nobody jumps the queue, even when it would fit');
    assert.equal(budget.waiting, 2);
    await settle();
    assert.deepEqual(order, [], 'the small one waits behind the big one');
    budget.give(50);
    await settle();
    assert.deepEqual(order, [], '40 in use: 80 does not fit yet');
    budget.give(40);
    await Promise.all([big, small]);
    assert.deepEqual(order, ['big', 'small']);
    assert.equal(budget.inUse, 90);
    assert.equal(budget.waiting, 0);
  });

  it('never goes below zero when more is given back than taken', () => {
    const budget = new ByteBudget(10);
    budget.give(5);
    assert.equal(budget.inUse, 0);
    assert.ok(budget.tryTake(10));
  });

  it('refuses a capacity below one byte', () => {
    assert.throws(() => new ByteBudget(0), RangeError);
  });
});

describe('newestWithin', () => {
  const size = (n: number) => n;
  const cases: Array<{ items: number[]; max: number; want: number; why: string }> = [
    { items: [], max: 10, want: 0, why: 'nothing to keep' },
    { items: [3, 3, 3], max: 10, want: 3, why: 'all fit' },
    { items: [3, 3, 3], max: 6, want: 2, why: 'exactly the limit' },
    { items: [9, 1, 1], max: 5, want: 2, why: 'the newest are kept, the old end cut' },
    { items: [1, 1, 50], max: 10, want: 1, why: 'one item larger than the limit still goes' },
    { items: [5, 5], max: 0, want: 1, why: 'at least one' },
  ];
  for (const { items, max, want, why } of cases) {
    it(`${JSON.stringify(items)} within ${max}: ${want} (${why})`, () => {
      assert.equal(newestWithin(items, max, size), want);
    });
  }
});
