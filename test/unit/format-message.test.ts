import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMessageLine, formatSearchLine } from '../../src/commands/format-message.ts';
import type { DirectMessage, RoomMessage } from '../../src/net/protocol/frames.ts';
import { envelopeShape } from '../helpers/envelope-shape.ts';

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
    // A tab is two spaces, as in the TUI: its stops would count from the head.
    assert.equal(
      formatMessageLine(msg({ text: 'two lines:\n\tindented\nthird' }), 'UTC'),
      `${head}two lines:\n${' '.repeat(head.length)}  indented\n${' '.repeat(head.length)}third`,
    );
  });

  it('neutralizes the text as the TUI draws it', () => {
    const head = '[09:05] <alice> ';
    const text = `a\u200Bb\u200Ec\u200Fd\u2060e\uFEFFf\u{E0041} z${'\u0301'.repeat(500)} \u001b[2J 👨\u200D💻`;
    assert.equal(
      formatMessageLine(msg({ text }), 'UTC'),
      `${head}abcdef z${'\u0301'.repeat(4)} ␛[2J 👨\u200D💻`,
    );
  });

  it('breaks the line at U+2028 and indents what follows', () => {
    const head = '[09:05] <alice> ';
    assert.equal(
      formatMessageLine(msg({ text: 'one\u2028two' }), 'UTC'),
      `${head}one\n${' '.repeat(head.length)}two`,
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

describe('formatMessageLine: sealed direct messages', () => {
  const envelope = envelopeShape('alice', 'bob', TS);
  const sealed = dm({ text: '', sealed: envelope });
  it('prints one opened as its text, one that did not open as why, one not opened as sealed', () => {
    assert.equal(
      formatMessageLine({ ...sealed, text: 'see you', seal: { ok: true, sentAt: TS } }, 'UTC'),
      '[09:05] <alice → bob> see you',
    );
    assert.equal(
      formatMessageLine({ ...sealed, seal: { ok: false, why: 'altered on the way' } }, 'UTC'),
      '[09:05] <alice → bob> (could not be verified: altered on the way)',
    );
    assert.equal(
      formatMessageLine(sealed, 'UTC'),
      '[09:05] <alice → bob> (sealed end to end: chat tail could not open it here)',
    );
  });
});

describe('formatSearchLine', () => {
  it('leads with the conversation as the reader names it, and the date', () => {
    assert.equal(
      formatSearchLine(msg(), 'bob', 'UTC'),
      '[#general] [2026-01-01 09:05] <alice> hello',
    );
    assert.equal(
      formatSearchLine(dm(), 'bob', 'UTC'),
      '[@alice] [2026-01-01 09:05] <alice → bob> got a minute?',
    );
    assert.equal(
      formatSearchLine(dm({ text: 'waves', action: true }), 'alice', 'UTC'),
      '[@bob] [2026-01-01 09:05] * alice → bob waves',
    );
    assert.equal(
      formatSearchLine(msg({ ts: Date.UTC(2026, 0, 1, 23, 59) }), 'bob', 'Asia/Kolkata'),
      '[#general] [2026-01-02 05:29] <alice> hello',
    );
  });

  it('indents continuation lines under the first', () => {
    const head = '[#general] [2026-01-01 09:05] <alice> ';
    assert.equal(
      formatSearchLine(msg({ text: 'a\nb' }), 'bob', 'UTC'),
      `${head}a\n${' '.repeat(head.length)}b`,
    );
  });
});
