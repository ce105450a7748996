import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MouseReport } from '../../src/ui/input/mouse.ts';
import { currentMembers } from '../../src/ui/state/chat-selectors.ts';
import { chatReducer, initialChatState } from '../../src/ui/state/chat-state.ts';
import type { ChatState } from '../../src/ui/state/chat-types.ts';
import { screenLayout } from '../../src/ui/tui/ChatScreen.tsx';
import { hitTest, mouseCommand, WHEEL_ROWS } from '../../src/ui/tui/mouse-hit.ts';
import { welcomeFrame } from '../helpers/chat-frames.ts';

/** alice in `rooms` (the first current), with `members` in each; then a DM with dave. */
function screenState(rooms: readonly string[], members: readonly string[]): ChatState {
  const state = chatReducer(initialChatState({ server: 'h:1', bell: false }), {
    type: 'welcome',
    frame: welcomeFrame({
      rooms: rooms.map((room) => ({ room, topic: '', members: [...members], lastId: 0 })),
      users: members.map((user) => ({ user, status: 'online' as const })),
    }),
    now: 0,
  });
  const withDm = chatReducer(state, { type: 'openDm', peer: 'dave' });
  return chatReducer(withDm, { type: 'switchTo', name: rooms[0] ?? '' });
}

const at = (x: number, y: number, extra: Partial<MouseReport> = {}): MouseReport => ({
  button: 'left',
  release: false,
  motion: false,
  shift: false,
  alt: false,
  ctrl: false,
  x,
  y,
  ...extra,
});

describe('hitTest at 100x30: status row 1, lists and pane on rows 2-27, notice 28, input 29', () => {
  const state = screenState(['#general', '#ops'], ['alice', 'bob', 'cy']);
  const layout = screenLayout(100, 30, false);
  const members = currentMembers(state).map((member) => member.user);

  it('the room list: one item a row from the top, the separator and empty rows nothing', () => {
    assert.deepEqual(hitTest(layout, state, 1, 2), { kind: 'room', name: '#general' });
    assert.deepEqual(hitTest(layout, state, 14, 3), { kind: 'room', name: '#ops' });
    assert.deepEqual(hitTest(layout, state, 5, 4), { kind: 'room', name: '@dave' });
    assert.equal(hitTest(layout, state, 5, 5), undefined);
    assert.equal(hitTest(layout, state, 15, 2), undefined, 'the separator');
    assert.equal(hitTest(layout, state, 16, 2), undefined, 'the separator');
  });

  it('the pane between the lists', () => {
    assert.deepEqual(hitTest(layout, state, 17, 2), { kind: 'pane' });
    assert.deepEqual(hitTest(layout, state, 84, 27), { kind: 'pane' });
  });

  it('the user list: the header row nothing, then one member a row', () => {
    assert.deepEqual(members.length, 3);
    assert.equal(hitTest(layout, state, 90, 2), undefined, 'the count header');
    for (const [index, name] of members.entries()) {
      assert.deepEqual(hitTest(layout, state, 90, 3 + index), { kind: 'user', name });
      assert.deepEqual(hitTest(layout, state, 100, 3 + index), { kind: 'user', name });
    }
    assert.equal(hitTest(layout, state, 90, 3 + members.length), undefined);
    assert.equal(hitTest(layout, state, 86, 3), undefined, 'the separator');
  });

  it('the status bar, the notice and input rows, and outside the screen: nothing', () => {
    for (const [x, y] of [
      [5, 1],
      [50, 28],
      [5, 29],
      [5, 30],
      [0, 2],
      [101, 3],
    ] as const) {
      assert.equal(hitTest(layout, state, x, y), undefined, `${x},${y}`);
    }
  });

  it('the help takes the user list’s place: the pane reaches the right edge', () => {
    assert.deepEqual(hitTest(screenLayout(100, 30, true), state, 95, 3), { kind: 'pane' });
  });
});

describe('hitTest where the lists do not fit', () => {
  it('the room list shows a window around the current room', () => {
    const rooms = Array.from({ length: 10 }, (_, index) => `#r${index}`);
    // 60x8: the screen is 7 rows, 4 of them the lists; no user list under 70 columns.
    const state = chatReducer(screenState(rooms, ['alice']), { type: 'switchTo', name: '#r7' });
    const layout = screenLayout(60, 8, false);
    assert.equal(layout.middle, 4);
    // 11 items (10 rooms and @dave), 4 rows: the window starts 2 above #r7.
    const shown = [2, 3, 4, 5].map((y) => hitTest(layout, state, 1, y));
    assert.deepEqual(
      shown,
      ['#r5', '#r6', '#r7', '#r8'].map((name) => ({ kind: 'room', name })),
    );
    assert.deepEqual(hitTest(layout, state, 59, 3), { kind: 'pane' });
  });

  it('the user list ends with a `+N more` row, which is nothing', () => {
    const state = screenState(['#general'], ['alice', 'bob', 'cy', 'dan', 'eve']);
    const layout = screenLayout(80, 8, false);
    const members = currentMembers(state).map((member) => member.user);
    // Header, two members, `+3 more`.
    assert.equal(hitTest(layout, state, 75, 2), undefined);
    assert.deepEqual(hitTest(layout, state, 75, 3), { kind: 'user', name: members[0] });
    assert.deepEqual(hitTest(layout, state, 75, 4), { kind: 'user', name: members[1] });
    assert.equal(hitTest(layout, state, 75, 5), undefined);
  });
});

describe('mouseCommand', () => {
  const state = screenState(['#general', '#ops'], ['alice', 'bob']);
  const layout = screenLayout(100, 30, false);
  const members = currentMembers(state).map((member) => member.user);
  const bobRow = 3 + members.indexOf('bob');
  const aliceRow = 3 + members.indexOf('alice');

  it('the wheel scrolls the pane from anywhere, or the help over it; nothing under an overlay', () => {
    const up = at(50, 10, { button: 'wheelUp' });
    const down = at(3, 29, { button: 'wheelDown' });
    assert.deepEqual(mouseCommand(up, layout, state), { kind: 'scroll', by: WHEEL_ROWS });
    assert.deepEqual(mouseCommand(down, layout, state), { kind: 'scroll', by: -WHEEL_ROWS });
    const help = { helpShows: true };
    assert.deepEqual(mouseCommand(up, layout, state, help), {
      kind: 'scrollHelp',
      by: -WHEEL_ROWS,
    });
    assert.deepEqual(mouseCommand(down, layout, state, help), {
      kind: 'scrollHelp',
      by: WHEEL_ROWS,
    });
    assert.equal(mouseCommand(up, layout, state, { paneCovered: true }), undefined);
  });

  it('a left press on a room switches to it, on another user opens the DM', () => {
    assert.deepEqual(mouseCommand(at(3, 3), layout, state), { kind: 'switchTo', name: '#ops' });
    assert.deepEqual(mouseCommand(at(90, bobRow), layout, state), { kind: 'openDm', peer: 'bob' });
  });

  it('releases, other buttons, Ctrl or Alt, oneself, the pane, an overlay: nothing', () => {
    for (const report of [
      at(3, 3, { release: true }),
      at(3, 3, { button: 'right' }),
      at(3, 3, { button: 'middle' }),
      at(3, 3, { ctrl: true }),
      at(3, 3, { alt: true }),
      at(3, 3, { motion: true }),
      at(90, aliceRow),
      at(50, 10),
    ]) {
      assert.equal(mouseCommand(report, layout, state), undefined, JSON.stringify(report));
    }
    assert.equal(mouseCommand(at(3, 3), layout, state, { paneCovered: true }), undefined);
  });
});
