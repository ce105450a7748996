import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messageRows } from '../../src/ui/components/message-rows.ts';
import { memberSpans } from '../../src/ui/components/UserList.tsx';
import type { MessageLine } from '../../src/ui/state/chat-types.ts';

const LINE: MessageLine = {
  kind: 'message',
  id: 1,
  ts: Date.UTC(2026, 10, 25, 12, 0),
  from: 'bob',
  text: 'hello there',
  action: false,
  mention: false,
  own: false,
};

const text = (rows: ReturnType<typeof messageRows>) =>
  rows.map((row) => row.map((span) => span.text).join(''));

describe('message rows of changed messages', () => {
  it('an edited message ends with a dim (edited)', () => {
    const rows = messageRows({ ...LINE, edited: LINE.ts + 1 }, 60, 'UTC');
    assert.deepEqual(text(rows), ['12:00 <bob> hello there (edited)']);
    assert.deepEqual(rows[0]?.at(-1), { text: '(edited)', dim: true });
    assert.equal(rows[0]?.at(-2)?.dim, undefined, 'the text itself is not dim');
  });

  it('wraps with the text, the mark dim on the last row', () => {
    const rows = messageRows({ ...LINE, edited: 1, text: 'one two three four five' }, 30, 'UTC');
    assert.equal(rows.at(-1)?.at(-1)?.text, '(edited)');
    assert.equal(rows.at(-1)?.at(-1)?.dim, true);
  });

  it('a deleted message shows a dim italic placeholder, naming the operator', () => {
    const own = messageRows({ ...LINE, text: '', deleted: {} }, 60, 'UTC');
    assert.deepEqual(text(own), ['12:00 <bob> (message deleted)']);
    assert.deepEqual(own[0]?.at(-1), { text: '(message deleted)', dim: true, italic: true });
    const byOp = messageRows({ ...LINE, text: '', deleted: { by: 'alice' } }, 60, 'UTC');
    assert.deepEqual(text(byOp), ['12:00 <bob> (deleted by alice)']);
  });
});

describe('the user list marks operators', () => {
  it('as @name, like irssi', () => {
    const spans = memberSpans({ user: 'alice', status: 'online', op: true });
    assert.equal(spans.map((s) => s.text).join(''), ' ● @alice');
    const plain = memberSpans({ user: 'bob', status: 'away' });
    assert.equal(plain.map((s) => s.text).join(''), ' ○ bob');
  });
});
