/**
 * History in IRC's terms: CHATHISTORY (IRCv3 draft) and a late JOIN turned
 * into chat's history requests, and the kept messages that answer them
 * played back as PRIVMSG lines, in a batch when the client takes one. Pure.
 */
import { MAX_HISTORY_LIMIT, ROOM_PATTERN, type StoredMessage } from '../../net/protocol/frames.ts';
import type { Asking, ChatRequest } from './irc-in-flight.ts';
import { messageTags, privmsgLines, targetOf } from './irc-messages.ts';
import { type Addressee, ircLine } from './irc-write.ts';

/** Messages the history on joining and a CHATHISTORY request give at most. */
export const BACKLOG = 20;

/** `CHATHISTORY LATEST #room * N` or `CHATHISTORY BEFORE #room msgid=#room/ID N` (`params` as given). */
export function historyCommand(params: readonly string[], to: Addressee): Asking {
  const [sub = '', target = '', anchor = '', count = ''] = params;
  const room = target.toLowerCase();
  const limit = Math.min(MAX_HISTORY_LIMIT, Math.max(1, Number.parseInt(count, 10) || BACKLOG));
  const before = /^msgid=[^/]+\/(\d+)$/.exec(anchor)?.[1];
  const fail = (code: string, why: string): Asking => ({
    lines: [ircLine(to, 'FAIL', ['CHATHISTORY', code, ...params.slice(0, 2), why])],
    requests: [],
  });
  if (!ROOM_PATTERN.test(room)) return fail('INVALID_TARGET', 'history is kept for rooms here');
  if (sub.toUpperCase() === 'LATEST' && anchor === '*') {
    return {
      lines: [],
      requests: [
        { kind: 'history', target: room, frame: (ref) => ({ type: 'history', room, limit, ref }) },
      ],
    };
  }
  if (sub.toUpperCase() === 'BEFORE' && before !== undefined) {
    return {
      lines: [],
      requests: [
        {
          kind: 'history',
          target: room,
          frame: (ref) => ({ type: 'history', room, before: Number(before), limit, ref }),
        },
      ],
    };
  }
  return fail('INVALID_PARAMS', 'LATEST #room * N or BEFORE #room msgid=ID N');
}

/** A room joined later than the hello: its newest messages up to `lastId`, the join's, to play back. */
export function historyAfterJoin(room: string, lastId: number): ChatRequest {
  return {
    kind: 'history',
    target: room,
    frame: (ref) => ({ type: 'history', room, before: lastId + 1, limit: BACKLOG, ref }),
  };
}

/**
 * Kept messages of `conversation`, oldest first, as PRIVMSG lines: in the
 * batch named `batch` when the client takes batches (`undefined` otherwise).
 */
export function playbackLines(
  to: Addressee,
  conversation: string,
  messages: readonly StoredMessage[],
  batch: string | undefined,
): string[] {
  const lines: string[] = [];
  for (const message of messages) {
    if (message.deleted !== undefined || message.text === '') continue;
    const tags = {
      ...messageTags(conversation, message.id, message.ts),
      ...(batch === undefined ? {} : { batch }),
    };
    lines.push(
      ...privmsgLines(
        to,
        message.from,
        targetOf(message, to.nick),
        message.text,
        message.action === true,
        tags,
      ),
    );
  }
  if (batch === undefined || lines.length === 0) return lines;
  return [
    ircLine(to, 'BATCH', [`+${batch}`, 'chathistory', conversation]),
    ...lines,
    ircLine(to, 'BATCH', [`-${batch}`]),
  ];
}
