/**
 * How each server frame changes ChatState. Pure; text from the network is
 * neutralized here, on the way in, so nothing later draws it raw.
 */
import type { ShownMessage } from '../../net/e2ee/open-frames.ts';
import type { PresenceStatus, ServerFrameOf, StoredMessage } from '../../net/protocol/frames.ts';
import { mentions } from '../text/mentions.ts';
import { neutralize, neutralizeLine } from '../text/sanitize.ts';
import {
  addLine,
  addNotice,
  addSystemLine,
  addToOrder,
  conversationOf,
  getOwn,
  newDm,
  newRoom,
  putConversation,
  removeConversation,
  select,
  touch,
  withRoomModes,
} from './chat-helpers.ts';
import { type BatchScope, prependMessages } from './chat-lines.ts';
import {
  type ChatState,
  type Conversation,
  MAX_RECENT_SPEAKERS,
  type MessageLine,
  type UserPresence,
} from './chat-types.ts';
import { answerJoin } from './join-asked.ts';
import { noteSpoke, showsPresence } from './presence-filter.ts';

function presenceOf(status: PresenceStatus, text: string | undefined): UserPresence {
  return text ? { status, text: neutralizeLine(text) } : { status };
}

/**
 * A stored message as a pane line for user `me` (its text neutralized,
 * mentions marked; a sealed one as it opened, see net/e2ee/open-frames.ts).
 */
export function messageLine(frame: ShownMessage, me: string | undefined): MessageLine {
  const own = frame.from === me;
  const failed = frame.seal?.ok === false ? frame.seal.why : undefined;
  const text = frame.deleted === undefined && failed === undefined ? neutralize(frame.text) : '';
  return {
    kind: 'message',
    id: frame.id,
    ts: frame.ts,
    from: frame.from,
    text,
    action: frame.action === true,
    mention: !own && me !== undefined && mentions(text, me),
    own,
    ...(frame.edited === undefined ? {} : { edited: frame.edited }),
    ...(frame.deleted === undefined
      ? {}
      : { deleted: frame.deleted.by === undefined ? {} : { by: frame.deleted.by } }),
    ...(failed === undefined ? {} : { unverified: failed }),
    ...(frame.type === 'dm' && frame.sealed !== undefined ? { sealed: true } : {}),
    ...(frame.unsealed === true && frame.deleted === undefined ? { unsealed: true } : {}),
    ...(frame.seal?.ok === true && frame.seal.late ? { sentAt: frame.seal.sentAt } : {}),
    ...(frame.seal?.ok === true && frame.seal.copyOf !== undefined
      ? { copyOf: frame.seal.copyOf }
      : {}),
  };
}

/** `recent` with `speakers` (most recent first) ahead of the room's others, bounded. */
function withSpeakers(state: ChatState, room: string, speakers: readonly string[], ahead: boolean) {
  const known = getOwn(state.recent, room) ?? [];
  if (ahead && known[0] === speakers[0] && speakers.length === 1) return state.recent;
  const merged = ahead ? [...speakers, ...known] : [...known, ...speakers];
  const list = [...new Set(merged)].slice(0, MAX_RECENT_SPEAKERS);
  return { ...state.recent, [room]: list };
}

/**
 * The server's view on (re)connecting: rooms, members and users are
 * replaced. Rooms still joined keep their lines and place in the list, new
 * ones follow in the server's order, rooms no longer joined go; DMs stay.
 * The current conversation stays when it still exists, else the first one.
 * A new server epoch (a restart that lost history) resets the ids seen.
 */
