import type { ErrorCode } from '../net/protocol/error-codes.ts';
import {
  type ClientFrame,
  type HelloFrame,
  type Limits,
  PROTOCOL_VERSION,
  type RoomState,
  type ServerFrame,
  type StoredMessage,
  type UserState,
} from '../net/protocol/frames.ts';
import { TokenBucket } from '../net/token-bucket.ts';
import { conversationFor, dmKey } from './conversations.ts';

/** A connection's number, given by the I/O layer. */
export type ConnId = number;

/** What the core asks the I/O layer to do. The core itself never touches a socket or a store. */
export type Effect =
  /** Send one frame to these connections (serialized once for all of them). */
  | { kind: 'frames'; to: readonly ConnId[]; frame: ServerFrame }
  /** Store a new message, then deliver it to the conversation's members in id order and ack it. */
  | {
      kind: 'message';
      conversation: string;
      message: StoredMessage;
      ack: { conn: ConnId; ref: string };
    }
  /** A resent message already stored: ack it again once its conversation's earlier appends are done. */
  | { kind: 'reack'; conversation: string; conn: ConnId; ref: string; id: number; ts: number }
  /** Send this connection what it missed in a conversation since `afterId`. */
  | { kind: 'replay'; conn: ConnId; conversation: string; afterId: number }
  /** Answer a history request (`name` as the client wrote it: #room or @user). */
  | {
      kind: 'history';
      conn: ConnId;
      conversation: string;
      name: string;
      before: number | undefined;
      limit: number;
      ref: string | undefined;
    }
  /** Tell the connection why, then close it. */
  | { kind: 'close'; conn: ConnId; code: ErrorCode; message: string };

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
}

interface RoomRecord {
  topic: string;
  members: Set<string>;
}

interface UserRecord {
  conns: Set<ConnId>;
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
  refs: Map<string, { conversation: string; id: number; ts: number }>;
}

/**
 * The chat's rules, apart from all I/O: who is connected, who is in which
 * room, presence, topics, message ids, rate limits and exactly-once sends.
 * Every method takes the time as a number (ms) and returns the effects.
 */
export class ChatCore {
  private readonly rooms = new Map<string, RoomRecord>();
  private readonly users = new Map<string, UserRecord>();
  private readonly connUsers = new Map<ConnId, string>();
  private readonly lastIds = new Map<string, number>();
  // Per connection: one device's flooding must not close the user's others.
  private readonly violations = new Map<ConnId, TokenBucket>();

  constructor(private readonly options: CoreOptions) {}

