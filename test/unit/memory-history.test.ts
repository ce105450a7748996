import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredMessage } from '../../src/net/protocol/frames.ts';
import { MemoryHistory } from '../../src/server/history/memory-history.ts';

function message(id: number, room = '#general'): StoredMessage {
  return { type: 'msg', id, ts: 1_000 * id, room, from: 'alice', text: `m${id}` };
}

/** A store keeping `keep` per conversation, with ids 1..count appended to `room`. */
async function filled(keep: number, count: number, room = '#general'): Promise<MemoryHistory> {
  const history = new MemoryHistory(keep);
  for (let id = 1; id <= count; id++) await history.append(room, message(id, room));
  return history;
}

function ids(messages: readonly StoredMessage[]): number[] {
  return messages.map((m) => m.id);
}

describe('MemoryHistory.since', () => {
  const cases: Array<{ afterId: number; limit: number; want: number[]; gap: boolean }> = [
    { afterId: 0, limit: 10, want: [1, 2, 3, 4], gap: false },
    { afterId: 0, limit: 2, want: [1, 2], gap: false },
    { afterId: 2, limit: 10, want: [3, 4], gap: false },
    { afterId: 3, limit: 1, want: [4], gap: false },
    { afterId: 4, limit: 10, want: [], gap: false },
    { afterId: 99, limit: 10, want: [], gap: false },
  ];
  for (const { afterId, limit, want, gap } of cases) {
    it(`after ${afterId}, limit ${limit}: ${JSON.stringify(want)}`, async () => {
      const history = await filled(5, 4);
      const got = await history.since('#general', afterId, limit);
      assert.deepEqual({ ids: ids(got.messages), gap: got.gap }, { ids: want, gap });
    });
  }

  it('is empty without a gap for an unknown conversation', async () => {
    const history = await filled(5, 4);
    assert.deepEqual(await history.since('#other', 0, 10), { messages: [], gap: false });
  });

  it('returns the messages themselves, oldest first', async () => {
    const history = await filled(5, 2);
    assert.deepEqual((await history.since('#general', 0, 10)).messages, [message(1), message(2)]);
  });
});

describe('MemoryHistory with trimming (keep 5, 30 appended)', () => {
  const cases: Array<{ afterId: number; limit: number; want: number[]; gap: boolean }> = [
    { afterId: 0, limit: 100, want: [26, 27, 28, 29, 30], gap: true },
    { afterId: 24, limit: 100, want: [26, 27, 28, 29, 30], gap: true },
    { afterId: 25, limit: 100, want: [26, 27, 28, 29, 30], gap: false },
    { afterId: 27, limit: 100, want: [28, 29, 30], gap: false },
    { afterId: 0, limit: 2, want: [26, 27], gap: true },
    { afterId: 30, limit: 100, want: [], gap: false },
  ];
  for (const { afterId, limit, want, gap } of cases) {
    it(`since ${afterId}, limit ${limit}: ${JSON.stringify(want)}, gap ${gap}`, async () => {
      const history = await filled(5, 30);
      const got = await history.since('#general', afterId, limit);
      assert.deepEqual({ ids: ids(got.messages), gap: got.gap }, { ids: want, gap });
    });
  }

  it('keeps exactly the newest `keep` visible after every append, batch trimming or not', async () => {
    const history = new MemoryHistory(5);
    for (let id = 1; id <= 30; id++) {
      await history.append('#general', message(id));
      const got = await history.since('#general', 0, 100);
      const first = Math.max(1, id - 4);
      assert.deepEqual(
        { ids: ids(got.messages), gap: got.gap },
        { ids: Array.from({ length: id - first + 1 }, (_, i) => first + i), gap: id > 5 },
        `after ${id} appends`,
      );
      const page = await history.before('#general', undefined, 100);
      assert.equal(page.messages.length, Math.min(id, 5), `before, after ${id} appends`);
      assert.equal(page.more, false, `nothing older is kept, after ${id} appends`);
    }
  });

  it('pages back with before and more down to the oldest kept', async () => {
    const history = await filled(5, 30);
    const pages: Array<{ ids: number[]; more: boolean }> = [];
    let before: number | undefined;
    for (;;) {
      const page = await history.before('#general', before, 2);
      pages.push({ ids: ids(page.messages), more: page.more });
      if (!page.more) break;
      before = page.messages[0]?.id;
    }
    assert.deepEqual(pages, [
      { ids: [29, 30], more: true },
      { ids: [27, 28], more: true },
      { ids: [26], more: false },
    ]);
  });
});

