import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineRows, visibleRows } from '../../src/ui/components/message-rows.ts';
import {
  type ChatAction,
  type ChatState,
  chatReducer,
  initialChatState,
  type Line,
  pendingFor,
  scrollOf,
} from '../../src/ui/state/chat-state.ts';
import { welcomeFrame } from '../helpers/chat-frames.ts';

// Wednesday 25 November 2026, 12:00 UTC.
const T0 = Date.UTC(2026, 10, 25, 12, 0);
/** Pane columns: `12:00 <bob> ` leaves 18 for the text. */
const WIDTH = 30;
/** Pane rows: a page is 7. */
const HEIGHT = 8;

/** Three words of 18 columns, so each message wraps to exactly 3 rows, each row its own. */
function text(id: number): string {
  const tag = String(id).padStart(2, '0');
  return ['a', 'b', 'c'].map((letter) => `${tag}${letter}`.padEnd(18, letter)).join(' ');
}

const message = (id: number): ChatAction => ({
  type: 'message',
  frame: { type: 'msg', id, ts: T0 + id, room: '#general', from: 'bob', text: text(id) },
});

/** Connected as alice in #general with messages 1..count; `lastId` > 0: older ones on the server. */
function start(count: number, opts: { lastId?: number; maxLines?: number } = {}): ChatState {
  const initial = initialChatState({
    server: 'h:1',
    bell: false,
    timeZone: 'UTC',
    ...(opts.maxLines === undefined ? {} : { maxLines: opts.maxLines }),
  });
  const welcomed = chatReducer(initial, {
    type: 'welcome',
    now: T0,
    frame: welcomeFrame({
      rooms: [{ room: '#general', topic: '', members: ['alice', 'bob'], lastId: opts.lastId ?? 0 }],
    }),
  });
  const first = (opts.lastId ?? 0) + 1;
  return Array.from({ length: count }, (_, i) => message(first + i)).reduce(chatReducer, welcomed);
}

const rowsOf = (line: Line) => lineRows(line, WIDTH, 'UTC').length;

/** What App dispatches for PageUp (`pages` > 0) or PageDown (< 0). */
const page = (pages: number): ChatAction => ({
  type: 'scroll',
  by: pages * (HEIGHT - 1),
  rowsOf,
  height: HEIGHT,
});

function conversationOf(state: ChatState) {
  const conversation = state.conversations['#general'];
  assert.ok(conversation);
  return conversation;
}

/** The pane's rows as text, top to bottom. */
function screen(state: ChatState): string[] {
  const conversation = conversationOf(state);
  return visibleRows({
    lines: conversation.lines,
    pending: pendingFor(state, '#general'),
    scroll: scrollOf(state, '#general'),
    width: WIDTH,
    height: HEIGHT,
    timeZone: 'UTC',
    user: 'alice',
    hasMore: conversation.hasMore,
  }).map((row) => row.map((span) => span.text).join(''));
}

/** Every row of the conversation, oldest first. */
function allRows(state: ChatState): string[] {
  return conversationOf(state).lines.flatMap((line) =>
    lineRows(line, WIDTH, 'UTC').map((row) => row.map((span) => span.text).join('')),
  );
}

/** What the pane shows scrolled `up` rows above the bottom: the rows that fit over the mark. */
function windowAt(rows: readonly string[], up: number, mark: string): string[] {
  const bottom = rows.length - up;
  return [...rows.slice(bottom - (HEIGHT - 1), bottom), mark];
}

const MARK = ' ↓ more below (End) ';

describe('scrolling by rows', () => {
  it('every message of the fixture wraps to 3 rows', () => {
    for (const line of conversationOf(start(10)).lines) assert.equal(rowsOf(line), 3);
  });

  it('one PageUp moves exactly a page less one row: the old top row is just above the mark', () => {
    const before = start(10);
    const after = chatReducer(before, page(1));
    const was = screen(before);
    const now = screen(after);
    assert.deepEqual(was, allRows(before).slice(-HEIGHT));
    assert.deepEqual(now, windowAt(allRows(before), HEIGHT - 1, MARK));
    assert.equal(now.at(-2), was[0]);
    // 7 rows up: message 10 (3 rows), message 9 (3) and the last row of message 8.
    assert.deepEqual(scrollOf(after, '#general'), {
      offset: 2,
      hiddenRows: 1,
      newWhileScrolled: 0,
    });
  });

  it('PageUp stops with the oldest message’s first row at the top; PageDown follows again', () => {
    let state = start(10);
    const rows = allRows(state);
    const top = rows.length - (HEIGHT - 1); // 23 rows up
    for (const up of [7, 14, 21, top]) {
      state = chatReducer(state, page(1));
      assert.deepEqual(screen(state), windowAt(rows, up, MARK), `${up} rows up`);
    }
    assert.match(screen(state)[0] ?? '', /^12:00 <bob> 01aaa/);
    assert.equal(chatReducer(state, page(1)), state, 'a further PageUp changes nothing');
    for (const up of [top - 7, top - 14, top - 21]) {
      state = chatReducer(state, page(-1));
      assert.deepEqual(screen(state), windowAt(rows, up, MARK), `${up} rows up`);
    }
    state = chatReducer(state, page(-1));
    assert.deepEqual(scrollOf(state, '#general'), { offset: 0, newWhileScrolled: 0 });
    assert.deepEqual(state.scroll, {});
    assert.deepEqual(screen(state), rows.slice(-HEIGHT));
  });

  it('with older messages on the server, stops with the history hint above the oldest', () => {
    let state = start(10, { lastId: 50 });
    for (let pages = 0; pages < 10; pages++) state = chatReducer(state, page(1));
    const shown = screen(state);
    assert.equal(shown[0], '↑ PageUp loads older messages');
    assert.match(shown[1] ?? '', /^12:00 <bob> 51aaa/);
  });

  it('does nothing when every line fits', () => {
    const state = start(2);
    assert.equal(chatReducer(state, page(1)), state);
  });

  it('keeps the same rows on screen when a message arrives while scrolled up, and counts it', () => {
    const scrolled = chatReducer(chatReducer(start(10), page(1)), page(1));
    const after = chatReducer(scrolled, message(11));
    const was = screen(scrolled);
    const now = screen(after);
    assert.deepEqual(now.slice(0, -1), was.slice(0, -1));
    assert.equal(now.at(-1), ' ↓ 1 new message (End) ');
    assert.equal(scrollOf(after, '#general').newWhileScrolled, 1);
    const back = chatReducer(after, page(-3));
    assert.match(screen(back).at(-1) ?? '', /^ +11ccc/, 'PageDown reaches the new message');
    assert.deepEqual(scrollOf(back, '#general'), { offset: 0, newWhileScrolled: 0 });
  });

  it('an anchor dropped by maxLines moves to the oldest line kept, whole', () => {
    // 23 rows up in 10 messages: message 3's last row at the bottom of the view.
    const scrolled = chatReducer(start(10, { maxLines: 10 }), page(4));
    assert.deepEqual(scrollOf(scrolled, '#general'), {
      offset: 7,
      hiddenRows: 2,
      newWhileScrolled: 0,
    });
    const after = chatReducer(scrolled, {
      type: 'batch',
      actions: [message(11), message(12), message(13), message(14), message(15)],
    });
    assert.deepEqual(scrollOf(after, '#general'), { offset: 9, newWhileScrolled: 5 });
  });
});
