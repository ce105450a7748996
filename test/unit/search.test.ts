import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredMessage } from '../../src/net/protocol/frames.ts';
import { foldForSearch, matchesEvery, searchWords } from '../../src/net/search-words.ts';
import { ByteBudget } from '../../src/server/byte-budget.ts';
import { ChatCore } from '../../src/server/chat-core.ts';
import { Connection } from '../../src/server/connection.ts';
import type { Effect } from '../../src/server/core-effects.ts';
import { FlushQueue } from '../../src/server/flush-queue.ts';
import type { HistoryStore } from '../../src/server/history/history-store.ts';
import { MemoryHistory } from '../../src/server/history/memory-history.ts';
import { ReadPump } from '../../src/server/read-pump.ts';
import { type SearchRead, scanNewestFirst } from '../../src/server/search-scan.ts';
import { testCoreOptions } from '../helpers/core-options.ts';
import { FakeSocket } from '../helpers/fake-socket.ts';

describe('searchWords and matchesEvery', () => {
  const cases: Array<[string, string, string, boolean]> = [
    // [what, search text, message text, matches]
    ['one word', 'deploy', 'we deploy on friday', true],
    ['every word, in any order', 'friday deploy', 'we deploy on friday', true],
    ['not when a word is missing', 'deploy monday', 'we deploy on friday', false],
    ['case on both sides', 'DePloy', 'We DEPLOY on Friday', true],
    ['inside a longer word', 'deploy', 'redeployed it', true],
    ['punctuation around a typed word', '"deploy,"', 'deploy now', true],
    ['punctuation in the text', 'friday', 'on (friday)!', true],
    ['punctuation inside a word kept', 'node.js', 'we use node.js', true],
    ['... so it must be there', 'node.js', 'we use node and js', false],
    ['a word of punctuation only', '?!', 'really?!', true],
    ['@ and # trimmed: a name finds its mentions', '@bob', 'ask bob', true],
    ['accented letters, any case', 'CAFÉ', 'un café noir', true],
    ['composed and decomposed accents', 'cafe\u0301', 'un café', true],
    ['not accent-blind', 'cafe', 'un café', false],
    ['Greek', 'ΣΟΦΙΑ', 'σοφια', true],
    ['Cyrillic', 'Привет', 'привет мир', true],
    ['CJK', '中文', '我会说中文', true],
    ['emoji', '🚀', 'shipped 🚀🚀', true],
    ['emoji with skin tone', '👍🏽', 'ok 👍🏽', true],
    ['a different emoji', '🚀', 'shipped 🎉', false],
    ['symbols kept', 'c++', 'i write c++ daily', true],
    ['several spaces', '  deploy   friday ', 'deploy friday', true],
  ];
  for (const [what, text, message, expected] of cases) {
    it(`${what}: ${JSON.stringify(text)} in ${JSON.stringify(message)} is ${expected}`, () => {
      assert.equal(matchesEvery(searchWords(text), message), expected);
    });
  }

  it('folds and dedupes the words; spaces only are no words, and match nothing', () => {
    assert.deepEqual(searchWords('Deploy deploy DEPLOY, friday'), ['deploy', 'friday']);
    assert.deepEqual(searchWords('   '), []);
    assert.equal(matchesEvery([], 'anything'), false);
    assert.equal(foldForSearch('E\u0301T\u00c9'), '\u00e9t\u00e9');
  });
});

const OPTIONS = testCoreOptions(
  { maxDevicesPerUser: 8, epoch: 'e' },
  { maxFrameBytes: 65536, maxTextChars: 4000, ratePerSecond: 100, rateBurst: 100 },
);

function core(): ChatCore {
  return new ChatCore(OPTIONS);
}

function searchOf(effects: Effect[]) {
  assert.equal(effects.length, 1);
  return effects[0];
}

