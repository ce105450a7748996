import type { ChatAction, ChatState } from './chat-types.ts';

/** True when messages from `user` are not to be shown: on the ignore list, and not the user. */
export function isIgnored(state: ChatState, user: string): boolean {
  return user !== state.connection.user && (state.ignored ?? []).includes(user);
}

/**
 * An action with what ignored users sent taken out: a live message or DM
 * from one is dropped whole (not shown, never unread, no mention, no bell),
 * a history page loses their messages, an `unread` entry the mention lines
 * they wrote (its counts are the server's, taken as they are).
 */
export function withoutIgnored(state: ChatState, action: ChatAction): ChatAction | undefined {
  if ((state.ignored ?? []).length === 0) return action;
  switch (action.type) {
    case 'message':
    case 'dm':
      return isIgnored(state, action.frame.from) ? undefined : action;
    case 'history':
      return {
        ...action,
        frame: {
          ...action.frame,
          messages: action.frame.messages.filter((m) => !isIgnored(state, m.from)),
        },
      };
    case 'unread':
      return {
        ...action,
        frame: {
          ...action.frame,
          conversations: action.frame.conversations.map((entry) => ({
            ...entry,
            lines: entry.lines.filter((m) => !isIgnored(state, m.from)),
          })),
        },
      };
    default:
      return action;
  }
}

/**
 * After a history page lost what ignored users wrote: the next page starts
 * below the oldest message the server sent, shown or not, so that a page of
 * ignored messages only does not make /history ask for it again.
 */
export function pagedPast(before: ChatState, given: ChatAction, after: ChatState): ChatState {
  if (given.type !== 'history' || (before.ignored ?? []).length === 0) return after;
  const conversation = after.conversations[given.frame.room];
  if (conversation === undefined) return after;
  const limit = before.conversations[given.frame.room]?.oldestId ?? Number.POSITIVE_INFINITY;
  const ids = given.frame.messages.map((m) => m.id).filter((id) => id < limit);
  if (ids.length === 0) return after;
  const oldest = Math.min(...ids);
  if ((conversation.oldestId ?? Number.POSITIVE_INFINITY) <= oldest) return after;
  return {
    ...after,
    conversations: {
      ...after.conversations,
      [conversation.name]: { ...conversation, oldestId: oldest },
    },
  };
}
