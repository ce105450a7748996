import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  encodeFrame,
  MAX_PARSE_MESSAGE_CHARS,
  type ParseResult,
  parseClientFrame,
  parseServerFrame,
} from '../../src/net/protocol/codec.ts';
import { clientFrameSchemas } from '../../src/net/protocol/frames.ts';
import { LineDecoder } from '../../src/net/protocol/line-decoder.ts';

/**
 * Property tests of the inbound pipeline, bytes -> LineDecoder -> parse*Frame:
 * however a stream is cut into chunks, it yields what the whole stream
 * yields. The seed is fixed so `npm test` is deterministic; FUZZ_SEED=<n>
 * explores others, and a failure prints the seed and path that replay it.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_c0de);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const params = { seed: SEED, numRuns: RUNS };

const utf8 = new TextEncoder();
const LF = 0x0a;
const CR = 0x0d;

/** What the pipeline made of one event: the line and both parsers' verdicts, or the decoder's error. */
type Outcome =
  | { line: string; client: ParseResult<unknown>; server: ParseResult<unknown> }
  | DecodeError;
type DecodeError = { error: 'bad_utf8' | 'line_too_long'; message: string };

interface Decoded {
  outcomes: Outcome[];
  /** Bytes of the unterminated last line still held. */
  buffered: number;
  poisoned: boolean;
}

/**
 * Feeds `chunks` through one decoder and parses every line. Each chunk is
 * copied into a scratch buffer that is scribbled over after the push, as a
 * socket may reuse its buffer: the decoder must have kept a copy.
 */
function decode(maxLineBytes: number, chunks: readonly Uint8Array[]): Decoded {
  const decoder = new LineDecoder(maxLineBytes);
  const outcomes: Outcome[] = [];
  for (const chunk of chunks) {
    const scratch = new Uint8Array(chunk);
    for (const event of decoder.push(scratch)) {
      if (event.kind === 'error') outcomes.push({ error: event.code, message: event.message });
      else {
        outcomes.push({
          line: event.line,
          client: parseClientFrame(event.line),
          server: parseServerFrame(event.line),
        });
      }
    }
    scratch.fill(0xff);
    assert.ok(decoder.bufferedBytes <= maxLineBytes, 'the buffer stays within maxLineBytes');
  }
  return { outcomes, buffered: decoder.bufferedBytes, poisoned: decoder.poisoned };
}

/** The decoder's contract written the naive way: split on LF, then judge each line alone. */
function reference(maxLineBytes: number, stream: Uint8Array): Array<string | DecodeError> {
  const out: Array<string | DecodeError> = [];
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let start = 0;
  while (start <= stream.length) {
    const newline = stream.indexOf(LF, start);
    const end = newline === -1 ? stream.length : newline;
    if (end - start > maxLineBytes) {
      out.push({ error: 'line_too_long', message: `the line exceeds ${maxLineBytes} bytes` });
      return out;
    }
    if (newline === -1) return out;
    let line = stream.subarray(start, end);
    if (line.at(-1) === CR) line = line.subarray(0, -1);
    if (line.length > 0) {
      try {
        out.push(strict.decode(line));
      } catch {
        out.push({ error: 'bad_utf8', message: 'the line is not valid UTF-8' });
      }
    }
    start = newline + 1;
  }
  return out;
}

/** Cuts `stream` at the given offsets (taken modulo its length + 1, so any list of naturals fits). */
function split(stream: Uint8Array, cuts: readonly number[], byteByByte: boolean): Uint8Array[] {
  if (byteByByte) return Array.from(stream, (byte) => Uint8Array.of(byte));
  const offsets = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  // Repeated offsets are kept once but an empty chunk is still pushed, to check it is harmless.
  for (const to of [...offsets, stream.length]) {
    chunks.push(stream.subarray(from, to));
    from = to;
  }
  return chunks;
}

const concat = (parts: readonly Uint8Array[]): Uint8Array => Buffer.concat(parts);

// Pieces a stream is made of. Each is followed by a separator, or by none, so
// pieces also run together into odd lines.

const room = fc.constantFrom('#general', '#a-b_1', '#General', 'general', '#', '@bob');
const ref = fc.oneof(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }), fc.nat());
const anyText = fc.string({ unit: 'binary', maxLength: 24 });
const niceText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });

/** Client frames, mostly well-formed, some with a field out of range. */
const clientFrame = fc.oneof(
  fc.record({ type: fc.constant('send'), room, text: fc.oneof(niceText, anyText), ref }),
  fc.record({
    type: fc.constant('dm'),
    to: fc.constantFrom('bob', 'Bob', ''),
    text: niceText,
    ref,
  }),
  fc.record({ type: fc.constantFrom('join', 'part'), room }),
  fc.record({ type: fc.constant('ping'), ref }),
  fc.record({
    type: fc.constant('hello'),
    v: fc.constantFrom(1, 2),
    client: fc.constant('fuzz/1'),
    resume: fc.dictionary(room, fc.integer({ min: -1, max: 50 }), { maxKeys: 3 }),
  }),
  fc.record({
    type: fc.constant('history'),
    room,
    limit: fc.integer({ min: 0, max: 201 }),
    before: fc.option(fc.nat(), { nil: undefined }),
  }),
);

/** Server frames: messages with any text, acks and errors. */
const serverFrame = fc.oneof(
  fc.record({
    type: fc.constant('msg'),
    id: fc.nat(),
    ts: fc.nat(),
    room,
    from: fc.constantFrom('ann', 'bob'),
    text: fc.oneof(niceText, anyText),
  }),
  fc.record({ type: fc.constant('ack'), ref, id: fc.nat(), ts: fc.nat() }),
  fc.record({ type: fc.constant('error'), code: fc.constant('rate_limited'), message: anyText }),
);

