/**
 * How a line to one IRC client is written: tags only as its capabilities
 * allow, parameters made safe, numerics addressed to its nick. Pure.
 */
import { serializeIrcLine } from './irc-line.ts';
import { safeParams } from './irc-text.ts';

/** Who a line goes to, and what it may carry. */
export interface Addressee {
  /** The server's name: the source of its own lines (`:chat.server 001 …`). */
  serverName: string;
  /** The client's nick, the first parameter of a numeric. */
  nick: string;
  /** The capabilities the client took with CAP REQ. */
  caps: ReadonlySet<string>;
}

/** What a line has beside its command and parameters. */
export interface LineExtra {
  /** `nick!user@host`, or the server's name when absent. */
  source?: string;
  /** IRCv3 tags, given only as the client's capabilities allow. */
  tags?: Record<string, string>;
}

/** A user's source, `nick!user@host`: a chat user is the same name three times, at `chat`. */
export function userSource(user: string): string {
  return `${user}!${user}@chat`;
}

/** One line to the client, without CR LF. */
export function ircLine(
  to: Addressee,
  command: string,
  params: string[],
  extra: LineExtra = {},
): string {
  // Tags only as negotiated: server-time alone gives the time, message-tags all of them.
  const tags: Record<string, string> = {};
  for (const [name, value] of Object.entries(extra.tags ?? {})) {
    const allowed =
      to.caps.has('message-tags') ||
      (name === 'time' && to.caps.has('server-time')) ||
      (name === 'batch' && to.caps.has('batch'));
    if (allowed) {
      tags[name] = value;
    }
  }
  return serializeIrcLine({
    ...(Object.keys(tags).length > 0 ? { tags } : {}),
    source: extra.source ?? to.serverName,
    command,
    params: safeParams(params),
  });
}

/** A numeric reply to the client: `:server NNN nick params…`. */
export function numeric(to: Addressee, code: string, ...params: string[]): string {
  return ircLine(to, code, [to.nick, ...params]);
}

/** A notice from the server to the client. */
export function notice(to: Addressee, text: string): string {
  return ircLine(to, 'NOTICE', [to.nick, text]);
}
