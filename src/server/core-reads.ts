import type { ClientFrame } from '../net/protocol/frames.ts';
import { conversationFor } from './conversations.ts';
import { type ConnId, type Effect, errorEffect, PERSIST } from './core-effects.ts';
import type { CoreState, UserRecord } from './core-state.ts';

type ReadFrame = Extract<ClientFrame, { type: 'read' }>;

/**
 * "I have seen this conversation up to id": the user's read position moves
 * there, never back, and never past the conversation's newest id; each of
 * their connections is told when it moves. A room must be one they are in.
 */
export function readRequest(
  state: CoreState,
  conn: ConnId,
  user: string,
  record: UserRecord,
  frame: ReadFrame,
): Effect[] {
  if (frame.room.startsWith('#') && !record.rooms.has(frame.room)) {
    return [errorEffect(conn, 'not_member', `you are not in ${frame.room}: join it first`)];
  }
  const conversation = conversationFor(user, frame.room);
  const id = Math.min(frame.id, state.lastId(conversation));
  if (!moveRead(record, conversation, id)) return [];
  return [
    { kind: 'frames', to: [...record.conns], frame: { type: 'read', room: frame.room, id } },
    PERSIST,
    { kind: 'replicate', event: { kind: 'read', user, conversation, name: frame.room, id } },
  ];
}

/** Moves a read position forward to `id`; false when it was there or further already. */
export function moveRead(record: UserRecord, conversation: string, id: number): boolean {
  if (id <= (record.reads.get(conversation) ?? 0)) return false;
  record.reads.set(conversation, id);
  return true;
}
