import type {
  ClientFrame,
  HelloFrame,
  ServerFrameOf,
  StoredMessage,
  UserState,
} from '../net/protocol/frames.ts';
import { PROTOCOL_VERSION } from '../net/protocol/frames.ts';
import { TokenBucket } from '../net/token-bucket.ts';
import type { ClusterEvent } from './cluster-events.ts';
import { conversationFor } from './conversations.ts';
import { amendRequest } from './core-amend.ts';
import { type ConnId, closeEffect, type Effect, errorEffect, PERSIST } from './core-effects.ts';
import { keptStateOf, restoreKeptState } from './core-kept.ts';
import { directMessage, historyRequest, roomMessage } from './core-messages.ts';
import { kickConnection, moderate, remoteAct } from './core-moderation.ts';
import { activeSanction, serverBanRefusal } from './core-operators.ts';
import { appear, disappear } from './core-presence.ts';
import { moveRead, readRequest } from './core-reads.ts';
import { setRemote } from './core-remote.ts';
import {
  helloJoinRefusal,
  joinRoom,
  leaveRoom,
  remoteMember,
  remoteTopic,
  setTopic,
} from './core-rooms.ts';
import { searchRequest } from './core-search.ts';
import { type CoreOptions, CoreState, type UserRecord } from './core-state.ts';
import { unreadTargets } from './core-unread.ts';
import { keysRequest, listRequest, whoisRequest } from './core-whois.ts';
import type { KeptState } from './kept-state.ts';
import type { HeldThere } from './node-roster.ts';

/**
 * The chat's rules, apart from all I/O: who is connected, who is in which
 * room, presence, topics, message ids, rate limits and exactly-once sends.
 * Every method takes the time as a number (ms) and returns the effects;
 * what must outlive a restart is handed out by `keptState` (a `persist`
 * effect says when it changed) and taken back by `restoreKeptState`.
 * The rules of rooms and of messages live beside it (core-rooms.ts,
 * core-messages.ts), over the state it holds (core-state.ts).
 */
export class ChatCore {
  private readonly state: CoreState;

  constructor(options: CoreOptions) {
    this.state = new CoreState(options);
  }

  /**
   * Handles a validated hello from an authenticated connection of `user`;
   * `fingerprint` is its client certificate's SHA-256 (colon hex), for whois.
   */
  hello(conn: ConnId, user: string, frame: HelloFrame, now: number, fingerprint = ''): Effect[] {
    const { state } = this;
    if (frame.v !== PROTOCOL_VERSION) {
      return [
        closeEffect(
          conn,
          'version_unsupported',
          `this server speaks protocol v${PROTOCOL_VERSION}, not v${frame.v}`,
        ),
      ];
    }
    // A user banned from the server gets nothing more than why.
    const serverBanned = serverBanRefusal(state, user, now);
    if (serverBanned) return [closeEffect(conn, 'server_banned', serverBanned)];
    const record = state.userRecord(user, now);
    if (record.conns.size >= state.options.maxDevicesPerUser) {
      return [
        closeEffect(
          conn,
          'too_many_devices',
          `${user} already has ${record.conns.size} connections: close one first`,
        ),
      ];
    }
    const asked = roomsWanted(frame, state.options.defaultRoom, record.remembered);
    // Rooms they are banned from are left out, and forgotten, without a word.
    const wanted = asked.filter((room) => {
      const bans = state.rooms.get(room)?.bans;
      return !(bans && activeSanction(bans, user, now));
    });
    const forgot =
      asked.filter((room) => !wanted.includes(room) && record.remembered.delete(room)).length > 0;
    const refused = helloJoinRefusal(state, user, record, wanted, now);
    if (refused) return [closeEffect(conn, 'reconnect_too_fast', refused)];
    // Back after an absence: no other person's connection of theirs is open
    // (a script's, such as a running `chat tail`, is no presence).
    const since = frame.script !== true && !state.isSeen(user) ? record.goneAt : undefined;
    const effects = this.comeOnline(conn, user, record, now, frame.script === true);
    if (fingerprint) state.fingerprints.set(conn, fingerprint);
    state.lastFrames.set(user, now);
    const operators = [...(state.options.operators ?? [])].sort();
    // The welcome tells this connection its rooms; joined frames go to the others.
    for (const room of wanted) effects.push(...joinRoom(state, user, room, now, conn, 'hello'));
    effects.push({
      kind: 'frames',
      to: [conn],
      frame: {
        type: 'welcome',
        v: PROTOCOL_VERSION,
        user,
        server: state.options.serverName,
        motd: state.options.motd,
        epoch: state.options.epoch,
        rooms: [...record.rooms].sort().map((room) => state.roomState(room)),
        users: state.userStates(),
        limits: state.options.limits,
        ...(operators.length === 0 ? {} : { operators }),
      },
    });
    const resumed = Object.keys(frame.resume ?? {});
    effects.push({
      kind: 'unread',
      conn,
      query: {
        user,
        targets: unreadTargets(state, user, record, since),
        ...(since === undefined ? {} : { since }),
        backlog: Math.min(frame.backlog ?? 0, state.options.limits.maxHistory),
        backlogRooms: wanted.filter((room) => record.rooms.has(room) && !resumed.includes(room)),
        resumed: resumed.map((name) => conversationFor(user, name)),
      },
    });
    effects.push(...this.replays(conn, user, record, frame));
    if (!record.known || forgot) {
      record.known = true;
      effects.push(PERSIST);
    }
    return effects;
  }

