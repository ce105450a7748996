import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompletionCandidates } from '../../src/ui/input/completion.ts';
import {
  applyInputKey,
  cleanDraft,
  editInput,
  type InputState,
  initialInputState,
  submitInput,
} from '../../src/ui/input/input-keys.ts';
import { inputWindow } from '../../src/ui/input/input-window.ts';
import type { InputKey } from '../../src/ui/input/key-bindings.ts';
import {
  cleanPaste,
  endPaste,
  idlePasteReader,
  PASTE_END,
  PASTE_MAX_CHARS,
  PASTE_START,
  type PasteReader,
  pasteAnswer,
  pasteLineCount,
  pasteNeedsAsking,
  pasteQuestion,
  readPasteEvent,
} from '../../src/ui/input/paste.ts';
import { displayWidth } from '../../src/ui/text/wrap.ts';
import { NO_KEY } from '../helpers/keys.ts';

const candidates: CompletionCandidates = {
  users: ['alice', 'bob'],
  rooms: ['#general'],
  commands: ['join', 'quit'],
};

/** A state from a string with `|` at the cursor. */
function at(markedValue: string, base = initialInputState()): InputState {
  const cursor = markedValue.indexOf('|');
  return editInput(base, markedValue.replace('|', ''), cursor);
}

function show(state: InputState | undefined): string | undefined {
  return state && `${state.value.slice(0, state.cursor)}|${state.value.slice(state.cursor)}`;
}

function press(state: InputState, input: string, key: Partial<InputKey> = {}) {
  return applyInputKey(state, input, { ...NO_KEY, ...key }, candidates);
}

describe('applyInputKey', () => {
  const table: Array<[string, string, string, Partial<InputKey>, string | undefined]> = [
    ['Ctrl+A', 'ab|c', 'a', { ctrl: true }, '|abc'],
    ['Ctrl+E', 'a|bc', 'e', { ctrl: true }, 'abc|'],
    ['Ctrl+B', 'ab|c', 'b', { ctrl: true }, 'a|bc'],
    ['Ctrl+F', 'ab|c', 'f', { ctrl: true }, 'abc|'],
    ['Ctrl+W', 'one two|', 'w', { ctrl: true }, 'one |'],
    ['Ctrl+U', 'one |two', 'u', { ctrl: true }, '|two'],
    ['Ctrl+K', 'one |two', 'k', { ctrl: true }, 'one |'],
    ['Ctrl+D on text', 'a|bc', 'd', { ctrl: true }, 'a|c'],
    ['Ctrl+D on empty', '|', 'd', { ctrl: true }, undefined],
    ['Ctrl+Left', 'one two|', '', { ctrl: true, leftArrow: true }, 'one |two'],
    ['Ctrl+Right', '|one two', '', { ctrl: true, rightArrow: true }, 'one| two'],
    ['Alt+Left', 'one two|', '', { meta: true, leftArrow: true }, 'one |two'],
    ['Alt+B', 'one two|', 'b', { meta: true }, 'one |two'],
    ['Alt+F', '|one two', 'f', { meta: true }, 'one| two'],
    ['Alt+Backspace', 'one two|', '', { meta: true, delete: true }, 'one |'],
    ['Alt+Enter', 'one|two', '\r', { meta: true, return: true }, 'one\n|two'],
    ['Tab', 'al|', '', { tab: true }, 'alice: |'],
    ['Esc', 'draft|', '', { escape: true, meta: true }, undefined],
    ['Ctrl+C', 'draft|', 'c', { ctrl: true }, undefined],
    ['Ctrl+L', 'draft|', 'l', { ctrl: true }, undefined],
    ['Ctrl+N', 'draft|', 'n', { ctrl: true }, undefined],
    ['Alt+1', 'draft|', '1', { meta: true }, undefined],
    ['Alt+A', 'draft|', 'a', { meta: true }, undefined],
    ['Shift+Tab', 'al|', '', { tab: true, shift: true }, undefined],
    ['plain letter', 'a|', 'x', {}, 'ax|'],
    ['Shift+letter', 'a|', 'X', { shift: true }, 'aX|'],
    ['Left', 'a👍🏽b|', '', { leftArrow: true }, 'a👍🏽|b'],
    ['Right', 'a|👍🏽b', '', { rightArrow: true }, 'a👍🏽|b'],
    ['Backspace (DEL, which ink calls delete)', 'a👍🏽|b', '', { delete: true }, 'a|b'],
    ['Delete', 'a|👍🏽b', '', { delete: true, forwardDelete: true }, 'a|b'],
    ['a read with a line break inside (a paste)', 'a|', 'b\rc', {}, 'ab\nc|'],
    ['PageUp', 'a|', '', { pageUp: true }, undefined],
    ['End', 'a|', '', { end: true }, undefined],
    ['Enter (the caller submits)', 'a|', '\r', { return: true }, undefined],
  ];
  for (const [name, before, input, key, after] of table) {
    it(`${name}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`, () => {
      assert.equal(show(press(at(before), input, key)), after);
    });
  }

  it('walks the history with Up/Down and restores the draft', () => {
    let state = submitInput(at('first|')).state;
    state = submitInput(editInput(state, 'second', 6)).state;
    state = editInput(state, 'draft', 5);
    const up1 = press(state, '', { upArrow: true });
    assert.equal(show(up1), 'second|');
    const up2 = up1 && press(up1, '', { upArrow: true });
    assert.equal(show(up2), 'first|');
    const down1 = up2 && press(up2, '', { downArrow: true });
    const down2 = down1 && press(down1, '', { downArrow: true });
    assert.equal(show(down2), 'draft|');
  });

  it('keeps Up/Down out of the history in a multi-line draft, but not while walking', () => {
    let state = submitInput(at('two\nlines|')).state;
    state = editInput(state, 'my\ndraft', 8);
    assert.equal(press(state, '', { upArrow: true }), state);
    const walking = press(editInput(state, '', 0), '', { upArrow: true });
    assert.equal(walking?.value, 'two\nlines');
    assert.equal(walking && press(walking, '', { downArrow: true })?.value, '');
  });
});