/** Encoded without its newline: the separator decides how the line ends. */
const frameBytes = fc
  .oneof(
    clientFrame,
    serverFrame,
    fc.json({ maxDepth: 2 }).map((j) => JSON.parse(j) as unknown),
  )
  .map((frame) => utf8.encode(encodeFrame(frame as object).slice(0, -1)));

/** Known malformed UTF-8 sequences, among other text. */
const badUtf8 = fc
  .constantFrom(
    [0x80],
    [0xc0, 0xaf],
    [0xe0, 0x80, 0xaf],
    [0xe2, 0x82],
    [0xf0, 0x9f, 0x98],
    [0xed, 0xa0, 0x80],
    [0xf4, 0x90, 0x80, 0x80],
    [0xff],
    [0xfe, 0xfe],
  )
  .map((b) => Uint8Array.from(b));

const anySegment = (maxLineBytes: number) =>
  fc.oneof(
    { weight: 8, arbitrary: frameBytes },
    // Multi-byte UTF-8 of every width: the cuts land inside characters.
    {
      weight: 3,
      arbitrary: fc.string({ unit: 'grapheme', maxLength: 16 }).map((s) => utf8.encode(s)),
    },
    { weight: 1, arbitrary: badUtf8 },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 }) },
    {
      // Lines around the limit, in 1-, 2- and 4-byte characters.
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: -3, max: 3 }), fc.constantFrom('x', 'é', '😀'))
        .map(([delta, char]) => {
          const width = utf8.encode(char).length;
          return utf8.encode(char.repeat(Math.max(0, Math.ceil((maxLineBytes + delta) / width))));
        }),
    },
  );

const separator = fc.constantFrom('\n', '\n', '\r\n', '\r', '', '\n\n').map((s) => utf8.encode(s));

/** A stream, the limit it is read with, and where to cut it. */
const input = fc.integer({ min: 48, max: 400 }).chain((maxLineBytes) =>
  fc.record({
    maxLineBytes: fc.constant(maxLineBytes),
    stream: fc
      .array(fc.tuple(anySegment(maxLineBytes), separator), { maxLength: 24 })
      .map((pieces) => concat(pieces.flat())),
    cuts: fc.array(fc.nat(), { maxLength: 40 }),
    byteByByte: fc.boolean(),
  }),
);

function assertPrintable(result: ParseResult<unknown>): void {
  if (result.ok) return;
  assert.ok(result.message.length <= MAX_PARSE_MESSAGE_CHARS, result.message);
  assert.match(result.message, /^[\x20-\x7e]+$/);
}

describe('fuzz: line decoder and frame parser', () => {
  it('yield the same frames and errors however the stream is cut', () => {
    fc.assert(
      fc.property(input, ({ maxLineBytes, stream, cuts, byteByByte }) => {
        const whole = decode(maxLineBytes, [stream]);
        const pieces = decode(maxLineBytes, split(stream, cuts, byteByByte));
        assert.deepEqual(pieces, whole);
      }),
      params,
    );
  });

  it('match the naive contract: split on LF, strip one CR, skip empty, strict UTF-8, limit', () => {
    fc.assert(
      fc.property(input, ({ maxLineBytes, stream, cuts, byteByByte }) => {
        const decoded = decode(maxLineBytes, split(stream, cuts, byteByByte));
        const lines = decoded.outcomes.map((o) => ('line' in o ? o.line : o));
        const expected = reference(maxLineBytes, stream);
        assert.deepEqual(lines, expected);
        const poisoned = expected.some((o) => typeof o !== 'string' && o.error === 'line_too_long');
        assert.equal(decoded.poisoned, poisoned);
        if (!poisoned) {
          const tail = stream.length - (stream.lastIndexOf(LF) + 1);
          assert.equal(decoded.buffered, tail, 'holds exactly the unterminated tail');
        } else assert.equal(decoded.buffered, 0);
        for (const o of decoded.outcomes) {
          if ('line' in o) {
            assertPrintable(o.client);
            assertPrintable(o.server);
          }
        }
      }),
      params,
    );
  });

  it('round-trip any client frame: parse(encode(f)) is what its schema makes of f', () => {
    fc.assert(
      fc.property(
        clientFrame,
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer({ min: 0, max: 3 }),
        (frame, cuts, padding) => {
          const line = encodeFrame(frame);
          assert.equal(line.indexOf('\n'), line.length - 1, 'one line, newline last');
          // Lines before and after it, so it is not alone in its chunks.
          const stream = utf8.encode(`${'{"type":"back"}\r\n'.repeat(padding)}${line}\n\n`);
          const outcomes = decode(1 << 16, split(stream, cuts, false)).outcomes;
          const last = outcomes.at(-1);
          assert.ok(last && 'line' in last);
          // What JSON keeps of the frame (no undefined fields) is what must come out.
          const plain: unknown = JSON.parse(line);
          const schema = clientFrameSchemas[frame.type as keyof typeof clientFrameSchemas];
          const valid = schema.safeParse(plain).success;
          assert.equal(last.client.ok, valid, JSON.stringify(last.client));
          if (last.client.ok) assert.deepEqual(last.client.frame, plain);
          assert.equal(outcomes.length, padding + 1);
        },
      ),
      params,
    );
  });
});
