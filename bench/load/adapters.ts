/**
 * The three wire protocols the fan-out load speaks, reduced to what a load
 * generator needs: how to log in, how to frame a message, and where the
 * message text starts in a received line. Pure: no sockets. Lines are given
 * as a buffer and a range [start, end), end at the '\n' (a '\r' before it is
 * the adapter's business); nothing is parsed beyond indexOf and slicing, so
 * the hot path stays cheap and protocol-neutral.
 */
import type { Protocol } from './spec.ts';

/** What a line received while logging in means. */
export type SetupStep =
  | { ready: true; write?: string }
  | { ready: false; write?: string; fail?: string }
  | undefined;

export interface Adapter {
  /** Written once TLS is up (may be ''). */
  greeting(nick: string): string;
  /** True when the connection is usable as soon as TLS is up. */
  readyOnConnect: boolean;
  /** Most bytes of whole lines to write at once (one TLS record); Infinity for no limit. */
  maxWrite: number;
  /**
   * A no-op line that makes the server read the socket again, written when
   * nothing arrives while messages are due; '' for none. ngircd needs it:
   * when two TLS records arrive together GnuTLS decrypts both, ngircd takes
   * one, and the other waits for the socket to be readable again.
   */
  nudge: string;
  /** A line received before the connection is ready. */
  setupLine(buf: string, start: number, end: number): SetupStep;
  /** The line that sends `text` (ASCII, no quotes or backslashes) to the room. */
  frame(text: string, ref: string): string;
  /** Where the message text starts in a received line, or -1 when it is not a message. */
  textAt(buf: string, start: number, end: number): number;
  /**
   * The sequence number of an acknowledged message, or -1 when the line is
   * no acknowledgement (chat only: refs are `<case label>-<seq>`).
   */
  ackAt(buf: string, start: number, end: number): number;
  /** True for an error line the server sent after login. */
  isError(buf: string, start: number, end: number): boolean;
  /** The answer to a keep-alive ping, or '' when the line is none. */
  reply(buf: string, start: number, end: number): string;
}

const MSG = '{"type":"msg"';
const TEXT = '"text":"';
const ACK = '{"type":"ack","ref":"';
const PING = '{"type":"ping","ref":"';

/** chat protocol v1 (docs/PROTOCOL.md): hello, welcome, send, msg, ack, ping/pong. */
export function chatAdapter(room: string): Adapter {
  const hello = `${JSON.stringify({ type: 'hello', v: 1, client: 'bench/1', join: [room] })}\n`;
  const sendHead = `{"type":"send","room":${JSON.stringify(room)},"text":"`;
  return {
    greeting: () => hello,
    readyOnConnect: false,
    maxWrite: Number.POSITIVE_INFINITY,
    nudge: '',
    setupLine(buf, start, end) {
      if (buf.startsWith('{"type":"welcome"', start)) return { ready: true };
      if (buf.startsWith('{"type":"error"', start)) {
        return { ready: false, fail: buf.slice(start, Math.min(end, start + 300)) };
      }
      return undefined;
    },
    frame: (text, ref) => `${sendHead}${text}","ref":"${ref}"}\n`,
    textAt(buf, start, end) {
      if (!buf.startsWith(MSG, start)) return -1;
      const at = buf.indexOf(TEXT, start + MSG.length);
      return at < 0 || at > end ? -1 : at + TEXT.length;
    },
    ackAt(buf, start) {
      if (!buf.startsWith(ACK, start)) return -1;
      const end = buf.indexOf('"', start + ACK.length);
      return Number(buf.slice(buf.lastIndexOf('-', end) + 1, end));
    },
    isError: (buf, start) => buf.startsWith('{"type":"error"', start),
    reply(buf, start) {
      if (!buf.startsWith(PING, start)) return '';
      const from = start + PING.length;
      return `{"type":"pong","ref":"${buf.slice(from, buf.indexOf('"', from))}"}\n`;
    },
  };
}

/** The bare reference: every line is a message, nothing else is said. */
export function bareAdapter(): Adapter {
  return {
    greeting: () => '',
    readyOnConnect: true,
    maxWrite: Number.POSITIVE_INFINITY,
    nudge: '',
    setupLine: () => undefined,
    frame: (text) => `${text}\n`,
    textAt: (_buf, start) => start,
    ackAt: () => -1,
    isError: () => false,
    reply: () => '',
  };
}

/**
 * IRC (RFC 2812) as ngircd speaks it: NICK/USER, 001, JOIN, 366, PRIVMSG,
 * PING. Writes are cut into records of at most 2000 bytes (`maxWrite`).
 */
export function ircAdapter(channel: string): Adapter {
  const privmsg = `PRIVMSG ${channel} :`;
  // A line from the server is ":prefix COMMAND params", PING the exception.
  const command = (buf: string, start: number, end: number) => {
    if (buf.charCodeAt(start) !== 58 /* : */) return -1;
    const space = buf.indexOf(' ', start);
    return space < 0 || space > end ? -1 : space + 1;
  };
  const reply = (buf: string, start: number, end: number) =>
    buf.startsWith('PING ', start) ? `PONG ${buf.slice(start + 5, end).trim()}\r\n` : '';
  return {
    greeting: (nick) => `NICK ${nick}\r\nUSER ${nick} 0 * :bench\r\n`,
    readyOnConnect: false,
    // ngircd reads 2048 bytes at a time, and what GnuTLS has already
    // decrypted beyond them waits for the socket to be readable again: a
    // longer record stalls until the client writes more.
    maxWrite: 2000,
    // An empty line, which ngircd skips.
    nudge: '\r\n',
    setupLine(buf, start, end) {
      const at = command(buf, start, end);
      if (at < 0) {
        if (buf.startsWith('ERROR', start)) {
          return { ready: false, fail: buf.slice(start, end).trim() };
        }
        const pong = reply(buf, start, end);
        return pong ? { ready: false, write: pong } : undefined;
      }
      if (buf.startsWith('001 ', at)) return { ready: false, write: `JOIN ${channel}\r\n` };
      if (buf.startsWith('366 ', at)) return { ready: true };
      // 4xx and 5xx numerics are errors (nick in use, cannot join, ...).
      if (/^[45]\d\d /.test(buf.slice(at, at + 4))) {
        return { ready: false, fail: buf.slice(start, end).trim() };
      }
      return undefined;
    },
    frame: (text) => `${privmsg}${text}\r\n`,
    textAt(buf, start, end) {
      const at = command(buf, start, end);
      if (at < 0 || !buf.startsWith('PRIVMSG ', at)) return -1;
      const text = buf.indexOf(' :', at + 8);
      return text < 0 || text > end ? -1 : text + 2;
    },
    ackAt: () => -1,
    isError: (buf, start) => buf.startsWith('ERROR', start),
    reply,
  };
}

/** The adapter for a protocol, for `room` (ignored by bare). */
export function adapterFor(protocol: Protocol, room: string): Adapter {
  if (protocol === 'chat') return chatAdapter(room);
  if (protocol === 'irc') return ircAdapter(room);
  return bareAdapter();
}
