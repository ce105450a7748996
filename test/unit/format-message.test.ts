import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMessageLine } from '../../src/commands/format-message.ts';
import type { DirectMessage, RoomMessage } from '../../src/net/protocol/frames.ts';

/** 2026-01-01 09:05:42 UTC, in ms. */
const TS = Date.UTC(2026, 0, 1, 9, 5, 42);

function msg(extra: Partial<RoomMessage> = {}): RoomMessage {
  return { type: 'msg', id: 1, ts: TS, room: '#general', from: 'alice', text: 'hello', ...extra };
}

function dm(extra: Partial<DirectMessage> = {}): DirectMessage {
  return { type: 'dm', id: 1, ts: TS, from: 'alice', to: 'bob', text: 'got a minute?', ...extra };
}

describe('formatMessageLine', () => {
  const cases: Array<[name: string, message: RoomMessage | DirectMessage, want: string]> = [
    ['a room message', msg(), '[09:05] <alice> hello'],
    ['an action', msg({ text: 'waves', action: true }), '[09:05] * alice waves'],
    ['a direct message', dm(), '[09:05] <alice → bob> got a minute?'],
    ['a direct action', dm({ text: 'waves', action: true }), '[09:05] * alice → bob waves'],
    ['action: false as a plain message', msg({ action: false }), '[09:05] <alice> hello'],
    ['midnight as 00, not 24', msg({ ts: Date.UTC(2026, 0, 2) }), '[00:00] <alice> hello'],
    [
      'the evening in 24 hours',
      msg({ ts: Date.UTC(2026, 0, 1, 23, 59, 59) }),
      '[23:59] <alice> hello',
    ],
  ];
  for (const [name, message, want] of cases) {
    it(`formats ${name}`, () => {
      assert.equal(formatMessageLine(message, 'UTC'), want);
    });
  }

  it('indents continuation lines under the first', () => {
    const head = '[09:05] <alice> ';
    assert.equal(
      formatMessageLine(msg({ text: 'two lines:\n\tindented\nthird' }), 'UTC'),
      `${head}two lines:\n${' '.repeat(head.length)}\tindented\n${' '.repeat(head.length)}third`,
    );
  });

  it('indents the lines of an action and of a dm under their own head', () => {
    const action = '[09:05] * alice ';
    assert.equal(
      formatMessageLine(msg({ text: 'a\nb', action: true }), 'UTC'),
      `${action}a\n${' '.repeat(action.length)}b`,
    );
    const direct = '[09:05] <alice → bob> ';
    assert.equal(
      formatMessageLine(dm({ text: 'a\nb' }), 'UTC'),
      `${direct}a\n${' '.repeat(direct.length)}b`,
    );
  });

  it('keeps an empty line as indentation only', () => {
    const head = '[09:05] <alice> ';
    assert.equal(
      formatMessageLine(msg({ text: 'a\n\nb' }), 'UTC'),
      `${head}a\n${' '.repeat(head.length)}\n${' '.repeat(head.length)}b`,
    );
  });

  it('shows the time in the zone it is given', () => {
    assert.equal(formatMessageLine(msg(), 'Asia/Kolkata'), '[14:35] <alice> hello');
  });
});
