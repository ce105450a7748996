import type {
  Limits,
  RoomState,
  ServerFrame,
  ServerFrameOf,
  UserState,
} from '../net/protocol/frames.ts';
import { TokenBucket } from '../net/token-bucket.ts';
import type { ConnId, Effect } from './core-effects.ts';
import type { Sanction, Topic } from './kept-state.ts';
import type { HeldThere } from './node-roster.ts';

/** Tunables of the chat logic; the I/O layer enforces the rest. */
export interface CoreOptions {
  serverName: string;
  motd: string;
  defaultRoom: string;
  limits: Limits;
  /** Connections one user may hold at once (devices). */
  maxDevicesPerUser: number;
  /** Rate-limit breaches tolerated in a burst before the connection is closed for flooding. */
  violationBurst: number;
  /** Breaches forgiven per second. */
  violationRefillPerSecond: number;
  /** Recent message refs remembered per user, so a resend after a reconnect is not stored twice. */
  refMemory: number;
  /**
   * True when `user` has a client certificate of this server's CA on file
   * (certs/clients/NAME.crt or NAME@DEVICE.crt): a direct message to them is kept while they
   * are offline even if they never connected. Absent: only users welcomed
   * once count as known.
   */
  hasCertificate?: (user: string) => boolean;
  /**
   * The key directory: `user`'s valid, unrevoked certificates (DER in
   * base64, sorted), one per device. Absent: `keys` answers with none.
   */
  certificatesOf?: (user: string) => string[];
  /**
   * Rooms one user may be in at once, the default room aside. Also the burst
   * of a user's join tokens (refilled at `limits.ratePerSecond` a second), so
   * that a reconnect resuming every room a user may be in fits in one burst.
   */
  maxRoomsPerUser: number;
  /** Rooms the core holds in all, the default room aside (with members, a topic or history). */
  maxRooms: number;
  /**
   * Rooms one user may create per hour: a burst of that many, then one every
   * 3600 / n seconds. Created: a join of a room the core does not hold and
   * that has no history. At least 1.
   */
  maxRoomsCreatedPerHour: number;
  /**
   * Names this run of the server's id sequences: a client resuming with
   * another epoch saw ids that no longer mean anything and is replayed from 0.
   */
  epoch: string;
  /** Server operators (`--operator`): operators in every room, and of server-wide bans. */
  operators?: ReadonlySet<string>;
  /**
   * One node of several on a shared store (`chat serve --redis`): a room
   * emptied here may be in use on another node, so who runs it outlives
   * its record here (CoreState.remoteOps).
   */
  cluster?: boolean;
}

/** A room the core holds: its topic (once one was set), the users in it, and how it is run. */
export interface RoomRecord {
  topic: Topic | undefined;
  members: Set<string>;
  /** Room operators (server operators aside); kept across restarts. */
  ops: Set<string>;
  /** Only operators may set the topic. */
  topicLock: boolean;
  /** Users banned from the room, with until when (expired ones are dropped when met). */
  bans: Map<string, Sanction>;
  /** Users who may read the room but not send to it. */
  mutes: Map<string, Sanction>;
}

/** A room record with nothing in it yet. */
export function newRoomRecord(topic?: Topic): RoomRecord {
  return {
    topic,
    members: new Set(),
    ops: new Set(),
    topicLock: false,
    bans: new Map(),
    mutes: new Map(),
  };
}

/** A user the core has seen since the start, connected or not. */
export interface UserRecord {
  conns: Set<ConnId>;
  /** Those of `conns` whose hello said `script`: programs, not the person (see core-presence.ts). */
  scripts: Set<ConnId>;
  status: 'online' | 'away';
  awayText: string | undefined;
  rooms: Set<string>;
  // Kept across disconnects: reconnecting must not reset a rate limit, and a
  // resend after a reconnect must find the ref of the original.
  bucket: TokenBucket;
  /** One token per room newly joined, the default room aside. */
  joins: TokenBucket;
  /** One token per room created. */
  creations: TokenBucket;
  refs: Map<string, SentRecord>;
  // Kept across restarts (see kept-state.ts):
  /** Welcomed once: a direct message to them is kept while they are away. */
  known: boolean;
  /** The rooms they joined and did not part: a hello that names none joins these. */
  remembered: Set<string>;
  /** Read positions: conversation key to the newest id they have seen. */
  reads: Map<string, number>;
  /** When their last connection closed (ms), once one has. */
  goneAt: number | undefined;
}