describe('ChatCore search scope', () => {
  // alice is in #general and #ops; carol alone in #secret; DMs kept:
  // alice-bob, bob-carol, and carol-carol.
  function world() {
    const c = core();
    c.hello(1, 'alice', { type: 'hello', v: 1, client: 't', join: ['#general', '#ops'] }, 1);
    c.hello(2, 'carol', { type: 'hello', v: 1, client: 't', join: ['#secret'] }, 1);
    c.seedLastId('dm:alice:bob', 3);
    c.seedLastId('dm:bob:carol', 5);
    c.seedLastId('dm:carol:carol', 1);
    c.seedLastId('#secret', 9);
    return c;
  }

  it('without room: the rooms the user is in now and their direct conversations, no other', () => {
    const effect = searchOf(world().receive(1, { type: 'search', text: 'Hi', ref: 's1' }, 2));
    assert.deepEqual(effect, {
      kind: 'search',
      conn: 1,
      ref: 's1',
      words: ['hi'],
      conversations: ['#general', '#ops', 'dm:alice:bob'],
      limit: OPTIONS.limits.maxHistory,
    });
  });

  it('a room the user is not in: not_member with the ref, and nothing read', () => {
    const effects = world().receive(
      1,
      { type: 'search', text: 'x', room: '#secret', ref: 's2' },
      2,
    );
    assert.equal(effects.length, 1);
    const effect = effects[0];
    assert.ok(effect?.kind === 'frames' && effect.frame.type === 'error');
    assert.equal(effect.frame.code, 'not_member');
    assert.equal(effect.frame.ref, 's2');
    assert.deepEqual(effect.to, [1]);
  });

  it('@peer: only the direct conversation of the user with that peer', () => {
    const c = world();
    const effect = searchOf(
      c.receive(1, { type: 'search', text: 'x', room: '@carol', ref: 's' }, 2),
    );
    assert.ok(effect?.kind === 'search');
    assert.deepEqual(effect.conversations, ['dm:alice:carol']);
    const own = searchOf(c.receive(2, { type: 'search', text: 'x', room: '@bob', ref: 's' }, 2));
    assert.ok(own?.kind === 'search');
    assert.deepEqual(own.conversations, ['dm:bob:carol']);
  });

  it('a room the user is in, by name; a room left is out of every scope', () => {
    const c = world();
    const effect = searchOf(c.receive(1, { type: 'search', text: 'x', room: '#ops', ref: 's' }, 2));
    assert.ok(effect?.kind === 'search');
    assert.deepEqual(effect.conversations, ['#ops']);
    c.receive(1, { type: 'part', room: '#ops' }, 3);
    const after = searchOf(c.receive(1, { type: 'search', text: 'x', ref: 's' }, 4));
    assert.ok(after?.kind === 'search');
    assert.deepEqual(after.conversations, ['#general', 'dm:alice:bob']);
  });

  it('limit: as asked, at most 100 and at most limits.maxHistory', () => {
    const c = world();
    const limit = (asked?: number) => {
      const frame = {
        type: 'search' as const,
        text: 'x',
        ref: 's',
        ...(asked ? { limit: asked } : {}),
      };
      const effect = searchOf(c.receive(1, frame, 2));
      return effect?.kind === 'search' ? effect.limit : undefined;
    };
    assert.equal(limit(7), 7);
    assert.equal(limit(100), 50);
    assert.equal(limit(), 50);
  });

  it('a text of spaces only is answered at once: no match, nothing read', () => {
    const effect = searchOf(world().receive(1, { type: 'search', text: '   ', ref: 's3' }, 2));
    assert.deepEqual(effect, {
      kind: 'frames',
      to: [1],
      frame: { type: 'search', ref: 's3', messages: [], more: false },
    });
  });
});

function msg(room: string, id: number, ts: number, text: string): StoredMessage {
  return { type: 'msg', id, ts, room, from: 'alice', text };
}

async function storeOf(messages: Array<[string, StoredMessage]>): Promise<MemoryHistory> {
  const store = new MemoryHistory(10_000);
  for (const [conversation, message] of messages) await store.append(conversation, message);
  return store;
}

