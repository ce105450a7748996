import type { Logger } from 'pino';
import type { StoredMessage } from '../net/protocol/frames.ts';
import type { ChatCore } from './chat-core.ts';
import { DeliveryGate } from './delivery-gate.ts';
import { ClusterFanOut, type FanOut } from './fan-out.ts';
import type { HistoryStore, StoreFeed } from './history/history-store.ts';

/** A store several nodes share. */
export type SharedStore = HistoryStore & Required<Pick<HistoryStore, 'follow'>>;

/** What a NodeFeed is built from. */
export interface NodeFeedDeps {
  store: SharedStore;
  /** This node's own delivery to its connections. */
  local: FanOut;
  core: Pick<ChatCore, 'seedLastId'>;
  /** An edit or deletion made through another node, for this node's connections. */
  replaced: (conversation: string, message: StoredMessage) => void;
  logger: Logger;
}

/**
 * How a message kept on another node reaches this node's members waits at
 * most this long for the ids before it, in ms, before they are read from
 * the store: the feed brings them in order, so they are usually in flight.
 */
const GAP_WAIT_MS = 100;

/**
 * One node of several on a shared store (`chat serve --redis`): listens to
 * the store's feed of what every node keeps, puts it with this node's own
 * messages in id order (DeliveryGate) for this node's connections, and
 * keeps the core's id sequences at the newest, so this node's next ids
 * start past the others'.
 */
export class NodeFeed {
  private readonly gate: DeliveryGate;
  readonly fanOut: FanOut;

  constructor(private readonly deps: NodeFeedDeps) {
    this.gate = new DeliveryGate({
      deliver: (conversation, message) => deps.local.publish(conversation, message),
      read: async (conversation, afterId, limit) =>
        (await deps.store.since(conversation, afterId, limit)).messages,
      onError: (err, conversation) =>
        deps.logger.error({ err, conversation }, 'could not read messages kept on another node'),
      gapWaitMs: GAP_WAIT_MS,
    });
    this.fanOut = new ClusterFanOut(deps.local, this.gate);
  }

  /** Listens to the feed; resolves once it does (before the core is seeded, so nothing falls between). */
  start(): Promise<void> {
    const { core, replaced, logger, store } = this.deps;
    const feed: StoreFeed = {
      kept: (conversation, message) => {
        core.seedLastId(conversation, message.id);
        this.gate.offer(conversation, message);
      },
      replaced: (conversation, message, ours) => {
        if (!ours) replaced(conversation, message);
      },
      reconnected: () => {
        logger.info({}, 'the feed of other nodes is back: reading what they kept meanwhile');
        store.lastIds().then(
          (ids) => {
            for (const [conversation, id] of ids) core.seedLastId(conversation, id);
            this.gate.catchUp(ids);
          },
          (err: unknown) => logger.error({ err }, 'could not read what other nodes kept'),
        );
      },
    };
    return store.follow(feed);
  }

  /** The newest ids when the node started: what is older is history, not live. */
  seed(lastIds: ReadonlyMap<string, number>): void {
    this.gate.seed(lastIds);
  }

  stop(): void {
    this.gate.stop();
  }
}

/** True when `store` is shared by several nodes and tells each what the others keep. */
export function isShared(store: HistoryStore): store is SharedStore {
  return typeof store.follow === 'function';
}