  /** Handles a validated frame from a connection that has said hello. */
  receive(conn: ConnId, frame: ClientFrame, now: number): Effect[] {
    const { state } = this;
    const user = state.connUsers.get(conn);
    const record = user === undefined ? undefined : state.users.get(user);
    if (user === undefined || record === undefined) {
      return [closeEffect(conn, 'hello_required', 'say hello first')];
    }
    // Every frame costs a token, pong included: the I/O layer answers the
    // pong it asked for itself, so only unasked ones reach this point.
    if (!record.bucket.take(now)) return this.overRate(conn, frame, now);
    // Pings and pongs are the clients' timers talking, not the user: they leave the idle time alone.
    if (frame.type !== 'ping' && frame.type !== 'pong') state.lastFrames.set(user, now);
    switch (frame.type) {
      case 'hello':
        return [errorEffect(conn, 'invalid_frame', 'hello was already received')];
      case 'auth':
        return [
          errorEffect(conn, 'invalid_frame', 'auth is taken only when the server asks for it'),
        ];
      case 'send':
        return roomMessage(state, conn, user, record, frame, now);
      case 'dm':
        return directMessage(state, conn, user, record, frame, now);
      case 'join':
        return joinRoom(state, user, frame.room, now, conn, 'asked');
      case 'part':
        if (!record.rooms.has(frame.room)) {
          return [errorEffect(conn, 'not_member', `you are not in ${frame.room}`)];
        }
        return leaveRoom(state, user, frame.room, now, 'part');
      case 'history':
        return historyRequest(state, conn, user, record, frame);
      case 'topic':
        return setTopic(state, conn, user, frame.room, frame.text, now);
      case 'away':
        return [
          ...this.setAway(user, record, frame.text),
          { kind: 'replicate', event: { kind: 'away', user, text: frame.text } },
        ];
      case 'back':
        return [
          ...this.setAway(user, record, undefined),
          { kind: 'replicate', event: { kind: 'away', user } },
        ];
      case 'read':
        return readRequest(state, conn, user, record, frame);
      case 'search':
        return searchRequest(state, conn, user, record, frame);
      case 'list':
        return listRequest(state, conn, frame.ref);
      case 'whois':
        return whoisRequest(state, conn, frame.user, frame.ref, now);
      case 'keys':
        return keysRequest(state, conn, frame.user, frame.ref);
      case 'edit':
      case 'delete':
        return amendRequest(state, conn, user, record, frame, now);
      case 'moderate':
        return moderate(state, conn, user, frame, now);
      case 'ping':
        return [{ kind: 'frames', to: [conn], frame: { type: 'pong', ref: frame.ref } }];
      case 'pong':
        return [];
    }
  }

  /**
   * Forgets a closed connection; the user's last one leaves every room (they
   * are still remembered in them). When their last person's connection
   * closes (scripts' aside) they go offline, and when is kept.
   */
  disconnect(conn: ConnId, now: number): Effect[] {
    const { state } = this;
    const user = state.connUsers.get(conn);
    state.connUsers.delete(conn);
    state.violations.delete(conn);
    state.fingerprints.delete(conn);
    const record = user === undefined ? undefined : state.users.get(user);
    if (user === undefined || !record) return [];
    const wasSeen = state.isSeen(user);
    record.conns.delete(conn);
    record.scripts.delete(conn);
    const gone = wasSeen && !state.isSeen(user);
    const effects: Effect[] = [];
    if (record.conns.size > 0) {
      if (gone) effects.push(...disappear(state, user, record, now));
    } else {
      for (const room of [...record.rooms].sort())
        effects.push(...leaveRoom(state, user, room, now, 'quit', wasSeen));
      if (wasSeen) effects.push(state.toAll(state.presenceGone(user)));
    }
    // The absence an away summary covers is the person's, not a script's.
    if (gone) {
      record.goneAt = now;
      effects.push(PERSIST);
    }
    return effects;
  }