describe('submitInput', () => {
  it('returns the line, clears the draft and records it', () => {
    const { state, line } = submitInput(at('hi\nthere|'));
    assert.equal(line, 'hi\nthere');
    assert.equal(state.value, '');
    assert.deepEqual(state.history.entries, ['hi\nthere']);
  });

  it('leaves a blank draft alone', () => {
    const blank = at('  |');
    assert.deepEqual(submitInput(blank), { state: blank, line: undefined });
  });
});

describe('cleanDraft', () => {
  const table: Array<[string, string, number, string, number]> = [
    ['plain text is kept', 'abc', 2, 'abc', 2],
    ['CRLF becomes LF', 'a\r\nb', 4, 'a\nb', 3],
    ['CR becomes LF', 'a\rb', 3, 'a\nb', 3],
    ['tab becomes a space', 'a\tb', 3, 'a b', 3],
    ['escape and bell are dropped', 'a\u001b[31mb\u0007', 8, 'a[31mb', 6],
    ['C1 controls and DEL are dropped', 'a\u009bb\u007f', 4, 'ab', 2],
    ['wide text is kept', '日本👍', 4, '日本👍', 4],
  ];
  for (const [name, value, cursor, cleaned, cleanedCursor] of table) {
    it(name, () => {
      assert.deepEqual(cleanDraft({ value, cursor }), { value: cleaned, cursor: cleanedCursor });
    });
  }
});

