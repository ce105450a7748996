import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredMessage } from '../../src/net/protocol/frames.ts';
import { conversationOf } from '../../src/server/conversations.ts';
import { MemoryHistory } from '../../src/server/history/memory-history.ts';
import type { UnreadQuery } from '../../src/server/unread-query.ts';
import {
  MAX_UNREAD_DIRECTS,
  readUnread,
  type UnreadReads,
} from '../../src/server/unread-reader.ts';
import { addToTally, emptyTally, mentions } from '../../src/server/unread-tally.ts';

function msg(id: number, from: string, text: string, room = '#general'): StoredMessage {
  return { type: 'msg', id, ts: id * 10, room, from, text };
}

function dm(id: number, from: string, to: string, ts: number): StoredMessage {
  return { type: 'dm', id, ts, from, to, text: `dm ${id}` };
}

describe('mentions', () => {
  const cases: Array<[string, boolean]> = [
    ['bob', true],
    ['hey @bob!', true],
    ['Bob, look', true],
    ['BOB?', true],
    ["bob's turn", true],
    ['bobby', false],
    ['jimbob', false],
    ['bob_2 here', false],
    ['bob-ish', false],
    ['ask @bobcat', false],
    ['', false],
  ];
  for (const [text, expected] of cases) {
    it(`${expected ? 'finds' : 'does not find'} bob in ${JSON.stringify(text)}`, () => {
      assert.equal(mentions(text, 'bob'), expected);
    });
  }
});

describe('addToTally', () => {
  it('counts what others sent, their mentions, and keeps the 5 newest mention lines oldest first', () => {
    const tally = emptyTally();
    const messages = [
      msg(1, 'bob', 'mine'),
      ...Array.from({ length: 7 }, (_, i) => msg(i + 2, 'alice', `bob ${i}`)),
    ];
    addToTally(tally, [...messages, msg(9, 'alice', 'no one')], 'bob', false);
    assert.equal(tally.unread, 8);
    assert.equal(tally.mentions, 7);
    assert.deepEqual(
      tally.lines.map((m) => m.id),
      [4, 5, 6, 7, 8],
    );
  });

  it('counts a deleted message as unread but never as a mention; an edit by its new text', () => {
    const tally = emptyTally();
    const gone = { ...msg(1, 'alice', ''), deleted: { ts: 50 } };
    const edited = { ...msg(2, 'alice', 'now for bob'), edited: 60 };
    addToTally(tally, [gone, edited], 'bob', false);
    const direct = emptyTally();
    addToTally(
      direct,
      [{ ...dm(3, 'alice', 'bob', 30), text: '', deleted: { ts: 70 } }],
      'bob',
      true,
    );
    assert.deepEqual([tally.unread, tally.mentions, tally.lines.map((m) => m.id)], [2, 1, [2]]);
    assert.deepEqual([direct.unread, direct.mentions, direct.lines], [1, 0, []]);
  });

  it('takes every message of a direct conversation as a mention', () => {
    const tally = emptyTally();
    addToTally(
      tally,
      [dm(1, 'alice', 'bob', 1), dm(2, 'bob', 'alice', 2), dm(3, 'alice', 'bob', 3)],
      'bob',
      true,
    );
    assert.deepEqual([tally.unread, tally.mentions, tally.lines.length], [2, 2, 2]);
  });
});

async function storeWith(messages: StoredMessage[], keep = 1_000): Promise<MemoryHistory> {
  const store = new MemoryHistory(keep);
  for (const message of messages) await store.append(conversationOf(message), message);
  return store;
}

function readsOf(store: MemoryHistory): UnreadReads {
  return {
    since: async (conversation, afterId, limit) =>
      (await store.since(conversation, afterId, limit)).messages,
    newest: async (conversation) => (await store.before(conversation, undefined, 1)).messages[0],
  };
}

const BOUNDS = { pageMessages: 3, scanMessages: 1_000 };

function query(extra: Partial<UnreadQuery>): UnreadQuery {
  return { user: 'bob', targets: [], backlog: 0, backlogRooms: [], resumed: [], ...extra };
}

