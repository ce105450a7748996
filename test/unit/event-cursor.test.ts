import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventCursor } from '../../src/server/event-cursor.ts';
import type { HeardEvent } from '../../src/server/history/history-store.ts';

const event = (id: string, value: unknown = id, ours = false): HeardEvent => ({ id, value, ours });

/** A store's events, read in pages; a read can be held open until `release`. */
function store(kept: HeardEvent[]) {
  const reads: Array<string | undefined> = [];
  let gate: Promise<void> = Promise.resolve();
  let release = () => {};
  return {
    reads,
    hold() {
      gate = new Promise((resolve) => {
        release = resolve;
      });
    },
    release: () => release(),
    read: async (after: string | undefined, count: number) => {
      reads.push(after);
      await gate;
      const from = after === undefined ? 0 : kept.findIndex((e) => e.id === after) + 1;
      return { events: kept.slice(from, from + count), lost: false };
    },
  };
}

describe('EventCursor', () => {
  it('does what was kept after its position, then what was heard meanwhile, each once, in order', async () => {
    const kept = [event('1-0'), event('2-0'), event('3-0')];
    const source = store(kept);
    const done: unknown[] = [];
    let errors = 0;
    const cursor = new EventCursor({
      read: source.read,
      apply: (value) => done.push(value),
      onLost: () => {},
      onError: () => errors++,
      retryMs: 10,
    });
    // Heard before the start: held.
    cursor.heard(event('3-0'));
    source.hold();
    cursor.start('1-0');
    // Heard while the read is under way: held, after what the read brings.
    cursor.heard(event('4-0'));
    assert.deepEqual(done, []);
    source.release();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(done, ['2-0', '3-0', '4-0']);
    assert.equal(cursor.position, '4-0');
    // Live now; an old one (a replay) is not done again; our own moves the position only.
    cursor.heard(event('4-0'));
    cursor.heard(event('5-0', 'mine', true));
    cursor.heard(event('6-0'));
    assert.deepEqual(done, ['2-0', '3-0', '4-0', '6-0']);
    assert.equal(errors, 0);
    assert.deepEqual(source.reads, ['1-0']);
  });

  it('tries a failed read again, and holds what it hears until one succeeds', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let fail = true;
    const done: unknown[] = [];
    const errors: unknown[] = [];
    const cursor = new EventCursor({
      read: async () => {
        if (fail) throw new Error('Redis is down');
        return { events: [event('2-0')], lost: false };
      },
      apply: (value) => done.push(value),
      onLost: () => {},
      onError: (error) => errors.push(error),
      retryMs: 1_000,
    });
    cursor.start(undefined);
    await new Promise((resolve) => setImmediate(resolve));
    cursor.heard(event('3-0'));
    assert.equal(errors.length, 1);
    assert.deepEqual(done, []);
    fail = false;
    t.mock.timers.tick(1_000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(done, ['2-0', '3-0']);
  });

  it('says when events after its position are no longer kept', async () => {
    const lost: Array<string | undefined> = [];
    const cursor = new EventCursor({
      read: async () => ({ events: [event('9-0')], lost: true }),
      apply: () => {},
      onLost: (after) => lost.push(after),
      onError: () => {},
      retryMs: 10,
    });
    cursor.start('1-0');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(lost, ['1-0']);
    assert.equal(cursor.position, '9-0');
  });
});

describe('EventCursor before its start', () => {
  it('reads nothing when the feed comes back before the kept state is taken (no position yet)', async () => {
    const source = store([event('1-0')]);
    const done: unknown[] = [];
    const cursor = new EventCursor({
      read: source.read,
      apply: (value) => done.push(value),
      onLost: () => {},
      onError: () => {},
      retryMs: 10,
    });
    await cursor.catchUp();
    assert.deepEqual(source.reads, []);
    await cursor.start('1-0');
    assert.deepEqual(source.reads, ['1-0']);
    assert.deepEqual(done, []);
  });
});
