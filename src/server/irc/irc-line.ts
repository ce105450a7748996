/**
 * IRC messages one line at a time, for the IRC gateway (issue 22): parse,
 * serialize, a bounded byte-fed line decoder, and CTCP. Pure: no sockets,
 * no files, no process; the gateway decides what an error means (a numeric
 * such as 417 ERR_INPUTTOOLONG, silence, or a close).
 *
 * Grammar: the "Modern IRC" client protocol (modern.ircdocs.horse, Message
 * Format) and IRCv3 message tags (ircv3.net/specs/extensions/message-tags).
 */
import { LineBuffer } from '../../net/protocol/line-buffer.ts';

/** Every `code` an `IrcLineError` can carry, with what it means. Branch on the code, never the message. */
export const IRC_LINE_ERROR_CODES = {
  empty: 'the line is empty or holds only spaces (IRC says: ignore it)',
  too_long: 'the line is longer than the limit in bytes (reply 417 ERR_INPUTTOOLONG)',
  tags_too_long: 'the tags section is longer than the limit in bytes (reply 417 ERR_INPUTTOOLONG)',
  bad_tag: 'a tag key is empty or not [+][vendor/]name of letters, digits and hyphens',
  bad_source: 'the source after ":" is empty',
  no_command: 'the line has tags or a source but no command',
  bad_command: 'the command is neither letters nor three digits',
  too_many_params: 'the line has more parameters than the limit (15)',
  control_chars: 'the line holds NUL, CR or LF',
  bad_utf8: 'the line is not valid UTF-8',
} as const;

export type IrcLineErrorCode = keyof typeof IRC_LINE_ERROR_CODES;

/** Why a line was refused: a value, not a throw, since peers send bad lines. */
export interface IrcLineError {
  readonly kind: 'error';
  readonly code: IrcLineErrorCode;
  /** One line for logs; wording may change, the code does not. */
  readonly message: string;
}

/**
 * Tag values by key, unescaped. `true` is a key sent without `=`; IRCv3
 * gives `key` and `key=` the same meaning, so compare with `=== true || === ''`
 * when that matters. Keys are `[+][vendor/]name` (`+` marks a client-only
 * tag); a plain object, so look keys up with `Object.hasOwn`.
 */
export type IrcTags = Record<string, string | true>;

/** A message to serialize. `params` are plain values: the codec adds the `:` of a trailing one. */
export interface IrcMessage {
  tags?: IrcTags;
  source?: string;
  command: string;
  params: string[];
}

/** A parsed line. `source` is absent when the line had none; `tags` is `{}` when it had none. */
export interface ParsedLine {
  readonly kind: 'message';
  tags: IrcTags;
  source?: string;
  /** Letters upper-cased (`privmsg` → `PRIVMSG`), or a three-digit numeric. */
  command: string;
  params: string[];
}

/** Limits that `parseIrcLine` enforces. All sizes in bytes of UTF-8. */
export interface IrcLimits {
  /** The line after its tags section, without CR LF: 512 - 2. */
  readonly maxBodyBytes: number;
  /** The tags section, counting the leading `@` and the space after it. */
  readonly maxTagsBytes: number;
  /** Parameters per line; the 15 of RFC 1459 and 2812. */
  readonly maxParams: number;
}

/**
 * Default limits: 512 bytes with CR LF for the message, 8191 for its tags
 * (Modern IRC's "clients must allow 8191 additional bytes"). The IRCv3 spec
 * itself caps tag data a client may send at 4094 bytes (4096 with `@` and
 * space); a server that wants to answer 417 at that limit passes
 * `{ ...IRC_LIMITS, maxTagsBytes: 4096 }`.
 */
export const IRC_LIMITS: IrcLimits = Object.freeze({
  maxBodyBytes: 510,
  maxTagsBytes: 8191,
  maxParams: 15,
});

/** Longest line `IrcLineDecoder` buffers by default, in bytes with its CR LF: 8191 + 512. */
export const IRC_MAX_LINE_BYTES = 8191 + 512;

