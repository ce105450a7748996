import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatError } from '../../src/errors.ts';
import { visibleRows } from '../../src/ui/components/message-rows.ts';
import { highlightSpans, matchRanges, searchRows } from '../../src/ui/search/search-rows.ts';
import {
  closedSearch,
  conversationOfMessage,
  type SearchView,
  searchErrorLine,
  searchReducer,
} from '../../src/ui/search/search-state.ts';
import type { MessageLine } from '../../src/ui/state/chat-types.ts';

const T0 = Date.UTC(2026, 11, 6, 9, 5, 7);
const found = [
  { type: 'msg', room: '#ops', id: 7, ts: T0, from: 'alice', text: 'deploy on Friday' },
  { type: 'dm', id: 3, ts: T0 + 60_000, from: 'bob', to: 'alice', text: 'the deploy key' },
  { type: 'msg', room: '#dev', id: 40, ts: T0 - 60_000, from: 'carol', text: 'Deploy deploy' },
] as const;

function text(row: readonly { text: string }[]): string {
  return row.map((span) => span.text).join('');
}

describe('search overlay state', () => {
  it('opens searching, takes its own answer newest first, ignores an older one', () => {
    let view = searchReducer(closedSearch, { type: 'start', query: { text: 'deploy' } });
    assert.equal(view.status, 'searching');
    view = searchReducer(view, { type: 'start', query: { text: 'deploy', room: '#ops' } });
    const stale = searchReducer(view, { type: 'answer', seq: 1, messages: [], more: false });
    assert.equal(stale, view, 'the first search was replaced');
    view = searchReducer(view, { type: 'answer', seq: 2, messages: [...found], more: true });
    assert.equal(view.status, 'results');
    if (view.status !== 'results') return;
    assert.deepEqual(
      view.messages.map((m) => m.id),
      [3, 7, 40],
    );
    assert.equal(view.selected, 0);
  });

  it('moves within the results and stops at the ends; Esc closes', () => {
    let view: SearchView = {
      status: 'results',
      seq: 1,
      query: { text: 'x' },
      messages: [...found],
      more: false,
      selected: 0,
    };
    view = searchReducer(view, { type: 'move', by: -1 });
    assert.equal(view.status === 'results' && view.selected, 0);
    view = searchReducer(view, { type: 'move', by: 5 });
    assert.equal(view.status === 'results' && view.selected, 2);
    assert.deepEqual(searchReducer(view, { type: 'close' }), { status: 'closed', seq: 1 });
  });

  it('says each failure in one line', () => {
    const server = (code: string, message: string) =>
      new ChatError('SERVER_ERROR', message, { hint: code });
    assert.equal(
      searchErrorLine(server('not_member', 'you are not in #secret')),
      'search: you are not in #secret',
    );
    assert.match(searchErrorLine(server('store_failed', 'x')), /could not read its history/);
    assert.equal(
      searchErrorLine(new ChatError('CONNECT_FAILED', 'not connected')),
      'search: not connected: try again once reconnected',
    );
  });

  it('names the conversation of a DM by the other party', () => {
    assert.equal(conversationOfMessage(found[1], 'alice'), '@bob');
    assert.equal(conversationOfMessage(found[1], 'bob'), '@alice');
    assert.equal(conversationOfMessage(found[0], 'bob'), '#ops');
  });
});

describe('search rows', () => {
  it('finds every word, ignoring case, merged', () => {
    assert.deepEqual(matchRanges('Deploy the deployment', ['deploy']), [
      [0, 6],
      [11, 17],
    ]);
    assert.deepEqual(matchRanges('abcd', ['abc', 'bcd']), [[0, 4]]);
    const spans = highlightSpans('a Deploy b', ['deploy'], 80);
    assert.deepEqual(spans, [
      { text: 'a ' },
      { text: 'Deploy', color: 'yellow', bold: true },
      { text: ' b' },
    ]);
  });

  it('starts a long text near its first match so it shows', () => {
    const long = `${'x'.repeat(100)} needle`;
    const spans = highlightSpans(long, ['needle'], 40);
    assert.ok(text(spans).startsWith('…'));
    assert.ok(text(spans).length < 30);
  });

  it('lists the results with conversation, time, sender; the selected one reversed', () => {
    const view: SearchView = {
      status: 'results',
      seq: 1,
      query: { text: 'deploy' },
      messages: [...found],
      more: true,
      selected: 1,
    };
    const rows = searchRows({ view, me: 'alice', width: 70, height: 8, timeZone: 'UTC' });
    assert.equal(rows.length, 8);
    assert.equal(text(rows[0] ?? []), 'Search "deploy" · 3+ results');
    assert.equal(text(rows[1] ?? []), '#ops         12-06 09:05 <alice> deploy on Friday');
    assert.equal(text(rows[2] ?? []), '@bob         12-06 09:06 <bob> the deploy key');
    assert.ok(rows[2]?.every((span) => span.inverse === true));
    assert.ok(!rows[1]?.some((span) => span.inverse === true));
    assert.match(text(rows[4] ?? []), /more on the server/);
    assert.match(text(rows[7] ?? []), /Enter go to the message · Esc close/);
  });

  it('keeps the selected result in view in a short box', () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ ...found[0], id: i + 1, ts: T0 - i }));
    const view: SearchView = {
      status: 'results',
      seq: 1,
      query: { text: 'deploy' },
      messages: many,
      more: false,
      selected: 12,
    };
    const rows = searchRows({ view, me: 'alice', width: 60, height: 6, timeZone: 'UTC' });
    const selected = rows.filter((row) => row.some((span) => span.inverse));
    assert.equal(selected.length, 1);
  });

  it('says what happens while waiting, when nothing matched, and a failure', () => {
    const base = { seq: 1, query: { text: 'x', room: '#ops' } };
    const say = (view: SearchView) => searchRows({ view, me: 'a', width: 60, height: 4 }).map(text);
    assert.deepEqual(say({ ...base, status: 'searching' }).slice(0, 2), [
      'Search "x" in #ops',
      'searching…',
    ]);
    assert.equal(
      say({ ...base, status: 'results', messages: [], more: false, selected: 0 })[1],
      'no message holds every word',
    );
    assert.equal(say({ ...base, status: 'failed', error: 'search: boom' })[1], 'search: boom');
    const more = {
      ...base,
      status: 'results',
      messages: [found[0]],
      more: true,
      selected: 0,
    } as const;
    assert.equal(say(more)[2], 'more on the server: add words', 'a conversation is named already');
  });
});

describe('the message jumped to', () => {
  function line(id: number): MessageLine {
    return {
      kind: 'message',
      id,
      ts: T0,
      from: 'a',
      text: 't',
      action: false,
      mention: false,
      own: false,
    };
  }
  it('marks the message a search jumped to', () => {
    const rows = visibleRows({
      lines: [line(1), line(2)],
      pending: [],
      scroll: { offset: 0, newWhileScrolled: 0 },
      width: 40,
      height: 2,
      timeZone: 'UTC',
      flashId: 1,
    });
    assert.ok(rows[0]?.every((span) => span.inverse === true));
    assert.ok(!rows[1]?.some((span) => span.inverse === true));
  });
});
