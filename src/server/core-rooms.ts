import type { ErrorCode } from '../net/protocol/error-codes.ts';
import type { ServerFrame } from '../net/protocol/frames.ts';
import type { TokenBucket } from '../net/token-bucket.ts';
import { type ConnId, type Effect, errorEffect, PERSIST } from './core-effects.ts';
import { muteRefusal, operates, opsText, roomBanRefusal } from './core-operators.ts';
import { unforgetElsewhere } from './core-remote.ts';
import type { CoreState, RoomRecord, UserRecord } from './core-state.ts';

/** As TokenBucket's: float refills can land a hair below a whole token. */
const EPSILON = 1e-9;

/**
 * How a join came: asked by a `join` frame, by a `hello` (whose welcome
 * carries the room's state to the asking connection), or followed here
 * from the user's join through another node of the cluster (checked and
 * counted there: only a ban here keeps the user's devices here out).
 */
export type JoinWay = 'asked' | 'hello' | 'followed';

/**
 * Puts `user` in a room (made on first join), and among the rooms they are
 * remembered in. The user's connections get the room's state (but `conn`
 * in a hello). Joining a room twice just repeats the state.
 */
export function joinRoom(
  state: CoreState,
  user: string,
  name: string,
  now: number,
  conn: ConnId,
  way: JoinWay,
): Effect[] {
  const inHello = way === 'hello';
  const record = state.users.get(user);
  if (!record) return [];
  const stateFrame = (): ServerFrame => ({
    type: 'joined',
    room: name,
    user,
    ts: now,
    state: state.roomState(name),
  });
  let room = state.rooms.get(name);
  if (room?.members.has(user))
    return inHello ? [] : [{ kind: 'frames', to: [conn], frame: stateFrame() }];
  const banned = roomBanRefusal(state, user, name, now);
  if (banned) return way === 'followed' ? [] : [errorEffect(conn, 'banned', banned)];
  const refused = way === 'followed' ? undefined : joinRefusal(state, record, name, room, now);
  if (refused) return [errorEffect(conn, refused.code, refused.message)];
  // A followed join made nothing: the room is the other node's.
  const creates = !room && state.lastId(name) === 0 && way !== 'followed';
  if (name !== state.options.defaultRoom && way !== 'followed') {
    record.joins.take(now);
    if (creates) record.creations.take(now);
  }
  // The user whose join creates a room runs it first (the default room has
  // nobody until named), unless another node of the cluster made it or ran
  // it: then those who run it there run it here (holdRoom).
  room ??= state.holdRoom(name);
  const opped = creates && name !== state.options.defaultRoom && room.ops.size === 0;
  if (opped) room.ops.add(user);
  const others = state.connsOf(room.members);
  room.members.add(user);
  record.rooms.add(name);
  const own = [...record.conns].filter((c) => !inHello || c !== conn);
  const effects: Effect[] = [];
  // Only a user others see (a person, not only scripts) is announced, and
  // not again when another node of the cluster shows them in the room.
  if (state.isSeen(user) && !state.inRoomElsewhere(user, name))
    effects.push({
      kind: 'frames',
      to: others,
      frame: { type: 'joined', room: name, user, ts: now },
    });
  effects.push({ kind: 'frames', to: own, frame: stateFrame() });
  if (!record.remembered.has(name)) {
    record.remembered.add(name);
    effects.push(PERSIST);
  } else if (opped) effects.push(PERSIST);
  // The other nodes of a cluster learn who runs the room, so that a first
  // joiner there does not run it too; then that the user is in it.
  if (opped)
    effects.push({
      kind: 'replicate',
      event: { kind: 'act', act: { action: 'op', room: name, user, by: user, ts: now } },
    });
  effects.push({ kind: 'replicate', event: { kind: 'member', user, room: name, joined: true } });
  return effects;
}

/**
 * Takes `user` out of a room, forgetting the room once nothing is left to
 * keep. A part also forgets it among their remembered rooms; a quit (their
 * last connection closed) does not: they are back in it next time. Others
 * are told when `announce` (default: the user is seen, core-presence.ts).
 */