describe('inputWindow', () => {
  it('shows everything that fits, the end cursor cell included', () => {
    assert.deepEqual(inputWindow('abcd', 4, 5), {
      start: 0,
      end: 4,
      cutLeft: false,
      cutRight: false,
    });
    assert.equal(inputWindow('abcd', 4, 4).cutLeft, true);
    assert.equal(inputWindow('abcd', 0, 4).cutLeft, false);
  });

  it('keeps the start while the cursor stays inside', () => {
    const text = 'abcdefghijklmnopqrstuvwxyz';
    const first = inputWindow(text, 20, 10, 0);
    const second = inputWindow(text, 19, 10, first.start);
    assert.equal(second.start, first.start);
  });

  it('fills the columns again when the text gets shorter', () => {
    const view = inputWindow('abcdef', 6, 10, 4);
    assert.deepEqual(view, { start: 0, end: 6, cutLeft: false, cutRight: false });
  });

  it('keeps the cursor and its neighbours visible and the width within columns', () => {
    const texts = [
      'abcdefghijklmnopqrstuvwxyz0123456789',
      '日本語のテキストと絵文字👍🏽がある文',
      'a\nb\nc\nd\ne\nf\ng\nh\ni',
    ];
    for (const text of texts) {
      const stops = [
        ...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text),
      ].map((segment) => segment.index);
      stops.push(text.length);
      for (const columns of [6, 9, 14]) {
        let start = 0;
        // Right across the text, then back to the start: as the arrow keys would.
        for (const cursor of [...stops, ...stops.slice().reverse()]) {
          const view = inputWindow(text, cursor, columns, start);
          start = view.start;
          const label = `${JSON.stringify(text)} cursor ${cursor} columns ${columns}`;
          assert.ok(view.start <= cursor && cursor <= view.end, label);
          const index = stops.indexOf(cursor);
          if (index > 0) assert.ok(view.start <= (stops[index - 1] ?? 0), `before: ${label}`);
          if (cursor < text.length)
            assert.ok(view.end >= (stops[index + 1] ?? 0), `after: ${label}`);
          const shown = text.slice(view.start, view.end).replaceAll('\n', '↵');
          const width =
            displayWidth(shown) +
            (view.cutLeft ? 1 : 0) +
            (view.cutRight ? 1 : 0) +
            (cursor === text.length ? 1 : 0);
          assert.ok(width <= columns, `width ${width}: ${label}`);
        }
      }
    }
  });
});

/** Feeds Ink-style events to a reader: which were consumed, and what was pasted. */
function readEvents(events: string[], start: PasteReader = idlePasteReader) {
  let reader = start;
  const consumed: boolean[] = [];
  const pastes: string[] = [];
  for (const event of events) {
    const step = readPasteEvent(reader, event);
    reader = step.reader;
    consumed.push(step.consumed);
    if (step.pasted !== undefined) pastes.push(step.pasted);
  }
  return { reader, consumed, pastes };
}

