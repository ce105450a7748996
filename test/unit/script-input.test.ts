import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { roomArgument } from '../../src/cli/client-commands.ts';
import { plainText } from '../../src/commands/send.ts';
import { ChatError } from '../../src/errors.ts';

describe('plainText', () => {
  const cases: Array<[name: string, raw: string, want: string]> = [
    ['plain text unchanged', 'build ok: 42 tests', 'build ok: 42 tests'],
    ['colour codes removed', '\x1b[31mFAIL\x1b[0m \x1b[1;32mok\x1b[39;22m', 'FAIL ok'],
    ['256-colour and truecolour codes removed', '\x1b[38;5;196mred\x1b[38;2;1;2;3m!\x1b[m', 'red!'],
    ['cursor movement removed', 'a\x1b[2Kb\x1b[1A', 'ab'],
    ['an OSC title sequence removed', '\x1b]0;title\x07done', 'done'],
    ['CRLF to LF', 'one\r\ntwo\r\n', 'one\ntwo\n'],
    ['a lone CR to LF', 'one\rtwo', 'one\ntwo'],
    ['tab and newline kept', 'a\tb\nc', 'a\tb\nc'],
    ['NUL, BEL, backspace and form feed removed', 'a\x00b\x07c\x08d\x0ce', 'abcde'],
    ['a stray ESC removed', 'a\x1bb', 'ab'],
    ['DEL and a C1 control removed', 'a\x7fb\x85c', 'abc'],
    ['8-bit CSI colour codes removed', '\x9b31mred\x9b0m', 'red'],
    ['non-ASCII kept', 'héllo 👋 → ok', 'héllo 👋 → ok'],
    ['empty stays empty', '', ''],
  ];
  for (const [name, raw, want] of cases) {
    it(name, () => {
      assert.equal(plainText(raw), want);
    });
  }
});

describe('roomArgument', () => {
  const valid: Array<[typed: string, room: string]> = [
    ['general', '#general'],
    ['#general', '#general'],
    ['#ops', '#ops'],
    ['build-bot_2', '#build-bot_2'],
    ['a'.repeat(32), `#${'a'.repeat(32)}`],
  ];
  for (const [typed, room] of valid) {
    it(`${typed} → ${room}`, () => {
      assert.equal(roomArgument(typed), room);
    });
  }

  const invalid = ['', '#', 'Ops', 'my room', '##ops', '#ops!', 'a'.repeat(33), '@bob', 'ops\n'];
  for (const typed of invalid) {
    it(`refuses ${JSON.stringify(typed)} with USAGE`, () => {
      assert.throws(
        () => roomArgument(typed),
        (error: unknown) => error instanceof ChatError && error.code === 'USAGE',
      );
    });
  }
});