export function leaveRoom(
  state: CoreState,
  user: string,
  name: string,
  now: number,
  reason: 'part' | 'quit',
  announce = state.isSeen(user),
): Effect[] {
  const room = state.rooms.get(name);
  const record = state.users.get(user);
  if (!room || !record) return [];
  // A user others do not see (only scripts connected) leaves quietly: their
  // own connections only; so does one another node still shows in the room.
  const shown = announce && !state.inRoomElsewhere(user, name);
  const audience = state.connsOf(shown ? room.members : [user]);
  room.members.delete(user);
  record.rooms.delete(name);
  forgetIfEmpty(state, name);
  const effects: Effect[] = [
    { kind: 'frames', to: audience, frame: { type: 'left', room: name, user, ts: now, reason } },
  ];
  if (reason === 'part' && record.remembered.delete(name)) effects.push(PERSIST);
  // A part is the user's, on every device: a quit is one node's.
  if (reason === 'part')
    effects.push({ kind: 'replicate', event: { kind: 'member', user, room: name, joined: false } });
  return effects;
}

/**
 * A user joined or parted a room through another node of the cluster: their
 * devices here follow, as on one server, and the room is remembered (or
 * forgotten) for their next hello here. What others here see of it comes
 * with that node's announcement (core-remote.ts).
 */
export function remoteMember(
  state: CoreState,
  { user, room, joined }: { user: string; room: string; joined: boolean },
  now: number,
): Effect[] {
  const record = state.userRecord(user, now);
  // Welcomed on another node: kept here too, with the rooms they are in.
  record.known = true;
  // Back in a room they were kicked from: what their node says next is news.
  if (joined) unforgetElsewhere(state, user, room);
  const conn = record.conns.values().next().value;
  const member = state.rooms.get(room)?.members.has(user) ?? false;
  if (conn !== undefined && joined !== member) {
    const effects = joined
      ? joinRoom(state, user, room, now, conn, 'followed')
      : leaveRoom(state, user, room, now, 'part');
    // Done once, where it was asked: not again from here.
    return [...effects.filter((effect) => effect.kind !== 'replicate'), PERSIST];
  }
  if (joined === record.remembered.has(room)) return [];
  if (joined) record.remembered.add(room);
  else record.remembered.delete(room);
  return [PERSIST];
}

/**
 * Takes `user` out of a room and out of the rooms their next hello joins,
 * telling nobody: a kick or a ban, whose `moderated` says it all.
 */
export function removeFromRoom(state: CoreState, user: string, name: string): void {
  const record = state.users.get(user);
  state.rooms.get(name)?.members.delete(user);
  record?.rooms.delete(name);
  record?.remembered.delete(name);
  forgetIfEmpty(state, name);
}

/**
 * Forgets a room once nothing is left to keep (no members, topic, history,
 * lock, bans or mutes): holding it would let rooms pile up to maxRooms.
 * Operators alone do not keep a room nobody is in and nobody wrote in: every
 * room made by a join has one, so they would keep every room ever made.
 */
export function forgetIfEmpty(state: CoreState, name: string): void {
  const room = state.rooms.get(name);
  if (
    room !== undefined &&
    room.members.size === 0 &&
    (room.topic?.text ?? '') === '' &&
    state.lastId(name) === 0 &&
    !room.topicLock &&
    room.bans.size === 0 &&
    room.mutes.size === 0
  ) {
    // In a cluster the room may be in use on another node: who runs it is
    // remembered for when one joins it here again.
    if (state.options.cluster === true) state.runElsewhere(name, room.ops);
    state.rooms.delete(name);
  }
}

/**
 * Sets a room's topic, for its members to see; only a member may, and only
 * an operator while the topic is locked.
 */
export function setTopic(
  state: CoreState,
  conn: ConnId,
  user: string,
  name: string,
  text: string,
  now: number,
): Effect[] {
  const room = state.rooms.get(name);
  if (!room?.members.has(user)) {
    return [errorEffect(conn, 'not_member', `you are not in ${name}: join it first`)];
  }
  // Muted: may read, not speak, and a topic speaks to the whole room.
  const muted = muteRefusal(state, user, name, now);
  if (muted) return [errorEffect(conn, 'muted', muted)];
  if (room.topicLock && !operates(state, user, name, now)) {
    return [
      errorEffect(
        conn,
        'not_operator',
        `the topic of ${name} is locked: only its operators (${opsText(room)}) and the server's may set it`,
      ),
    ];
  }
  // Newer than the topic it replaces, even from a node whose clock is behind
  // the one that set that: the other nodes keep the newer of two (remoteTopic).
  const ts = Math.max(now, (room.topic?.ts ?? 0) + 1);
  room.topic = { text, by: user, ts };
  return [
    {
      kind: 'frames',
      to: state.connsOf(room.members),
      frame: { type: 'topic', room: name, text, by: user, ts },
    },
    PERSIST,
    { kind: 'replicate', event: { kind: 'topic', room: name, text, by: user, ts } },
  ];
}

