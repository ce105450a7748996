import type { ServerFrameOf, UserState } from '../net/protocol/frames.ts';
import type { Effect } from './core-effects.ts';
import type { CoreState } from './core-state.ts';
import type { HeldThere } from './node-roster.ts';

/**
 * The users the other nodes of a cluster see now and what they hold there
 * (their heartbeats, merged). This node's connections are told what changed
 * as far as this node does not show it itself: a user who went is `left`
 * (quit) each room they were in elsewhere, then offline; one who came is
 * online, then `joined` each room; one who joined or parted a room on
 * another node is `joined` or `left` (part) it here. A user in the room
 * here too is shown by this node's own rules (core-rooms.ts), not again.
 */
export function setRemote(
  state: CoreState,
  users: readonly UserState[],
  held: ReadonlyMap<string, HeldThere>,
  now: number,
): Effect[] {
  const before = new Map(state.remote);
  const roomsBefore = new Map(
    [...before.keys()].map((user) => [user, roomsOf(state, user)] as const),
  );
  state.remote.clear();
  for (const seen of users) state.remote.set(seen.user, seen);
  state.remoteHeld.clear();
  for (const [user, there] of held) state.remoteHeld.set(user, { ...there });
  for (const [user, rooms] of state.forgottenElsewhere) {
    const there = state.remoteHeld.get(user);
    for (const room of rooms) if (!there?.rooms.includes(room)) rooms.delete(room);
    if (rooms.size === 0) state.forgottenElsewhere.delete(user);
    else if (there) there.rooms = there.rooms.filter((room) => !rooms.has(room));
  }
  state.remoteRooms.clear();
  for (const [user, there] of state.remoteHeld) {
    if (!state.remote.has(user)) continue;
    for (const room of there.rooms) {
      const members = state.remoteRooms.get(room) ?? new Set<string>();
      members.add(user);
      state.remoteRooms.set(room, members);
    }
  }

  const left: Effect[] = [];
  const presence: Effect[] = [];
  const joined: Effect[] = [];
  for (const user of [...new Set([...before.keys(), ...state.remote.keys()])].sort()) {
    const was = before.get(user);
    const is = state.remote.get(user);
    const roomsNow = roomsOf(state, user);
    const roomsWere = roomsBefore.get(user) ?? new Set<string>();
    for (const room of [...roomsWere].sort())
      if (!roomsNow.has(room) && !listedHere(state, user, room))
        left.push(
          line(state, user, room, {
            type: 'left',
            room,
            user,
            ts: now,
            reason: is ? 'part' : 'quit',
          }),
        );
    for (const room of [...roomsNow].sort())
      if (!roomsWere.has(room) && !listedHere(state, user, room))
        joined.push(line(state, user, room, { type: 'joined', room, user, ts: now }));
    if (state.isSeen(user)) continue;
    if (was?.status === is?.status && was?.text === is?.text) continue;
    presence.push(
      state.toAll(is ? { type: 'presence', ...is } : { type: 'presence', user, status: 'offline' }),
    );
  }
  return [...left, ...presence, ...joined];
}

/**
 * Takes `user` out of a room as the other nodes hold it, until none of them
 * says they are in it any more: a kick or a ban, whose `moderated` says it
 * all. (An announcement made before the kick reached its node must not
 * show them joining again.)
 */
export function forgetElsewhere(state: CoreState, user: string, room: string): void {
  const there = state.remoteHeld.get(user);
  if (!there?.rooms.includes(room)) return;
  there.rooms = there.rooms.filter((name) => name !== room);
  state.remoteRooms.get(room)?.delete(user);
  if (state.remoteRooms.get(room)?.size === 0) state.remoteRooms.delete(room);
  const rooms = state.forgottenElsewhere.get(user) ?? new Set<string>();
  rooms.add(room);
  state.forgottenElsewhere.set(user, rooms);
}

/** `user` joined `room` again on another node, after a kick or ban here: no longer left out. */
export function unforgetElsewhere(state: CoreState, user: string, room: string): void {
  const rooms = state.forgottenElsewhere.get(user);
  rooms?.delete(room);
  if (rooms?.size === 0) state.forgottenElsewhere.delete(user);
}

// The rooms another node sees `user` in (none unless it sees them).
function roomsOf(state: CoreState, user: string): Set<string> {
  return state.remote.has(user) ? new Set(state.remoteHeld.get(user)?.rooms) : new Set();
}

// True while this node lists `user` in `room` by its own connections.
function listedHere(state: CoreState, user: string, room: string): boolean {
  return (state.rooms.get(room)?.members.has(user) ?? false) && state.isSeen(user);
}

// A joined or left line for the room's members here.
function line(
  state: CoreState,
  user: string,
  room: string,
  frame: ServerFrameOf<'joined'> | ServerFrameOf<'left'>,
): Effect {
  const members = [...(state.rooms.get(room)?.members ?? [])].filter((member) => member !== user);
  return { kind: 'frames', to: state.connsOf(members), frame };
}
