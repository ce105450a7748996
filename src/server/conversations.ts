import type { StoredMessage } from '../net/protocol/frames.ts';

/**
 * Conversation keys: a room is keyed by its name (`#general`), a direct
 * conversation by both user names in order (`dm:alice:bob`), so the two
 * sides share one id sequence and one history.
 */
export function dmKey(a: string, b: string): string {
  return a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`;
}

/** The conversation a stored message belongs to. */
export function conversationOf(message: StoredMessage): string {
  return message.type === 'msg' ? message.room : dmKey(message.from, message.to);
}

/**
 * The key of a conversation as `user` names it on the wire: `#room` is
 * itself, `@peer` is the direct conversation with that peer.
 */
export function conversationFor(user: string, name: string): string {
  return name.startsWith('@') ? dmKey(user, name.slice(1)) : name;
}
