import { type CoreState, newRoomRecord } from './core-state.ts';
import type { KeptState } from './kept-state.ts';

/** What of the core outlives a restart: topics of the rooms held, and every user welcomed once. */
export function keptStateOf(state: CoreState): KeptState {
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
  return { topics, users };
}

/** Takes back what a previous run kept (before any connection): rooms with a topic exist again. */
export function restoreKeptState(state: CoreState, kept: KeptState, now: number): void {
  for (const [room, topic] of kept.topics) {
    const record = state.rooms.get(room);
    if (record) record.topic = { ...topic };
    else state.rooms.set(room, newRoomRecord({ ...topic }));
  }
  for (const [user, keptUser] of kept.users) {
    const record = state.userRecord(user, now);
    record.known = true;
    record.remembered = new Set(keptUser.rooms);
    record.reads = new Map(keptUser.reads);
    record.goneAt = keptUser.goneAt;
  }
}