export function onWelcome(
  state: ChatState,
  frame: ServerFrameOf<'welcome'>,
  now: number,
): ChatState {
  const byName = new Map(frame.rooms.map((room) => [room.room, room]));
  // A room the user was put out of stays, readable, until closed or joined.
  const putOut = (name: string) => conversationOf(state, name)?.left !== undefined;
  const rooms = state.order.filter((name) => byName.has(name) || putOut(name));
  for (const room of frame.rooms) if (!rooms.includes(room.room)) rooms.push(room.room);
  const dms = state.order.filter((name) => conversationOf(state, name)?.kind === 'dm');
  const conversations: Record<string, Conversation> = {};
  for (const name of rooms) {
    const room = byName.get(name);
    const old = conversationOf(state, name);
    if (room === undefined) {
      if (old !== undefined) conversations[name] = old;
      continue;
    }
    conversations[name] = withRoomModes(
      old?.kind === 'room'
        ? {
            ...old,
            topic: neutralizeLine(room.topic),
            members: [...room.members],
            // A server whose ids went back lost its history: follow its new ids.
            lastId: Math.min(old.lastId, room.lastId),
          }
        : newRoom(name, room.topic, room.members, room.lastId),
      room,
    );
  }
  for (const name of dms) {
    const dm = conversationOf(state, name);
    if (dm !== undefined) conversations[name] = dm;
  }
  // The ChatClient then replays every conversation from id 0: accept those
  // ids, and keep the old lines, which the server no longer has.
  const restarted = state.epoch !== undefined && frame.epoch !== state.epoch;
  if (restarted) {
    for (const [name, conversation] of Object.entries(conversations)) {
      conversations[name] = { ...conversation, lastId: 0, hasMore: false };
    }
  }
  const exists = (name: string) => Object.hasOwn(conversations, name);
  const keep = <T>(record: Readonly<Record<string, T>>) =>
    Object.fromEntries(Object.entries(record).filter(([name]) => exists(name)));
  const order = [...rooms, ...dms];
  const { operators: _, ...before } = state;
  let next: ChatState = {
    ...before,
    ...(frame.operators === undefined || frame.operators.length === 0
      ? {}
      : { operators: [...frame.operators] }),
    serverName: frame.server,
    ...(frame.epoch === undefined ? {} : { epoch: frame.epoch }),
    limits: frame.limits,
    connection: { ...state.connection, user: frame.user },
    conversations,
    order,
    users: Object.fromEntries(frame.users.map((u) => [u.user, presenceOf(u.status, u.text)])),
    scroll: keep(state.scroll),
    recent: keep(state.recent),
    pending: state.pending.filter((pending) => exists(pending.conversation)),
  };
  if (restarted) next = addNotice(next, 'the server restarted and lost its message history');
  const current = state.current !== undefined && exists(state.current) ? state.current : order[0];
  next = select({ ...next, current: undefined }, current);
  // A reconnect is no leaving: the "new" line stays where it was.
  if (current === state.current && state.newSince !== undefined) {
    next = { ...next, newSince: state.newSince };
  }
  // Said once, where the user looks first; a notice would be gone in seconds.
  if (state.serverName === undefined && current !== undefined) {
    const said = [...state.intro, ...frame.motd.split('\n')].filter((text) => text.trim() !== '');
    for (const text of said) {
      next = addSystemLine(next, current, now, neutralizeLine(text), undefined);
    }
    next = { ...next, intro: [] };
  }
  return next;
}

function receive(
  state: ChatState,
  conversation: Conversation,
  frame: StoredMessage,
  scope: BatchScope | undefined,
): ChatState {
  if (frame.id <= conversation.lastId) return state;
  const line = messageLine(frame, state.connection.user);
  // A replay of what the server's unread count already holds counts no more.
  const elsewhere = state.current !== conversation.name && frame.id > (conversation.countedTo ?? 0);
  // Any DM from someone else calls for attention, as a mention does.
  const alert = !line.own && (line.mention || conversation.kind === 'dm');
  const next = addLine(
    state,
    conversation,
    line,
    scope,
    {
      lastId: frame.id,
      oldestId: conversation.oldestId ?? frame.id,
      lastActivity: Math.max(conversation.lastActivity, frame.ts),
      unread: conversation.unread + (elsewhere && !line.own ? 1 : 0),
      mention: conversation.mention || (elsewhere && alert),
    },
    !line.own,
  );
  return {
    ...next,
    ...(line.own
      ? {}
      : { spoke: noteSpoke(next.spoke ?? {}, conversation.name, frame.from, frame.ts) }),
    bell: alert && state.bellEnabled ? next.bell + 1 : next.bell,
    recent:
      conversation.kind === 'room' && !line.own
        ? withSpeakers(next, conversation.name, [frame.from], true)
        : next.recent,
  };
}

