import {
  type ClientFrame,
  type ModerationAction,
  moderationAction,
  type ServerFrameOf,
} from '../net/protocol/frames.ts';
import { type ConnId, closeEffect, type Effect, errorEffect, PERSIST } from './core-effects.ts';
import { isServerOperator, operates, opsText, serverBanText } from './core-operators.ts';
import { forgetElsewhere } from './core-remote.ts';
import { forgetIfEmpty, removeFromRoom } from './core-rooms.ts';
import { type CoreState, newRoomRecord } from './core-state.ts';
import type { Sanction } from './kept-state.ts';
import type { ModerationAct } from './moderation-act.ts';

type ModerateFrame = Extract<ClientFrame, { type: 'moderate' }>;

/** Actions done to a user (all but the topic's lock). */
const NEEDS_USER: ReadonlySet<ModerationAction> = new Set(
  moderationAction.options.filter((action) => !action.startsWith('topic-')),
);
/** Actions that may be server-wide (no room). */
const SERVER_WIDE: ReadonlySet<ModerationAction> = new Set(['ban', 'unban']);
/** Actions that may last a while. */
const TIMED: ReadonlySet<ModerationAction> = new Set(['ban', 'mute']);
/** Actions a room operator may not do to a server operator. */
const AGAINST_USER: ReadonlySet<ModerationAction> = new Set(['kick', 'ban', 'mute']);

/** The verb of an action, for messages ("only its operators may kick"). */
const VERBS: Record<ModerationAction, string> = {
  kick: 'kick',
  ban: 'ban',
  unban: 'unban',
  mute: 'mute',
  unmute: 'unmute',
  op: 'name operators',
  deop: 'remove operators',
  'topic-lock': 'lock its topic',
  'topic-unlock': 'unlock its topic',
};

/**
 * An operator's act (docs/PROTOCOL.md, Operators): checked, done to the
 * core's state, shown as `moderated` to the room's members and the
 * operator, and logged. Pure: `now` is the time (ms).
 */
export function moderate(
  state: CoreState,
  conn: ConnId,
  actor: string,
  frame: ModerateFrame,
  now: number,
): Effect[] {
  const { action, ref } = frame;
  const refuse = (code: 'invalid_frame' | 'not_operator' | 'not_member', message: string) => [
    errorEffect(conn, code, message, ref),
  ];
  if (NEEDS_USER.has(action) && frame.user === undefined)
    return refuse('invalid_frame', `${action} needs the user it is done to: add "user"`);
  if (frame.room === undefined && !SERVER_WIDE.has(action))
    return refuse('invalid_frame', `${action} needs the room it is done in: add "room"`);
  if (frame.duration !== undefined && !TIMED.has(action))
    return refuse(
      'invalid_frame',
      `only ban and mute take a duration, not ${action}: leave "duration" out`,
    );
  const target = NEEDS_USER.has(action) ? frame.user : undefined;
  if (frame.room === undefined) {
    if (!isServerOperator(state, actor))
      return refuse(
        'not_operator',
        `only the server's operators may ${action} from the whole server: name a room to ${action} from it`,
      );
    const until =
      action === 'ban' && frame.duration !== undefined ? now + frame.duration * 1000 : undefined;
    return serverAct(state, actor, { action, reason: frame.reason, until }, target ?? '', now);
  }
  const name = frame.room;
  if (!operates(state, actor, name, now))
    return refuse(
      'not_operator',
      `you do not operate ${name}: only its operators (${opsText(state.rooms.get(name))}) and the server's may ${VERBS[action]}`,
    );
  if (
    target !== undefined &&
    AGAINST_USER.has(action) &&
    isServerOperator(state, target) &&
    !isServerOperator(state, actor)
  )
    return refuse(
      'not_operator',
      `${target} is a server operator: a room operator may not ${action} them, only another server operator may`,
    );
  // Room members are each node's own: a user seen on another node of the
  // cluster may be in the room there, and that node kicks them if they are.
  if (
    action === 'kick' &&
    (target === undefined ||
      (!state.rooms.get(name)?.members.has(target) && !state.remote.has(target)))
  )
    return refuse('not_member', `${target} is not in ${name}: there is nobody to kick`);
  const until = frame.duration === undefined ? undefined : now + frame.duration * 1000;
  return roomAct(
    state,
    actor,
    { action, room: name, user: target, reason: frame.reason, until },
    now,
  );
}