  /** Handles a validated hello from an authenticated connection of `user`. */
  hello(conn: ConnId, user: string, frame: HelloFrame, now: number): Effect[] {
    if (frame.v !== PROTOCOL_VERSION) {
      return [
        close(
          conn,
          'version_unsupported',
          `this server speaks protocol v${PROTOCOL_VERSION}, not v${frame.v}`,
        ),
      ];
    }
    const record = this.userRecord(user, now);
    if (record.conns.size >= this.options.maxDevicesPerUser) {
      return [
        close(
          conn,
          'too_many_devices',
          `${user} already has ${record.conns.size} connections: close one first`,
        ),
      ];
    }
    const resume = Object.entries(frame.resume ?? {});
    const rooms = [
      ...resume.map(([name]) => name).filter((n) => n.startsWith('#')),
      ...(frame.join ?? []),
    ];
    // Only a client that asks for nothing lands in the default room: one that
    // resumes with no rooms has left them all and stays that way.
    if (frame.resume === undefined && frame.join === undefined)
      rooms.push(this.options.defaultRoom);
    const wanted = [...new Set(rooms)];
    // All or nothing: a hello joined in part would leave the client thinking
    // it lost rooms it only has to wait for. Rooms past the user's cap will
    // be refused, not joined, so they need no token.
    const fresh = wanted.filter((room) => this.costsJoinToken(user, room)).length;
    const needed = Math.min(
      fresh,
      Math.max(0, this.options.maxRoomsPerUser - this.roomCount(record)),
    );
    const have = tokensNow(record.joins, now);
    if (have + EPSILON < needed) {
      return [
        close(
          conn,
          'reconnect_too_fast',
          `joining ${needed} rooms at once needs ${needed} join tokens and you have ${Math.floor(have)} ` +
            `(${this.joinRate()}): try again in ${waitText(needed - have, record.joins.refillPerSecond)}`,
        ),
      ];
    }
    const effects: Effect[] = [];
    const cameOnline = record.conns.size === 0;
    record.conns.add(conn);
    this.connUsers.set(conn, user);
    this.violations.set(
      conn,
      new TokenBucket(this.options.violationBurst, this.options.violationRefillPerSecond, now),
    );
    if (cameOnline) {
      record.status = 'online';
      record.awayText = undefined;
      effects.push(this.toAllBut(user, { type: 'presence', user, status: 'online' }));
    }

    // The welcome tells this connection its rooms; joined frames go to the others.
    for (const room of wanted) effects.push(...this.joinRoom(user, room, now, conn, true));

    effects.push({
      kind: 'frames',
      to: [conn],
      frame: {
        type: 'welcome',
        v: PROTOCOL_VERSION,
        user,
        server: this.options.serverName,
        motd: this.options.motd,
        epoch: this.options.epoch,
        rooms: [...record.rooms].sort().map((room) => this.roomState(room)),
        users: this.userStates(),
        limits: this.options.limits,
      },
    });
    // Ids seen under another epoch (before a restart that lost history) mean
    // nothing now: such a client gets everything kept.
    const sameEpoch = frame.epoch === undefined || frame.epoch === this.options.epoch;
    for (const [name, afterId] of resume) {
      // A room it could not join (past a cap) is not the user's to read.
      if (name.startsWith('#') && !record.rooms.has(name)) continue;
      const conversation = conversationFor(user, name);
      // An id past the newest (a client of a server that lost its history
      // but kept no epoch) starts from the newest: nothing newer is skipped.
      const from = Math.min(sameEpoch ? afterId : 0, this.lastId(conversation));
      effects.push({ kind: 'replay', conn, conversation, afterId: from });
    }
    return effects;
  }

  /** Handles a validated frame from a connection that has said hello. */
  receive(conn: ConnId, frame: ClientFrame, now: number): Effect[] {
    const user = this.connUsers.get(conn);
    const record = user === undefined ? undefined : this.users.get(user);
    if (user === undefined || record === undefined) {
      return [close(conn, 'hello_required', 'say hello first')];
    }
    // Every frame costs a token, pong included: the I/O layer answers the
    // pong it asked for itself, so only unasked ones reach this point.
    const ref = 'ref' in frame ? frame.ref : undefined;
    if (!record.bucket.take(now)) {
      if (!this.violations.get(conn)?.take(now)) {
        return [close(conn, 'flood', 'you kept sending faster than the rate limit')];
      }
      const { rateBurst, ratePerSecond } = this.options.limits;
      return [
        error(
          conn,
          'rate_limited',
          `too many frames (${rateBurst} at once, then ${ratePerSecond} a second): this one was dropped, slow down`,
          ref,
        ),
      ];
    }
    switch (frame.type) {
      case 'hello':
        return [error(conn, 'invalid_frame', 'hello was already received')];
      case 'auth':
        return [error(conn, 'invalid_frame', 'auth is taken only when the server asks for it')];
      case 'send': {
        // A resend is answered as its original before anything else: the
        // user may have left the room since it was kept (sent, /part, and
        // the ack lost with the connection).
        const again = this.resent(conn, record, frame.room, frame.ref);
        if (again) return [again];
        if (!this.rooms.get(frame.room)?.members.has(user)) {
          return [
            error(conn, 'not_member', `you are not in ${frame.room}: join it first`, frame.ref),
          ];
        }
        return this.newMessage(conn, record, frame.room, frame.ref, frame.text, now, (id) => ({
          type: 'msg',
          id,
          ts: now,
          room: frame.room,
          from: user,
          text: frame.text,
          ...(frame.action ? { action: true } : {}),
        }));
      }
      case 'dm': {
        const again = this.resent(conn, record, dmKey(user, frame.to), frame.ref);
        if (again) return [again];
        if ((this.users.get(frame.to)?.conns.size ?? 0) === 0) {
          return [error(conn, 'user_offline', `${frame.to} is not connected`, frame.ref)];
        }
        return this.newMessage(
          conn,
          record,
          dmKey(user, frame.to),
          frame.ref,
          frame.text,
          now,
          (id) => ({
            type: 'dm',
            id,
            ts: now,
            from: user,
            to: frame.to,
            text: frame.text,
            ...(frame.action ? { action: true } : {}),
          }),
        );
      }
      case 'join':
        return this.joinRoom(user, frame.room, now, conn, false);
      case 'part':
        if (!record.rooms.has(frame.room)) {
          return [error(conn, 'not_member', `you are not in ${frame.room}`)];
        }
        return this.leaveRoom(user, frame.room, now, 'part');
      case 'history': {
        if (frame.room.startsWith('#') && !record.rooms.has(frame.room)) {
          return [
            error(conn, 'not_member', `you are not in ${frame.room}: join it first`, frame.ref),
          ];
        }
        return [
          {
            kind: 'history',
            conn,
            conversation: conversationFor(user, frame.room),
            name: frame.room,
            before: frame.before,
            limit: Math.min(frame.limit, this.options.limits.maxHistory),
            ref: frame.ref,
          },
        ];
      }
      case 'topic': {
        const room = this.rooms.get(frame.room);
        if (!room?.members.has(user)) {
          return [error(conn, 'not_member', `you are not in ${frame.room}: join it first`)];
        }
        room.topic = frame.text;
        return [
          {
            kind: 'frames',
            to: this.connsOf(room.members),
            frame: { type: 'topic', room: frame.room, text: frame.text, by: user, ts: now },
          },
        ];
      }
      case 'away':
        record.status = 'away';
        record.awayText = frame.text;
        return [this.toAll({ type: 'presence', user, status: 'away', text: frame.text })];
      case 'back':
        record.status = 'online';
        record.awayText = undefined;
        return [this.toAll({ type: 'presence', user, status: 'online' })];
      case 'ping':
        return [{ kind: 'frames', to: [conn], frame: { type: 'pong', ref: frame.ref } }];
      case 'pong':
        return [];
    }
  }

