import type { ClientFrame, StoredMessage } from '../net/protocol/frames.ts';
import { conversationFor, dmKey } from './conversations.ts';
import { type ConnId, type Effect, errorEffect, PERSIST } from './core-effects.ts';
import { muteRefusal } from './core-operators.ts';
import { moveRead } from './core-reads.ts';
import type { CoreState, UserRecord } from './core-state.ts';
import { maxMessageBytes } from './page-bytes.ts';

type SendFrame = Extract<ClientFrame, { type: 'send' }>;
type DmFrame = Extract<ClientFrame, { type: 'dm' }>;
type HistoryFrame = Extract<ClientFrame, { type: 'history' }>;

/** A stored dm's fields around its envelope, names and numbers at their longest. */
const SEALED_FRAME_BYTES = 256;

/** A message to a room the sender is in, or the reack of one kept already. */
export function roomMessage(
  state: CoreState,
  conn: ConnId,
  user: string,
  record: UserRecord,
  frame: SendFrame,
  now: number,
): Effect[] {
  // A resend is answered as its original before anything else: the user may
  // have left the room since it was kept (sent, /part, and the ack lost
  // with the connection).
  const again = resent(conn, record, frame.room, frame.ref);
  if (again) return [again];
  if (!state.rooms.get(frame.room)?.members.has(user)) {
    return [
      errorEffect(conn, 'not_member', `you are not in ${frame.room}: join it first`, frame.ref),
    ];
  }
  const muted = muteRefusal(state, user, frame.room, now);
  if (muted) return [errorEffect(conn, 'muted', muted, frame.ref)];
  return newMessage(state, conn, record, frame.room, frame.room, frame, now, (id) => ({
    type: 'msg',
    id,
    ts: now,
    room: frame.room,
    from: user,
    text: frame.text,
    ...(frame.action ? { action: true } : {}),
  }));
}

/**
 * A direct message, or the reack of one kept already. It is kept whether
 * the recipient is connected or not (they see it on their next connection),
 * as long as they are a user of this server: one welcomed once, or one with
 * a client certificate on file.
 */
export function directMessage(
  state: CoreState,
  conn: ConnId,
  user: string,
  record: UserRecord,
  frame: DmFrame,
  now: number,
): Effect[] {
  const conversation = dmKey(user, frame.to);
  const again = resent(conn, record, conversation, frame.ref);
  if (again) return [again];
  if (!isKnownUser(state, frame.to)) return [unknownUser(conn, frame.to, frame.ref)];
  const { sealed } = frame;
  if (sealed) {
    // The schema tied the envelope to `to` and the ref; who sent it is
    // known here only. A reader checks all three again, and the signature.
    if (sealed.from !== user) {
      return [
        errorEffect(
          conn,
          'invalid_frame',
          `dm.sealed.from: the envelope must be from ${user}`,
          frame.ref,
        ),
      ];
    }
    const refusal = sealedTooLong(state, sealed, frame.ref, conn);
    if (refusal) return [refusal];
  }
  const text = frame.text ?? '';
  return newMessage(
    state,
    conn,
    record,
    conversation,
    `@${frame.to}`,
    { ref: frame.ref, text },
    now,
    (id) => ({
      type: 'dm',
      id,
      ts: now,
      from: user,
      to: frame.to,
      text,
      ...(frame.action ? { action: true } : {}),
      ...(sealed ? { sealed } : {}),
    }),
  );
}

/**
 * A sealed message may take as many bytes as the longest plain one
 * (maxMessageBytes), so that every bound on messages held in memory holds
 * for it too: its text, its wrapped keys and signature together. The
 * refusal when it is longer.
 */
function sealedTooLong(
  state: CoreState,
  sealed: NonNullable<DmFrame['sealed']>,
  ref: string,
  conn: ConnId,
): Effect | undefined {
  const most = maxMessageBytes(state.options.limits.maxTextChars) - SEALED_FRAME_BYTES;
  const bytes = Buffer.byteLength(JSON.stringify(sealed));
  if (bytes <= most) return undefined;
  return errorEffect(
    conn,
    'text_too_long',
    `sealed, this message takes ${bytes} bytes; at most ${most} may be kept: shorten it`,
    ref,
  );
}

/** A history read of a room the user is in, or of their direct messages with someone. */
export function historyRequest(
  state: CoreState,
  conn: ConnId,
  user: string,
  record: UserRecord,
  frame: HistoryFrame,
): Effect[] {
  if (frame.room.startsWith('#') && !record.rooms.has(frame.room)) {
    return [
      errorEffect(conn, 'not_member', `you are not in ${frame.room}: join it first`, frame.ref),
    ];
  }
  return [
    {
      kind: 'history',
      conn,
      conversation: conversationFor(user, frame.room),
      name: frame.room,
      before: frame.before,
      limit: Math.min(frame.limit, state.options.limits.maxHistory),
      ref: frame.ref,
    },
  ];
}

/** The reack of a send already kept under `ref` in `conversation`, when it is one. */
function resent(
  conn: ConnId,
  record: UserRecord,
  conversation: string,
  ref: string,
): Effect | undefined {
  const seen = record.refs.get(ref);
  return seen && seen.conversation === conversation
    ? { kind: 'reack', conversation, conn, ref, id: seen.id, ts: seen.ts }
    : undefined;
}

/** The answer to a question or message about a name that is no user of this server. */
export function unknownUser(conn: ConnId, user: string, ref: string): Effect {
  return errorEffect(
    conn,
    'unknown_user',
    `${user} is not a user of this server (no certificate, never connected)`,
    ref,
  );
}

/** True when `user` was welcomed once, is seen on another node, or has a client certificate on file. */
export function isKnownUser(state: CoreState, user: string): boolean {
  return (
    state.users.get(user)?.known === true ||
    state.remote.has(user) ||
    state.options.hasCertificate?.(user) === true
  );
}

// The next id of the conversation, remembered under the sender's ref; the
// sender has seen their own message, so their read position moves to it.
function newMessage(
  state: CoreState,
  conn: ConnId,
  record: UserRecord,
  conversation: string,
  name: string,
  { ref, text }: { ref: string; text: string },
  now: number,
  build: (id: number) => StoredMessage,
): Effect[] {
  const { maxTextChars } = state.options.limits;
  if (text.length > maxTextChars) {
    return [
      errorEffect(conn, 'text_too_long', `messages are limited to ${maxTextChars} characters`, ref),
    ];
  }
  const id = state.lastId(conversation) + 1;
  state.lastIds.set(conversation, id);
  state.rememberRef(record, ref, { conversation, id, ts: now });
  moveRead(record, conversation, id);
  return [
    {
      kind: 'message',
      conversation,
      message: build(id),
      ack: { conn, ref },
      read: { to: [...record.conns], frame: { type: 'read', room: name, id } },
    },
    PERSIST,
  ];
}
