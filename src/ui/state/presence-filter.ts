/*
 * Which join, part and quit lines a pane shows (`/set presence`): all of
 * them, none, or, as weechat's smart filter does, only those of users who
 * spoke in that conversation lately. Pure.
 */

/** `all`: every join, part and quit line; `smart`: those of users who spoke lately; `off`: none. */
export type PresenceMode = 'all' | 'smart' | 'off';

/** The modes, in the order `/set` offers them. */
export const PRESENCE_MODES: readonly PresenceMode[] = ['smart', 'all', 'off'];

/** How lately a user must have spoken in a conversation for `smart` to show their comings and goings (ms). */
export const SMART_WINDOW_MS = 10 * 60_000;

/** Per conversation, when each user last spoke there (the server's `ts`, epoch ms). */
export type SpokeAt = Readonly<Record<string, Readonly<Record<string, number>>>>;

// A user may be called __proto__: only own keys count.
function getOwn<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * `spoke` with `user` having spoken in `conversation` at `ts` (ms). Who
 * spoke before the window ending at `ts` is forgotten there: it could never
 * show a line again, and the record stays as small as the talk.
 */
export function noteSpoke(spoke: SpokeAt, conversation: string, user: string, ts: number): SpokeAt {
  const known = getOwn(spoke, conversation) ?? {};
  const before = getOwn(known, user);
  if (before !== undefined && before >= ts) return spoke;
  const kept = Object.entries(known).filter(([, at]) => at > ts - SMART_WINDOW_MS);
  return { ...spoke, [conversation]: Object.fromEntries([...kept, [user, ts]]) };
}

/**
 * True when a join, part or quit of `user` in `conversation` at `ts` (ms)
 * gets a line under `mode`: `smart` wants them to have spoken there within
 * SMART_WINDOW_MS before it.
 */
export function showsPresence(
  mode: PresenceMode,
  spoke: SpokeAt,
  conversation: string,
  user: string,
  ts: number,
): boolean {
  if (mode === 'all') return true;
  if (mode === 'off') return false;
  const at = getOwn(getOwn(spoke, conversation) ?? {}, user);
  return at !== undefined && ts - at <= SMART_WINDOW_MS;
}
