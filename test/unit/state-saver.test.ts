import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { emptyKeptState, type KeptState } from '../../src/server/kept-state.ts';
import { StateSaver } from '../../src/server/state-saver.ts';

/** A saver over a counter (the "state") whose writes resolve when the test says. */
function harness(fail = false) {
  let version = 0;
  const written: number[] = [];
  const errors: unknown[] = [];
  const pending: Array<() => void> = [];
  const saver = new StateSaver({
    snapshot: (): KeptState => ({
      ...emptyKeptState(),
      topics: [['#v', { text: String(version), by: 'a', ts: 0 }]],
    }),
    write: (state) =>
      new Promise<void>((resolve, reject) => {
        written.push(Number(state.topics[0]?.[1].text));
        pending.push(() => (fail ? reject(new Error('disk full')) : resolve()));
      }),
    onError: (error) => errors.push(error),
    intervalMs: 1_000,
  });
  const change = () => {
    version += 1;
    saver.changed();
  };
  // Lets the write promise chains run.
  const settle = async () => {
    for (const done of pending.splice(0)) done();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { saver, written, errors, change, settle };
}

describe('StateSaver', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('writes many changes once, an interval after the first, as they are when it writes', async () => {
    const h = harness();
    h.change();
    h.change();
    mock.timers.tick(999);
    assert.deepEqual(h.written, []);
    h.change();
    mock.timers.tick(1);
    assert.deepEqual(h.written, [3]);
    await h.settle();
    mock.timers.tick(5_000);
    assert.deepEqual(h.written, [3], 'nothing changed since');
  });

  it('never writes twice at once: a change during a write waits an interval from its end', async () => {
    const h = harness();
    h.change();
    mock.timers.tick(1_000);
    h.change();
    mock.timers.tick(5_000);
    assert.deepEqual(h.written, [1]);
    await h.settle();
    mock.timers.tick(999);
    assert.deepEqual(h.written, [1]);
    mock.timers.tick(1);
    assert.deepEqual(h.written, [1, 2]);
    await h.settle();
  });

  it('writes what is left at close, and nothing after', async () => {
    const h = harness();
    h.change();
    const flushed = h.saver.flush();
    await h.settle();
    assert.deepEqual(h.written, [1]);
    await h.settle();
    await flushed;
    h.change();
    mock.timers.tick(10_000);
    assert.deepEqual(h.written, [1]);
  });

  it('tells a failed write and tries again an interval later', async () => {
    const h = harness(true);
    h.change();
    mock.timers.tick(1_000);
    await h.settle();
    assert.equal(h.errors.length, 1);
    mock.timers.tick(1_000);
    assert.deepEqual(h.written, [1, 1]);
    await h.settle();
  });
});