function read(words: string, conversations: string[], limit = 100): SearchRead {
  return { ref: 's', words: searchWords(words), conversations, limit };
}

const scanDeps = (
  store: HistoryStore,
  extra: Partial<Parameters<typeof scanNewestFirst>[1]> = {},
) => ({
  store,
  pageMessages: 4,
  now: () => 0,
  budgetMs: 250,
  stopped: () => false,
  ...extra,
});

describe('scanNewestFirst', () => {
  it('merges the conversations by time, newest first, and says nothing more is left', async () => {
    const store = await storeOf([
      ['#a', msg('#a', 1, 10, 'deploy 1')],
      ['#b', msg('#b', 1, 20, 'deploy 2')],
      ['#a', msg('#a', 2, 30, 'other')],
      ['#b', msg('#b', 2, 40, 'deploy 3')],
      ['#a', msg('#a', 3, 50, 'Deploy 4')],
      ['#c', msg('#c', 1, 60, 'deploy, not in scope')],
    ]);
    const result = await scanNewestFirst(read('deploy', ['#a', '#b']), scanDeps(store));
    assert.ok(result.ok);
    assert.deepEqual(
      result.messages.map((m) => m.text),
      ['Deploy 4', 'deploy 3', 'deploy 2', 'deploy 1'],
    );
    assert.equal(result.more, false);
  });

  it('stops at the limit with more, exactly at the end without', async () => {
    const messages: Array<[string, StoredMessage]> = [];
    for (let id = 1; id <= 30; id += 1) messages.push(['#a', msg('#a', id, id, `hit ${id}`)]);
    const store = await storeOf(messages);
    const cut = await scanNewestFirst(read('hit', ['#a'], 5), scanDeps(store));
    assert.ok(cut.ok);
    assert.deepEqual(
      cut.messages.map((m) => m.id),
      [30, 29, 28, 27, 26],
    );
    assert.equal(cut.more, true);
    const all = await scanNewestFirst(read('hit', ['#a'], 30), scanDeps(store));
    assert.ok(all.ok);
    assert.equal(all.messages.length, 30);
    assert.equal(all.more, false, 'the limit reached with nothing left unread');
  });

  it('pages with before, never holding more than a page (or one a conversation)', async () => {
    const messages: Array<[string, StoredMessage]> = [];
    for (let id = 1; id <= 40; id += 1) messages.push(['#a', msg('#a', id, id, `m ${id}`)]);
    const store = await storeOf(messages);
    const asked: Array<[number | undefined, number]> = [];
    const spy = Object.assign(Object.create(store) as HistoryStore, {
      before: (c: string, before: number | undefined, limit: number) => {
        asked.push([before, limit]);
        return store.before(c, before, limit);
      },
    });
    // Two words, m and 3: every message with a 3 in its number.
    const result = await scanNewestFirst(read('m 3', ['#a']), scanDeps(spy, { pageMessages: 8 }));
    assert.ok(result.ok);
    assert.deepEqual(
      result.messages.map((m) => m.id),
      [39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 23, 13, 3],
    );
    assert.deepEqual(asked, [
      [undefined, 8],
      [33, 8],
      [25, 8],
      [17, 8],
      [9, 8],
    ]);
  });

  it('stops reading once the time budget is spent, with more', async () => {
    const messages: Array<[string, StoredMessage]> = [];
    for (let id = 1; id <= 40; id += 1) messages.push(['#a', msg('#a', id, id, `m ${id}`)]);
    const store = await storeOf(messages);
    let clock = 0;
    const slow = Object.assign(Object.create(store) as HistoryStore, {
      before: (c: string, before: number | undefined, limit: number) => {
        clock += 100; // each read takes 100 ms
        return store.before(c, before, limit);
      },
    });
    const result = await scanNewestFirst(
      read('m', ['#a']),
      scanDeps(slow, { pageMessages: 4, now: () => clock }),
    );
    assert.ok(result.ok);
    assert.equal(result.more, true);
    assert.deepEqual(
      result.messages.map((m) => m.id),
      [40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29],
      'three reads of 100 ms: the budget of 250 ms is spent',
    );
  });

  it('gives the conversation whose read failed', async () => {
    const store = await storeOf([['#a', msg('#a', 1, 1, 'x')]]);
    const failing = Object.assign(Object.create(store) as HistoryStore, {
      before: async (c: string) => {
        if (c === '#b') throw new Error('disk gone');
        return store.before(c, undefined, 10);
      },
    });
    const result = await scanNewestFirst(read('x', ['#a', '#b']), scanDeps(failing));
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.conversation === '#b');
  });
});