/** A room message; ignored for a room not joined and for an id already seen there. */
export function onRoomMessage(
  state: ChatState,
  frame: ServerFrameOf<'msg'>,
  scope: BatchScope | undefined,
): ChatState {
  const conversation = conversationOf(state, frame.room);
  return conversation === undefined ? state : receive(state, conversation, frame, scope);
}

/** A direct message, sent or received: it goes to `@` + the other party, opened if new. */
export function onDirectMessage(
  state: ChatState,
  frame: ServerFrameOf<'dm'>,
  scope: BatchScope | undefined,
): ChatState {
  const peer = frame.from === state.connection.user ? frame.to : frame.from;
  const existing = conversationOf(state, `@${peer}`);
  if (existing !== undefined) return receive(state, existing, frame, scope);
  const conversation = newDm(peer);
  return receive(
    addToOrder(putConversation(state, conversation), conversation),
    conversation,
    frame,
    scope,
  );
}

/**
 * Someone joined a room. The user's own join (with the room's state) opens
 * the room, or refreshes it; it becomes current only when this TUI asked for
 * it (or nothing is): another connection's join (a script's) leaves the
 * current conversation where it is. Another user's join says so as the
 * presence mode has it.
 */
export function onJoined(
  state: ChatState,
  frame: ServerFrameOf<'joined'>,
  scope: BatchScope | undefined,
): ChatState {
  const { room, user } = frame;
  if (user === state.connection.user && frame.state !== undefined) {
    const { topic, members, lastId } = frame.state;
    const modes = frame.state;
    const answered = answerJoin(state, room);
    const show = (next: ChatState) =>
      answered.asked || state.current === undefined ? select(next, room) : next;
    const old = conversationOf(state, room);
    if (old !== undefined) {
      const refreshed = withRoomModes(
        { ...old, topic: neutralizeLine(topic), members: [...members] },
        modes,
      );
      const back = putConversation(answered.state, refreshed);
      // Joined again after a kick or ban: say so under the lines kept.
      return show(
        old.left === undefined
          ? back
          : addSystemLine(back, room, frame.ts, `you joined ${room}`, scope),
      );
    }
    const conversation = withRoomModes(newRoom(room, topic, members, lastId), modes);
    const added = addToOrder(putConversation(answered.state, conversation), conversation);
    return show(addSystemLine(added, room, frame.ts, `you joined ${room}`, scope));
  }
  const conversation = conversationOf(state, room);
  if (conversation === undefined || conversation.members.includes(user)) return state;
  let next = putConversation(state, { ...conversation, members: [...conversation.members, user] });
  if (getOwn(next.users, user) === undefined) {
    next = { ...next, users: { ...next.users, [user]: { status: 'online' } } };
  }
  if (!presenceShown(state, room, user, frame.ts)) return next;
  return addSystemLine(next, room, frame.ts, `${user} joined ${room}`, scope);
}

/** True when a join, part or quit of `user` in `name` at `ts` gets a line (see presence-filter.ts). */
function presenceShown(state: ChatState, name: string, user: string, ts: number): boolean {
  return showsPresence(state.presenceMode ?? 'all', state.spoke ?? {}, name, user, ts);
}

/** Someone left a room; the user's own part (or quit) closes it. */
export function onLeft(
  state: ChatState,
  frame: ServerFrameOf<'left'>,
  scope: BatchScope | undefined,
): ChatState {
  const { room, user } = frame;
  const conversation = conversationOf(state, room);
  if (conversation === undefined) return state;
  if (user === state.connection.user) {
    return addNotice(removeConversation(state, room), `you left ${room}`);
  }
  if (!conversation.members.includes(user)) return state;
  const members = conversation.members.filter((member) => member !== user);
  const recent = getOwn(state.recent, room);
  let next = putConversation(state, { ...conversation, members });
  if (recent?.includes(user)) {
    next = { ...next, recent: { ...next.recent, [room]: recent.filter((name) => name !== user) } };
  }
  if (!presenceShown(state, room, user, frame.ts)) return next;
  const text = frame.reason === 'quit' ? `${user} quit` : `${user} left ${room}`;
  return addSystemLine(next, room, frame.ts, text, scope);
}

