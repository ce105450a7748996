import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  charLeft,
  charRight,
  clampCursor,
  deleteBackward,
  deleteForward,
  deleteWordBefore,
  insertNewline,
  insertText,
  killToEnd,
  killToStart,
  type LineState,
  moveToEnd,
  moveToStart,
  wordLeft,
  wordRight,
} from '../../src/ui/input/line-edit.ts';

/** `|` in the string marks the cursor. */
function at(marked: string): LineState {
  const cursor = marked.indexOf('|');
  assert.ok(cursor >= 0, `no cursor in ${marked}`);
  return { value: marked.slice(0, cursor) + marked.slice(cursor + 1), cursor };
}

function show(state: LineState): string {
  return `${state.value.slice(0, state.cursor)}|${state.value.slice(state.cursor)}`;
}

function isInsidePair(state: LineState): boolean {
  const high = state.value.charCodeAt(state.cursor - 1);
  const low = state.value.charCodeAt(state.cursor);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}

function table(edit: (s: LineState) => LineState, cases: Array<[before: string, after: string]>) {
  for (const [before, after] of cases) {
    it(`${JSON.stringify(before)} -> ${JSON.stringify(after)}`, () => {
      const result = edit(at(before));
      assert.equal(show(result), after);
      assert.ok(!isInsidePair(result), 'cursor inside a surrogate pair');
    });
  }
}

describe('deleteWordBefore (Ctrl+W)', () =>
  table(deleteWordBefore, [
    ['|', '|'],
    ['hello|', '|'],
    ['hello world|', 'hello |'],
    ['hello world   |', 'hello |'],
    ['hello wor|ld', 'hello |ld'],
    ['hello |world', '|world'],
    ['|hello', '|hello'],
    ['   |', '|'],
    ['a.b/c-d|', '|'],
    ['say http://x.y/z|', 'say |'],
    ['one\ntwo|', 'one\n|'],
    ['one\n|', '|'],
    ['tab\tsep|', 'tab\t|'],
    ['hi 👋🏽|', 'hi |'],
    ['hi 世界|', 'hi |'],
  ]));

describe('killToStart (Ctrl+U)', () =>
  table(killToStart, [
    ['|', '|'],
    ['hello|', '|'],
    ['hel|lo', '|lo'],
    ['|hello', '|hello'],
    ['one\ntwo|', 'one\n|'],
    ['one\ntw|o', 'one\n|o'],
    ['one\n|two', 'one|two'],
    ['a\nb\nc|', 'a\nb\n|'],
    ['\n|x', '|x'],
  ]));

describe('killToEnd (Ctrl+K)', () =>
  table(killToEnd, [
    ['|', '|'],
    ['|hello', '|'],
    ['hel|lo', 'hel|'],
    ['hello|', 'hello|'],
    ['on|e\ntwo', 'on|\ntwo'],
    ['one|\ntwo', 'one|two'],
    ['|\n', '|'],
    ['a|👋 b', 'a|'],
  ]));

describe('moveToStart (Ctrl+A)', () =>
  table(moveToStart, [
    ['|', '|'],
    ['hello|', '|hello'],
    ['he|llo', '|hello'],
    ['|hello', '|hello'],
    ['one\ntw|o', 'one\n|two'],
    ['one\n|two', '|one\ntwo'],
    ['a\nb\nc|', 'a\nb\n|c'],
  ]));

describe('moveToEnd (Ctrl+E)', () =>
  table(moveToEnd, [
    ['|', '|'],
    ['|hello', 'hello|'],
    ['he|llo', 'hello|'],
    ['hello|', 'hello|'],
    ['o|ne\ntwo', 'one|\ntwo'],
    ['one|\ntwo', 'one\ntwo|'],
    ['|a\nb\nc', 'a|\nb\nc'],
  ]));

describe('wordLeft (Ctrl+Left)', () =>
  table(wordLeft, [
    ['|', '|'],
    ['hello world|', 'hello |world'],
    ['hello wo|rld', 'hello |world'],
    ['hello |world', '|hello world'],
    ['hello   |world', '|hello   world'],
    ['|hello', '|hello'],
    ['one\ntwo|', 'one\n|two'],
    ['x 👋🏽|', 'x |👋🏽'],
  ]));

