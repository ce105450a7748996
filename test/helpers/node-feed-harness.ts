import { pino } from 'pino';
import type { StoreFeed } from '../../src/server/history/history-store.ts';
import { NodeFeed, type NodeFeedDeps, type SharedStore } from '../../src/server/node-feed.ts';

/**
 * A store several nodes share, with nothing in it and nobody else on it:
 * `overrides` replace what a test drives. `feed()` is what the node asked
 * the store to call (once it started).
 */
export function quietSharedStore(overrides: Partial<Record<keyof SharedStore, unknown>> = {}) {
  let heard: StoreFeed | undefined;
  const store = {
    follow: async (handlers: StoreFeed) => {
      heard = handlers;
    },
    roster: async () => new Map(),
    announce: async () => {},
    leave: async () => {},
    broadcast: async () => {},
    record: async () => {},
    eventsSince: async () => ({ events: [], lost: false }),
    lastIds: async () => new Map(),
    since: async () => ({ messages: [], gap: false }),
    ...overrides,
  } as unknown as SharedStore;
  return {
    store,
    /** The node's feed handlers: the store's side of the test. */
    feed(): StoreFeed {
      if (!heard) throw new Error('the node has not started: no feed yet');
      return heard;
    },
  };
}

/** A core that holds nobody and does nothing, for NodeFeed: `overrides` replace what a test watches. */
export function quietCore(overrides: Partial<NodeFeedDeps['core']> = {}): NodeFeedDeps['core'] {
  return {
    seedLastId: () => {},
    keptElsewhere: () => {},
    setRemoteUsers: () => [],
    localUsers: () => [],
    localHeld: () => [],
    remoteEvent: () => [],
    ...overrides,
  };
}

/** A NodeFeed over `store`, its other dependencies quiet unless given. */
export function nodeFeedOver(store: SharedStore, deps: Partial<NodeFeedDeps> = {}): NodeFeed {
  return new NodeFeed({
    store,
    local: { send: () => {}, publish: () => {} },
    core: quietCore(),
    apply: () => {},
    revoked: () => {},
    load: () => ({ connections: 0, messagesPerSecond: 0 }),
    now: () => 0,
    replaced: () => {},
    logger: pino({ level: 'silent' }),
    ...deps,
  });
}
