import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseClientFrame } from '../../src/net/protocol/codec.ts';
import { dmFrame, MAX_TEXT_CHARS, sendFrame } from '../../src/net/protocol/frames.ts';
import { checkedDm, checkedSend } from '../../src/net/protocol/message-frame-check.ts';

/**
 * The hand check of send and dm frames must never accept what zod refuses,
 * must give back what zod gives back, and must take the ordinary frames (or
 * it saves nothing). Fixed seed, so `npm test` is deterministic.
 */
const params = { seed: Number(process.env.FUZZ_SEED ?? 0x5e4d), numRuns: 2000 };

/** Texts at and across each rule's edge, and arbitrary ones. */
const edgeTexts = fc.constantFrom(
  'hi',
  '',
  'a\u0000b',
  'a\u001bb',
  '\u0085',
  'tab\there',
  'two\nlines',
  'bidi \u202e here',
  'isolate \u2066',
  'sep \u2028',
  'lone \ud800',
  'x'.repeat(MAX_TEXT_CHARS),
  'x'.repeat(MAX_TEXT_CHARS + 1),
  '😀 日本 café',
);
const nearText = fc.oneof(
  { arbitrary: edgeTexts, weight: 4 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 },
);
const nearName = fc.oneof(
  fc.constantFrom('#general', '#a', '#A', 'general', '#', `#${'a'.repeat(33)}`, 'bob', '@bob'),
  fc.constantFrom('BOB', '', 'b o b', 'a'.repeat(32), 'a'.repeat(33), '#room-1_x'),
  fc.string({ maxLength: 12 }),
);
const nearRef = fc.oneof(
  fc.constantFrom('r1', '', ' ', 'x'.repeat(64), 'x'.repeat(65), 'é'),
  fc.string({ maxLength: 8 }),
);
const anyValue = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.string(),
  fc.array(fc.integer()),
);

/**
 * A JSON object near a send or dm frame, as the server gets it (text,
 * parsed): a valid one with up to three changes (a field set to something
 * else, dropped, or added), sometimes with a "__proto__" key of its own.
 */
function nearFrame(type: 'send' | 'dm', key: 'room' | 'to') {
  const valid = fc.record(
    {
      [key]:
        key === 'room'
          ? fc.constantFrom('#general', '#a-1', '#x_y')
          : fc.constantFrom('bob', 'a-1'),
      text: fc.string({ minLength: 1, maxLength: 40 }),
      ref: fc.constantFrom('r1', 'x'.repeat(64), '!~'),
      action: fc.boolean(),
    },
    { requiredKeys: [key, 'text', 'ref'] },
  );
  const field = fc.constantFrom(key, 'text', 'ref', 'action', 'type', 'extra');
  const change = fc.oneof(
    { arbitrary: fc.tuple(fc.constant('text'), nearText), weight: 3 },
    { arbitrary: fc.tuple(field, fc.oneof(nearName, nearText, nearRef, anyValue)), weight: 2 },
    { arbitrary: fc.tuple(field, fc.constant(undefined)), weight: 1 },
  );
  return fc
    .tuple(valid, fc.array(change, { maxLength: 3 }), fc.boolean())
    .map(([fields, changes, proto]) => {
      const frame: Record<string, unknown> = { type, ...fields };
      for (const [name, value] of changes) {
        if (value === undefined) delete frame[name];
        else frame[name] = value;
      }
      const line = JSON.stringify(frame);
      return JSON.parse(proto ? line.replace(/^\{/, '{"__proto__":{},') : line) as Record<
        string,
        unknown
      >;
    });
}

describe('the hand check of send and dm frames', () => {
  for (const [type, key, checked, schema] of [
    ['send', 'room', checkedSend, sendFrame],
    ['dm', 'to', checkedDm, dmFrame],
  ] as const) {
    it(`accepts a ${type} frame only when zod does, and gives back what zod does`, () => {
      let accepted = 0;
      fc.assert(
        fc.property(nearFrame(type, key), (frame) => {
          const quick = checked(frame);
          const zod = schema.safeParse(frame);
          if (quick === undefined) return;
          accepted++;
          assert.ok(zod.success, `accepted what zod refuses: ${JSON.stringify(frame)}`);
          assert.deepEqual({ ...quick }, zod.data);
        }),
        params,
      );
      // The generator reaches valid frames often enough for the check to mean something.
      assert.ok(accepted > 20, `only ${accepted} frames were valid`);
    });
  }

  it('takes the frames clients send, with or without action', () => {
    for (const frame of [
      { type: 'send', room: '#general', text: 'hello', ref: 'r1' },
      { type: 'send', room: '#dev', text: 'waves 👋\nand ✓', ref: 'x-9', action: true },
      { type: 'dm', to: 'bob', text: 'psst', ref: 'r2' },
    ]) {
      const quick = frame.type === 'send' ? checkedSend(frame) : checkedDm(frame);
      assert.equal(quick, frame);
    }
  });

  it('leaves the wording of every refusal to zod', () => {
    const refused = parseClientFrame(
      JSON.stringify({ type: 'send', room: '#general', text: 'a\u001bb', ref: 'r1' }),
    );
    assert.deepEqual(refused, {
      ok: false,
      code: 'invalid_frame',
      message: 'send.text: must not contain control characters',
      ref: 'r1',
    });
    const extra = parseClientFrame('{"type":"dm","to":"bob","text":"hi","ref":"r3","x":1}');
    assert.deepEqual(extra, {
      ok: false,
      code: 'invalid_frame',
      message: 'dm: unexpected field "x"',
      ref: 'r3',
    });
  });
});
