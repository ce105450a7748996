import type { ServerFrameOf } from '../net/protocol/frames.ts';
import { MAX_LIST_ROOMS } from '../net/protocol/frames.ts';
import type { ConnId, Effect } from './core-effects.ts';
import { isKnownUser, unknownUser } from './core-messages.ts';
import type { CoreState } from './core-state.ts';

/**
 * The answer to `list`: every room the core holds that has members or a
 * topic, by name, at most MAX_LIST_ROOMS (`more` when some were left out).
 */
export function listRequest(state: CoreState, conn: ConnId, ref: string): Effect[] {
  // The rooms held here and those the other nodes of a cluster show users in.
  const names = new Set([...state.rooms.keys(), ...state.remoteRooms.keys()]);
  const shown = [...names]
    .map((room) => ({
      room,
      members: state.memberCount(room),
      topic: state.rooms.get(room)?.topic?.text ?? '',
    }))
    .filter(({ members, topic }) => members > 0 || topic !== '')
    .sort((a, b) => (a.room < b.room ? -1 : 1));
  const frame: ServerFrameOf<'list'> = {
    type: 'list',
    ref,
    rooms: shown.slice(0, MAX_LIST_ROOMS),
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
  const here = record !== undefined && record.conns.size > 0;
  // Seen on another node of the cluster: what it holds of them counts too.
  const elsewhere = state.remote.get(user);
  const there = elsewhere === undefined ? undefined : state.remoteHeld.get(user);
  const online = here || elsewhere !== undefined;
  if (!online && !isKnownUser(state, user)) return [unknownUser(conn, user, ref)];
  const fingerprints = new Set<string>(there?.fingerprints);
  for (const c of record?.conns ?? []) {
    const print = state.fingerprints.get(c);
    if (print) fingerprints.add(print);
  }
  const frames = [state.lastFrames.get(user), there?.lastFrame].filter((t) => t !== undefined);
  const lastFrame = frames.length === 0 ? undefined : Math.max(...frames);
  // Online here or there beats away: as presence shows them.
  const shown =
    here && (record.status === 'online' || elsewhere?.status !== 'online')
      ? { status: record.status, text: record.awayText }
      : elsewhere;
  const frame: ServerFrameOf<'whois'> = {
    type: 'whois',
    ref,
    user,
    online,
    devices: (record?.conns.size ?? 0) + (there?.devices ?? 0),
    status: shown?.status ?? 'offline',
    ...(shown?.text === undefined ? {} : { text: shown.text }),
    ...(lastFrame === undefined ? {} : { idleMs: Math.max(0, now - lastFrame) }),
    fingerprints: [...fingerprints].sort(),
  };
  return [{ kind: 'frames', to: [conn], frame }];
}

/**
 * The answer to `keys`: the key directory's certificates of `user` (every
 * valid, unrevoked one, one per device; none when all are revoked);
 * `unknown_user` for a name neither known nor with a certificate.
 */
export function keysRequest(state: CoreState, conn: ConnId, user: string, ref: string): Effect[] {
  const certs = state.options.certificatesOf?.(user) ?? [];
  if (certs.length === 0 && !isKnownUser(state, user)) return [unknownUser(conn, user, ref)];
  const frame: ServerFrameOf<'keys'> = { type: 'keys', ref, user, certs };
  return [{ kind: 'frames', to: [conn], frame }];
}
