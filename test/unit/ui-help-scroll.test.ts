import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { helpRows, helpScroll } from '../../src/ui/components/HelpOverlay.tsx';
import { type ScrollWindow, scrollWindow } from '../../src/ui/components/scroll-window.ts';
import type { HelpCommand } from '../../src/ui/input/keymap.ts';
import { type ChatState, chatReducer, initialChatState } from '../../src/ui/state/chat-state.ts';
import { helpScrollBy } from '../../src/ui/tui/use-help-keys.ts';

/** The help scrolled: which rows show for a height and a top, the reducer's top, the keys' steps. */

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) {
      deepFreeze((value as Record<string | symbol, unknown>)[key]);
    }
  }
  return value;
}

const text = (row: ReadonlyArray<{ text: string }>) => row.map((span) => span.text).join('');

describe('scrollWindow', () => {
  const cases: Array<{
    name: string;
    total: number;
    height: number;
    top: number;
    want: ScrollWindow;
  }> = [
    {
      name: 'everything fits: no hint, never scrolled',
      total: 5,
      height: 8,
      top: 3,
      want: { top: 0, end: 5, maxTop: 0, page: 7, hint: false },
    },
    {
      name: 'fits exactly: no hint',
      total: 8,
      height: 8,
      top: 0,
      want: { top: 0, end: 8, maxTop: 0, page: 7, hint: false },
    },
    {
      name: 'one row too many: 7 rows and the hint',
      total: 9,
      height: 8,
      top: 0,
      want: { top: 0, end: 7, maxTop: 2, page: 6, hint: true },
    },
    {
      name: 'scrolled within range',
      total: 41,
      height: 20,
      top: 11,
      want: { top: 11, end: 30, maxTop: 22, page: 18, hint: true },
    },
    {
      name: 'a top past the end shows the last rows',
      total: 41,
      height: 20,
      top: 99,
      want: { top: 22, end: 41, maxTop: 22, page: 18, hint: true },
    },
    {
      name: 'Infinity is the end',
      total: 41,
      height: 20,
      top: Number.POSITIVE_INFINITY,
      want: { top: 22, end: 41, maxTop: 22, page: 18, hint: true },
    },
    {
      name: 'a negative top is the start',
      total: 41,
      height: 20,
      top: -5,
      want: { top: 0, end: 19, maxTop: 22, page: 18, hint: true },
    },
    {
      name: 'one row: no room for a hint, one row at a time',
      total: 3,
      height: 1,
      top: 1,
      want: { top: 1, end: 2, maxTop: 2, page: 1, hint: false },
    },
    {
      name: 'no rows: nothing shows',
      total: 3,
      height: 0,
      top: 0,
      want: { top: 0, end: 0, maxTop: 3, page: 1, hint: false },
    },
    {
      name: 'fractional sizes are floored',
      total: 10,
      height: 4.7,
      top: 2.5,
      want: { top: 2, end: 5, maxTop: 7, page: 2, hint: true },
    },
  ];
  for (const { name, total, height, top, want } of cases) {
    it(name, () => assert.deepEqual(scrollWindow(total, height, top), want));
  }
});

describe('helpRows', () => {
  it('is exactly the window of all the rows, and a hint saying where it is', () => {
    const all = helpRows(60, 1000).map(text);
    const rows = helpRows(60, 10, 5).map(text);
    assert.equal(rows.length, 10);
    assert.deepEqual(rows.slice(0, 9), all.slice(5, 14));
    assert.equal(rows[9], `↑↓ PgUp PgDn: more (6–14 of ${all.length}) · Esc closes`);
  });

  it('ends on the last row, however far it is asked to go', () => {
    const all = helpRows(60, 1000).map(text);
    const rows = helpRows(60, 10, 1e9).map(text);
    assert.deepEqual(rows.slice(0, 9), all.slice(-9));
    assert.equal(
      rows[9],
      `↑↓ PgUp PgDn: more (${all.length - 8}–${all.length} of ${all.length}) · Esc closes`,
    );
  });

  it('shortens the hint to fit, keeping the count', () => {
    const total = helpRows(20, 1000).length;
    assert.equal(text(helpRows(20, 5).at(-1) ?? []), `↑↓ 1–4 of ${total}`);
  });

  it('helpScroll measures inside the border of the box it is given', () => {
    // 64x19 is the pane of an 80x24 terminal: 60 columns and 17 rows inside the border.
    const all = helpRows(60, 1000).length;
    assert.deepEqual(helpScroll(64, 19, 0), scrollWindow(all, 17, 0));
    assert.equal(helpScroll(64, 19, 0).maxTop, all - 16);
    // A box that holds it all does not scroll.
    assert.equal(helpScroll(200, 100, 7).maxTop, 0);
  });
});

describe('the help in the reducer', () => {
  const closed = deepFreeze(initialChatState({ server: 'h:1', bell: false }));
  const open = deepFreeze(chatReducer(closed, { type: 'toggleHelp' }));
  const scroll = (state: ChatState, by: number, maxTop = 20) =>
    deepFreeze(chatReducer(state, { type: 'scrollHelp', by, maxTop }));

  const cases: Array<{ name: string; state: () => ChatState; want: number | undefined }> = [
    { name: 'opens at its top', state: () => open, want: undefined },
    { name: 'Down moves a row', state: () => scroll(open, 1), want: 1 },
    { name: 'a page moves a page', state: () => scroll(scroll(open, 16), 16), want: 20 },
    { name: 'End stops at maxTop', state: () => scroll(open, Number.POSITIVE_INFINITY), want: 20 },
    { name: 'Up at the top stays there', state: () => scroll(open, -1), want: undefined },
    {
      name: 'Home is the top again',
      state: () => scroll(scroll(open, 9), Number.NEGATIVE_INFINITY),
      want: undefined,
    },
    {
      name: 'after a larger terminal, Up moves from where it shows, not from beyond',
      state: () => scroll(scroll(open, 20), -1, 5),
      want: 4,
    },
    { name: 'closed: nothing scrolls', state: () => scroll(closed, 3), want: undefined },
    {
      name: 'opening again starts at the top',
      state: () =>
        chatReducer(chatReducer(scroll(open, 7), { type: 'toggleHelp' }), { type: 'toggleHelp' }),
      want: undefined,
    },
    {
      name: 'Esc forgets where it was',
      state: () => chatReducer(scroll(open, 7), { type: 'closeHelp' }),
      want: undefined,
    },
  ];
  for (const { name, state, want } of cases) {
    it(name, () => assert.equal(state().helpTop, want));
  }

  it('a step that moves nothing gives the same state', () => {
    assert.equal(scroll(open, -1), open);
    const end = scroll(open, 30);
    assert.equal(scroll(end, 1), end);
  });
});

describe('helpScrollBy', () => {
  const window: ScrollWindow = { top: 4, end: 21, maxTop: 27, page: 16, hint: true };
  const cases: Array<[HelpCommand, number]> = [
    ['helpLineUp', -1],
    ['helpLineDown', 1],
    ['helpPageUp', -16],
    ['helpPageDown', 16],
    ['helpTop', Number.NEGATIVE_INFINITY],
    ['helpBottom', Number.POSITIVE_INFINITY],
  ];
  for (const [command, by] of cases) {
    it(`${command} moves ${by}`, () => assert.equal(helpScrollBy(command, window), by));
  }
});
