/**
 * Operators and changed messages in ChatState: `update` (an edit or a
 * deletion puts the message in place of the line with its id), `moderated`
 * (an operator's act: a line in the room, member lists, room operators, the
 * topic lock, and the user's own removal from a room), and the user's
 * removal from the server (a fatal `kicked` or `server_banned`). Pure; text
 * from the network is neutralized here.
 */
import type { ServerFrameOf } from '../../net/protocol/frames.ts';
import { formatDuration } from '../text/duration.ts';
import { neutralizeLine } from '../text/sanitize.ts';
import { messageLine } from './chat-frames.ts';
import {
  addNotice,
  addSystemLine,
  conversationOf,
  getOwn,
  opsField,
  putConversation,
  touch,
} from './chat-helpers.ts';
import type { BatchScope } from './chat-lines.ts';
import type { ChatState, Conversation, Line } from './chat-types.ts';

type Moderated = ServerFrameOf<'moderated'>;

/** The placeholder shown for a deleted message's text. */
export function deletedText(deleted: { readonly by?: string }): string {
  return deleted.by === undefined ? '(message deleted)' : `(deleted by ${deleted.by})`;
}

/**
 * A message changed: it replaces the line with its id in its conversation
 * (an edit, or the placeholder of a deletion). Idempotent; a message not
 * held (never loaded, or bounded away) changes nothing.
 */
export function onUpdate(
  state: ChatState,
  frame: ServerFrameOf<'update'>,
  scope: BatchScope | undefined,
): ChatState {
  const message = frame.message;
  const me = state.connection.user;
  const name =
    message.type === 'msg' ? message.room : `@${message.from === me ? message.to : message.from}`;
  const conversation = conversationOf(state, name);
  if (conversation === undefined) return state;
  const index = conversation.lines.findIndex(
    (line) => line.kind === 'message' && line.id === message.id,
  );
  if (index < 0) return state;
  const old = conversation.lines[index];
  // A sealed message is never edited: new text for it in clear can only be
  // the server's. Its deletion is the one change that comes.
  if (old?.kind === 'message' && old.sealed && message.deleted === undefined) return state;
  const lines: Line[] = conversation.lines.slice();
  lines[index] = messageLine(message, me);
  scope?.owned.add(lines);
  return touch(putConversation(state, { ...conversation, lines }), name, scope);
}

/** Who acted, as the lines say it. */
function actor(frame: Moderated, me: string | undefined): string {
  if (frame.by === undefined) return 'the server operator';
  return frame.by === me ? 'you' : frame.by;
}

/** ` for 10m` when the act ends by itself, from `until` and `ts`. */
function lasting(frame: Moderated): string {
  return frame.until === undefined ? '' : ` for ${formatDuration((frame.until - frame.ts) / 1000)}`;
}

/** ` (reason)` or ''. */
function because(frame: Moderated): string {
  const reason = frame.reason === undefined ? '' : neutralizeLine(frame.reason);
  return reason ? ` (${reason})` : '';
}

/**
 * The line an operator's act shows, for the user `me`: "alice kicked bob:
 * take it to #general", "alice banned bob for 10m (flooding)", "alice kicked
 * you from #ops: …", "bob was banned from the server by alice for 1d (spam)".
 */
export function describeModeration(frame: Moderated, me: string | undefined): string {
  const by = actor(frame, me);
  const target = frame.user === undefined ? 'someone' : frame.user === me ? 'you' : frame.user;
  const room = frame.room;
  const reason = frame.reason === undefined ? '' : neutralizeLine(frame.reason);
  const mine = frame.user !== undefined && frame.user === me;
  if (room === undefined) {
    // Server-wide: a ban or unban, or a kick from the server's console.
    const whom = mine ? 'you were' : `${target} was`;
    switch (frame.action) {
      case 'kick':
        return `${whom} kicked from the server by ${by}${reason ? `: ${reason}` : ''}`;
      case 'ban':
        return `${whom} banned from the server by ${by}${lasting(frame)}${because(frame)}`;
      case 'unban':
        return `${mine ? 'your' : `${target}'s`} ban from the server was lifted by ${by}`;
      default:
        return `${by} did ${frame.action} to ${target}`;
    }
  }
  const from = mine ? ` from ${room}` : '';
  switch (frame.action) {
    case 'kick':
      return `${by} kicked ${target}${from}${reason ? `: ${reason}` : ''}`;
    case 'ban':
      return `${by} banned ${target}${from}${lasting(frame)}${because(frame)}`;
    case 'unban':
      return `${by} lifted the ban on ${target}${mine ? ` in ${room}` : ''}`;
    case 'mute':
      return `${by} muted ${target}${mine ? ` in ${room}` : ''}${lasting(frame)}${because(frame)}${mine ? ': you may read, not send' : ''}`;
    case 'unmute':
      return `${by} unmuted ${target}`;
    case 'op':
      return `${by} made ${target} an operator${mine ? ` of ${room}` : ''}`;
    case 'deop':
      return `${by} removed ${target} as an operator`;
    case 'topic-lock':
      return `${by} locked the topic: only operators may set it`;
    case 'topic-unlock':
      return `${by} unlocked the topic`;
  }
}

