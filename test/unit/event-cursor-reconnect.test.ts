import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterEvent } from '../../src/server/cluster-events.ts';
import type { HeardEvent } from '../../src/server/history/history-store.ts';
import { compareEventIds } from '../../src/server/history/history-store.ts';
import { nodeFeedOver, quietCore, quietSharedStore } from '../helpers/node-feed-harness.ts';

const topic = (n: number): HeardEvent => ({
  id: `${n}-0`,
  value: { kind: 'event', event: { kind: 'topic', room: '#dev', text: `t${n}`, by: 'bob', ts: n } },
  ours: false,
});

/**
 * After a lost feed, RedisFeed calls `reconnected` only once the main
 * connection is ready too; until then the resubscribed feed already
 * delivers events (Redis restarts: the subscriber is back before the main
 * connection). What it brings must wait for the events recorded while it
 * was down, or the cursor moves past them and they are never done here.
 */
describe('NodeFeed after a lost feed', () => {
  it('does every event recorded meanwhile, even when the feed brings a newer one before reconnected()', async () => {
    const stream = [topic(1), topic(2), topic(3)];
    const { store, feed } = quietSharedStore({
      eventsSince: async (after: string | undefined, count: number) => ({
        events: stream
          .filter((e) => after === undefined || compareEventIds(e.id, after) > 0)
          .slice(0, count),
        lost: false,
      }),
    });
    const done: string[] = [];
    const node = nodeFeedOver(store, {
      core: quietCore({
        remoteEvent: (event: ClusterEvent) => {
          if (event.kind === 'topic') done.push(event.text);
          return [];
        },
      }),
    });
    await node.start();
    // Started at event 1 (its kept state's position): resolves once caught up.
    await node.seed(new Map(), '1-0');
    assert.deepEqual(done, ['t2', 't3']);
    // The feed is lost; 4 is recorded meanwhile (not heard). The feed is
    // back before the main connection: 5 is heard; then reconnected().
    feed().interrupted();
    stream.push(topic(4), topic(5));
    feed().event(topic(5));
    feed().reconnected();
    // The catch-up's reads answer at once: done within this turn of the loop.
    await new Promise((resolve) => setImmediate(resolve));
    await node.stop();
    assert.deepEqual(
      done,
      ['t2', 't3', 't4', 't5'],
      'event 4, recorded while the feed was down, was skipped',
    );
  });
});