/**
 * An act done on another node of the cluster (checked there): done to this
 * node's state, shown to this node's connections of the room (or of everyone
 * sharing one with the user), a server ban closing the user's connections here.
 */
export function remoteAct(state: CoreState, act: ModerationAct, now: number): Effect[] {
  // Room operators are each node's own: an act is done here only by someone
  // who may do it here too: a server operator, an operator of the room here,
  // or anyone in a room nobody here runs (its creation heard from them).
  // Otherwise a first joiner on a node that never heard of the room could
  // run it everywhere.
  const room = act.room === undefined ? undefined : state.rooms.get(act.room);
  if (
    !isServerOperator(state, act.by) &&
    (act.room === undefined || (room !== undefined && room.ops.size > 0 && !room.ops.has(act.by)))
  )
    return [
      {
        kind: 'log',
        message: 'moderation from another node refused: not an operator here',
        fields: { action: act.action, room: act.room, user: act.user, by: act.by },
      },
    ];
  // Who runs a room this node does not hold: remembered for when one joins it here.
  if (
    act.room !== undefined &&
    room === undefined &&
    (act.action === 'op' || act.action === 'deop')
  ) {
    const ops = new Set(state.remoteOps.get(act.room));
    if (act.action === 'op') ops.add(act.user ?? '');
    else ops.delete(act.user ?? '');
    state.runElsewhere(act.room, ops);
    return [];
  }
  const effects =
    act.room === undefined
      ? serverAct(state, act.by, act, act.user ?? '', now)
      : roomAct(state, act.by, { ...act, room: act.room }, now);
  // Done once, where it was asked: not again from here.
  return effects.filter((effect) => effect.kind !== 'replicate');
}

type ActFields = Omit<ModerationAct, 'by' | 'ts'>;

// The act, checked: done to the room's state, shown and logged.
function roomAct(
  state: CoreState,
  actor: string,
  { action, room: name, user: target, reason, until }: ActFields & { room: string },
  now: number,
): Effect[] {
  const existing = state.rooms.get(name);
  // A room not held gets a record only for what it keeps (a ban, a mute, a
  // lock), run by those who run it on the other nodes of a cluster.
  const room = existing ?? { ...newRoomRecord(), ops: new Set(state.remoteOps.get(name)) };
  const sanction: Sanction = {
    by: actor,
    ts: now,
    ...(reason === undefined ? {} : { reason }),
    ...(until === undefined ? {} : { until }),
  };
  // Shown to the room as it is before the act: the target still among its members.
  const audience = unique([...state.connsOf(room.members), ...state.connsOf([actor])]);
  const shown: ServerFrameOf<'moderated'> = {
    type: 'moderated',
    action,
    room: name,
    ...(target === undefined ? {} : { user: target }),
    by: actor,
    ...(reason === undefined || !AGAINST_USER.has(action) ? {} : { reason }),
    ...(until === undefined ? {} : { until }),
    ts: now,
  };
  let changed = true;
  switch (action) {
    case 'kick':
    case 'ban':
      if (action === 'ban') room.bans.set(target ?? '', sanction);
      if (target !== undefined) {
        removeFromRoom(state, target, name);
        forgetElsewhere(state, target, name);
      }
      break;
    case 'unban':
      changed = room.bans.delete(target ?? '');
      break;
    case 'mute':
      room.mutes.set(target ?? '', sanction);
      break;
    case 'unmute':
      changed = room.mutes.delete(target ?? '');
      break;
    case 'op':
      changed = !room.ops.has(target ?? '');
      room.ops.add(target ?? '');
      break;
    case 'deop':
      changed = room.ops.delete(target ?? '');
      break;
    case 'topic-lock':
      changed = !room.topicLock;
      room.topicLock = true;
      break;
    case 'topic-unlock':
      changed = room.topicLock;
      room.topicLock = false;
      break;
  }
  if (!existing && changed) {
    state.rooms.set(name, room);
    state.remoteOps.delete(name);
  }
  // An unban, unmute, deop or unlock may leave nothing of the room to keep.
  forgetIfEmpty(state, name);
  const effects: Effect[] = [
    { kind: 'frames', to: audience, frame: shown },
    logEffect(shown),
    replicate(actor, { action, room: name, user: target, reason, until }, now),
  ];
  if (changed) effects.push(PERSIST);
  return effects;
}