const SPACE = 0x20;
const TAG_KEY = /^\+?(?:[A-Za-z0-9.-]+\/)?[A-Za-z0-9-]+$/;
const COMMAND = /^(?:[A-Za-z]+|[0-9]{3})$/;
const NUL_CR_LF = /[\0\r\n]/;
const UNESCAPE: Readonly<Record<string, string>> = {
  ':': ';',
  s: ' ',
  '\\': '\\',
  r: '\r',
  n: '\n',
};
const ESCAPE = /[\\; \r\n]/g;
const ESCAPED: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  ';': '\\:',
  ' ': '\\s',
  '\r': '\\r',
  '\n': '\\n',
};

function fail(code: IrcLineErrorCode, message: string): IrcLineError {
  return { kind: 'error', code, message };
}

/**
 * Parses one line, without its CR LF, as decoded by `IrcLineDecoder`.
 * Tolerates several spaces between parts and trailing spaces. Keeps C0
 * formatting codes (\x02 \x03 \x0f \x16 \x1d \x1f) and CTCP's \x01 as they
 * are. A repeated tag key keeps its last value, as IRCv3 asks.
 */
export function parseIrcLine(
  line: string,
  limits: IrcLimits = IRC_LIMITS,
): ParsedLine | IrcLineError {
  if (NUL_CR_LF.test(line)) return fail('control_chars', 'the line holds NUL, CR or LF');
  let pos = 0;
  const tags: IrcTags = {};
  const hasTags = line.startsWith('@');
  if (hasTags) {
    const space = line.indexOf(' ');
    const end = space === -1 ? line.length : space;
    // '@' + tag data + ' ': the space is counted even when missing, since
    // a line with tags and no space is refused below anyway.
    const tagsBytes = utf8ByteLength(line, 0, end) + 1;
    if (tagsBytes > limits.maxTagsBytes) {
      return fail(
        'tags_too_long',
        `the tags are ${tagsBytes} bytes; the limit is ${limits.maxTagsBytes}`,
      );
    }
    if (space === -1) return fail('no_command', 'the line holds tags and nothing else');
    const error = parseTags(line.slice(1, end), tags);
    if (error) return error;
    pos = space + 1;
  }
  const bodyBytes = utf8ByteLength(line, pos, line.length);
  if (bodyBytes > limits.maxBodyBytes) {
    return fail(
      'too_long',
      `the line is ${bodyBytes} bytes after its tags; the limit is ${limits.maxBodyBytes} without CR LF`,
    );
  }
  pos = skipSpaces(line, pos);
  if (pos === line.length) {
    return hasTags
      ? fail('no_command', 'the line holds tags and nothing else')
      : fail('empty', 'the line is empty or holds only spaces');
  }

  let source: string | undefined;
  if (line.charAt(pos) === ':') {
    const end = wordEnd(line, pos);
    source = line.slice(pos + 1, end);
    if (source === '') return fail('bad_source', 'the source after ":" is empty');
    pos = skipSpaces(line, end);
    if (pos === line.length) return fail('no_command', 'the line has a source but no command');
  }

  const commandEnd = wordEnd(line, pos);
  const command = line.slice(pos, commandEnd);
  if (!COMMAND.test(command)) {
    return fail('bad_command', 'the command must be letters or three digits');
  }
  pos = commandEnd;

  const params: string[] = [];
  for (;;) {
    pos = skipSpaces(line, pos);
    if (pos === line.length) break;
    if (params.length === limits.maxParams) {
      return fail('too_many_params', `the line has more than ${limits.maxParams} parameters`);
    }
    if (line.charAt(pos) === ':') {
      params.push(line.slice(pos + 1));
      break;
    }
    const end = wordEnd(line, pos);
    params.push(line.slice(pos, end));
    pos = end;
  }

  const message: ParsedLine = { kind: 'message', tags, command: command.toUpperCase(), params };
  if (source !== undefined) message.source = source;
  return message;
}

