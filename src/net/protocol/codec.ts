/**
 * Protocol v1 text codec: one JSON object per line. Pure; the line splitting
 * and UTF-8 checks are in `line-decoder.ts`.
 */
import type { z } from 'zod';
import {
  type ClientFrame,
  clientFrameSchemas,
  type ServerFrame,
  serverFrameSchemas,
} from './frames.ts';
import { checkedDm, checkedSend } from './message-frame-check.ts';

/** A parsed frame, or why the line is not one (`code` is an `error` frame code). */
export type ParseResult<T> =
  | { ok: true; frame: T }
  | {
      ok: false;
      code: 'bad_json' | 'unknown_type' | 'invalid_frame';
      message: string;
      /** The object's `ref`, when it had a well-formed one, so the error can name the request. */
      ref?: string;
    };

/** Longest `message` of a failed `ParseResult`, in characters. */
export const MAX_PARSE_MESSAGE_CHARS = 200;
// Room for a type name in a message, in characters: the real ones are short.
const MAX_QUOTED_CHARS = 40;

/** One frame as a line: JSON and a `\n` (JSON escapes every newline inside). */
export function encodeFrame(frame: object): string {
  return `${JSON.stringify(frame)}\n`;
}

/** Parses one line (without its newline) a client sent into a checked frame. */
export function parseClientFrame(line: string): ParseResult<ClientFrame> {
  return parseFrame<ClientFrame>(line, clientFrameSchemas, CLIENT_QUICK_CHECKS);
}

/** Frames every message is sent in: checked by hand first, by zod only when in doubt. */
const CLIENT_QUICK_CHECKS: QuickChecks = { send: checkedSend, dm: checkedDm };

/** Parses one line (without its newline) the server sent into a checked frame. */
export function parseServerFrame(line: string): ParseResult<ServerFrame> {
  return parseFrame<ServerFrame>(line, serverFrameSchemas);
}

/** Checks that return a frame only when it is certainly valid (see message-frame-check.ts). */
type QuickChecks = Record<string, (frame: Record<string, unknown>) => object | undefined>;

function parseFrame<T>(line: string, schemas: object, quick: QuickChecks = {}): ParseResult<T> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return failure('bad_json', `not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return failure('bad_json', `not a JSON object: ${kindOf(value)}`);
  }
  const ref = refOf(value);
  const type: unknown = (value as { type?: unknown }).type;
  if (type === undefined) return failure('invalid_frame', 'missing field "type"', ref);
  if (typeof type !== 'string') {
    return failure('invalid_frame', `field "type" must be a string, got ${kindOf(type)}`, ref);
  }
  // hasOwn, so inherited names like "__proto__" or "toString" are unknown.
  if (!Object.hasOwn(schemas, type)) {
    return failure('unknown_type', `unknown frame type ${quote(type)}`, ref);
  }
  const checked = Object.hasOwn(quick, type)
    ? quick[type]?.(value as Record<string, unknown>)
    : undefined;
  if (checked !== undefined) return { ok: true, frame: checked as T };
  const schema = (schemas as Record<string, z.ZodType>)[type] as z.ZodType;
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, frame: result.data as T };
  return failure('invalid_frame', describeIssue(type, result.error.issues[0]), ref);
}

/** `send.text: must not contain control characters`, or `send: unexpected field "x"`. */
function describeIssue(type: string, issue: z.ZodError['issues'][number] | undefined): string {
  if (issue === undefined) return `${type}: invalid`;
  const where = issue.path.reduce<string>(
    (acc, key) =>
      typeof key === 'number'
        ? `${acc}[${key}]`
        : typeof key === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)
          ? `${acc}.${key}`
          : `${acc}[${quote(String(key))}]`,
    type,
  );
  if (issue.code === 'unrecognized_keys') {
    const s = issue.keys.length === 1 ? '' : 's';
    return `${where}: unexpected field${s} ${issue.keys.map(quote).join(', ')}`;
  }
  if (issue.code === 'invalid_key' && issue.issues[0]) {
    return `${where}: invalid key, ${issue.issues[0].message}`;
  }
  return `${where}: ${issue.message}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A peer's string as a short, printable, quoted token for an error message. */
function quote(text: string): string {
  const short = text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}...` : text;
  return JSON.stringify(short);
}

function failure(
  code: 'bad_json' | 'unknown_type' | 'invalid_frame',
  message: string,
  ref?: string,
): ParseResult<never> {
  return { ok: false, code, message: oneLine(message), ...(ref === undefined ? {} : { ref }) };
}

// A ref worth echoing: the same shape a valid frame's ref must have.
function refOf(value: object): string | undefined {
  const ref: unknown = (value as { ref?: unknown }).ref;
  return typeof ref === 'string' && /^[\x21-\x7e]{1,64}$/.test(ref) ? ref : undefined;
}

// Messages go back to the peer and may land in a terminal: keep them to
// printable ASCII (peer-chosen keys and V8's JSON errors quote the input).
function oneLine(message: string): string {
  const printable = message.replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return printable.length > MAX_PARSE_MESSAGE_CHARS
    ? `${printable.slice(0, MAX_PARSE_MESSAGE_CHARS - 3)}...`
    : printable;
}