  /** Forgets a closed connection; the user's last one leaves every room and goes offline. */
  disconnect(conn: ConnId, now: number): Effect[] {
    const user = this.connUsers.get(conn);
    this.connUsers.delete(conn);
    this.violations.delete(conn);
    const record = user === undefined ? undefined : this.users.get(user);
    if (user === undefined || !record) return [];
    record.conns.delete(conn);
    if (record.conns.size > 0) return [];
    const effects: Effect[] = [];
    for (const room of [...record.rooms].sort())
      effects.push(...this.leaveRoom(user, room, now, 'quit'));
    effects.push(this.toAll({ type: 'presence', user, status: 'offline' }));
    return effects;
  }

  /** True while `user`'s `ref` is remembered as message `id`: its store did not fail. */
  holdsRef(user: string, ref: string, id: number): boolean {
    return this.users.get(user)?.refs.get(ref)?.id === id;
  }

  /**
   * Forgets that `user` sent `ref`, after its message could not be stored,
   * so that sending it again stores it instead of acknowledging a ghost.
   */
  forgetRef(user: string, ref: string): void {
    this.users.get(user)?.refs.delete(ref);
  }

  /** The connections a conversation's messages go to, now. */
  recipients(conversation: string): ConnId[] {
    if (conversation.startsWith('#'))
      return this.connsOf(this.rooms.get(conversation)?.members ?? []);
    const [, a = '', b = ''] = conversation.split(':');
    return this.connsOf(new Set([a, b]));
  }

  /** The id of the newest message of a conversation (0: none). */
  lastId(conversation: string): number {
    return this.lastIds.get(conversation) ?? 0;
  }

  /** Seeds a conversation's id sequence, e.g. from a store that outlived a restart. */
  /**
   * Remembers a send kept before a restart, so its resend (the ack was lost
   * with the old process) is acknowledged as the original, not kept twice.
   */
  seedRef(user: string, ref: string, conversation: string, id: number, ts: number): void {
    this.rememberRef(this.userRecord(user, ts), ref, { conversation, id, ts });
  }

  seedLastId(conversation: string, id: number): void {
    if (id > this.lastId(conversation)) this.lastIds.set(conversation, id);
  }

  /** True while `user` is connected and has said they are away. */
  isAway(user: string): boolean {
    const record = this.users.get(user);
    return record !== undefined && record.conns.size > 0 && record.status === 'away';
  }

  /** The user of a connection that has said hello. */
  userOf(conn: ConnId): string | undefined {
    return this.connUsers.get(conn);
  }

