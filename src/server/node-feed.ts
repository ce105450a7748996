import type { Logger } from 'pino';
import type { StoredMessage } from '../net/protocol/frames.ts';
import type { ChatCore } from './chat-core.ts';
import { type ClusterEvent, isClusterEvent } from './cluster-events.ts';
import type { Effect } from './core-effects.ts';
import { DeliveryGate } from './delivery-gate.ts';
import { EventCursor } from './event-cursor.ts';
import { ClusterFanOut, type FanOut } from './fan-out.ts';
import type { HistoryStore, StoreFeed } from './history/history-store.ts';
import { type ClusterSummary, isSnapshot, NodeRoster, type NodeSnapshot } from './node-roster.ts';

/** A store several nodes share. */
export type SharedStore = HistoryStore &
  Required<
    Pick<
      HistoryStore,
      'follow' | 'announce' | 'roster' | 'leave' | 'broadcast' | 'record' | 'eventsSince'
    >
  >;

/** What a NodeFeed is built from. */
export interface NodeFeedDeps {
  store: SharedStore;
  /** This node's own delivery to its connections. */
  local: FanOut;
  core: Pick<
    ChatCore,
    'seedLastId' | 'keptElsewhere' | 'setRemoteUsers' | 'localUsers' | 'localHeld' | 'remoteEvent'
  >;
  /** Certificate serials another node revoked: close their sessions here too. */
  revoked: (serials: string[]) => void;
  /** Carries out what the core returns (presence of the other nodes' users). */
  apply: (effects: Effect[]) => void;
  /** This node's connections and message rate, for the others' dashboards. */
  load: () => { connections: number; messagesPerSecond: number };
  /** The time, in ms. */
  now: () => number;
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
/** How often a node says what it holds, in ms, and looks for changes of its users to say at once. */
const ANNOUNCE_MS = 5_000;
const CHECK_MS = 1_000;
/** How soon a failed read of what was kept meanwhile is tried again, in ms. */
const CATCH_UP_RETRY_MS = 1_000;
/**
 * A node not heard from in this long is gone, with its users (a node killed
 * with SIGKILL says nothing), in ms: three announcements missed.
 */
export const NODE_TTL_MS = 15_000;

/**
 * One node of several on a shared store (`chat serve --redis`): listens to
 * the store's feed of what every node keeps, puts it with this node's own
 * messages in id order (DeliveryGate) for this node's connections, and
 * keeps the core's id sequences at the newest, so this node's next ids
 * start past the others'.
 */
export class NodeFeed {
  private readonly gate: DeliveryGate;
  /** Where this node stands in the cluster's events (moderation, topics, rooms, reads). */
  private readonly events: EventCursor;
  readonly fanOut: FanOut;
  private readonly roster = new NodeRoster(NODE_TTL_MS);
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  /** What was last announced, and when: the users as JSON, to see a change. */
  private said = { users: '', at: 0 };
  /** What the feed brought before seed: offered once the gate knows where ids stood. */
  private early: Array<[string, StoredMessage]> | undefined = [];
  /** Per roster read under way, the nodes heard from on the feed meanwhile. */
  private readonly reading = new Set<Set<string>>();

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
    this.events = new EventCursor({
      read: (after, count) => deps.store.eventsSince(after, count),
      apply: (value) => this.control(value),
      onLost: (after) =>
        deps.logger.warn(
          { after: after ?? 'none' },
          "Redis no longer keeps all of the cluster's events since this node's state: what they changed is missing here",
        ),
      onError: (err) =>
        deps.logger.error({ err }, "could not read the cluster's events; trying again in a second"),
      retryMs: CATCH_UP_RETRY_MS,
    });
  }

  /** Listens to the feed; resolves once it does (before the core is seeded, so nothing falls between). */
  async start(): Promise<void> {
    const { core, replaced, logger, store } = this.deps;
    const feed: StoreFeed = {
      kept: (conversation, message) => {
        core.keptElsewhere(conversation, message);
        if (this.early) this.early.push([conversation, message]);
        else this.gate.offer(conversation, message);
      },
      replaced: (conversation, message, ours) => {
        // After the message itself, which may still wait in the gate.
        if (!ours)
          this.gate.afterDelivered(conversation, message.id, () => replaced(conversation, message));
      },
      interrupted: () => this.events.hold(),
      reconnected: () => {
        logger.info({}, 'the feed of other nodes is back: reading what they kept meanwhile');
        this.refreshRoster();
        this.catchUp();
        void this.events.catchUp();
      },
      control: (value) => this.control(value),
      event: (event) => this.events.heard(event),
      announced: (node, snapshot) => {
        for (const heard of this.reading) heard.add(node);
        if (snapshot === undefined) this.roster.left(node);
        else if (isSnapshot(snapshot)) this.roster.heard(node, snapshot, this.deps.now());
        this.usersChanged();
      },
    };
    await store.follow(feed);
    this.refreshRoster();
    this.timer = setInterval(() => this.tick(), CHECK_MS);
    this.timer.unref();
  }

  /**
   * Done here (a moderation act, a topic, a join, a read position): kept
   * among the cluster's events, which every node does too, now or when it
   * next starts.
   */
  replicate(event: ClusterEvent): void {
    const message: ControlMessage = { kind: 'event', event };
    this.deps.store.record(message).catch((err: unknown) => {
      this.deps.logger.error(
        { err, event: event.kind },
        'could not tell the other nodes; they do not learn of it',
      );
    });
  }

