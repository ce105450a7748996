/**
 * Rooms as IRC channels, both ways: the client's JOIN and PART become chat
 * frames, TOPIC, NAMES and WHO are answered from the rooms kept (a TOPIC
 * with text becomes a frame too); the server's joined, left and topic
 * frames become JOIN, PART and TOPIC lines. Pure but for the `RoomBook`
 * it keeps up to date.
 */
import { ROOM_PATTERN, type RoomState, type ServerFrameOf } from '../../net/protocol/frames.ts';
import { type IrcOutput, nothing, said } from './irc-output.ts';
import type { RoomBook } from './irc-rooms.ts';
import { isoTime } from './irc-text.ts';
import { type Addressee, ircLine, numeric, userSource } from './irc-write.ts';

/** Members per RPL_NAMREPLY line: well under 512 bytes at 33 bytes a name. */
const NAMES_PER_LINE = 12;

/** 332 with the topic, or 331 when none is set. */
function topicReply(to: Addressee, room: string, topic: string): string {
  return topic === ''
    ? numeric(to, '331', room, 'No topic is set')
    : numeric(to, '332', room, topic);
}

/** 353 lines of `names` (as NAMES shows them: `@` for operators), then 366. */
function namesLines(to: Addressee, room: string, names: readonly string[]): string[] {
  const lines: string[] = [];
  for (let start = 0; start < names.length; start += NAMES_PER_LINE) {
    lines.push(numeric(to, '353', '=', room, names.slice(start, start + NAMES_PER_LINE).join(' ')));
  }
  lines.push(numeric(to, '366', room, 'End of /NAMES list'));
  return lines;
}

/** A 352 line for each member of `room`, then 315 for `target` as the client wrote it. */
function whoLines(
  to: Addressee,
  room: string,
  target: string,
  members: readonly string[],
): string[] {
  const lines = members.map((member) =>
    numeric(to, '352', room, member, 'chat', to.serverName, member, 'H', `0 ${member}`),
  );
  lines.push(numeric(to, '315', target, 'End of /WHO list'));
  return lines;
}

/** `JOIN #a,#b`: a join for each room not joined yet; `JOIN 0` parts every room. */
export function joinCommand(list: string, rooms: RoomBook, to: Addressee): IrcOutput {
  if (list === '0') {
    return { frames: rooms.list().map((room) => ({ type: 'part' as const, room })), lines: [] };
  }
  const out = nothing();
  for (const room of list.split(',').filter((name) => name !== '')) {
    const name = room.toLowerCase();
    if (!ROOM_PATTERN.test(name)) {
      out.lines.push(numeric(to, '403', room, 'No such channel: # and 1-32 of a-z 0-9 _ -'));
    } else if (!rooms.has(name)) {
      rooms.asked(name);
      out.frames.push({ type: 'join', room: name });
    }
  }
  return out;
}

/** `PART #a,#b`: a part for each room the client is in, 442 for the others. */
export function partCommand(list: string, rooms: RoomBook, to: Addressee): IrcOutput {
  const out = nothing();
  for (const room of list.split(',').filter((name) => name !== '')) {
    const name = room.toLowerCase();
    if (rooms.has(name)) out.frames.push({ type: 'part', room: name });
    else out.lines.push(numeric(to, '442', room, "You're not on that channel"));
  }
  return out;
}

/** `TOPIC #room` asks what it is; `TOPIC #room :text` sets it. */
export function topicCommand(
  room: string,
  text: string | undefined,
  rooms: RoomBook,
  to: Addressee,
): IrcOutput {
  const name = room.toLowerCase();
  const topic = rooms.topic(name);
  if (topic === undefined) return said([numeric(to, '442', room, "You're not on that channel")]);
  if (text === undefined) return said([topicReply(to, name, topic)]);
  return { frames: [{ type: 'topic', room: name, text }], lines: [] };
}

/** `NAMES #room`: its members, operators marked (none when the client is not in it). */
export function namesCommand(room: string, rooms: RoomBook, to: Addressee): string[] {
  const name = room.toLowerCase();
  return namesLines(to, name, rooms.prefixedMembers(name));
}

/** `WHO #room`: its members (none when the client is not in it). */
export function whoCommand(target: string, rooms: RoomBook, to: Addressee): string[] {
  const name = target.toLowerCase();
  return whoLines(to, name, target, rooms.members(name));
}

/**
 * `user` joined `room`: a JOIN line. When that is the client (`self`) and
 * the room's `state` came with it, the room is kept, and its topic and
 * members follow as a join's do.
 */
export function joinedLines(
  room: string,
  user: string,
  state: RoomState | undefined,
  self: boolean,
  rooms: RoomBook,
  to: Addressee,
): string[] {
  const lines = [ircLine(to, 'JOIN', [room], { source: userSource(user) })];
  if (self && state !== undefined) {
    rooms.entered(room, state);
    if (state.topic !== '') lines.push(numeric(to, '332', room, state.topic));
    lines.push(...namesCommand(room, rooms, to));
  } else {
    rooms.arrived(room, user);
  }
  return lines;
}

/** Someone left a room (the client, `self`, when it is them): a PART line. */
export function leftLines(
  frame: ServerFrameOf<'left'>,
  self: boolean,
  rooms: RoomBook,
  to: Addressee,
): string[] {
  rooms.left(frame.room, frame.user, self);
  return [ircLine(to, 'PART', [frame.room, frame.reason], { source: userSource(frame.user) })];
}

/** A room's topic was set: a TOPIC line from who set it. */
export function topicSetLines(
  frame: ServerFrameOf<'topic'>,
  rooms: RoomBook,
  to: Addressee,
): string[] {
  rooms.topicSet(frame.room, frame.text);
  return [
    ircLine(to, 'TOPIC', [frame.room, frame.text], {
      source: userSource(frame.by),
      tags: { time: isoTime(frame.ts) },
    }),
  ];
}