/** Fills `tags` from the tag data between `@` and the space; an error if a key is invalid. */
function parseTags(data: string, tags: IrcTags): IrcLineError | undefined {
  for (const tag of data.split(';')) {
    const equals = tag.indexOf('=');
    const key = equals === -1 ? tag : tag.slice(0, equals);
    // The key grammar has no '_', so no key can be '__proto__'.
    if (!TAG_KEY.test(key))
      return fail('bad_tag', 'a tag key is empty or has characters not allowed');
    tags[key] = equals === -1 ? true : unescapeTagValue(tag.slice(equals + 1));
  }
  return undefined;
}

/** IRCv3 unescaping: `\:` `\s` `\\` `\r` `\n`; `\x` is `x`; a lone final `\` is dropped. */
function unescapeTagValue(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let value = '';
  for (let i = 0; i < raw.length; i++) {
    const char = raw.charAt(i);
    if (char !== '\\') {
      value += char;
      continue;
    }
    i++;
    if (i === raw.length) break;
    const next = raw.charAt(i);
    value += UNESCAPE[next] ?? next;
  }
  return value;
}

function escapeTagValue(value: string): string {
  return value.replace(ESCAPE, (char) => ESCAPED[char] ?? char);
}

function skipSpaces(line: string, pos: number): number {
  while (line.charCodeAt(pos) === SPACE) pos++;
  return pos;
}

function wordEnd(line: string, pos: number): number {
  const space = line.indexOf(' ', pos);
  return space === -1 ? line.length : space;
}

