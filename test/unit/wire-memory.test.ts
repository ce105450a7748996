import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteBudget } from '../../src/server/byte-budget.ts';
import { Connection, toWire } from '../../src/server/connection.ts';
import { FlushQueue } from '../../src/server/flush-queue.ts';
import { FakeSocket } from '../helpers/fake-socket.ts';

/**
 * What a slow reader's capped queue keeps alive: each queued line is a
 * Buffer, and one cut from Node's shared pool would pin its whole 8 KiB
 * block, so the cap would bound the count, not the memory.
 */
describe('Connection queue cap, in memory actually held', () => {
  it('a slow reader of a quiet room holds about what its queue counts, not a pool slab per line', () => {
    const socket = new FakeSocket();
    const maxQueueBytes = 64 * 1024;
    const conn = new Connection(1, socket.asTls(), '127.0.0.1', 0, {
      maxQueueBytes,
      maxFrameBytes: 64 * 1024,
      onOverflow: () => {},
      budget: new ByteBudget(1 << 20),
      flushes: new FlushQueue(),
    });
    // A busy server: between two lines of the quiet room, other rooms' lines
    // are encoded (and written to, then dropped by, their own readers).
    let id = 0;
    for (;;) {
      for (let other = 0; other < 40; other++)
        toWire({ type: 'msg', conversation: '#busy', id: other, text: 'x'.repeat(100) });
      id += 1;
      if (!conn.send(toWire({ type: 'msg', conversation: '#quiet', id, text: 'hi' }))) break;
    }
    const pending = (conn as unknown as { pending: Buffer[] }).pending;
    const counted = conn.info().queuedBytes;
    const held = new Set<ArrayBufferLike>();
    for (const data of pending) held.add(data.buffer);
    const heldBytes = [...held].reduce((sum, buffer) => sum + buffer.byteLength, 0);
    assert.ok(counted <= maxQueueBytes + 1024);
    assert.ok(
      heldBytes <= 4 * counted,
      `queue counts ${counted} bytes but keeps ${heldBytes} bytes of ArrayBuffers alive (${pending.length} lines)`,
    );
  });
});
