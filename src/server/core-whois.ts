import type { ServerFrameOf } from '../net/protocol/frames.ts';
import { MAX_LIST_ROOMS } from '../net/protocol/frames.ts';
import { type ConnId, type Effect, errorEffect } from './core-effects.ts';
import { isKnownUser } from './core-messages.ts';
import type { CoreState } from './core-state.ts';

/**
 * The answer to `list`: every room the core holds that has members or a
 * topic, by name, at most MAX_LIST_ROOMS (`more` when some were left out).
 */
export function listRequest(state: CoreState, conn: ConnId, ref: string): Effect[] {
  const shown = [...state.rooms.entries()]
    .filter(([, record]) => record.members.size > 0 || (record.topic?.text ?? '') !== '')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const frame: ServerFrameOf<'list'> = {
    type: 'list',
    ref,
    rooms: shown.slice(0, MAX_LIST_ROOMS).map(([room, record]) => ({
      room,
      members: record.members.size,
      topic: record.topic?.text ?? '',
    })),
    more: shown.length > MAX_LIST_ROOMS,
  };
  return [{ kind: 'frames', to: [conn], frame }];
}

/**
 * The answer to `whois`: presence, devices, idle time (ms since the user's
 * last frame from any device, `now` given) and the fingerprints of their
 * connections' certificates; `unknown_user` for a name neither known nor online.
 */
export function whoisRequest(
  state: CoreState,
  conn: ConnId,
  user: string,
  ref: string,
  now: number,
): Effect[] {
  const record = state.users.get(user);
  const online = record !== undefined && record.conns.size > 0;
  if (!online && !isKnownUser(state, user)) {
    return [
      errorEffect(
        conn,
        'unknown_user',
        `${user} is not a user of this server (no certificate, never connected)`,
        ref,
      ),
    ];
  }
  const fingerprints = new Set<string>();
  for (const c of record?.conns ?? []) {
    const print = state.fingerprints.get(c);
    if (print) fingerprints.add(print);
  }
  const lastFrame = state.lastFrames.get(user);
  const frame: ServerFrameOf<'whois'> = {
    type: 'whois',
    ref,
    user,
    online,
    devices: record?.conns.size ?? 0,
    status: online ? record.status : 'offline',
    ...(online && record.awayText !== undefined ? { text: record.awayText } : {}),
    ...(lastFrame === undefined ? {} : { idleMs: Math.max(0, now - lastFrame) }),
    fingerprints: [...fingerprints].sort(),
  };
  return [{ kind: 'frames', to: [conn], frame }];
}