/** Bytes of `text.slice(start, end)` in UTF-8; a lone surrogate counts 3, as U+FFFD. */
function utf8ByteLength(text: string, start: number, end: number): number {
  let bytes = 0;
  for (let i = start; i < end; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < end && isLowSurrogate(text, i + 1)) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function isLowSurrogate(text: string, i: number): boolean {
  const unit = text.charCodeAt(i);
  return unit >= 0xdc00 && unit < 0xe000;
}

/**
 * Serializes a message to one line WITHOUT CR LF. Tag values are escaped;
 * the last parameter gets a `:` when it is empty, holds a space or starts
 * with `:`. Throws a RangeError (a programming error, not a peer's) on a
 * bad command, tag key or source, a middle parameter that is empty, holds
 * a space or starts with `:`, more than 15 parameters, or NUL, CR or LF
 * anywhere but in a tag value (where they are escaped). Does not enforce
 * the 512-byte limit: the caller splits long text before it gets here.
 */
export function serializeIrcLine(message: IrcMessage): string {
  const parts: string[] = [];
  const tags = Object.entries(message.tags ?? {});
  if (tags.length > 0) {
    const data = tags.map(([key, value]) => {
      if (!TAG_KEY.test(key)) throw new RangeError(`invalid IRC tag key ${JSON.stringify(key)}`);
      if (value === true) return key;
      if (value.includes('\0')) throw new RangeError(`the IRC tag ${key} holds NUL`);
      return `${key}=${escapeTagValue(value)}`;
    });
    parts.push(`@${data.join(';')}`);
  }
  if (message.source !== undefined) {
    const { source } = message;
    if (source === '' || source.includes(' ') || NUL_CR_LF.test(source)) {
      throw new RangeError(`invalid IRC source ${JSON.stringify(source)}`);
    }
    parts.push(`:${source}`);
  }
  if (!COMMAND.test(message.command)) {
    throw new RangeError(`invalid IRC command ${JSON.stringify(message.command)}`);
  }
  parts.push(message.command);
  const { params } = message;
  if (params.length > IRC_LIMITS.maxParams) {
    throw new RangeError(`${params.length} IRC parameters; at most ${IRC_LIMITS.maxParams}`);
  }
  params.forEach((param, i) => {
    if (NUL_CR_LF.test(param)) throw new RangeError(`IRC parameter ${i} holds NUL, CR or LF`);
    const needsColon = param === '' || param.includes(' ') || param.startsWith(':');
    if (i < params.length - 1) {
      if (needsColon) {
        throw new RangeError(`IRC parameter ${i} is empty, holds a space or starts with ':'`);
      }
      parts.push(param);
    } else parts.push(needsColon ? `:${param}` : param);
  });
  return parts.join(' ');
}

/**
 * A CTCP message in a PRIVMSG or NOTICE text: `\x01COMMAND params\x01`,
 * the final \x01 optional (Modern IRC's CTCP document). `command` is
 * upper-cased; `params` is `''` when there are none. Undefined for plain
 * text, an empty command, or a \x01 inside the body. The gateway maps
 * `ACTION` to /me.
 */
export function ctcp(text: string): { command: string; params: string } | undefined {
  if (!text.startsWith('\x01')) return undefined;
  const end = text.length > 1 && text.endsWith('\x01') ? text.length - 1 : text.length;
  const body = text.slice(1, end);
  if (body.includes('\x01')) return undefined;
  const space = body.indexOf(' ');
  const command = space === -1 ? body : body.slice(0, space);
  if (command === '') return undefined;
  return { command: command.toUpperCase(), params: space === -1 ? '' : body.slice(space + 1) };
}

/** What `IrcLineDecoder.push()` found: a line to give `parseIrcLine`, or why a line was refused. */
export type IrcDecodeEvent = { line: string } | { error: IrcLineError };

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a socket's bytes into IRC lines. Lines end at LF, with or without
 * a CR before it (Modern IRC: servers SHOULD accept a bare LF); a CR alone
 * does not end a line. Empty lines are skipped, as IRC asks. Each line is
 * decoded as strict UTF-8 on its own, so a bad line yields one `bad_utf8`
 * error and the next line decodes normally. A line longer than the limit
 * yields one `too_long` error as soon as the limit is passed, its bytes are
 * dropped as they come until the next LF, and decoding goes on after it:
 * the decoder never holds more than the limit.
 */
export class IrcLineDecoder {
  /** Longest accepted line in bytes, counting its line ending (LF or CR LF). */
  readonly maxLineBytes: number;
  readonly #utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  // The unterminated line so far, in one buffer that doubles as it fills,
  // as in line-decoder.ts.
  #pending: LineBuffer;
  // True while dropping the rest of a line that was too long.
  #skipping = false;

  /** @param maxLineBytes longest accepted line in bytes with its line ending; an integer of at least 2. */
  constructor(maxLineBytes: number = IRC_MAX_LINE_BYTES) {
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 2) {
      throw new RangeError(`maxLineBytes must be an integer of at least 2, got ${maxLineBytes}`);
    }
    this.maxLineBytes = maxLineBytes;
    this.#pending = new LineBuffer(maxLineBytes);
  }

  /** Bytes held for the line not yet terminated (less than `maxLineBytes`). */
  get bufferedBytes(): number {
    return this.#pending.length;
  }

  /** Feeds the next bytes of the stream; returns the events they complete, in order. */
  push(chunk: Uint8Array): IrcDecodeEvent[] {
    const events: IrcDecodeEvent[] = [];
    // Bytes before the LF, a CR included.
    const maxContent = this.maxLineBytes - 1;
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(LF, start);
      if (this.#skipping) {
        if (newline === -1) break;
        this.#skipping = false;
        start = newline + 1;
        continue;
      }
      const end = newline === -1 ? chunk.length : newline;
      if (this.#pending.length + (end - start) > maxContent) {
        events.push({ error: this.#tooLong() });
        if (newline === -1) {
          this.#skipping = true;
          break;
        }
        start = newline + 1;
        continue;
      }
      if (newline === -1) {
        // Copied, not kept as a view: the caller may reuse its buffer.
        this.#pending.append(chunk.subarray(start));
        break;
      }
      const event = this.#decode(this.#pending.take(chunk.subarray(start, newline)));
      if (event) events.push(event);
      start = newline + 1;
    }
    return events;
  }

  #decode(bytes: Uint8Array): IrcDecodeEvent | undefined {
    const length =
      bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    if (length === 0) return undefined;
    try {
      return { line: this.#utf8.decode(bytes.subarray(0, length)) };
    } catch {
      // TextDecoder's only failure in fatal mode is malformed input.
      return { error: fail('bad_utf8', 'the line is not valid UTF-8') };
    }
  }

  #tooLong(): IrcLineError {
    this.#pending.clear();
    return fail('too_long', `the line exceeds ${this.maxLineBytes} bytes`);
  }
}
