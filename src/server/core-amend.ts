import type { ClientFrame } from '../net/protocol/frames.ts';
import { conversationFor } from './conversations.ts';
import { type ConnId, type Effect, errorEffect } from './core-effects.ts';
import { muteRefusal, operates } from './core-operators.ts';
import type { CoreState, UserRecord } from './core-state.ts';

type AmendFrame = Extract<ClientFrame, { type: 'edit' | 'delete' }>;

/**
 * An edit or a deletion of a kept message: the checks the core can make
 * (membership, a mute for an edit, the text's length), then the `amend`
 * effect. Whether the message exists and who wrote it are the store's to
 * know: the interpreter checks those (amend-rules.ts).
 */
export function amendRequest(
  state: CoreState,
  conn: ConnId,
  user: string,
  _record: UserRecord,
  frame: AmendFrame,
  now: number,
): Effect[] {
  const inRoom = frame.room.startsWith('#');
  // A direct conversation named `@peer` is always one of the user's own.
  if (inRoom && !state.rooms.get(frame.room)?.members.has(user)) {
    return [
      errorEffect(conn, 'not_member', `you are not in ${frame.room}: join it first`, frame.ref),
    ];
  }
  if (frame.type === 'edit') {
    const muted = inRoom ? muteRefusal(state, user, frame.room, now) : undefined;
    if (muted !== undefined) return [errorEffect(conn, 'muted', muted, frame.ref)];
    const { maxTextChars } = state.options.limits;
    if (frame.text.length > maxTextChars) {
      return [
        errorEffect(
          conn,
          'text_too_long',
          `messages are limited to ${maxTextChars} characters`,
          frame.ref,
        ),
      ];
    }
  }
  return [
    {
      kind: 'amend',
      conn,
      ref: frame.ref,
      conversation: conversationFor(user, frame.room),
      name: frame.room,
      id: frame.id,
      by: user,
      change: frame.type === 'edit' ? { text: frame.text } : { delete: true },
      operator: inRoom && operates(state, user, frame.room, now),
    },
  ];
}