/** Where a send was kept, remembered by its ref. */
export interface SentRecord {
  conversation: string;
  id: number;
  ts: number;
  /** The id first given to the send, when the store kept it under another (settleSend). */
  given?: number;
}

const SECONDS_PER_HOUR = 3_600;

/**
 * What ChatCore knows, and the questions every rule asks of it: who is
 * connected, who is in which room, each conversation's newest id. Pure:
 * plain maps, no I/O, the time always given.
 */
export class CoreState {
  readonly rooms = new Map<string, RoomRecord>();
  readonly users = new Map<string, UserRecord>();
  readonly connUsers = new Map<ConnId, string>();
  readonly lastIds = new Map<string, number>();
  /**
   * Who runs each room of the cluster this node does not hold: made on
   * another node, or emptied here. Kept across restarts (KeptState.runElsewhere).
   */
  readonly remoteOps = new Map<string, Set<string>>();
  /** Users seen on the other nodes of a cluster (none on a server alone), by name. */
  readonly remote = new Map<string, UserState>();
  /** What those users hold on the other nodes: rooms, devices, certificates. */
  readonly remoteHeld = new Map<string, HeldThere>();
  /**
   * Rooms users were kicked or banned from while on another node, by user:
   * left out of what the other nodes say until none says it any more (a
   * node's last word may be older than the kick).
   */
  readonly forgottenElsewhere = new Map<string, Set<string>>();
  /** Who the other nodes show in each room (of the users in `remote`), by room: rebuilt with them. */
  readonly remoteRooms = new Map<string, Set<string>>();
  // Per connection: one device's flooding must not close the user's others.
  readonly violations = new Map<ConnId, TokenBucket>();
  /** Per connection: the SHA-256 fingerprint of its client certificate (colon hex), for whois. */
  readonly fingerprints = new Map<ConnId, string>();
  /** Per user: when their last frame arrived from any device (ms), for whois's idle time. */
  readonly lastFrames = new Map<string, number>();
  /** Users banned from the whole server by a server operator; kept across restarts. */
  readonly serverBans = new Map<string, Sanction>();

  constructor(readonly options: CoreOptions) {}

  /** The id of the newest message of a conversation (0: none). */
  lastId(conversation: string): number {
    return this.lastIds.get(conversation) ?? 0;
  }

  /**
   * Remembers who runs a room this node does not hold (none: forgets it);
   * at most `maxRooms` such rooms, the longest unheard of forgotten first,
   * so rooms made and emptied cannot pile up.
   */
  runElsewhere(name: string, ops: ReadonlySet<string>): void {
    this.remoteOps.delete(name);
    if (ops.size === 0) return;
    this.remoteOps.set(name, new Set(ops));
    for (const oldest of this.remoteOps.keys()) {
      if (this.remoteOps.size <= this.options.maxRooms) break;
      this.remoteOps.delete(oldest);
    }
  }

  /**
   * The record of a room, made when not held: run by those who run it on
   * the other nodes of a cluster, if any (remoteOps).
   */
  holdRoom(name: string): RoomRecord {
    let room = this.rooms.get(name);
    if (room) return room;
    room = newRoomRecord();
    room.ops = this.remoteOps.get(name) ?? room.ops;
    this.remoteOps.delete(name);
    this.rooms.set(name, room);
    return room;
  }

  /** The record of `user`, made (with full buckets at `now`) on first sight. */
  userRecord(user: string, now: number): UserRecord {
    let record = this.users.get(user);
    if (!record) {
      const { ratePerSecond, rateBurst } = this.options.limits;
      record = {
        conns: new Set(),
        scripts: new Set(),
        status: 'online',
        awayText: undefined,
        rooms: new Set(),
        bucket: new TokenBucket(rateBurst, ratePerSecond, now),
        joins: new TokenBucket(this.options.maxRoomsPerUser, ratePerSecond, now),
        creations: new TokenBucket(
          this.options.maxRoomsCreatedPerHour,
          this.options.maxRoomsCreatedPerHour / SECONDS_PER_HOUR,
          now,
        ),
        refs: new Map(),
        known: false,
        remembered: new Set(),
        reads: new Map(),
        goneAt: undefined,
      };
      this.users.set(user, record);
    }
    return record;
  }

