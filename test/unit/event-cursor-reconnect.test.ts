import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { ClusterEvent } from '../../src/server/cluster-events.ts';
import type { HeardEvent, StoreFeed } from '../../src/server/history/history-store.ts';
import { compareEventIds } from '../../src/server/history/history-store.ts';
import { NodeFeed, type SharedStore } from '../../src/server/node-feed.ts';

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
    let feed: StoreFeed | undefined;
    const stream = [topic(1), topic(2), topic(3)];
    const store = {
      follow: async (handlers: StoreFeed) => {
        feed = handlers;
      },
      roster: async () => new Map(),
      announce: async () => {},
      leave: async () => {},
      broadcast: async () => {},
      record: async () => {},
      eventsSince: async (after: string | undefined, count: number) => ({
        events: stream
          .filter((e) => after === undefined || compareEventIds(e.id, after) > 0)
          .slice(0, count),
        lost: false,
      }),
      lastIds: async () => new Map(),
    } as unknown as SharedStore;
    const done: string[] = [];
    const node = new NodeFeed({
      store,
      local: { send: () => {}, publish: () => {} },
      core: {
        seedLastId: () => {},
        keptElsewhere: () => {},
        setRemoteUsers: () => [],
        localUsers: () => [],
        localHeld: () => [],
        remoteEvent: (event: ClusterEvent) => {
          if (event.kind === 'topic') done.push(event.text);
          return [];
        },
      },
      apply: () => {},
      revoked: () => {},
      load: () => ({ connections: 0, messagesPerSecond: 0 }),
      now: () => 0,
      replaced: () => {},
      logger: pino({ level: 'silent' }),
    });
    await node.start();
    assert.ok(feed);
    // Started at event 1 (its kept state's position): caught up, nothing to read.
    node.seed(new Map(), '1-0');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(done, ['t2', 't3']);
    // The feed is lost; 4 is recorded meanwhile (not heard). The feed is
    // back before the main connection: 5 is heard; then reconnected().
    feed.interrupted();
    stream.push(topic(4), topic(5));
    feed.event(topic(5));
    feed.reconnected();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await node.stop();
    assert.deepEqual(
      done,
      ['t2', 't3', 't4', 't5'],
      'event 4, recorded while the feed was down, was skipped',
    );
  });
});