  /** Every room with its member count and newest id, for stats. */
  roomSummaries(): Array<{ room: string; members: number; lastId: number }> {
    return [...this.rooms.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([room, record]) => ({ room, members: record.members.size, lastId: this.lastId(room) }));
  }

  /** The reack of a send already kept under `ref` in `conversation`, when it is one. */
  private resent(
    conn: ConnId,
    record: UserRecord,
    conversation: string,
    ref: string,
  ): Effect | undefined {
    const seen = record.refs.get(ref);
    return seen && seen.conversation === conversation
      ? { kind: 'reack', conversation, conn, ref, id: seen.id, ts: seen.ts }
      : undefined;
  }

  private newMessage(
    conn: ConnId,
    record: UserRecord,
    conversation: string,
    ref: string,
    text: string,
    now: number,
    build: (id: number) => StoredMessage,
  ): Effect[] {
    if (text.length > this.options.limits.maxTextChars) {
      return [
        error(
          conn,
          'text_too_long',
          `messages are limited to ${this.options.limits.maxTextChars} characters`,
          ref,
        ),
      ];
    }
    const id = this.lastId(conversation) + 1;
    this.lastIds.set(conversation, id);
    this.rememberRef(record, ref, { conversation, id, ts: now });
    return [{ kind: 'message', conversation, message: build(id), ack: { conn, ref } }];
  }

  /**
   * Puts `user` in a room (made on first join). The user's connections get
   * the room's state; `inHello` leaves out the requesting one, whose welcome
   * is about to carry it. Joining a room twice just repeats the state.
   */
  private joinRoom(
    user: string,
    name: string,
    now: number,
    conn: ConnId,
    inHello: boolean,
  ): Effect[] {
    const record = this.users.get(user);
    if (!record) return [];
    const stateFrame = (): ServerFrame => ({
      type: 'joined',
      room: name,
      user,
      ts: now,
      state: this.roomState(name),
    });
    let room = this.rooms.get(name);
    if (room?.members.has(user))
      return inHello ? [] : [{ kind: 'frames', to: [conn], frame: stateFrame() }];
    const refused = this.joinRefusal(record, name, room, now);
    if (refused) return [error(conn, refused.code, refused.message)];
    if (name !== this.options.defaultRoom) {
      record.joins.take(now);
      if (!room && this.lastId(name) === 0) record.creations.take(now);
    }
    if (!room) {
      room = { topic: '', members: new Set() };
      this.rooms.set(name, room);
    }
    const others = this.connsOf(room.members);
    room.members.add(user);
    record.rooms.add(name);
    const own = [...record.conns].filter((c) => !inHello || c !== conn);
    return [
      { kind: 'frames', to: others, frame: { type: 'joined', room: name, user, ts: now } },
      { kind: 'frames', to: own, frame: stateFrame() },
    ];
  }

  /**
   * Why `record`'s user may not join `name` now, if they may not; takes
   * nothing. The default room is never refused: whatever others did, a user
   * can get into it.
   */
  private joinRefusal(
    record: UserRecord,
    name: string,
    room: RoomRecord | undefined,
    now: number,
  ): { code: ErrorCode; message: string } | undefined {
    if (name === this.options.defaultRoom) return undefined;
    const { maxRoomsPerUser, maxRooms, maxRoomsCreatedPerHour } = this.options;
    const count = this.roomCount(record);
    if (count >= maxRoomsPerUser) {
      return {
        code: 'too_many_rooms',
        message: `you are in ${count} rooms, the most one user may be in: part one first`,
      };
    }
    const joins = tokensNow(record.joins, now);
    if (joins + EPSILON < 1) {
      return {
        code: 'rate_limited',
        message: `you are joining rooms too fast (${this.joinRate()}): try again in ${waitText(1 - joins, record.joins.refillPerSecond)}`,
      };
    }
    if (room) return undefined;
    const creations = tokensNow(record.creations, now);
    if (this.lastId(name) === 0 && creations + EPSILON < 1) {
      return {
        code: 'too_many_rooms',
        message:
          `you created ${maxRoomsCreatedPerHour} rooms within the hour, the most allowed: ` +
          `join an existing room or try again in ${waitText(1 - creations, record.creations.refillPerSecond)}`,
      };
    }
    if (this.heldRooms() >= maxRooms) {
      return {
        code: 'too_many_rooms',
        message: `the server holds ${this.heldRooms()} rooms, the most it keeps: join an existing room`,
      };
    }
    return undefined;
  }

