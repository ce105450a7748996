import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteBudget } from '../../src/server/byte-budget.ts';
import { Connection, toWire } from '../../src/server/connection.ts';
import { FlushQueue } from '../../src/server/flush-queue.ts';
import { FakeSocket } from '../helpers/fake-socket.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('FlushQueue', () => {
  it('flushes every connection queued during a tick once, in order, at its end, in one callback', async (t) => {
    const scheduled = t.mock.method(globalThis, 'setImmediate');
    const queue = new FlushQueue();
    const flushed: string[] = [];
    for (const name of ['a', 'b', 'c']) queue.add({ flush: () => flushed.push(name) });
    assert.deepEqual(flushed, [], 'nothing is written before the end of the tick');
    assert.equal(scheduled.mock.callCount(), 1);
    scheduled.mock.restore();
    await tick();
    assert.deepEqual(flushed, ['a', 'b', 'c']);
  });

  it('takes what is queued while it flushes to the next tick, not lost', async () => {
    const queue = new FlushQueue();
    const flushed: string[] = [];
    const late = { flush: () => flushed.push('late') };
    queue.add({
      flush: () => {
        flushed.push('first');
        queue.add(late);
      },
    });
    await tick();
    assert.deepEqual(flushed, ['first']);
    await tick();
    assert.deepEqual(flushed, ['first', 'late']);
  });
});

describe('Connection, written through a FlushQueue', () => {
  it("writes a tick's lines at its end, in order, as bytes, in one corked batch", async (t) => {
    const socket = new FakeSocket();
    const conn = new Connection(1, socket.asTls(), '127.0.0.1', 0, {
      maxQueueBytes: 1 << 20,
      maxFrameBytes: 64 * 1024,
      onOverflow: () => {},
      budget: new ByteBudget(1 << 20),
      flushes: new FlushQueue(),
    });
    const cork = t.mock.method(socket, 'cork');
    const uncork = t.mock.method(socket, 'uncork');
    for (const id of [1, 2, 3]) conn.deliver('#a', id, toWire({ type: 'msg', id, text: 'é' }));
    assert.deepEqual(socket.written, []);
    await tick();
    assert.deepEqual(
      socket.written.map((line) => JSON.parse(line).id),
      [1, 2, 3],
    );
    assert.equal(cork.mock.callCount(), 1);
    assert.equal(uncork.mock.callCount(), 1);
    // Counted in bytes: "é" is two.
    assert.equal(socket.writableLength, Buffer.byteLength(socket.written.join('')));
  });
});