  /**
   * The server operator's kick of one connection (the dashboard): shown as
   * `moderated` (no room, no operator) to everyone sharing a room with its
   * user, logged, then the connection is closed with the fatal `kicked`.
   */
  kickConnection(conn: ConnId, reason: string, now: number): Effect[] {
    return kickConnection(this.state, conn, reason, now);
  }

  /**
   * Where `user`'s send under `ref`, given id `id` here, was kept (its id
   * and time now, after settleSend moved it); undefined when its store failed.
   */
  sentAs(user: string, ref: string, id: number): { id: number; ts: number } | undefined {
    const sent = this.state.users.get(user)?.refs.get(ref);
    return sent !== undefined && (sent.id === id || sent.given === id)
      ? { id: sent.id, ts: sent.ts }
      : undefined;
  }

  /**
   * Forgets that `user` sent `ref`, after its message could not be stored,
   * so that sending it again stores it instead of acknowledging a ghost.
   */
  forgetRef(user: string, ref: string): void {
    this.state.users.get(user)?.refs.delete(ref);
  }

  /**
   * A send of `user` under `ref` was kept as message `id` of `conversation`,
   * not under the id given it here: another node took that id meanwhile, or
   * kept this very send before (a resend through another node). Its ref,
   * the user's read position and the conversation's ids follow.
   */
  settleSend(user: string, ref: string, conversation: string, id: number, ts: number): void {
    const record = this.state.users.get(user);
    const sent = record?.refs.get(ref);
    const given = sent?.conversation === conversation ? sent.id : undefined;
    if (record) {
      this.state.rememberRef(record, ref, {
        conversation,
        id,
        ts,
        ...(given === undefined ? {} : { given }),
      });
      // The send moved its sender's read position to the id given it: that
      // id is another message now (or none), so the position follows the send.
      if (given !== undefined && record.reads.get(conversation) === given)
        record.reads.set(conversation, id);
      else moveRead(record, conversation, id);
    }
    // The id given here was not kept: unless a later send took the next, the sequence goes back.
    if (given !== undefined && id < given && this.lastId(conversation) === given)
      this.state.lastIds.set(conversation, Math.max(id, given - 1));
    this.seedLastId(conversation, id);
  }

  /**
   * The users the other nodes of a cluster see now and what they hold there
   * (their heartbeats, merged): this node's connections are told what
   * changed, as far as this node does not show it itself (core-remote.ts).
   */
  setRemoteUsers(
    users: readonly UserState[],
    held: ReadonlyMap<string, HeldThere>,
    now: number,
  ): Effect[] {
    return setRemote(this.state, users, held, now);
  }

  /** What another node of the cluster did (and checked): done here too, for this node's connections. */
  remoteEvent(event: ClusterEvent, now: number): Effect[] {
    const { state } = this;
    switch (event.kind) {
      case 'act':
        return remoteAct(state, event.act, now);
      case 'topic':
        return remoteTopic(state, event);
      case 'away': {
        // Their devices here follow, as they would on one server; a user with
        // none here is as the other nodes announce them.
        const record = state.users.get(event.user);
        return record && record.conns.size > 0 ? this.setAway(event.user, record, event.text) : [];
      }
      case 'member':
        return remoteMember(state, event, now);
      case 'read': {
        const record = state.userRecord(event.user, now);
        if (!moveRead(record, event.conversation, event.id)) return [];
        const frame = { type: 'read', room: event.name, id: event.id } as const;
        return [{ kind: 'frames', to: [...record.conns], frame }, PERSIST];
      }
    }
  }

  /**
   * A message another node kept: the conversation's ids go on past it here,
   * and its sender has read it (as a send here moves their read position).
   */
  keptElsewhere(conversation: string, message: StoredMessage): void {
    this.seedLastId(conversation, message.id);
    const sender = this.state.users.get(message.from);
    if (sender) moveRead(sender, conversation, message.id);
  }

  /** The users seen through this node's own connections, for the other nodes. */
  localUsers(): UserState[] {
    return this.state.localUserStates();
  }

  /** What the users seen here hold here (rooms, devices, certificates), for the other nodes. */
  localHeld(): Array<[string, HeldThere]> {
    return this.state.localHeld();
  }

  /** The connections a conversation's messages go to, now. */
  recipients(conversation: string): ConnId[] {
    if (conversation.startsWith('#'))
      return this.state.connsOf(this.state.rooms.get(conversation)?.members ?? []);
    const [, a = '', b = ''] = conversation.split(':');
    return this.state.connsOf(new Set([a, b]));
  }

  /** The id of the newest message of a conversation (0: none). */
  lastId(conversation: string): number {
    return this.state.lastId(conversation);
  }

  /**
   * Remembers a send kept before a restart, so its resend (the ack was lost
   * with the old process) is acknowledged as the original, not kept twice.
   */
  seedRef(user: string, ref: string, conversation: string, id: number, ts: number): void {
    this.state.rememberRef(this.state.userRecord(user, ts), ref, { conversation, id, ts });
  }