  /** True when joining `room` now costs `user` a join token: not the default room, and not one they are in. */
  private costsJoinToken(user: string, room: string): boolean {
    return room !== this.options.defaultRoom && !this.rooms.get(room)?.members.has(user);
  }

  /** The rooms a user is in that count toward maxRoomsPerUser: all but the default room. */
  private roomCount(record: UserRecord): number {
    return record.rooms.size - (record.rooms.has(this.options.defaultRoom) ? 1 : 0);
  }

  /** The rooms held that count toward maxRooms: all but the default room. */
  private heldRooms(): number {
    return this.rooms.size - (this.rooms.has(this.options.defaultRoom) ? 1 : 0);
  }

  /** The join rate in words, for error messages. */
  private joinRate(): string {
    return `${this.options.maxRoomsPerUser} rooms at once, then ${this.options.limits.ratePerSecond} a second`;
  }

  private leaveRoom(user: string, name: string, now: number, reason: 'part' | 'quit'): Effect[] {
    const room = this.rooms.get(name);
    const record = this.users.get(user);
    if (!room || !record) return [];
    const audience = this.connsOf(room.members);
    room.members.delete(user);
    record.rooms.delete(name);
    // Nothing left to keep: holding it would let rooms pile up to maxRooms.
    if (room.members.size === 0 && room.topic === '' && this.lastId(name) === 0)
      this.rooms.delete(name);
    return [
      { kind: 'frames', to: audience, frame: { type: 'left', room: name, user, ts: now, reason } },
    ];
  }

  private rememberRef(
    record: UserRecord,
    ref: string,
    sent: { conversation: string; id: number; ts: number },
  ): void {
    record.refs.set(ref, sent);
    if (record.refs.size > this.options.refMemory) {
      const oldest = record.refs.keys().next().value;
      if (oldest !== undefined) record.refs.delete(oldest);
    }
  }

  private userRecord(user: string, now: number): UserRecord {
    let record = this.users.get(user);
    if (!record) {
      const { ratePerSecond, rateBurst } = this.options.limits;
      record = {
        conns: new Set(),
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
      };
      this.users.set(user, record);
    }
    return record;
  }

  private roomState(name: string): RoomState {
    const room = this.rooms.get(name);
    return {
      room: name,
      topic: room?.topic ?? '',
      members: [...(room?.members ?? [])].sort(),
      lastId: this.lastId(name),
    };
  }

  private userStates(): UserState[] {
    return [...this.users.entries()]
      .filter(([, record]) => record.conns.size > 0)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([user, record]) => ({
        user,
        status: record.status,
        ...(record.awayText === undefined ? {} : { text: record.awayText }),
      }));
  }

  private connsOf(users: Iterable<string>): ConnId[] {
    const conns: ConnId[] = [];
    for (const user of users)
      for (const conn of this.users.get(user)?.conns ?? []) conns.push(conn);
    return conns;
  }

  private toAll(frame: ServerFrame): Effect {
    return { kind: 'frames', to: [...this.connUsers.keys()], frame };
  }

  private toAllBut(user: string, frame: ServerFrame): Effect {
    return {
      kind: 'frames',
      to: this.connsOf([...this.users.keys()].filter((u) => u !== user)),
      frame,
    };
  }
}

const SECONDS_PER_HOUR = 3_600;
/** As TokenBucket's: float refills can land a hair below a whole token. */
const EPSILON = 1e-9;

/** The tokens in `bucket` at `now`, refilled up to then (taking none). */
function tokensNow(bucket: TokenBucket, now: number): number {
  bucket.take(now, 0);
  return bucket.tokens;
}

/** How long `missing` tokens take to come at `perSecond`, in words ("3 s", "3 min"). */
function waitText(missing: number, perSecond: number): string {
  const seconds = Math.max(1, Math.ceil(missing / perSecond - EPSILON));
  return seconds < 60 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}

function error(conn: ConnId, code: ErrorCode, message: string, ref?: string): Effect {
  return {
    kind: 'frames',
    to: [conn],
    frame: { type: 'error', code, message, ...(ref ? { ref } : {}) },
  };
}

function close(conn: ConnId, code: ErrorCode, message: string): Effect {
  return { kind: 'close', conn, code, message };
}