  /** Remembers a send by its ref, forgetting the user's oldest past `refMemory`. */
  rememberRef(record: UserRecord, ref: string, sent: SentRecord): void {
    record.refs.set(ref, sent);
    if (record.refs.size > this.options.refMemory) {
      const oldest = record.refs.keys().next().value;
      if (oldest !== undefined) record.refs.delete(oldest);
    }
  }

  roomState(name: string): RoomState {
    const room = this.rooms.get(name);
    return {
      room: name,
      topic: room?.topic?.text ?? '',
      // A user seen by nobody (only scripts connected) is listed by nobody.
      members: this.membersOf(name),
      lastId: this.lastId(name),
      ...(room === undefined || room.ops.size === 0 ? {} : { ops: [...room.ops].sort() }),
      ...(room?.topicLock === true ? { topicLock: true } : {}),
    };
  }

  /**
   * Who is seen in a room, here and on the other nodes of a cluster, by
   * name. A user seen by nobody (only scripts connected) is listed by nobody.
   */
  membersOf(name: string): string[] {
    const here = [...(this.rooms.get(name)?.members ?? [])].filter((user) => this.isSeen(user));
    return [...new Set([...here, ...(this.remoteRooms.get(name) ?? [])])].sort();
  }

  /** How many are in a room, here (scripts too) and on the other nodes of a cluster. */
  memberCount(name: string): number {
    const here = this.rooms.get(name)?.members ?? new Set<string>();
    return new Set([...here, ...(this.remoteRooms.get(name) ?? [])]).size;
  }

  /** True while another node of the cluster sees `user` in `room`. */
  inRoomElsewhere(user: string, room: string): boolean {
    return this.remoteRooms.get(room)?.has(user) ?? false;
  }

  /** What the users seen here hold here, for the other nodes (see NodeSnapshot). */
  localHeld(): Array<[string, HeldThere]> {
    const held: Array<[string, HeldThere]> = [];
    for (const [user, record] of [...this.users].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!this.isSeen(user)) continue;
      const fingerprints = new Set<string>();
      for (const conn of record.conns) {
        const print = this.fingerprints.get(conn);
        if (print) fingerprints.add(print);
      }
      const lastFrame = this.lastFrames.get(user);
      held.push([
        user,
        {
          rooms: [...record.rooms].sort(),
          devices: record.conns.size,
          fingerprints: [...fingerprints].sort(),
          ...(lastFrame === undefined ? {} : { lastFrame }),
        },
      ]);
    }
    return held;
  }

  /** Everyone seen, here and on the other nodes of a cluster, by name. */
  userStates(): UserState[] {
    const here = this.localUserStates();
    const names = new Set(here.map((state) => state.user));
    return [...here, ...[...this.remote.values()].filter((state) => !names.has(state.user))].sort(
      (a, b) => (a.user < b.user ? -1 : 1),
    );
  }

  /** The users seen through this node's connections, by name. */
  localUserStates(): UserState[] {
    return [...this.users.entries()]
      .filter(([, record]) => record.conns.size > record.scripts.size)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([user, record]) => ({
        user,
        status: record.status,
        ...(record.awayText === undefined ? {} : { text: record.awayText }),
      }));
  }

  /**
   * What the others are told when `user` is no longer seen here: offline,
   * unless another node of the cluster still sees them.
   */
  presenceGone(user: string): ServerFrameOf<'presence'> {
    const elsewhere = this.remote.get(user);
    return elsewhere
      ? { type: 'presence', ...elsewhere }
      : { type: 'presence', user, status: 'offline' };
  }

  /** True while `user` has a person's connection, not only scripts' (see core-presence.ts). */
  isSeen(user: string): boolean {
    const record = this.users.get(user);
    return record !== undefined && record.conns.size > record.scripts.size;
  }

  /** Every connection of these users. */
  connsOf(users: Iterable<string>): ConnId[] {
    const conns: ConnId[] = [];
    for (const user of users)
      for (const conn of this.users.get(user)?.conns ?? []) conns.push(conn);
    return conns;
  }

  /** One frame to every connection that has said hello. */
  toAll(frame: ServerFrame): Effect {
    return { kind: 'frames', to: [...this.connUsers.keys()], frame };
  }

  /** One frame to every connection of every user but `user`. */
  toAllBut(user: string, frame: ServerFrame): Effect {
    return {
      kind: 'frames',
      to: this.connsOf([...this.users.keys()].filter((u) => u !== user)),
      frame,
    };
  }
}
