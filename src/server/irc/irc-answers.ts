/**
 * The server's answers to LIST and WHOIS as IRC numerics, and what a
 * request the server refused says in IRC's terms. Pure.
 */
import type { ServerFrameOf } from '../../net/protocol/frames.ts';
import type { AskKind } from './irc-in-flight.ts';
import { type Addressee, ircLine, notice, numeric } from './irc-write.ts';

/** The answer to LIST: a 322 for each room, then 323. */
export function listLines(to: Addressee, frame: ServerFrameOf<'list'>): string[] {
  const lines = frame.rooms.map((room) =>
    numeric(to, '322', room.room, String(room.members), room.topic),
  );
  lines.push(
    numeric(to, '323', frame.more ? 'End of /LIST (more rooms than shown)' : 'End of /LIST'),
  );
  return lines;
}

/** The answer to WHOIS: who, where, away, offline or idle, certificates, then 318. */
export function whoisLines(to: Addressee, frame: ServerFrameOf<'whois'>): string[] {
  const who = frame.user;
  const lines = [numeric(to, '311', who, who, 'chat', '*', who)];
  lines.push(numeric(to, '312', who, to.serverName, 'chat'));
  if (frame.status === 'away') lines.push(numeric(to, '301', who, frame.text ?? 'away'));
  if (!frame.online)
    lines.push(numeric(to, '320', who, 'is offline: direct messages wait for them'));
  if (frame.online && frame.idleMs !== undefined) {
    lines.push(numeric(to, '317', who, String(Math.floor(frame.idleMs / 1000)), 'seconds idle'));
  }
  for (const fingerprint of frame.fingerprints) {
    lines.push(numeric(to, '276', who, `has client certificate fingerprint ${fingerprint}`));
  }
  lines.push(numeric(to, '318', who, 'End of /WHOIS list'));
  return lines;
}

/** WHOIS of a user there is none of: 401 (with why, when told), then 318. */
export function noSuchNickLines(to: Addressee, user: string, why?: string): string[] {
  return [
    numeric(to, '401', user, why === undefined ? 'No such nick' : `No such nick: ${why}`),
    numeric(to, '318', user, 'End of /WHOIS list'),
  ];
}

/** A request of `kind` about `target` that the server refused with `code` and `message`. */
export function refusedRequestLines(
  to: Addressee,
  kind: AskKind,
  target: string,
  code: string,
  message: string,
): string[] {
  switch (kind) {
    case 'whois':
      return noSuchNickLines(to, target, message);
    case 'moderate':
      return [numeric(to, '482', target, `You're not channel operator: ${message}`)];
    case 'history':
      return [ircLine(to, 'FAIL', ['CHATHISTORY', 'MESSAGE_ERROR', target, message])];
    default:
      return [notice(to, `${code}: ${message}`)];
  }
}