/** `list` with `user` added (sorted) or taken out. */
function withUser(list: readonly string[] | undefined, user: string, present: boolean): string[] {
  const others = (list ?? []).filter((name) => name !== user);
  return present ? [...others, user].sort() : others;
}

/** `conversation` without its ops field, then with `ops`. */
function withOps(conversation: Conversation, ops: readonly string[]): Conversation {
  const { ops: _, ...rest } = conversation;
  return { ...rest, ...opsField(ops) };
}

/**
 * An operator acted. The line goes to the room (server-wide: to every room
 * the target is in, else the current conversation). A kick or ban takes the
 * target out of the member list (there is no `left`); when the target is
 * the user, the room stays in the list, marked left with who and why, its
 * members cleared and its lines readable. `op`/`deop` change the room's
 * operators, `topic-lock`/`topic-unlock` its lock.
 */
export function onModerated(
  state: ChatState,
  frame: Moderated,
  scope: BatchScope | undefined,
): ChatState {
  const me = state.connection.user;
  const text = describeModeration(frame, me);
  const { user, room } = frame;
  const out = frame.action === 'kick' || frame.action === 'ban';
  if (room === undefined) {
    let next = state;
    let shown = false;
    for (const name of state.order) {
      const conversation = conversationOf(next, name);
      if (conversation === undefined || user === undefined) continue;
      const shares =
        conversation.kind === 'room' ? conversation.members.includes(user) : name === `@${user}`;
      if (!shares) continue;
      if (out && conversation.kind === 'room' && user !== me) {
        const members = conversation.members.filter((member) => member !== user);
        next = putConversation(next, { ...conversation, members });
      }
      next = addSystemLine(next, name, frame.ts, text, scope);
      shown = true;
    }
    if (shown) return next;
    return next.current === undefined
      ? addNotice(next, text)
      : addSystemLine(next, next.current, frame.ts, text, scope);
  }
  const conversation = conversationOf(state, room);
  if (conversation === undefined || conversation.kind !== 'room') {
    // Not in that room (an operator acting from elsewhere): say it where the user looks.
    const where = `${text} in ${room}`;
    return state.current === undefined
      ? addNotice(state, where)
      : addSystemLine(state, state.current, frame.ts, where, scope);
  }
  let changed: Conversation = conversation;
  if (user !== undefined) {
    switch (frame.action) {
      case 'op':
        changed = withOps(conversation, withUser(conversation.ops, user, true));
        break;
      case 'deop':
        changed = withOps(conversation, withUser(conversation.ops, user, false));
        break;
      case 'kick':
      case 'ban':
        if (user === me) {
          changed = { ...withOps(conversation, []), members: [], left: text };
        } else {
          changed = {
            ...conversation,
            members: conversation.members.filter((member) => member !== user),
          };
        }
        break;
      default:
        break;
    }
  }
  if (frame.action === 'topic-lock') changed = { ...conversation, topicLock: true };
  if (frame.action === 'topic-unlock') {
    const { topicLock: _, ...rest } = conversation;
    changed = rest;
  }
  let next = changed === conversation ? state : putConversation(state, changed);
  if (user !== undefined && user !== me && out) {
    const recent = getOwn(next.recent, room);
    if (recent?.includes(user)) {
      next = { ...next, recent: { ...next.recent, [room]: recent.filter((n) => n !== user) } };
    }
  }
  return addSystemLine(next, room, frame.ts, text, scope);
}

/**
 * The server put the user out for good (a fatal `kicked` or
 * `server_banned`): every room's member list is cleared and the current
 * conversation says why (`error`: the server's words, who and why) and that
 * chat does not reconnect.
 */
export function onRemoved(
  state: ChatState,
  error: string,
  now: number,
  scope: BatchScope | undefined,
): ChatState {
  let next = state;
  for (const name of state.order) {
    const conversation = conversationOf(next, name);
    if (conversation?.kind === 'room' && conversation.members.length > 0) {
      next = putConversation(next, withOps({ ...conversation, members: [] }, []));
    }
  }
  const text = `disconnected for good, chat will not reconnect: ${neutralizeLine(error)}`;
  return next.current === undefined
    ? addNotice(next, text)
    : addSystemLine(next, next.current, now, text, scope);
}