describe('wordRight (Ctrl+Right)', () =>
  table(wordRight, [
    ['|', '|'],
    ['|hello world', 'hello| world'],
    ['hel|lo world', 'hello| world'],
    ['hello| world', 'hello world|'],
    ['hello|   world  ', 'hello   world|  '],
    ['hello world|', 'hello world|'],
    ['one|\ntwo', 'one\ntwo|'],
    ['|👋🏽 x', '👋🏽| x'],
  ]));

describe('insertNewline (Alt+Enter)', () =>
  table(insertNewline, [
    ['|', '\n|'],
    ['hello|', 'hello\n|'],
    ['hel|lo', 'hel\n|lo'],
    ['|hello', '\n|hello'],
    ['a\n|b', 'a\n\n|b'],
  ]));

describe('insertText', () => {
  const cases: Array<[before: string, text: string, after: string]> = [
    ['|', 'hi', 'hi|'],
    ['a|c', 'b', 'ab|c'],
    ['x|', '👋', 'x👋|'],
    ['x|y', '', 'x|y'],
    ['|', 'two\nlines', 'two\nlines|'],
  ];
  for (const [before, text, after] of cases) {
    it(`${JSON.stringify(before)} + ${JSON.stringify(text)} -> ${JSON.stringify(after)}`, () =>
      assert.equal(show(insertText(at(before), text)), after));
  }
});

describe('deleteBackward (Backspace) removes whole graphemes', () =>
  table(deleteBackward, [
    ['|', '|'],
    ['ab|', 'a|'],
    ['a|b', '|b'],
    ['|ab', '|ab'],
    ['x👋|', 'x|'],
    ['x👋🏽|', 'x|'],
    ['x👨‍👩‍👧|', 'x|'],
    ['cafe\u0301|', 'caf|'],
    ['🇫🇷|', '|'],
    ['a\n|', 'a|'],
    ['世界|', '世|'],
  ]));

describe('deleteForward (Delete)', () =>
  table(deleteForward, [
    ['|', '|'],
    ['|ab', '|b'],
    ['ab|', 'ab|'],
    ['|👋🏽x', '|x'],
    ['|e\u0301t', '|t'],
    ['|\nb', '|b'],
  ]));

describe('charLeft and charRight step over whole graphemes', () => {
  table(charLeft, [
    ['|', '|'],
    ['ab|', 'a|b'],
    ['a👋🏽|', 'a|👋🏽'],
    ['|a', '|a'],
  ]);
  table(charRight, [
    ['|', '|'],
    ['|ab', 'a|b'],
    ['|👋🏽a', '👋🏽|a'],
    ['a|', 'a|'],
  ]);
});

describe('clampCursor', () => {
  const cases: Array<[state: LineState, cursor: number]> = [
    [{ value: 'abc', cursor: -5 }, 0],
    [{ value: 'abc', cursor: 99 }, 3],
    [{ value: 'abc', cursor: 1.7 }, 1],
    [{ value: 'abc', cursor: Number.NaN }, 0],
    [{ value: 'a👋', cursor: 2 }, 1],
    [{ value: 'a👋', cursor: 3 }, 3],
    [{ value: '', cursor: 0 }, 0],
  ];
  for (const [state, cursor] of cases) {
    it(`${JSON.stringify(state)} -> ${cursor}`, () =>
      assert.equal(clampCursor(state).cursor, cursor));
  }
  it('returns the same object when nothing changes', () => {
    const state = { value: 'abc', cursor: 1 };
    assert.equal(clampCursor(state), state);
  });
});

describe('every edit keeps the cursor valid from any starting cursor', () => {
  const edits = {
    deleteWordBefore,
    killToStart,
    killToEnd,
    moveToStart,
    moveToEnd,
    wordLeft,
    wordRight,
    insertNewline,
    deleteBackward,
    deleteForward,
    charLeft,
    charRight,
  };
  const value = 'hi 👋🏽 there\n世界 e\u0301 🇫🇷!';
  for (const [name, edit] of Object.entries(edits)) {
    it(name, () => {
      for (let cursor = -1; cursor <= value.length + 1; cursor++) {
        const input = { value, cursor };
        const result = edit(input);
        assert.ok(result.cursor >= 0 && result.cursor <= result.value.length, `${cursor}`);
        assert.ok(!isInsidePair(result), `cursor inside a pair from ${cursor}`);
        assert.ok(result.value.isWellFormed(), `split a surrogate pair from ${cursor}`);
        assert.deepEqual(input, { value, cursor }, 'input changed');
      }
    });
  }
});
