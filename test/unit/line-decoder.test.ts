import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DecodeEvent, LineDecoder } from '../../src/net/protocol/line-decoder.ts';

const utf8 = new TextEncoder();
const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? utf8.encode(p) : Uint8Array.from(p))));
const lines = (...texts: string[]): DecodeEvent[] => texts.map((line) => ({ kind: 'line', line }));
const codes = (events: DecodeEvent[]): string[] =>
  events.map((e) => (e.kind === 'line' ? `line:${e.line}` : e.code));

/** Pushes each chunk in turn and collects every event. */
function feed(decoder: LineDecoder, chunks: Uint8Array[]): DecodeEvent[] {
  return chunks.flatMap((chunk) => decoder.push(chunk));
}

describe('LineDecoder', () => {
  const texts = [
    '{"type":"send","text":"café"}',
    '{"type":"send","text":"😀 ok"}',
    '{"type":"send","text":"中文字符 テスト"}',
    'plain ascii',
    '€𝄞é',
  ];
  const stream = bytes(`${texts[0]}\n${texts[1]}\r\n\n${texts[2]}\n${texts[3]}\r\n${texts[4]}\n`);

  it('decodes a whole stream in one push', () => {
    assert.deepEqual(new LineDecoder(1024).push(stream), lines(...texts));
  });

  it('decodes the same lines when split at every byte offset', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const decoder = new LineDecoder(1024);
      const events = feed(decoder, [stream.subarray(0, cut), stream.subarray(cut)]);
      assert.deepEqual(events, lines(...texts), `split at byte ${cut}`);
      assert.equal(decoder.bufferedBytes, 0);
    }
  });

  it('decodes the same lines when split at every pair of offsets', () => {
    for (let a = 0; a <= stream.length; a += 1) {
      for (let b = a; b <= stream.length; b += 7) {
        const chunks = [stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)];
        assert.deepEqual(feed(new LineDecoder(1024), chunks), lines(...texts), `split ${a}/${b}`);
      }
    }
  });

  it('decodes the same lines from 1-byte chunks', () => {
    const chunks = Array.from(stream, (byte) => Uint8Array.of(byte));
    assert.deepEqual(feed(new LineDecoder(1024), chunks), lines(...texts));
  });

  it('keeps a partial line until its newline, and counts its bytes', () => {
    const decoder = new LineDecoder(1024);
    assert.deepEqual(decoder.push(bytes('ab', [0xc3])), []);
    assert.equal(decoder.bufferedBytes, 3);
    assert.deepEqual(decoder.push(bytes([0xa9], 'c\nd')), lines('abéc'));
    assert.equal(decoder.bufferedBytes, 1);
  });

  it('copies what it keeps, so the caller may reuse its buffer', () => {
    const decoder = new LineDecoder(1024);
    const buffer = bytes('hello');
    decoder.push(buffer);
    buffer.fill(0x78);
    assert.deepEqual(decoder.push(bytes('\n')), lines('hello'));
  });

  it('strips one trailing \\r and skips empty lines', () => {
    const decoder = new LineDecoder(1024);
    assert.deepEqual(decoder.push(bytes('a\r\n\r\n\n\r\r\nb\rc\n')), lines('a', '\r', 'b\rc'));
  });

  it('keeps a BOM rather than silently dropping it', () => {
    const events = new LineDecoder(64).push(bytes([0xef, 0xbb, 0xbf], '{}\n'));
    assert.deepEqual(events, lines('\ufeff{}'));
  });

  describe('invalid UTF-8', () => {
    const cases: [string, number[]][] = [
      ['a lone continuation byte', [0x61, 0x80, 0x62]],
      ['an overlong encoding of "/" (C0 AF)', [0xc0, 0xaf]],
      ['an overlong 3-byte encoding (E0 80 AF)', [0xe0, 0x80, 0xaf]],
      ['a sequence truncated before the newline', [0x61, 0xe2, 0x82]],
      ['a 4-byte sequence truncated before the newline', [0xf0, 0x9f, 0x98]],
      ['a UTF-16 surrogate encoded as ED A0 80', [0xed, 0xa0, 0x80]],
      ['a code point above U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]],
      ['a 0xFF byte', [0xff]],
    ];
    for (const [name, bad] of cases) {
      it(`refuses ${name} and decodes the next line`, () => {
        const input = bytes('before\n', bad, '\nafter 😀\n');
        const expected = ['line:before', 'bad_utf8', 'line:after 😀'];
        assert.deepEqual(codes(new LineDecoder(64).push(input)), expected);
        for (let cut = 0; cut <= input.length; cut++) {
          const events = feed(new LineDecoder(64), [input.subarray(0, cut), input.subarray(cut)]);
          assert.deepEqual(codes(events), expected, `split at byte ${cut}`);
        }
      });
    }

    it('refuses a truncated sequence before \\r\\n too', () => {
      assert.deepEqual(codes(new LineDecoder(64).push(bytes('a', [0xc3], '\r\nb\n'))), [
        'bad_utf8',
        'line:b',
      ]);
    });
  });

  describe('line length limit', () => {
    const max = 16;

    it('passes a line of exactly maxLineBytes, in one chunk or in 1-byte chunks', () => {
      const line = 'é'.repeat(max / 2);
      assert.equal(utf8.encode(line).length, max);
      assert.deepEqual(new LineDecoder(max).push(bytes(line, '\n')), lines(line));
      const chunks = Array.from(bytes(line, '\n'), (b) => Uint8Array.of(b));
      assert.deepEqual(feed(new LineDecoder(max), chunks), lines(line));
    });

    it('passes maxLineBytes then \\n twice in a row', () => {
      const line = 'x'.repeat(max);
      assert.deepEqual(new LineDecoder(max).push(bytes(line, '\n', line, '\n')), lines(line, line));
    });

    it('counts a \\r before the newline as a byte of the line', () => {
      const events = new LineDecoder(max).push(bytes('x'.repeat(max), '\r\n'));
      assert.deepEqual(codes(events), ['line_too_long']);
    });

    it('refuses maxLineBytes + 1 in one chunk', () => {
      const events = new LineDecoder(max).push(bytes('ok\n', 'x'.repeat(max + 1), '\nnext\n'));
      assert.deepEqual(codes(events), ['line:ok', 'line_too_long']);
    });

    it('refuses maxLineBytes + 1 in small chunks, before any newline arrives', () => {
      const decoder = new LineDecoder(max);
      for (let i = 0; i < max; i++) assert.deepEqual(decoder.push(bytes('x')), []);
      assert.equal(decoder.bufferedBytes, max);
      const events = decoder.push(bytes('x'));
      assert.deepEqual(codes(events), ['line_too_long']);
      assert.equal(decoder.bufferedBytes, 0);
      assert.equal(decoder.poisoned, true);
    });

    it('refuses at the first chunk that goes over, at every split', () => {
      const input = bytes('x'.repeat(max + 1));
      for (let cut = 0; cut <= input.length; cut++) {
        const decoder = new LineDecoder(max);
        const events = feed(decoder, [input.subarray(0, cut), input.subarray(cut)]);
        assert.deepEqual(codes(events), ['line_too_long'], `split at byte ${cut}`);
      }
    });

    it('emits nothing more after line_too_long and buffers nothing', () => {
      const decoder = new LineDecoder(max);
      assert.deepEqual(codes(decoder.push(bytes('x'.repeat(max + 5)))), ['line_too_long']);
      for (const more of ['\n', 'short\n', 'x'.repeat(100), '\nok\n']) {
        assert.deepEqual(decoder.push(bytes(more)), []);
        assert.equal(decoder.bufferedBytes, 0);
      }
    });

    it('keeps bufferedBytes <= maxLineBytes for 10 MiB in 64 KiB chunks without newline', () => {
      const maxLineBytes = 64 * 1024;
      const decoder = new LineDecoder(maxLineBytes);
      const chunk = new Uint8Array(64 * 1024).fill(0x61);
      const events: DecodeEvent[] = [];
      for (let sent = 0; sent < 10 * 1024 * 1024; sent += chunk.length) {
        events.push(...decoder.push(chunk));
        assert.ok(decoder.bufferedBytes <= maxLineBytes);
      }
      assert.deepEqual(codes(events), ['line_too_long']);
      assert.equal(decoder.bufferedBytes, 0);
    });

    it('assembles a 64 KiB line from 1 KiB chunks', () => {
      const maxLineBytes = 64 * 1024;
      const line = 'é'.repeat(maxLineBytes / 2);
      const input = bytes(line, '\n');
      const decoder = new LineDecoder(maxLineBytes);
      const events: DecodeEvent[] = [];
      // 1023: chunk edges fall inside the 2-byte characters too.
      for (let i = 0; i < input.length; i += 1023) {
        events.push(...decoder.push(input.subarray(i, i + 1023)));
      }
      assert.deepEqual(events, lines(line));
    });
  });

  it('refuses a maxLineBytes that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new LineDecoder(bad), RangeError);
    }
  });
});