  /**
   * Seeds a conversation's id sequence, e.g. from a store that outlived a
   * restart: a room with history exists again (joining it creates nothing,
   * its ids go on), and is held once someone joins it.
   */
  seedLastId(conversation: string, id: number): void {
    if (id > this.lastId(conversation)) this.state.lastIds.set(conversation, id);
  }

  /**
   * What must outlive a restart, as it is now (see kept-state.ts); bans and
   * mutes that ended by `now` (ms) are left out. Without `now`, all are kept.
   */
  keptState(now?: number): KeptState {
    return keptStateOf(this.state, now);
  }

  /** Takes back what a previous run kept; before any connection, `now` the start (ms). */
  restoreKeptState(kept: KeptState, now: number): void {
    restoreKeptState(this.state, kept, now);
  }

  /** True while `user` is connected and has said they are away. */
  isAway(user: string): boolean {
    const record = this.state.users.get(user);
    return record !== undefined && record.conns.size > 0 && record.status === 'away';
  }

  /** The user of a connection that has said hello. */
  userOf(conn: ConnId): string | undefined {
    return this.state.connUsers.get(conn);
  }

  /** Every room with its member count and newest id, for stats. */
  roomSummaries(): Array<{ room: string; members: number; lastId: number }> {
    return [...this.state.rooms.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([room, record]) => ({ room, members: record.members.size, lastId: this.lastId(room) }));
  }

  // Away with a text, or back (no text): everyone is told.
  private setAway(user: string, record: UserRecord, text: string | undefined): Effect[] {
    record.status = text === undefined ? 'online' : 'away';
    record.awayText = text;
    return [
      this.presenceOf(
        user,
        text === undefined
          ? { type: 'presence', user, status: 'online' }
          : { type: 'presence', user, status: 'away', text },
      ),
    ];
  }

  // Everyone hears a seen user's away and back; a script-only user's stays theirs.
  private presenceOf(user: string, frame: ServerFrameOf<'presence'>): Effect {
    const { state } = this;
    return state.isSeen(user)
      ? state.toAll(frame)
      : { kind: 'frames', to: state.connsOf([user]), frame };
  }

  // A frame over the user's rate is dropped; a connection that keeps at it is closed.
  private overRate(conn: ConnId, frame: ClientFrame, now: number): Effect[] {
    if (!this.state.violations.get(conn)?.take(now)) {
      return [closeEffect(conn, 'flood', 'you kept sending faster than the rate limit')];
    }
    const { rateBurst, ratePerSecond } = this.state.options.limits;
    return [
      errorEffect(
        conn,
        'rate_limited',
        `too many frames (${rateBurst} at once, then ${ratePerSecond} a second): this one was dropped, slow down`,
        'ref' in frame ? frame.ref : undefined,
      ),
    ];
  }

  // Counts the connection as the user's; their first person's one (not a
  // script's) tells everyone else they are online, and in the rooms they hold.
  private comeOnline(
    conn: ConnId,
    user: string,
    record: UserRecord,
    now: number,
    script: boolean,
  ): Effect[] {
    const { state } = this;
    const wasSeen = state.isSeen(user);
    record.conns.add(conn);
    if (script) record.scripts.add(conn);
    state.connUsers.set(conn, user);
    state.violations.set(
      conn,
      new TokenBucket(state.options.violationBurst, state.options.violationRefillPerSecond, now),
    );
    return wasSeen || !state.isSeen(user) ? [] : appear(state, user, record, now);
  }

  // What a resuming client missed, per conversation it names.
  private replays(conn: ConnId, user: string, record: UserRecord, frame: HelloFrame): Effect[] {
    const effects: Effect[] = [];
    // Ids seen under another epoch (before a restart that lost history) mean
    // nothing now: such a client gets everything kept.
    const sameEpoch = frame.epoch === undefined || frame.epoch === this.state.options.epoch;
    for (const [name, afterId] of Object.entries(frame.resume ?? {})) {
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
}

/**
 * The rooms a hello asks for: those it resumes and those it names. Only a
 * client that asks for nothing lands in the rooms the user is remembered in
 * (the default room when none): one that resumes with no rooms has left
 * them all and stays that way.
 */
function roomsWanted(
  frame: HelloFrame,
  defaultRoom: string,
  remembered: ReadonlySet<string>,
): string[] {
  const rooms = [
    ...Object.keys(frame.resume ?? {}).filter((n) => n.startsWith('#')),
    ...(frame.join ?? []),
  ];
  if (frame.resume === undefined && frame.join === undefined)
    rooms.push(...(remembered.size > 0 ? [...remembered].sort() : [defaultRoom]));
  return [...new Set(rooms)];
}
