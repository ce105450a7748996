import { z } from 'zod';
import type { UserState } from '../net/protocol/frames.ts';

/** What a node tells the others about itself, every few seconds and when its users change. */
export interface NodeSnapshot {
  /** The users with a person's connection on that node, as welcome.users lists them. */
  users: UserState[];
  connections: number;
  /** Messages kept through that node per second (mean of the last 5 s). */
  messagesPerSecond: number;
  /** What each of those users holds there (absent from a node of an older version). */
  held?: Array<[string, HeldThere]>;
}

/** What one user holds on one node: their rooms, devices and certificates, for the others' lists and whois. */
export interface HeldThere {
  /** The rooms they are in there, sorted. */
  rooms: string[];
  /** Their connections there. */
  devices: number;
  /** SHA-256 of each connection's client certificate, colon hex, sorted, distinct. */
  fingerprints: string[];
  /** When their last frame arrived there (ms), once one has. */
  lastFrame?: number;
}

/** The cluster as one node sees it, for the dashboard. */
export interface ClusterSummary {
  /** Nodes alive, this one included. */
  nodes: number;
  connections: number;
  messagesPerSecond: number;
}

// Online beats away: a user is as present as their most present node shows them.
const RANK = { online: 2, away: 1, offline: 0 } as const;

/**
 * The other nodes of a cluster and their users, as their heartbeats said
 * (pure: the time is given). A node not heard from within `ttlMs` is gone,
 * with its users: that is how a node killed with SIGKILL leaves.
 */
export class NodeRoster {
  private readonly nodes = new Map<string, { snapshot: NodeSnapshot; heardAt: number }>();

  constructor(private readonly ttlMs: number) {}

  /** A node's snapshot (an empty one, with no users, from a node that is stopping). */
  heard(node: string, snapshot: NodeSnapshot, now: number): void {
    this.nodes.set(node, { snapshot, heardAt: now });
  }

  /** A node said it stopped. */
  left(node: string): void {
    this.nodes.delete(node);
  }

  /** Forgets the nodes not heard from within the TTL; true when any was. */
  expire(now: number): boolean {
    let gone = false;
    for (const [node, { heardAt }] of this.nodes)
      if (now - heardAt > this.ttlMs) {
        this.nodes.delete(node);
        gone = true;
      }
    return gone;
  }

  /** Every user of the other nodes, once each, by name, each as present as its most present node shows it. */
  users(): UserState[] {
    const merged = new Map<string, UserState>();
    for (const { snapshot } of this.nodes.values())
      for (const state of snapshot.users) {
        const kept = merged.get(state.user);
        if (!kept || RANK[state.status] > RANK[kept.status]) merged.set(state.user, state);
      }
    return [...merged.values()].sort((a, b) => (a.user < b.user ? -1 : 1));
  }

  /**
   * What every user of the other nodes holds, once each, by name: their
   * rooms and certificates on all those nodes, their devices summed, their
   * latest frame.
   */
  held(): Map<string, HeldThere> {
    const merged = new Map<string, HeldThere>();
    for (const { snapshot } of this.nodes.values())
      for (const [user, there] of snapshot.held ?? []) {
        const kept = merged.get(user);
        if (!kept) {
          merged.set(user, {
            ...there,
            rooms: [...there.rooms],
            fingerprints: [...there.fingerprints],
          });
          continue;
        }
        kept.rooms = [...new Set([...kept.rooms, ...there.rooms])].sort();
        kept.devices += there.devices;
        kept.fingerprints = [...new Set([...kept.fingerprints, ...there.fingerprints])].sort();
        const last = Math.max(kept.lastFrame ?? 0, there.lastFrame ?? 0);
        if (last > 0) kept.lastFrame = last;
      }
    return merged;
  }

  /** The cluster: these nodes and `self`. */
  summary(self: NodeSnapshot): ClusterSummary {
    let connections = self.connections;
    let messagesPerSecond = self.messagesPerSecond;
    for (const { snapshot } of this.nodes.values()) {
      connections += snapshot.connections;
      messagesPerSecond += snapshot.messagesPerSecond;
    }
    return { nodes: this.nodes.size + 1, connections, messagesPerSecond };
  }
}

const snapshotSchema = z.object({
  users: z.array(
    z.object({
      user: z.string(),
      status: z.enum(['online', 'away']),
      text: z.string().optional(),
    }),
  ),
  connections: z.number(),
  messagesPerSecond: z.number(),
  held: z
    .array(
      z.tuple([
        z.string(),
        z.object({
          rooms: z.array(z.string()),
          devices: z.number().int().min(0),
          fingerprints: z.array(z.string()),
          lastFrame: z.number().optional(),
        }),
      ]),
    )
    .optional(),
});

/**
 * True when `value` has the shape of a NodeSnapshot. Announcements are
 * sealed with the history key, so only nodes write them; the shape is
 * checked all the same before a user list is built from one.
 */
export function isSnapshot(value: unknown): value is NodeSnapshot {
  return snapshotSchema.safeParse(value).success;
}
