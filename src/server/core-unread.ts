import type { CoreState, UserRecord } from './core-state.ts';
import type { UnreadTarget } from './unread-query.ts';

/**
 * The targets of `user`'s unread frame: the rooms they are in, by name,
 * then every direct conversation of theirs that has had a message (the
 * store says which are kept and how recent; the reader keeps the newest).
 */
export function unreadTargets(
  state: CoreState,
  user: string,
  record: UserRecord,
  since: number | undefined,
): UnreadTarget[] {
  const targets: UnreadTarget[] = [];
  for (const room of [...record.rooms].sort()) {
    const topic = state.rooms.get(room)?.topic;
    targets.push({
      name: room,
      conversation: room,
      lastId: state.lastId(room),
      read: record.reads.get(room) ?? 0,
      ...(topic !== undefined && since !== undefined && topic.ts > since ? { topic } : {}),
    });
  }
  for (const [conversation, lastId] of state.lastIds) {
    const peer = peerIn(conversation, user);
    if (peer === undefined || lastId === 0) continue;
    targets.push({
      name: `@${peer}`,
      conversation,
      lastId,
      read: record.reads.get(conversation) ?? 0,
    });
  }
  return targets;
}

// The other user of a direct conversation key `dm:a:b` that `user` is in.
function peerIn(conversation: string, user: string): string | undefined {
  if (!conversation.startsWith('dm:')) return undefined;
  const [, a, b] = conversation.split(':');
  if (a === user) return b;
  if (b === user) return a;
  return undefined;
}