describe('ReadPump search', () => {
  function pumpOver(store: HistoryStore, maxQueue = 64 * 1024) {
    const budget = new ByteBudget(1024 * 1024);
    const socket = new FakeSocket();
    socket.autoRead = true;
    const conn = new Connection(1, socket.asTls(), '127.0.0.1', 0, {
      maxQueueBytes: maxQueue,
      maxFrameBytes: 64 * 1024,
      onOverflow: () => {},
      budget,
      flushes: new FlushQueue(),
    });
    conn.state = 'active';
    const errors: string[] = [];
    const pump = new ReadPump(conn, {
      store,
      budget,
      maxMessageBytes: 1024,
      onReadError: (_e, conversation) => errors.push(conversation),
    });
    const frames = () =>
      socket.written
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { pump, frames, errors, budget };
  }

  async function settle(): Promise<void> {
    for (let i = 0; i < 50; i += 1) await new Promise<void>((r) => setImmediate(r));
  }

  it('answers with the server search frame, in turn with history answers', async () => {
    const store = await storeOf([
      ['#a', msg('#a', 1, 1, 'deploy')],
      ['#a', msg('#a', 2, 2, 'lunch')],
    ]);
    const { pump, frames, budget } = pumpOver(store);
    pump.history({ conversation: '#a', name: '#a', before: undefined, limit: 5, ref: 'h1' });
    pump.search(read('DEPLOY', ['#a']));
    pump.history({ conversation: '#a', name: '#a', before: undefined, limit: 5, ref: 'h2' });
    await settle();
    assert.deepEqual(
      frames().map((f) => [f.type, f.ref]),
      [
        ['history', 'h1'],
        ['search', 's'],
        ['history', 'h2'],
      ],
    );
    assert.deepEqual(frames()[1], {
      type: 'search',
      ref: 's',
      messages: [msg('#a', 1, 1, 'deploy')],
      more: false,
    });
    assert.equal(budget.inUse, 0, 'every byte given back');
  });

  it('answers store_failed with the ref when a read fails', async () => {
    const store = await storeOf([]);
    const failing = Object.assign(Object.create(store) as HistoryStore, {
      before: async () => {
        throw new Error('disk gone');
      },
    });
    const { pump, frames, errors, budget } = pumpOver(failing);
    pump.search(read('x', ['#a']));
    await settle();
    assert.deepEqual(
      frames().map((f) => [f.type, f.code, f.ref]),
      [['error', 'store_failed', 's']],
    );
    assert.deepEqual(errors, ['#a']);
    assert.equal(budget.inUse, 0);
  });

  it('cuts an answer that would not fit half the queue at its old end, with more', async () => {
    const messages: Array<[string, StoredMessage]> = [];
    for (let id = 1; id <= 20; id += 1)
      messages.push(['#a', msg('#a', id, id, `hit ${'x'.repeat(1_000)}`)]);
    const store = await storeOf(messages);
    // A small queue: a page holds some of these messages, not all 20.
    const { pump, frames } = pumpOver(store, 16 * 1024);
    pump.search(read('hit', ['#a'], 20));
    await settle();
    const answer = frames()[0] as { messages: StoredMessage[]; more: boolean };
    assert.ok(answer.messages.length > 0 && answer.messages.length < 20);
    assert.equal(answer.messages[0]?.id, 20, 'the newest kept');
    assert.equal(answer.more, true);
  });
});