describe('readPasteEvent', () => {
  const table: Array<[string, string[], boolean[], string[]]> = [
    ['a paste in three events', [PASTE_START, 'a\nb', PASTE_END], [true, true, true], ['a\nb']],
    [
      'a paste across several text events',
      [PASTE_START, 'line1\nli', 'ne2', PASTE_END],
      [true, true, true, true],
      ['line1\nline2'],
    ],
    ['typing is left to the keys', ['a', 'bc', '\r', '\u001b[A'], [false, false, false, false], []],
    ['a lone ESC is the Esc key', ['\u001b', 'x'], [false, false], []],
    [
      'a start marker after an early-flushed ESC',
      ['\u001b', '[200~ab', PASTE_END],
      [false, true, true],
      ['ab'],
    ],
    [
      'a start marker flushed unfinished',
      ['\u001b[20', '0~ab', PASTE_END],
      [true, true, true],
      ['ab'],
    ],
    [
      'an end marker after an early-flushed ESC',
      [PASTE_START, 'ab', '\u001b', '[201~'],
      [true, true, true, true],
      ['ab'],
    ],
    [
      'an escape sequence split inside a paste',
      [PASTE_START, 'a', '\u001b', '[1mb', PASTE_END],
      [true, true, true, true, true],
      ['ab'],
    ],
    [
      'pasted Enter, Tab and arrows are text',
      [PASTE_START, '\r', '\t', '\u001b[A', PASTE_END],
      [true, true, true, true, true],
      ['\n '],
    ],
    ['a stray end marker is dropped', ['a', PASTE_END, 'b'], [false, true, false], []],
    ['an empty paste', [PASTE_START, PASTE_END], [true, true], ['']],
    ['an unfinished escape that begins no marker', ['\u001b[', 'x'], [true, false], []],
    [
      'Esc, then a start marker typed key by key, is text',
      ['\u001b', '[', '2', '0', '0', '~', 'x'],
      [false, false, false, false, false, false, false],
      [],
    ],
    [
      'an unfinished marker is held for the next event only',
      ['\u001b[2', '0', '0~x'],
      [true, false, false],
      [],
    ],
    [
      'two pastes',
      [PASTE_START, 'a', PASTE_END, 'x', PASTE_START, 'b', PASTE_END],
      [true, true, true, false, true, true, true],
      ['a', 'b'],
    ],
  ];
  for (const [name, events, consumed, pastes] of table) {
    it(name, () => {
      const read = readEvents(events);
      assert.deepEqual(read.consumed, consumed);
      assert.deepEqual(read.pastes, pastes);
      assert.equal(read.reader.inside, false);
    });
  }

  it('keeps at most PASTE_MAX_CHARS of a huge paste and still sees its end', () => {
    const chunk = 'x'.repeat(65_536);
    const events = [PASTE_START, ...Array.from({ length: 20 }, () => chunk), PASTE_END];
    const read = readEvents(events);
    assert.equal(read.pastes.length, 1);
    assert.equal(read.pastes[0]?.length, PASTE_MAX_CHARS);
  });

  it('endPaste ends a paste whose end marker never came', () => {
    const { reader } = readEvents([PASTE_START, 'a\r\nb', '\u001b[20']);
    assert.equal(reader.inside, true);
    assert.deepEqual(endPaste(reader), { reader: idlePasteReader, consumed: true, pasted: 'a\nb' });
    assert.deepEqual(endPaste(idlePasteReader), { reader: idlePasteReader, consumed: false });
  });
});

describe('cleanPaste and the question', () => {
  const table: Array<[string, string, string]> = [
    ['CRLF and CR become LF', 'a\r\nb\rc\n', 'a\nb\nc\n'],
    ['a tab becomes a space', 'a\tb', 'a b'],
    ['colours are removed whole', '\u001b[31mred\u001b[0m plain', 'red plain'],
    ['a title (OSC) is removed whole', 'a\u001b]0;title\u0007b\u001b]8;;x\u001b\\c', 'abc'],
    ['other controls are dropped', 'a\u0007\u0000b\u009bc\u007f', 'abc'],
    ['a marker inside is removed', `a${PASTE_START}b`, 'ab'],
    ['wide text is kept', '日本👍\n', '日本👍\n'],
  ];
  for (const [name, raw, clean] of table) {
    it(name, () => assert.equal(cleanPaste(raw), clean));
  }

  it('counts lines, a trailing newline starting none', () => {
    assert.deepEqual(
      ['', 'a', 'a\n', 'a\nb', 'a\n\n', '\n'].map(pasteLineCount),
      [0, 1, 1, 2, 2, 1],
    );
  });

  it('asks above 5 lines', () => {
    assert.equal(pasteNeedsAsking('1\n2\n3\n4\n5'), false);
    assert.equal(pasteNeedsAsking('1\n2\n3\n4\n5\n'), false);
    assert.equal(pasteNeedsAsking('1\n2\n3\n4\n5\n6'), true);
    assert.equal(pasteQuestion(12), 'paste 12 lines? Enter: insert, Esc: cancel');
  });

  it('Enter inserts, Esc or Ctrl+C cancels, other keys do not answer', () => {
    assert.deepEqual(['\r', '\n', '\u001b', '\u0003', 'y', '\u001b[A'].map(pasteAnswer), [
      'insert',
      'insert',
      'cancel',
      'cancel',
      undefined,
      undefined,
    ]);
  });
});