describe('readUnread', () => {
  it('counts after the read position up to the id of the hello, page by page', async () => {
    const store = await storeWith([
      msg(1, 'alice', 'old'),
      msg(2, 'alice', 'hi @bob'),
      msg(3, 'bob', 'me'),
      msg(4, 'alice', 'x'),
      msg(5, 'alice', 'bob?'),
      msg(6, 'alice', 'after the hello bob'),
    ]);
    const frame = await readUnread(
      readsOf(store),
      query({
        targets: [{ name: '#general', conversation: '#general', lastId: 5, read: 1 }],
        since: 77,
      }),
      BOUNDS,
    );
    assert.deepEqual(frame, {
      type: 'unread',
      since: 77,
      conversations: [
        {
          room: '#general',
          lastId: 5,
          read: 1,
          unread: 3,
          mentions: 2,
          lines: [msg(2, 'alice', 'hi @bob'), msg(5, 'alice', 'bob?')],
        },
      ],
    });
  });

  it('lists rooms, then direct conversations with messages kept, most recent first', async () => {
    const store = await storeWith([
      dm(1, 'alice', 'bob', 100),
      dm(1, 'bob', 'carol', 300),
      dm(1, 'bob', 'dave', 200),
    ]);
    const target = (peer: string, conversation: string) => ({
      name: `@${peer}`,
      conversation,
      lastId: 1,
      read: 0,
    });
    const frame = await readUnread(
      readsOf(store),
      query({
        targets: [
          {
            name: '#general',
            conversation: '#general',
            lastId: 0,
            read: 0,
            topic: { text: 't', by: 'alice', ts: 5 },
          },
          target('alice', 'dm:alice:bob'),
          target('carol', 'dm:bob:carol'),
          target('dave', 'dm:bob:dave'),
          // Retention removed them all: not listed.
          target('erin', 'dm:bob:erin'),
        ],
      }),
      BOUNDS,
    );
    assert.equal(frame.since, undefined);
    assert.deepEqual(
      frame.conversations.map((c) => [c.room, c.unread, c.mentions]),
      [
        ['#general', 0, 0],
        ['@carol', 0, 0],
        ['@dave', 0, 0],
        ['@alice', 1, 1],
      ],
    );
    assert.deepEqual(frame.conversations[0]?.topic, { text: 't', by: 'alice', ts: 5 });
  });

  it(`lists at most ${MAX_UNREAD_DIRECTS} direct conversations`, async () => {
    const messages = Array.from({ length: MAX_UNREAD_DIRECTS + 5 }, (_, i) =>
      dm(1, 'bob', `u${i}`, i),
    );
    const store = await storeWith(messages);
    const frame = await readUnread(
      readsOf(store),
      query({
        targets: messages.map((m) => ({
          name: `@${m.type === 'dm' ? m.to : ''}`,
          conversation: conversationOf(m),
          lastId: 1,
          read: 1,
        })),
      }),
      BOUNDS,
    );
    assert.equal(frame.conversations.length, MAX_UNREAD_DIRECTS);
    assert.equal(frame.conversations[0]?.room, `@u${MAX_UNREAD_DIRECTS + 4}`);
  });

  it('reads only the newest scanMessages after the read position and counts the older ids unread', async () => {
    const store = await storeWith(
      Array.from({ length: 50 }, (_, i) => msg(i + 1, 'alice', i === 0 ? 'bob' : 'x')),
    );
    const reads = readsOf(store);
    let read = 0;
    const counted: UnreadReads = {
      since: async (c, after, limit) => {
        const page = await reads.since(c, after, limit);
        read += page.length;
        return page;
      },
      newest: reads.newest,
    };
    const frame = await readUnread(
      counted,
      query({ targets: [{ name: '#general', conversation: '#general', lastId: 50, read: 0 }] }),
      { pageMessages: 4, scanMessages: 10 },
    );
    assert.equal(read, 10);
    // The mention in message 1 was not read: only what was is quoted.
    assert.deepEqual(
      frame.conversations.map((c) => [c.unread, c.mentions]),
      [[50, 0]],
    );
  });
});
