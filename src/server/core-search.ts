import {
  type ClientFrame,
  MAX_SEARCH_RESULTS,
  type ServerFrameOf,
} from '../net/protocol/frames.ts';
import { searchWords } from '../net/search-words.ts';
import { conversationFor } from './conversations.ts';
import { type ConnId, type Effect, errorEffect } from './core-effects.ts';
import type { CoreState, UserRecord } from './core-state.ts';

type SearchFrame = Extract<ClientFrame, { type: 'search' }>;

/**
 * A search of the user's own conversations: the rules of what it may read,
 * apart from the reading (the `search` effect). Only these, ever: with
 * `room`, that one (a #room the user is in now, or their direct
 * conversation with @peer); without, every room the user is in now and
 * every direct conversation of theirs that has had a message.
 */
export function searchRequest(
  state: CoreState,
  conn: ConnId,
  user: string,
  record: UserRecord,
  frame: SearchFrame,
): Effect[] {
  const { ref } = frame;
  if (frame.room?.startsWith('#') && !record.rooms.has(frame.room)) {
    return [errorEffect(conn, 'not_member', `you are not in ${frame.room}: join it first`, ref)];
  }
  const words = searchWords(frame.text);
  // Spaces only: nothing to look for, so nothing to read.
  if (words.length === 0)
    return [searchAnswer(conn, { type: 'search', ref, messages: [], more: false })];
  const conversations =
    frame.room === undefined
      ? [...[...record.rooms].sort(), ...directConversations(state, user)]
      : [conversationFor(user, frame.room)];
  const limit = Math.min(
    frame.limit ?? MAX_SEARCH_RESULTS,
    MAX_SEARCH_RESULTS,
    state.options.limits.maxHistory,
  );
  return [{ kind: 'search', conn, ref, words, conversations, limit }];
}

/**
 * The keys of every direct conversation `user` is one of the two sides of
 * and that has had a message, by key. The core knows them by their id
 * sequences, which the store seeds at start: those of a restart come too.
 */
export function directConversations(state: CoreState, user: string): string[] {
  const keys: string[] = [];
  for (const [key, lastId] of state.lastIds) {
    if (lastId === 0 || !key.startsWith('dm:')) continue;
    const [, a, b] = key.split(':');
    if (a === user || b === user) keys.push(key);
  }
  return keys.sort();
}

function searchAnswer(conn: ConnId, frame: ServerFrameOf<'search'>): Effect {
  return { kind: 'frames', to: [conn], frame };
}