function describePresence(user: string, before: UserPresence | undefined, after: UserPresence) {
  if (after.status === 'away') return `${user} is away${after.text ? `: ${after.text}` : ''}`;
  if (after.status === 'offline') return `${user} went offline`;
  return before?.status === 'away' ? `${user} is back` : `${user} is online`;
}

/**
 * A user's presence changed: recorded, and said (at `now`, epoch ms) in
 * every room they are in and in their DM. The user's own becomes a notice.
 */
export function onPresence(
  state: ChatState,
  frame: ServerFrameOf<'presence'>,
  now: number,
  scope: BatchScope | undefined,
): ChatState {
  const before = getOwn(state.users, frame.user);
  const after = presenceOf(frame.status, frame.text);
  if (before?.status === after.status && before.text === after.text) return state;
  let next: ChatState = { ...state, users: { ...state.users, [frame.user]: after } };
  if (frame.user === state.connection.user) {
    if (after.status === 'away') {
      return addNotice(next, `you are marked away${after.text ? `: ${after.text}` : ''}`);
    }
    return before?.status === 'away' ? addNotice(next, 'you are back') : next;
  }
  const text = describePresence(frame.user, before, after);
  // Coming online and going offline are comings and goings: the presence mode decides.
  const comingOrGoing =
    after.status === 'offline' || (after.status === 'online' && before?.status !== 'away');
  for (const name of next.order) {
    const conversation = conversationOf(next, name);
    const concerned =
      conversation?.kind === 'room'
        ? conversation.members.includes(frame.user)
        : name === `@${frame.user}`;
    if (comingOrGoing && !presenceShown(state, name, frame.user, now)) continue;
    if (concerned) next = addSystemLine(next, name, now, text, scope);
  }
  return next;
}

/** A room's topic changed (an empty text clears it). */
export function onTopic(
  state: ChatState,
  frame: ServerFrameOf<'topic'>,
  scope: BatchScope | undefined,
): ChatState {
  const conversation = conversationOf(state, frame.room);
  if (conversation === undefined) return state;
  const topic = neutralizeLine(frame.text);
  const text = topic ? `${frame.by} set the topic: ${topic}` : `${frame.by} cleared the topic`;
  const next = putConversation(state, { ...conversation, topic });
  return addSystemLine(next, frame.room, frame.ts, text, scope);
}

/**
 * Older messages: those older than every message held go on top, each once;
 * the rest (already held, or newer, which live frames bring) are ignored.
 */
export function onHistory(
  state: ChatState,
  frame: ServerFrameOf<'history'>,
  scope: BatchScope | undefined,
): ChatState {
  const conversation = conversationOf(state, frame.room);
  if (conversation === undefined) return state;
  const limit = conversation.oldestId ?? Number.POSITIVE_INFINITY;
  const me = state.connection.user;
  const seen = new Set<number>();
  const older: MessageLine[] = [];
  for (const message of [...frame.messages].sort((a, b) => a.id - b.id)) {
    if (message.id >= limit || seen.has(message.id)) continue;
    seen.add(message.id);
    older.push(messageLine(message, me));
  }
  // The first history of a conversation (the backlog, or the newest
  // messages of a room just joined) is set apart from the live lines below.
  const first =
    older.length > 0 &&
    (frame.ref === 'backlog' || !conversation.lines.some((line) => line.kind === 'message')) &&
    !conversation.lines.some((line) => line.kind === 'backlog');
  const updated = prependMessages(conversation, older, state.timeZone, scope, first);
  const newest = older.at(-1)?.ts ?? 0;
  let next = putConversation(state, {
    ...updated,
    hasMore: frame.more,
    lastActivity: Math.max(conversation.lastActivity, newest),
  });
  // Who spoke lately counts from history too (the backlog on start-up).
  const others = older.filter((line) => !line.own);
  if (others.length > 0) {
    let spoke = next.spoke ?? {};
    for (const line of others) spoke = noteSpoke(spoke, frame.room, line.from, line.ts);
    next = { ...next, spoke };
  }
  if (conversation.kind === 'room') {
    const speakers = older
      .filter((line) => !line.own)
      .map((line) => line.from)
      .reverse();
    if (speakers.length > 0) {
      next = { ...next, recent: withSpeakers(next, frame.room, speakers, false) };
    }
  }
  return touch(next, frame.room, scope);
}