  /** The newest of the cluster's events done here, for the kept state. */
  eventsPosition(): string | undefined {
    return this.events.position;
  }

  /** This node's CRL revokes these serials: the others close their sessions too. */
  revoked(serials: string[]): void {
    if (serials.length > 0) this.broadcast({ kind: 'revoked', serials });
  }

  private broadcast(value: ControlMessage): void {
    this.deps.store.broadcast(value).catch((err: unknown) => {
      this.deps.logger.error(
        { err },
        'could not tell the other nodes; they act on it when they reload',
      );
    });
  }

  private control(value: unknown): void {
    const message = value as Partial<ControlMessage> | undefined;
    if (message?.kind === 'revoked' && Array.isArray(message.serials)) {
      this.deps.revoked(message.serials.filter((s): s is string => typeof s === 'string'));
    } else if (message?.kind === 'event' && isClusterEvent(message.event)) {
      this.deps.apply(this.deps.core.remoteEvent(message.event, this.deps.now()));
    }
  }

  // What was kept while the feed was lost, read from the store; a read that
  // fails (Redis lost again) is tried again each second until the node stops.
  private catchUp(): void {
    const { core, logger, store } = this.deps;
    store.lastIds().then(
      (ids) => {
        for (const [conversation, id] of ids) core.seedLastId(conversation, id);
        this.gate.catchUp(ids);
      },
      (err: unknown) => {
        logger.error({ err }, 'could not read what other nodes kept; trying again in a second');
        if (this.stopped) return;
        this.retry = setTimeout(() => this.catchUp(), CATCH_UP_RETRY_MS);
      },
    );
  }

  /** The cluster as this node sees it, for its dashboard. */
  summary(): ClusterSummary {
    return this.roster.summary(this.snapshot());
  }

  private snapshot(): NodeSnapshot {
    return {
      users: this.deps.core.localUsers(),
      held: this.deps.core.localHeld(),
      ...this.deps.load(),
    };
  }

  // Each second: forget silent nodes; say what this node holds when its
  // users changed, or every ANNOUNCE_MS anyway (the others' TTL).
  private tick(): void {
    const now = this.deps.now();
    if (this.roster.expire(now)) this.usersChanged();
    const snapshot = this.snapshot();
    // A frame's time alone is no change worth saying at once.
    const users = JSON.stringify([
      snapshot.users,
      snapshot.held?.map(([user, { lastFrame: _, ...there }]) => [user, there]),
    ]);
    if (users === this.said.users && now - this.said.at < ANNOUNCE_MS) return;
    // Said once Redis took it: a failed announcement is tried again at the next check.
    this.deps.store.announce(snapshot, NODE_TTL_MS).then(
      () => {
        if (now >= this.said.at) this.said = { users, at: now };
      },
      (err: unknown) => {
        // Redis is down: the others will see this node's users leave, then come back.
        this.deps.logger.debug({ err }, 'could not announce this node');
      },
    );
  }

  private usersChanged(): void {
    this.deps.apply(
      this.deps.core.setRemoteUsers(this.roster.users(), this.roster.held(), this.deps.now()),
    );
  }

  // At start and after a lost feed: what every node announced meanwhile.
  // What a node announced or said on leaving while the roster was read is
  // newer than what the read found of it: that is left as it is.
  private refreshRoster(): void {
    const heard = new Set<string>();
    this.reading.add(heard);
    this.deps.store
      .roster()
      .then(
        (nodes) => {
          const now = this.deps.now();
          for (const [node, snapshot] of nodes)
            if (!heard.has(node) && isSnapshot(snapshot)) this.roster.heard(node, snapshot, now);
          this.usersChanged();
        },
        (err: unknown) => this.deps.logger.error({ err }, 'could not read the other nodes'),
      )
      .finally(() => this.reading.delete(heard));
  }

  /**
   * The newest ids when the node started: what is older is history, not
   * live; and the newest of the cluster's events its kept state holds.
   * Resolves once the events after it are done (a node welcomes nobody
   * before: a ban made while it was down must hold from its first hello).
   */
  seed(lastIds: ReadonlyMap<string, number>, events: string | undefined): Promise<void> {
    const caughtUp = this.events.start(events);
    this.gate.seed(lastIds);
    const early = this.early ?? [];
    this.early = undefined;
    for (const [conversation, message] of early) this.gate.offer(conversation, message);
    return caughtUp;
  }

  /** Stops the timers and tells the others this node is gone. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.retry);
    this.events.stop();
    this.gate.stop();
    await this.deps.store.leave().catch(() => {
      // Redis is down: the others forget this node when its announcement expires.
    });
  }
}

/** True when `store` is shared by several nodes and tells each what the others keep. */
export function isShared(store: HistoryStore): store is SharedStore {
  return (
    typeof store.follow === 'function' &&
    typeof store.announce === 'function' &&
    typeof store.roster === 'function' &&
    typeof store.leave === 'function' &&
    typeof store.broadcast === 'function' &&
    typeof store.record === 'function' &&
    typeof store.eventsSince === 'function'
  );
}

/** What nodes tell each other besides messages and announcements. */
type ControlMessage =
  | { kind: 'event'; event: ClusterEvent }
  | { kind: 'revoked'; serials: string[] };
