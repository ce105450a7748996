/**
 * Read-only views of ChatState for the components. Pure; each returns new
 * arrays, so callers memoize on the state when it matters.
 */
import type { PresenceStatus } from '../../net/protocol/frames.ts';
import { conversationOf, getOwn } from './chat-helpers.ts';
import type { ChatState, Conversation, Pending } from './chat-types.ts';

/** One row of the conversation list; `index` is 1-based (Alt+1..9). */
export type ConversationListItem = {
  name: string;
  kind: 'room' | 'dm';
  unread: number;
  mention: boolean;
  isCurrent: boolean;
  index: number;
};

/**
 * One row of the user list; `text` is the away message, neutralized; `op`:
 * an operator of the room (or of the server).
 */
export type MemberView = { user: string; status: PresenceStatus; text?: string; op?: true };

/** Rooms in join order, then DMs, with their unread counts and mention marks. */
export function conversationList(state: ChatState): ConversationListItem[] {
  const items: ConversationListItem[] = [];
  for (const name of state.order) {
    const conversation = conversationOf(state, name);
    if (conversation === undefined) continue;
    items.push({
      name,
      kind: conversation.kind,
      unread: conversation.unread,
      mention: conversation.mention,
      isCurrent: name === state.current,
      index: items.length + 1,
    });
  }
  return items;
}

/** The conversation on screen, if any. */
export function currentConversation(state: ChatState): Conversation | undefined {
  return state.current === undefined ? undefined : conversationOf(state, state.current);
}

const RANK: Record<PresenceStatus, number> = { online: 0, away: 1, offline: 2 };

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The current room's members (for a DM: the peer and the user) with their
 * presence: online first, then away, then offline, operators first within
 * each, then alphabetical. The
 * server tells every connected user's presence (in `welcome`, then in
 * `presence` frames): a DM peer it never named is offline. A room member
 * with none known is online (rooms list only connected members).
 */
export function currentMembers(state: ChatState): MemberView[] {
  const conversation = currentConversation(state);
  if (conversation === undefined) return [];
  const me = state.connection.user;
  const names =
    conversation.kind === 'room'
      ? conversation.members
      : [conversation.name.slice(1), me].filter((name): name is string => name !== undefined);
  const ops = new Set([
    ...(conversation.kind === 'room' ? (conversation.ops ?? []) : []),
    ...(state.operators ?? []),
  ]);
  const views = [...new Set(names)].map((user): MemberView => {
    const presence = getOwn(state.users, user);
    const op = conversation.kind === 'room' && ops.has(user) ? { op: true as const } : {};
    if (presence === undefined) {
      const status = conversation.kind === 'room' || user === me ? 'online' : 'offline';
      return { user, status, ...op };
    }
    return presence.text === undefined
      ? { user, status: presence.status, ...op }
      : { user, status: presence.status, text: presence.text, ...op };
  });
  // Operators first within each presence, as irssi lists @nicks first.
  return views.sort(
    (a, b) =>
      RANK[a.status] - RANK[b.status] ||
      Number(b.op === true) - Number(a.op === true) ||
      byName(a.user, b.user),
  );
}

/**
 * What Tab completes in the current conversation. `users`: the room's
 * recent speakers (most recent first), then its members, then every other
 * known user (for `/msg`), alphabetical, each once and never the user;
 * `rooms`: the rooms joined. The caller adds the commands.
 */
export function completionCandidates(state: ChatState): { users: string[]; rooms: string[] } {
  const conversation = currentConversation(state);
  const me = state.connection.user;
  const first: string[] = [];
  if (conversation?.kind === 'room') {
    first.push(...(getOwn(state.recent, conversation.name) ?? []));
    first.push(...[...conversation.members].sort(byName));
  } else if (conversation?.kind === 'dm') {
    first.push(conversation.name.slice(1));
  }
  const everyone = Object.keys(state.users).sort(byName);
  const users = [...new Set([...first, ...everyone])].filter((user) => user !== me);
  const rooms = state.order.filter((name) => conversationOf(state, name)?.kind === 'room');
  return { users, rooms };
}

/** The user's unacknowledged messages to `name`, in send order. */
export function pendingFor(state: ChatState, name: string): Pending[] {
  const conversation = conversationOf(state, name);
  if (conversation === undefined) return [];
  const byId = new Map(state.pending.map((pending) => [pending.localId, pending]));
  return conversation.pendingIds.flatMap((id) => byId.get(id) ?? []);
}

/**
 * The user's newest message in conversation `name` still shown and not
 * deleted, to edit or delete; undefined when there is none among the lines held.
 */
export function lastOwnMessage(
  state: ChatState,
  name: string | undefined,
): { conversation: string; id: number; text: string } | undefined {
  const conversation = name === undefined ? undefined : conversationOf(state, name);
  if (conversation === undefined) return undefined;
  for (let index = conversation.lines.length - 1; index >= 0; index--) {
    const line = conversation.lines[index];
    if (line?.kind === 'message' && line.own && line.deleted === undefined) {
      return { conversation: conversation.name, id: line.id, text: line.text };
    }
  }
  return undefined;
}