/**
 * A topic set on another node of the cluster (checked there): kept here
 * too, shown to this node's members of the room, unless the topic held here
 * is newer. A room this node does not hold gets a record for it, as a ban would.
 */
export function remoteTopic(
  state: CoreState,
  { room: name, text, by, ts }: { room: string; text: string; by: string; ts: number },
): Effect[] {
  const held = state.rooms.get(name);
  // Two nodes that set a topic at once each hear the other's after their
  // own: the newer one wins on both (ties: the setter's name), not the last heard.
  const kept = held?.topic;
  if (kept !== undefined && (kept.ts > ts || (kept.ts === ts && kept.by >= by))) return [];
  const room = state.holdRoom(name);
  room.topic = { text, by, ts };
  forgetIfEmpty(state, name);
  return [
    {
      kind: 'frames',
      to: state.connsOf(room.members),
      frame: { type: 'topic', room: name, text, by, ts },
    },
    PERSIST,
  ];
}

/**
 * Why a hello may not join the rooms it asks for, if it may not: all or
 * nothing, since a hello joined in part would leave the client thinking it
 * lost rooms it only has to wait for. Rooms past the user's cap will be
 * refused, not joined, so they need no token. Takes nothing.
 */
export function helloJoinRefusal(
  state: CoreState,
  user: string,
  record: UserRecord,
  wanted: readonly string[],
  now: number,
): string | undefined {
  const fresh = wanted.filter((room) => costsJoinToken(state, user, room)).length;
  const needed = Math.min(
    fresh,
    Math.max(0, state.options.maxRoomsPerUser - roomCount(state, record)),
  );
  const have = tokensNow(record.joins, now);
  if (have + EPSILON >= needed) return undefined;
  return (
    `joining ${needed} rooms at once needs ${needed} join tokens and you have ${Math.floor(have)} ` +
    `(${joinRate(state)}): try again in ${waitText(needed - have, record.joins.refillPerSecond)}`
  );
}

/**
 * Why `record`'s user may not join `name` now, if they may not; takes
 * nothing. The default room is never refused: whatever others did, a user
 * can get into it.
 */
function joinRefusal(
  state: CoreState,
  record: UserRecord,
  name: string,
  room: RoomRecord | undefined,
  now: number,
): { code: ErrorCode; message: string } | undefined {
  const { defaultRoom, maxRoomsPerUser, maxRooms, maxRoomsCreatedPerHour } = state.options;
  if (name === defaultRoom) return undefined;
  const count = roomCount(state, record);
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
      message: `you are joining rooms too fast (${joinRate(state)}): try again in ${waitText(1 - joins, record.joins.refillPerSecond)}`,
    };
  }
  if (room) return undefined;
  const creations = tokensNow(record.creations, now);
  if (state.lastId(name) === 0 && creations + EPSILON < 1) {
    return {
      code: 'too_many_rooms',
      message:
        `you created ${maxRoomsCreatedPerHour} rooms within the hour, the most allowed: ` +
        `join an existing room or try again in ${waitText(1 - creations, record.creations.refillPerSecond)}`,
    };
  }
  const held = heldRooms(state);
  if (held >= maxRooms) {
    return {
      code: 'too_many_rooms',
      message: `the server holds ${held} rooms, the most it keeps: join an existing room`,
    };
  }
  return undefined;
}

/** True when joining `room` now costs `user` a join token: not the default room, and not one they are in. */
function costsJoinToken(state: CoreState, user: string, room: string): boolean {
  return room !== state.options.defaultRoom && !state.rooms.get(room)?.members.has(user);
}

/** The rooms a user is in that count toward maxRoomsPerUser: all but the default room. */
function roomCount(state: CoreState, record: UserRecord): number {
  return record.rooms.size - (record.rooms.has(state.options.defaultRoom) ? 1 : 0);
}

/** The rooms held that count toward maxRooms: all but the default room. */
function heldRooms(state: CoreState): number {
  return state.rooms.size - (state.rooms.has(state.options.defaultRoom) ? 1 : 0);
}

/** The join rate in words, for error messages. */
function joinRate(state: CoreState): string {
  return `${state.options.maxRoomsPerUser} rooms at once, then ${state.options.limits.ratePerSecond} a second`;
}

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