describe('MemoryHistory.before', () => {
  const cases: Array<{ before: number | undefined; limit: number; want: number[]; more: boolean }> =
    [
      { before: undefined, limit: 10, want: [1, 2, 3, 4], more: false },
      { before: undefined, limit: 2, want: [3, 4], more: true },
      { before: 4, limit: 2, want: [2, 3], more: true },
      { before: 3, limit: 2, want: [1, 2], more: false },
      { before: 2, limit: 10, want: [1], more: false },
      { before: 1, limit: 10, want: [], more: false },
      { before: 0, limit: 10, want: [], more: false },
      { before: 99, limit: 3, want: [2, 3, 4], more: true },
    ];
  for (const { before, limit, want, more } of cases) {
    it(`before ${before}, limit ${limit}: ${JSON.stringify(want)}, more ${more}`, async () => {
      const history = await filled(5, 4);
      const got = await history.before('#general', before, limit);
      assert.deepEqual({ ids: ids(got.messages), more: got.more }, { ids: want, more });
    });
  }

  it('is empty without more for an unknown conversation', async () => {
    const history = await filled(5, 4);
    assert.deepEqual(await history.before('#other', undefined, 10), { messages: [], more: false });
  });

  it('keeps conversations apart', async () => {
    const history = new MemoryHistory(5);
    await history.append('#a', message(1, '#a'));
    await history.append('#b', message(1, '#b'));
    await history.append('#a', message(2, '#a'));
    const a = await history.before('#a', undefined, 10);
    const b = await history.before('#b', undefined, 10);
    assert.deepEqual(a.messages, [message(1, '#a'), message(2, '#a')]);
    assert.deepEqual(b.messages, [message(1, '#b')]);
  });
});

describe('MemoryHistory.lastIds', () => {
  it('is empty for an empty store', async () => {
    assert.deepEqual(await new MemoryHistory(5).lastIds(), new Map());
  });

  it('gives the newest id of every conversation, trimmed ones included', async () => {
    const history = await filled(5, 30);
    const dm: StoredMessage = { type: 'dm', id: 3, ts: 3, from: 'bob', to: 'alice', text: 'hi' };
    await history.append('dm:alice:bob', { ...dm, id: 1 });
    await history.append('dm:alice:bob', { ...dm, id: 2 });
    await history.append('dm:alice:bob', dm);
    assert.deepEqual(
      await history.lastIds(),
      new Map([
        ['#general', 30],
        ['dm:alice:bob', 3],
      ]),
    );
    await history.close();
  });
});

describe('MemoryHistory.replace', () => {
  it('serves the changed message in its place from every read', async () => {
    const history = await filled(10, 4);
    const edited = { ...message(2), text: 'changed', edited: 9_000 };
    await history.replace('#general', edited);
    assert.deepEqual((await history.since('#general', 1, 1)).messages, [edited]);
    assert.deepEqual((await history.before('#general', 3, 1)).messages, [edited]);
    assert.deepEqual(await history.lastIds(), new Map([['#general', 4]]));
  });

  it('rejects a message it does not keep, or no longer keeps', async () => {
    const history = await filled(2, 40);
    await assert.rejects(history.replace('#general', { ...message(41), text: 'x' }));
    await assert.rejects(history.replace('#general', { ...message(1), text: 'x' }));
    await assert.rejects(history.replace('#other', { ...message(40, '#other'), text: 'x' }));
    assert.deepEqual(ids((await history.since('#general', 0, 10)).messages), [39, 40]);
  });
});
