import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredMessage } from '../../src/net/protocol/frames.ts';
import { DeliveryGate } from '../../src/server/delivery-gate.ts';
import { nodeFeedOver, quietSharedStore } from '../helpers/node-feed-harness.ts';

const msg = (id: number, text = `m${id}`): StoredMessage => ({
  type: 'msg',
  id,
  ts: 1_000 + id,
  room: '#general',
  from: 'bob',
  text,
});

/** A promise and the function that settles it, for reads the test finishes itself. */
function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A NodeFeed over a store the test drives: `feed` is what the store was
 * told to call, each `since` waits for the test (`reads`), and `sent` is
 * what reached this node's connections, in order; `sentWhen` resolves once
 * `sent` holds a line matching the pattern.
 */
function nodeOver(lastIds: Map<string, number> | (() => Promise<Map<string, number>>)) {
  const reads: Array<{ after: number; finish: (messages: StoredMessage[]) => void }> = [];
  const readAsked: Array<() => void> = [];
  const { store, feed } = quietSharedStore({
    lastIds: typeof lastIds === 'function' ? lastIds : async () => lastIds,
    since: (_conversation: string, after: number) => {
      const read = deferred<StoredMessage[]>();
      reads.push({ after, finish: read.resolve });
      for (const asked of readAsked.splice(0)) asked();
      return read.promise.then((messages) => ({ messages, gap: false }));
    },
  });
  const sent: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  const note = (line: string) => {
    sent.push(line);
    for (const w of waiters.filter((w) => w.pattern.test(line))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const node = nodeFeedOver(store, {
    local: {
      send: () => {},
      publish: (_conversation, message) => note(`msg ${message.id} ${message.text}`),
    },
    replaced: (_conversation, message) => note(`update ${message.id} ${message.text}`),
  });
  return {
    node,
    sent,
    reads,
    feed,
    sentWhen: (pattern: RegExp) =>
      new Promise<void>((resolve) => {
        if (sent.some((line) => pattern.test(line))) resolve();
        else waiters.push({ pattern, resolve });
      }),
    readAsked: () =>
      new Promise<void>((resolve) => {
        if (reads.length > 0) resolve();
        else readAsked.push(resolve);
      }),
  };
}

describe('NodeFeed', () => {
  it("never sends a message's update before the message (a deleted message must not come back)", async () => {
    const { node, sent, feed, reads, sentWhen, readAsked } = nodeOver(new Map([['#general', 5]]));
    await node.start();
    node.seed(new Map([['#general', 3]]), undefined);
    // The feed was lost (4 and 5 kept meanwhile) and is back: the node reads them…
    feed().reconnected();
    await readAsked();
    // …while 6 is kept on another node, and deleted there at once.
    feed().kept('#general', msg(6, 'oops, a password'));
    feed().replaced('#general', msg(6, ''), false);
    reads[0]?.finish([msg(4), msg(5)]);
    await sentWhen(/^update 6 /);
    await node.stop();
    assert.deepEqual(sent, ['msg 4 m4', 'msg 5 m5', 'msg 6 oops, a password', 'update 6 ']);
  });

  it('holds what the feed brings before the node is seeded, then hands it on without reading the store', async () => {
    const { node, sent, reads, feed } = nodeOver(new Map());
    await node.start();
    // listen(): the feed first, then seedCore, which takes its time.
    feed().kept('#general', msg(5_001));
    assert.deepEqual(sent, []);
    node.seed(new Map([['#general', 5_000]]), undefined);
    assert.deepEqual(sent, ['msg 5001 m5001']);
    await node.stop();
    assert.deepEqual(reads, [], 'no read from id 0 up');
  });
});

describe('NodeFeed after a lost feed', () => {
  it('reads what was kept meanwhile again when the first read fails', async () => {
    let fails = 1;
    const { node, feed, reads, sentWhen, readAsked } = nodeOver(async () => {
      if (fails-- > 0) throw new Error('Redis went again');
      return new Map([['#general', 4]]);
    });
    await node.start();
    node.seed(new Map([['#general', 3]]), undefined);
    feed().reconnected();
    // The second read, a second later, finds 4 and fills it.
    await readAsked();
    reads[0]?.finish([msg(4)]);
    await sentWhen(/^msg 4 /);
    await node.stop();
  });
});

describe('DeliveryGate, a catch-up during a fill', () => {
  it('reads up to the newest id when the feed comes back while a gap is being filled', async () => {
    const handed: number[] = [];
    const kept = Array.from({ length: 20 }, (_, i) => msg(i + 1));
    const reads: Array<() => void> = [];
    const readAsked: Array<() => void> = [];
    const all = deferred<void>();
    const gate = new DeliveryGate({
      deliver: (_conversation, message) => {
        handed.push(message.id);
        if (handed.length === 20) all.resolve();
      },
      read: (_conversation, after, limit) =>
        new Promise((resolve) => {
          reads.push(() => resolve(kept.filter((m) => m.id > after).slice(0, limit)));
          for (const asked of readAsked.splice(0)) asked();
        }),
      onError: (error) => assert.fail(String(error)),
      gapWaitMs: 1,
    });
    gate.seed(new Map([['#general', 0]]));
    // 1-9 were lost with the feed: once the wait is over, a fill reads up to 10…
    gate.offer('#general', msg(10));
    await new Promise<void>((resolve) => readAsked.push(resolve));
    // …and the feed is back while that read runs: 20 is the newest kept id.
    gate.catchUp(new Map([['#general', 20]]));
    while (handed.length < 20) {
      if (reads.length === 0) await new Promise<void>((resolve) => readAsked.push(resolve));
      reads.shift()?.();
      await Promise.race([all.promise, new Promise<void>((resolve) => readAsked.push(resolve))]);
    }
    gate.stop();
    assert.deepEqual(
      handed,
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });
});
