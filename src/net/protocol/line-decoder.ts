/**
 * Splits a byte stream into lines of strict UTF-8, with a bounded buffer.
 * Pure: fed chunks through `push()`, it returns events and never touches a
 * socket, so the caller decides what an error means (reply, or close).
 */
import { LineBuffer } from './line-buffer.ts';

/** What `push()` found: a decoded line, or why a line was refused. */
export type DecodeEvent =
  | { kind: 'line'; line: string }
  | { kind: 'error'; code: 'bad_utf8' | 'line_too_long'; message: string };

const LF = 0x0a;
const CR = 0x0d;

/**
 * Lines end at byte 0x0A; one trailing `\r` is stripped and empty lines are
 * skipped. Each line is decoded on its own as strict UTF-8, so a bad line
 * yields one `bad_utf8` event and the next line decodes normally. A line
 * longer than `maxLineBytes` yields one `line_too_long` event, after which
 * the decoder is poisoned: it buffers nothing and returns no more events.
 */
export class LineDecoder {
  /** Longest accepted line in bytes, without the `\n` (a `\r` before it counts). */
  readonly maxLineBytes: number;
  // Bytes only become text once their line is complete, so a UTF-8 sequence
  // split across chunks needs no special care.
  readonly #utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  // The unterminated line so far, in one buffer that doubles as it fills
  // (capped at maxLineBytes). One copy per chunk kept a whole array per
  // piece: a line sent a byte per TLS record held ~250 bytes per byte.
  #pending: LineBuffer;
  #poisoned = false;

  /** @param maxLineBytes longest accepted line in bytes, without the newline; a positive integer. */
  constructor(maxLineBytes: number) {
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes must be a positive integer, got ${maxLineBytes}`);
    }
    this.maxLineBytes = maxLineBytes;
    this.#pending = new LineBuffer(maxLineBytes);
  }

  /** Bytes held for the line not yet terminated (at most `maxLineBytes`). */
  get bufferedBytes(): number {
    return this.#pending.length;
  }

  /** True once a line was too long: the caller should close the connection. */
  get poisoned(): boolean {
    return this.#poisoned;
  }

  /** Feeds the next bytes of the stream; returns the events they complete, in order. */
  push(chunk: Uint8Array): DecodeEvent[] {
    const events: DecodeEvent[] = [];
    if (this.#poisoned) return events;
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(LF, start);
      const end = newline === -1 ? chunk.length : newline;
      if (this.#pending.length + (end - start) > this.maxLineBytes) {
        events.push(this.#poison());
        return events;
      }
      if (newline === -1) {
        // Copied, not kept as a view: the caller may reuse its buffer, and a
        // small view would keep a large chunk alive. (Buffer#slice is a view.)
        this.#pending.append(chunk.subarray(start));
        break;
      }
      const event = this.#decode(this.#pending.take(chunk.subarray(start, newline)));
      if (event) events.push(event);
      start = newline + 1;
    }
    return events;
  }

  #decode(bytes: Uint8Array): DecodeEvent | undefined {
    const length =
      bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    if (length === 0) return undefined;
    try {
      return { kind: 'line', line: this.#utf8.decode(bytes.subarray(0, length)) };
    } catch {
      // TextDecoder's only failure in fatal mode is malformed input.
      return { kind: 'error', code: 'bad_utf8', message: 'the line is not valid UTF-8' };
    }
  }

  #poison(): DecodeEvent {
    this.#poisoned = true;
    this.#pending.clear();
    return {
      kind: 'error',
      code: 'line_too_long',
      message: `the line exceeds ${this.maxLineBytes} bytes`,
    };
  }
}
