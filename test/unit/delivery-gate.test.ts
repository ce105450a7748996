import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredMessage } from '../../src/net/protocol/frames.ts';
import { DeliveryGate } from '../../src/server/delivery-gate.ts';

const msg = (id: number, room = '#general'): StoredMessage => ({
  type: 'msg',
  id,
  ts: 1_000 + id,
  room,
  from: 'alice',
  text: `m${id}`,
});

/** A gate over a store holding `kept` of #general; `handed` is what it delivered, in order. */
function gateOver(kept: number[], gapWaitMs = 5) {
  const handed: number[] = [];
  const reads: Array<[number, number]> = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const gate = new DeliveryGate({
    deliver: (_conversation, message) => {
      handed.push(message.id);
      for (const w of waiters.filter((w) => handed.length >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    },
    read: async (_conversation, afterId, limit) => {
      reads.push([afterId, limit]);
      return kept
        .filter((id) => id > afterId)
        .slice(0, limit)
        .map((id) => msg(id));
    },
    onError: (error) => assert.fail(String(error)),
    gapWaitMs,
  });
  // Resolves once `count` messages in all were handed on.
  const handedCount = (count: number) =>
    new Promise<void>((resolve) => {
      if (handed.length >= count) resolve();
      else waiters.push({ count, resolve });
    });
  return { gate, handed, reads, handedCount };
}

describe('DeliveryGate', () => {
  it('hands on messages in id order as they come, and each only once', () => {
    const { gate, handed, reads } = gateOver([]);
    gate.seed(new Map([['#general', 3]]));
    for (const id of [2, 3, 4, 4, 5]) gate.offer('#general', msg(id));
    assert.deepEqual(handed, [4, 5]);
    assert.deepEqual(reads, []);
  });

  it('holds a message until the ones before it arrive from the feed, without reading the store', () => {
    const { gate, handed, reads } = gateOver([]);
    gate.offer('#general', msg(3));
    gate.offer('#general', msg(2));
    assert.deepEqual(handed, []);
    gate.offer('#general', msg(1));
    assert.deepEqual(handed, [1, 2, 3]);
    gate.stop();
    assert.deepEqual(reads, []);
  });

  it('reads the missing ids from the store when they do not come, then goes on live', async () => {
    const { gate, handed, reads, handedCount } = gateOver([1, 2, 3, 4, 5]);
    gate.offer('#general', msg(1));
    gate.offer('#general', msg(4));
    await handedCount(4);
    assert.deepEqual(handed, [1, 2, 3, 4]);
    assert.deepEqual(reads, [[1, 3]]);
    gate.offer('#general', msg(3));
    gate.offer('#general', msg(5));
    assert.deepEqual(handed, [1, 2, 3, 4, 5]);
  });

  it('after the feed was lost, catches up from the store to the newest kept id', async () => {
    const { gate, handed, handedCount } = gateOver([1, 2, 3, 4, 5, 6, 7]);
    gate.seed(new Map([['#general', 2]]));
    gate.catchUp(new Map([['#general', 7]]));
    // What the feed brings meanwhile waits for the read, then is not sent twice.
    gate.offer('#general', msg(6));
    await handedCount(5);
    assert.deepEqual(handed, [3, 4, 5, 6, 7]);
  });

  it('skips ids the store no longer keeps (trimmed) instead of waiting for ever', async () => {
    const { gate, handed, handedCount } = gateOver([5, 6]);
    gate.offer('#general', msg(6));
    await handedCount(2);
    assert.deepEqual(handed, [5, 6]);
  });

  it('keeps conversations apart', () => {
    const { gate, handed } = gateOver([]);
    gate.offer('#a', msg(1));
    gate.offer('#b', msg(1, '#b'));
    gate.offer('#a', msg(2));
    assert.deepEqual(handed, [1, 1, 2]);
    assert.equal(gate.deliveredId('#a'), 2);
    assert.equal(gate.deliveredId('#b'), 1);
  });
});
