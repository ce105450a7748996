import type { CoreState, RoomRecord } from './core-state.ts';
import type { Sanction } from './kept-state.ts';

/**
 * Who runs what: a server operator runs every room; a room operator runs
 * theirs. Pure questions over the core's state, asked by every rule that
 * needs an operator (moderation, deleting others' messages, a locked topic).
 */
export function isServerOperator(state: CoreState, user: string): boolean {
  return state.options.operators?.has(user) === true;
}

/**
 * True when `user` operates `room` at `now`: a server operator, or one of its
 * operators not banned or muted in it (or a ban's target could lift it).
 */
export function operates(state: CoreState, user: string, room: string, now: number): boolean {
  if (isServerOperator(state, user)) return true;
  const record = state.rooms.get(room);
  if (record?.ops.has(user) !== true) return false;
  return (
    activeSanction(record.bans, user, now) === undefined &&
    activeSanction(record.mutes, user, now) === undefined
  );
}

/** The sanction of `user` in `sanctions` while it lasts at `now`; an expired one is dropped. */
export function activeSanction(
  sanctions: Map<string, Sanction>,
  user: string,
  now: number,
): Sanction | undefined {
  const sanction = sanctions.get(user);
  if (sanction === undefined) return undefined;
  if (sanction.until !== undefined && sanction.until <= now) {
    sanctions.delete(user);
    return undefined;
  }
  return sanction;
}

/** Why `user` may not send to (or edit in) `room` at `now`, if they are muted there. */
export function muteRefusal(
  state: CoreState,
  user: string,
  room: string,
  now: number,
): string | undefined {
  const mutes = state.rooms.get(room)?.mutes;
  const mute = mutes && activeSanction(mutes, user, now);
  return mute && `you are muted in ${room}${sanctionText(mute)}: you may read, not send`;
}

/** " by alice until 2026-12-07 10:42:05 UTC (reason)", the parts a sanction has, for messages. */
export function sanctionText(sanction: Sanction): string {
  const by = sanction.by === undefined ? ' by the server operator' : ` by ${sanction.by}`;
  const until =
    sanction.until === undefined
      ? ''
      : // To the second: a short ban must say when it ends, not only the minute.
        ` until ${new Date(sanction.until).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  const reason = sanction.reason === undefined ? '' : ` (${sanction.reason})`;
  return `${by}${until}${reason}`;
}

/** Why a hello of `user` is refused at `now`, if they are banned from the server. */
export function serverBanRefusal(state: CoreState, user: string, now: number): string | undefined {
  const ban = activeSanction(state.serverBans, user, now);
  return ban && serverBanText(ban);
}

/** Why a join of `name` by `user` is refused at `now`, if they are banned from it. */
export function roomBanRefusal(
  state: CoreState,
  user: string,
  name: string,
  now: number,
): string | undefined {
  const bans = state.rooms.get(name)?.bans;
  const ban = bans && activeSanction(bans, user, now);
  return (
    ban && `you are banned from ${name}${sanctionText(ban)}: ask one of its operators to lift it`
  );
}

/** The message of a server-wide ban, for the fatal `server_banned`. */
export function serverBanText(ban: Sanction): string {
  return `you are banned from this server${sanctionText(ban)}: ask a server operator to lift it`;
}

/** The room's operators for messages: "alice, bob", or "none yet". */
export function opsText(room: RoomRecord | undefined): string {
  const ops = [...(room?.ops ?? [])].sort();
  return ops.length === 0 ? 'none yet' : ops.join(', ');
}
