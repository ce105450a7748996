/**
 * Messages both ways: a client's PRIVMSG or NOTICE as chat's `send` or
 * `dm`, and chat's messages as a PRIVMSG for each line of the text, cut to
 * fit 512 bytes; edits and deletions told in a notice, since IRC cannot
 * change a line it showed; a sealed direct message told of, as IRC cannot
 * open it. Pure but for the ref it takes.
 */
import { type DirectMessage, type StoredMessage, USER_PATTERN } from '../../net/protocol/frames.ts';
import type { Pending } from './irc-in-flight.ts';
import { ctcp } from './irc-line.ts';
import { type IrcOutput, nothing, said } from './irc-output.ts';
import type { RoomBook } from './irc-rooms.ts';
import { isoTime, splitBytes, withoutFormatting } from './irc-text.ts';
import { type Addressee, ircLine, notice, numeric, userSource } from './irc-write.ts';

/** Longest IRC line without its tags, CR LF excluded (bytes). */
const LINE_BYTES = 510;
/** How much of an edited message's new text its notice shows (bytes): the line must fit 512. */
const EDIT_SHOWN_BYTES = 300;

/** What a PRIVMSG or NOTICE comes to, and the message that went with its ref, if one did. */
export interface Said {
  output: IrcOutput;
  sent?: { ref: string; message: Pending };
}

/**
 * `PRIVMSG target :text` (or NOTICE, `command`): to a room the client is in
 * or joining, or to a user; formatting taken out, and of CTCP only ACTION
 * (/me). `newRef` is called once the text is known to be worth a ref.
 */
export function sayCommand(
  command: string,
  target: string,
  raw: string,
  rooms: RoomBook,
  to: Addressee,
  newRef: () => string,
): Said {
  if (target === '')
    return { output: said([numeric(to, '411', `No recipient given (${command})`)]) };
  const request = ctcp(raw);
  // Only ACTION (/me) means something here; other CTCP (VERSION, PING…) goes nowhere.
  if (request !== undefined && request.command !== 'ACTION') return { output: nothing() };
  const action = request !== undefined;
  const text = withoutFormatting(action ? (request?.params ?? '') : raw);
  if (text === '') return { output: said([numeric(to, '412', 'No text to send')]) };
  const ref = newRef();
  const name = target.toLowerCase();
  const sent = { ref, message: { target: name, text, action } };
  if (name.startsWith('#')) {
    if (!rooms.mayReach(name)) {
      return {
        output: said([numeric(to, '404', target, 'Cannot send to channel: join it first')]),
      };
    }
    return {
      output: {
        frames: [{ type: 'send', room: name, text, ref, ...(action ? { action } : {}) }],
        lines: [],
      },
      sent,
    };
  }
  if (!USER_PATTERN.test(name))
    return { output: said([numeric(to, '401', target, 'No such nick')]) };
  return {
    output: {
      frames: [{ type: 'dm', to: name, text, ref, ...(action ? { action } : {}) }],
      lines: [],
    },
    sent,
  };
}

/** A direct conversation's name in msgids, `@alice,bob`: the same from either side. */
export function dmConversation(one: string, other: string): string {
  return `@${[one, other].sort().join(',')}`;
}

/** The conversation a kept message belongs to: its room, or its two people. */
export function conversationOf(message: StoredMessage): string {
  return message.type === 'msg' ? message.room : dmConversation(message.from, message.to);
}

/** Where a message shows for `nick`: its room, or the other person of a direct message. */
export function targetOf(message: StoredMessage, nick: string): string {
  return message.type === 'msg' ? message.room : message.from === nick ? message.to : nick;
}

/** A message's tags: when it was said, and its id as `conversation/id`. */
export function messageTags(conversation: string, id: number, ts: number): Record<string, string> {
  return { time: isoTime(ts), msgid: `${conversation}/${id}` };
}

/** A message as PRIVMSG lines: one per line of its text, each cut to fit. */
export function privmsgLines(
  to: Addressee,
  from: string,
  target: string,
  text: string,
  action: boolean,
  tags: Record<string, string>,
): string[] {
  const source = userSource(from);
  const head = Buffer.byteLength(`:${source} PRIVMSG ${target} :`) + (action ? 9 : 0);
  const lines: string[] = [];
  for (const row of text.split('\n')) {
    for (const piece of splitBytes(row === '' ? ' ' : row, LINE_BYTES - head)) {
      lines.push(
        ircLine(to, 'PRIVMSG', [target, action ? `\u0001ACTION ${piece}\u0001` : piece], {
          source,
          tags,
        }),
      );
    }
  }
  return lines;
}

/**
 * A kept message edited or deleted in chat, as a notice from its author in
 * the same place; none for a sealed one, which IRC never showed.
 */
export function changedLines(to: Addressee, message: StoredMessage): string[] {
  if (message.type === 'dm' && message.sealed !== undefined) return [];
  const what =
    message.deleted !== undefined
      ? 'deleted a message'
      : `edited a message: ${splitBytes(message.text.split('\n').join(' '), EDIT_SHOWN_BYTES)[0]}`;
  return [
    ircLine(to, 'NOTICE', [targetOf(message, to.nick), what], {
      source: userSource(message.from),
      tags: { msgid: `${conversationOf(message)}/${message.id}` },
    }),
  ];
}

/** A sealed direct message, which IRC cannot open: the client is told one came. */
export function sealedNotice(to: Addressee, message: DirectMessage): string {
  const peer = message.from === to.nick ? message.to : message.from;
  return notice(
    to,
    `${message.from} sent a sealed direct message (with ${peer}): IRC cannot open it, read it in chat tui`,
  );
}
