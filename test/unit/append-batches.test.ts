import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppendBatches, type Waiting } from '../../src/server/history/append-batches.ts';

describe('AppendBatches', () => {
  it('writes one batch per conversation at a time; what comes meanwhile goes as the next, in order', async () => {
    const batches: Array<[string, number[]]> = [];
    const gates: Array<() => void> = [];
    let written: (() => void) | undefined;
    const batcher = new AppendBatches<number, string>(async (conversation, batch) => {
      batches.push([conversation, batch.map((w) => w.item)]);
      written?.();
      await new Promise<void>((resolve) => gates.push(resolve));
      for (const w of batch) w.resolve(`${conversation}:${w.item}`);
    }, 3);
    // Lets the batch in flight finish; resolves once the next batch is being written.
    const finishOne = () => {
      const next = new Promise<void>((resolve) => {
        written = resolve;
      });
      gates.shift()?.();
      return next;
    };
    const results = [1, 2, 3, 4, 5].map((n) => batcher.add('#a', n));
    const other = batcher.add('#b', 9);
    // The first append went alone; #b did not wait for #a.
    assert.deepEqual(batches, [
      ['#a', [1]],
      ['#b', [9]],
    ]);
    await finishOne();
    assert.equal(await results[0], '#a:1');
    assert.deepEqual(batches[2], ['#a', [2, 3, 4]]);
    gates.shift()?.(); // #b's
    assert.equal(await other, '#b:9');
    await finishOne();
    assert.deepEqual(batches[3], ['#a', [5]]);
    gates.shift()?.();
    assert.deepEqual(await Promise.all(results), ['#a:1', '#a:2', '#a:3', '#a:4', '#a:5']);
    assert.equal(batches.length, 4);
  });

  it('passes a rejection to the appends of the batch only', async () => {
    let calls = 0;
    const batcher = new AppendBatches<number, number>(
      async (_c, batch: Array<Waiting<number, number>>) => {
        calls += 1;
        for (const w of batch)
          if (calls === 1) w.reject(new Error('down'));
          else w.resolve(w.item);
      },
      10,
    );
    await assert.rejects(batcher.add('#a', 1), /down/);
    assert.equal(await batcher.add('#a', 2), 2);
  });
});