/** A ban or unban from the whole server (checked: a server operator's alone). */
function serverAct(
  state: CoreState,
  actor: string,
  { action, reason, until }: ActFields,
  target: string,
  now: number,
): Effect[] {
  const shown: ServerFrameOf<'moderated'> = {
    type: 'moderated',
    action,
    user: target,
    by: actor,
    ...(reason === undefined || action !== 'ban' ? {} : { reason }),
    ...(until === undefined ? {} : { until }),
    ts: now,
  };
  const audience = unique([...sharingARoom(state, target), ...state.connsOf([actor])]);
  const effects: Effect[] = [
    { kind: 'frames', to: audience, frame: shown },
    logEffect(shown),
    replicate(actor, { action, user: target, reason, until }, now),
  ];
  if (action === 'unban') {
    if (state.serverBans.delete(target)) effects.push(PERSIST);
    return effects;
  }
  const sanction: Sanction = {
    by: actor,
    ts: now,
    ...(reason === undefined ? {} : { reason }),
    ...(until === undefined ? {} : { until }),
  };
  state.serverBans.set(target, sanction);
  for (const own of state.connsOf([target]))
    effects.push(closeEffect(own, 'server_banned', serverBanText(sanction)));
  effects.push(PERSIST);
  return effects;
}

/**
 * The dashboard's kick of one connection: shown (no room, no operator) to
 * everyone sharing a room with its user, logged, then the connection closed
 * with the fatal `kicked`.
 */
export function kickConnection(
  state: CoreState,
  conn: ConnId,
  reason: string,
  now: number,
): Effect[] {
  const user = state.connUsers.get(conn);
  const closing = closeEffect(conn, 'kicked', `kicked by the server operator: ${reason}`);
  // Before its hello a connection is nobody's: nothing to show or log.
  if (user === undefined) return [closing];
  const effects: Effect[] = [];
  const shown: ServerFrameOf<'moderated'> = {
    type: 'moderated',
    action: 'kick',
    user,
    ...(reason === '' ? {} : { reason }),
    ts: now,
  };
  effects.push({
    kind: 'frames',
    to: unique([...sharingARoom(state, user), ...state.connsOf([user])]),
    frame: shown,
  });
  effects.push(logEffect(shown), closing);
  return effects;
}

/** Every connection of everyone who shares a room with `user` (their own included). */
function sharingARoom(state: CoreState, user: string): ConnId[] {
  const users = new Set<string>();
  for (const name of state.users.get(user)?.rooms ?? [])
    for (const member of state.rooms.get(name)?.members ?? []) users.add(member);
  return state.connsOf(users);
}

/** The log line of an act: its action, room, user, operator, reason and end. */
function logEffect(shown: ServerFrameOf<'moderated'>): Effect {
  const { action, room, user, by, reason, until } = shown;
  const fields: Record<string, unknown> = { action };
  if (room !== undefined) fields.room = room;
  if (user !== undefined) fields.user = user;
  fields.by = by ?? 'server';
  if (reason !== undefined) fields.reason = reason;
  if (until !== undefined) fields.until = new Date(until).toISOString();
  return { kind: 'log', message: 'moderation', fields };
}

// For the other nodes of a cluster (nothing, on a server alone).
function replicate(by: string, fields: ActFields, ts: number): Effect {
  const act: ModerationAct = { action: fields.action, by, ts };
  if (fields.room !== undefined) act.room = fields.room;
  if (fields.user !== undefined) act.user = fields.user;
  if (fields.reason !== undefined) act.reason = fields.reason;
  if (fields.until !== undefined) act.until = fields.until;
  return { kind: 'replicate', event: { kind: 'act', act } };
}

function unique(conns: ConnId[]): ConnId[] {
  return [...new Set(conns)];
}
