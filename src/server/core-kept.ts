import { forgetIfEmpty } from './core-rooms.ts';
import { type CoreState, newRoomRecord } from './core-state.ts';
import type { KeptRoom, KeptState, Sanction } from './kept-state.ts';

/**
 * What of the core outlives a restart: topics of the rooms held, how rooms
 * are run (operators, topic lock, bans and mutes still in force at `now`),
 * server-wide bans, and every user welcomed once.
 */
export function keptStateOf(state: CoreState, now = 0): KeptState {
  const topics: KeptState['topics'] = [];
  for (const [room, record] of state.rooms)
    if (record.topic !== undefined) topics.push([room, { ...record.topic }]);
  const users: KeptState['users'] = [];
  for (const [user, record] of state.users) {
    if (!record.known) continue;
    users.push([
      user,
      {
        rooms: [...record.remembered].sort(),
        reads: [...record.reads],
        ...(record.goneAt === undefined ? {} : { goneAt: record.goneAt }),
      },
    ]);
  }
  const rooms: NonNullable<KeptState['rooms']> = [];
  for (const [name, record] of [...state.rooms].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const bans = inForce(record.bans, now);
    const mutes = inForce(record.mutes, now);
    if (record.ops.size === 0 && !record.topicLock && bans.length === 0 && mutes.length === 0)
      continue;
    const kept: KeptRoom = { ops: [...record.ops].sort(), bans, mutes };
    if (record.topicLock) kept.topicLock = true;
    rooms.push([name, kept]);
  }
  const bans = inForce(state.serverBans, now);
  // Oldest first, as runElsewhere forgets them.
  const runElsewhere = [...state.remoteOps].map(([room, ops]): [string, string[]] => [
    room,
    [...ops].sort(),
  ]);
  return {
    topics,
    users,
    ...(rooms.length === 0 ? {} : { rooms }),
    ...(bans.length === 0 ? {} : { bans }),
    ...(runElsewhere.length === 0 ? {} : { runElsewhere }),
  };
}

/** The sanctions still in force at `now`, by user, copied. */
function inForce(sanctions: Map<string, Sanction>, now: number): Array<[string, Sanction]> {
  return (
    [...sanctions]
      // Read only: a snapshot changes nothing, not even an ended ban.
      .filter(([, sanction]) => sanction.until === undefined || sanction.until > now)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([user, sanction]) => [user, { ...sanction }])
  );
}

/**
 * Takes back what a previous run kept (before any connection, after the ids
 * are seeded): rooms with a topic, a lock, bans or mutes exist again, and
 * with their operators those with a topic or history.
 */
export function restoreKeptState(state: CoreState, kept: KeptState, now: number): void {
  for (const [room, topic] of kept.topics) {
    const record = state.rooms.get(room);
    if (record) record.topic = { ...topic };
    else state.rooms.set(room, newRoomRecord({ ...topic }));
  }
  for (const [name, keptRoom] of kept.rooms ?? []) {
    let record = state.rooms.get(name);
    if (!record) {
      record = newRoomRecord();
      state.rooms.set(name, record);
    }
    record.ops = new Set(keptRoom.ops);
    record.topicLock = keptRoom.topicLock === true;
    record.bans = new Map(keptRoom.bans.map(([user, ban]) => [user, { ...ban }]));
    record.mutes = new Map(keptRoom.mutes.map(([user, mute]) => [user, { ...mute }]));
    // Operators alone keep no room that has no topic and no history (core-rooms.ts).
    forgetIfEmpty(state, name);
  }
  for (const [user, ban] of kept.bans ?? []) state.serverBans.set(user, { ...ban });
  for (const [room, ops] of kept.runElsewhere ?? [])
    if (!state.rooms.has(room)) state.runElsewhere(room, new Set(ops));
  for (const [user, keptUser] of kept.users) {
    const record = state.userRecord(user, now);
    record.known = true;
    record.remembered = new Set(keptUser.rooms);
    record.reads = new Map(keptUser.reads);
    record.goneAt = keptUser.goneAt;
  }
}
