import type { ConnId, Effect } from './core-effects.ts';
import type { CoreState, UserRecord } from './core-state.ts';

/*
 * Who others see. A user is seen while at least one of their connections is
 * a person's; a program's (`hello.script`: `chat send`, `chat tail`) alone
 * is not announced. Others learn of a user's rooms only while the user is
 * seen: when the first person connection comes, they get `presence online`
 * and a `joined` for each room the user is already in (held by a script);
 * when the last one goes while a script stays, a `left` (quit) for each and
 * `presence offline`. Pure, over CoreState.
 */

/**
 * `user` is seen now and was not: everyone else is told they are online,
 * and the members of each room they already hold, that they joined it.
 */
export function appear(state: CoreState, user: string, record: UserRecord, now: number): Effect[] {
  record.status = 'online';
  record.awayText = undefined;
  // Seen on another node already: the others know they are online.
  const effects: Effect[] =
    state.remote.get(user)?.status === 'online'
      ? []
      : [state.toAllBut(user, { type: 'presence', user, status: 'online' })];
  // A room another node of the cluster shows them in is no news.
  for (const room of [...record.rooms].sort()) {
    if (state.inRoomElsewhere(user, room)) continue;
    effects.push({
      kind: 'frames',
      to: othersIn(state, user, room),
      frame: { type: 'joined', room, user, ts: now },
    });
  }
  return effects;
}

/**
 * `user` was seen and is not now, though a script of theirs is still
 * connected (it holds their rooms): the members of each room are told they
 * quit it, and everyone else that they are offline.
 */
export function disappear(
  state: CoreState,
  user: string,
  record: UserRecord,
  now: number,
): Effect[] {
  const effects: Effect[] = [];
  for (const room of [...record.rooms].sort()) {
    if (state.inRoomElsewhere(user, room)) continue;
    effects.push({
      kind: 'frames',
      to: othersIn(state, user, room),
      frame: { type: 'left', room, user, ts: now, reason: 'quit' },
    });
  }
  effects.push(state.toAllBut(user, state.presenceGone(user)));
  return effects;
}

/** The connections of `room`'s members other than `user`. */
function othersIn(state: CoreState, user: string, room: string): ConnId[] {
  const members = state.rooms.get(room)?.members ?? new Set<string>();
  return state.connsOf([...members].filter((member) => member !== user));
}
