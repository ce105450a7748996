import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredMessage } from '../../src/net/protocol/frames.ts';
import { ByteBudget } from '../../src/server/byte-budget.ts';
import { Connection, toWire } from '../../src/server/connection.ts';
import { FlushQueue } from '../../src/server/flush-queue.ts';
import type { HistoryStore } from '../../src/server/history/history-store.ts';
import { MemoryHistory } from '../../src/server/history/memory-history.ts';
import { ReadPump } from '../../src/server/read-pump.ts';
import { FakeSocket } from '../helpers/fake-socket.ts';

/**
 * ReadPump and the Connection queue it paces against, over a socket whose
 * reader the test plays: every read is budgeted before it is made, a failed
 * replay read ends the connection rather than skipping, gaps are told for
 * every page, and a reader is stalled only when nothing it was sent moves.
 */

const MAX_QUEUE = 64 * 1024;
/** A message frame's largest size as these tests budget it (bytes). */
const MESSAGE_BYTES = 1_024;

function message(room: string, id: number, chars = 100): StoredMessage {
  return { type: 'msg', id, ts: id, room, from: 'alice', text: 'x'.repeat(chars) };
}

async function filled(
  room: string,
  count: number,
  keep = count,
  chars = 100,
): Promise<MemoryHistory> {
  const store = new MemoryHistory(keep);
  for (let id = 1; id <= count; id += 1) await store.append(room, message(room, id, chars));
  return store;
}

function connection(budget: ByteBudget, socket = new FakeSocket()) {
  const conn = new Connection(1, socket.asTls(), '127.0.0.1', 0, {
    maxQueueBytes: MAX_QUEUE,
    maxFrameBytes: 64 * 1024,
    onOverflow: () => {},
    budget,
    flushes: new FlushQueue(),
  });
  conn.state = 'active';
  return { conn, socket };
}

/** Every frame written, parsed. */
function framesOf(socket: FakeSocket): Array<Record<string, unknown>> {
  return socket.written
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((text) => JSON.parse(text) as Record<string, unknown>);
}

function idsOf(socket: FakeSocket): number[] {
  return framesOf(socket).flatMap((f) => (f.type === 'msg' ? [f.id as number] : []));
}

/** Lets timers of 0 ms and every immediate run, `turns` times. */
async function turns(count = 50): Promise<void> {
  for (let i = 0; i < count; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('ReadPump', () => {
  it('budgets each read before it is made: concurrent reads never exceed the budget', async () => {
    const store = await filled('#r', 300);
    let inFlight = 0;
    let most = 0;
    const counting: HistoryStore = Object.assign(Object.create(store) as HistoryStore, {
      since: async (conversation: string, afterId: number, limit: number) => {
        inFlight += limit * MESSAGE_BYTES;
        most = Math.max(most, inFlight);
        await turns(2);
        inFlight -= limit * MESSAGE_BYTES;
        return store.since(conversation, afterId, limit);
      },
    });
    // Room for two full pages at a time.
    const budget = new ByteBudget(2 * 32 * MESSAGE_BYTES);
    const sockets: FakeSocket[] = [];
    for (let i = 0; i < 8; i += 1) {
      const { conn, socket } = connection(budget);
      socket.autoRead = true;
      sockets.push(socket);
      new ReadPump(conn, {
        store: counting,
        budget,
        maxMessageBytes: MESSAGE_BYTES,
        onReadError: () => assert.fail('no read fails'),
      }).replay('#r', 0);
    }
    for (let i = 0; i < 400 && sockets.some((s) => idsOf(s).length < 300); i += 1) await turns(5);
    for (const socket of sockets) assert.deepEqual(idsOf(socket), range(1, 300));
    assert.ok(most <= budget.capacity, `reads of ${most} bytes at once, budget ${budget.capacity}`);
    assert.ok(most > 32 * MESSAGE_BYTES, 'reads did overlap: the budget was what bounded them');
    assert.equal(budget.inUse, 0, 'every byte given back');
  });

  it('ends the connection when a replay read fails, instead of skipping what it missed', async () => {
    const store = await filled('#r', 10);
    const failing: HistoryStore = Object.assign(Object.create(store) as HistoryStore, {
      since: async () => {
        throw new Error('disk gone');
      },
    });
    const budget = new ByteBudget(1024 * 1024);
    const { conn, socket } = connection(budget);
    const errors: boolean[] = [];
    const pump = new ReadPump(conn, {
      store: failing,
      budget,
      maxMessageBytes: MESSAGE_BYTES,
      onReadError: (_error, _conversation, fatal) => errors.push(fatal),
    });
    pump.replay('#r', 0);
    conn.deliver('#r', 11, toWire(message('#r', 11)));
    await turns();
    assert.deepEqual(errors, [true], 'told, as fatal');
    assert.deepEqual(idsOf(socket), [], 'no live message jumps the missed ones');
    conn.deliver('#r', 12, toWire(message('#r', 12)));
    await turns();
    assert.deepEqual(idsOf(socket), [], 'the replay never went live');
    assert.equal(budget.inUse, 0);
  });

  it('holds an update that comes during a replay until its message went out', async () => {
    const store = await filled('#r', 100);
    const slow: HistoryStore = Object.assign(Object.create(store) as HistoryStore, {
      since: async (conversation: string, afterId: number, limit: number) => {
        const page = await store.since(conversation, afterId, limit);
        await turns(2);
        return page;
      },
    });
    const budget = new ByteBudget(1024 * 1024);
    const { conn, socket } = connection(budget);
    const pump = new ReadPump(conn, {
      store: slow,
      budget,
      maxMessageBytes: MESSAGE_BYTES,
      onReadError: () => {},
    });
    pump.replay('#r', 0);
    // Message 90 is edited while the replay reads its first page.
    const edited = { ...message('#r', 90), text: 'edited', edited: 5 };
    await store.replace('#r', edited);
    conn.deliverUpdate('#r', 90, toWire({ type: 'update', message: edited }));
    await turns();
    const frames = framesOf(socket);
    const at = (find: (f: Record<string, unknown>) => boolean) => frames.findIndex(find);
    const update = at((f) => f.type === 'update');
    assert.ok(update > at((f) => f.type === 'msg' && f.id === 100), 'after the replay caught up');
    assert.equal(frames.filter((f) => f.type === 'update').length, 1);
    // Live again: the next update goes out at once.
    conn.deliverUpdate('#r', 3, toWire({ type: 'update', message: message('#r', 3) }));
    assert.equal(framesOf(socket).filter((f) => f.type === 'update').length, 1, 'queued');
    await turns(2);
    assert.equal(framesOf(socket).filter((f) => f.type === 'update').length, 2);
  });

  it('holds an update that comes while a history page is read until the page went out', async () => {
    const store = await filled('#r', 10);
    const slow: HistoryStore = Object.assign(Object.create(store) as HistoryStore, {
      before: async (conversation: string, before: number | undefined, limit: number) => {
        const page = await store.before(conversation, before, limit);
        await turns(2);
        return page;
      },
    });
    const budget = new ByteBudget(1024 * 1024);
    const { conn, socket } = connection(budget);
    const pump = new ReadPump(conn, {
      store: slow,
      budget,
      maxMessageBytes: MESSAGE_BYTES,
      onReadError: () => {},
    });
    pump.history({ conversation: '#r', name: '#r', before: undefined, limit: 5, ref: 'h' });
    await turns(1);
    conn.deliverUpdate('#r', 8, toWire({ type: 'update', message: message('#r', 8) }));
    await turns();
    assert.deepEqual(
      framesOf(socket).map((f) => f.type),
      ['history', 'update'],
    );
  });

  it('follows a resume replay with the updates of what changed up to the resume id', async () => {
    const store = await filled('#r', 10);
    const budget = new ByteBudget(1024 * 1024);
    const { conn, socket } = connection(budget);
    const asked: Array<[string, number]> = [];
    const pump = new ReadPump(conn, {
      store,
      budget,
      maxMessageBytes: MESSAGE_BYTES,
      onReadError: () => {},
      changedSince: (conversation, afterId) => {
        asked.push([conversation, afterId]);
        return [{ ...message('#r', 4), text: '', deleted: { ts: 9 } }];
      },
    });
    pump.replay('#r', 6, true);
    pump.replay('#s', 0); // not a resume: no updates asked
    await turns();
    const frames = framesOf(socket);
    assert.deepEqual(asked, [['#r', 6]]);
    assert.deepEqual(
      frames.map((f) =>
        f.type === 'update' ? `update ${(f.message as { id: number }).id}` : f.id,
      ),
      [7, 8, 9, 10, 'update 4'],
    );
    socket.read();
    assert.equal(budget.inUse, 0, 'every byte given back as written');
  });

  it('a live update that comes while the resume updates wait for the reader is not overtaken by an older one', async () => {
    const store = await filled('#r', 60);
    const budget = new ByteBudget(1024 * 1024);
    const { conn, socket } = connection(budget);
    const edited = (id: number): StoredMessage => ({
      ...message('#r', id, 2_000),
      text: `secret ${id} ${'x'.repeat(2_000)}`,
      edited: 70,
    });
    const pump = new ReadPump(conn, {
      store,
      budget,
      maxMessageBytes: MESSAGE_BYTES,
      onReadError: () => {},
      // 60 changed messages of 2 KB: more than the queue holds, so they wait for the reader.
      changedSince: () => range(1, 60).map(edited),
    });
    pump.replay('#r', 60, true);
    await turns();
    assert.ok(framesOf(socket).filter((f) => f.type === 'update').length < 60, 'waits for room');
    // Meanwhile message 60 is deleted: its update goes live.
    const deleted: StoredMessage = { ...message('#r', 60), text: '', deleted: { ts: 80 } };
    conn.deliverUpdate('#r', 60, toWire({ type: 'update', message: deleted }));
    socket.autoRead = true;
    socket.read();
    await turns(200);
    const of60 = framesOf(socket)
      .filter((f) => f.type === 'update' && (f.message as { id: number }).id === 60)
      .map((f) => f.message as StoredMessage);
    assert.ok(of60.length >= 1);
    assert.deepEqual(of60.at(-1), deleted, 'the deletion is the last word on message 60');
  });

  it('stops a replay, and refuses a waiting history answer, once the user is out of the room (a ban)', async () => {
    const store = await filled('#r', 100, 1000, 2_000);
    const budget = new ByteBudget(1024 * 1024);
    const { conn, socket } = connection(budget);
    let inRoom = true;
    const pump = new ReadPump(conn, {
      store,
      budget,
      maxMessageBytes: 4 * 1024,
      onReadError: () => assert.fail('no read fails'),
      changedSince: () => [{ ...message('#r', 1), text: 'changed', edited: 5 }],
      mayRead: (conversation) => conversation !== '#r' || inRoom,
    });
    pump.replay('#r', 0, true);
    pump.history({ conversation: '#r', name: '#r', before: undefined, limit: 5, ref: 'h' });
    await turns();
    const seen = idsOf(socket).length;
    assert.ok(seen > 0 && seen < 100, 'the replay waits for the reader');
    inRoom = false; // banned; what is posted from now on is not theirs
    for (let id = 101; id <= 110; id += 1) await store.append('#r', message('#r', id));
    socket.autoRead = true;
    socket.read();
    await turns(200);
    const frames = framesOf(socket);
    assert.ok(
      idsOf(socket).every((id) => id <= 100),
      'nothing posted after the ban',
    );
    assert.ok(idsOf(socket).length <= seen + 64, 'at most the page being sent when it came');
    assert.equal(frames.filter((f) => f.type === 'history').length, 1, 'the page asked first');
    assert.equal(frames.filter((f) => f.type === 'update').length, 0, 'no resume updates');
    assert.equal(conn.liveDuringReplay('#r'), 0, 'no longer replaying');
    assert.equal(budget.inUse, 0);
    pump.history({ conversation: '#r', name: '#r', before: undefined, limit: 5, ref: 'h2' });
    await turns();
    const refused = framesOf(socket).filter((f) => f.ref === 'h2');
    assert.deepEqual(
      refused.map((f) => f.code),
      ['not_member'],
    );
    pump.search({ ref: 's', words: ['x'], conversations: ['#r'], limit: 10 });
    await turns();
    const [search] = framesOf(socket).filter((f) => f.type === 'search');
    assert.deepEqual(search?.messages, [], 'a search no longer reads the room');
  });

  it('serializes the resume updates as the reader takes them, not all at once outside the budget', async () => {
    const store = await filled('#r', 10);
    const budget = new ByteBudget(1024 * 1024);
    const { conn, socket } = connection(budget);
    let serialized = 0;
    // 1,000 changes of 8 KB: 8 MB that a reader who does not read must not cost at once.
    const changed = range(1, 1000).map((id) => {
      const m = { ...message('#r', id, 8_000), edited: 5 };
      return Object.assign(m, {
        toJSON: () => {
          serialized += 1;
          return { ...m, toJSON: undefined };
        },
      });
    });
    const pump = new ReadPump(conn, {
      store,
      budget,
      maxMessageBytes: MESSAGE_BYTES,
      onReadError: () => {},
      changedSince: () => changed,
    });
    pump.replay('#r', 10, true);
    await turns();
    assert.ok(serialized < 50, `${serialized} serialized while the reader reads nothing`);
    socket.autoRead = true;
    socket.read();
    for (let i = 0; i < 200 && serialized < 1000; i += 1) await turns(5);
    assert.equal(framesOf(socket).filter((f) => f.type === 'update').length, 1000);
    assert.equal(budget.inUse, 0);
  });

  it('tells history_gap on every page that finds one, not only the first', async () => {
    // Keeps 40: the slow reader's replay falls behind the store's trimming.
    const store = await filled('#r', 40, 40, 2_000);
    const budget = new ByteBudget(1024 * 1024);
    const socket = new FakeSocket();
    const { conn } = connection(budget, socket);
    const pump = new ReadPump(conn, {
      store,
      budget,
      maxMessageBytes: 8 * 1024, // 4 messages a page (32 KiB of room)
      onReadError: () => assert.fail('no read fails'),
    });
    pump.replay('#r', 0);
    await turns();
    assert.ok(idsOf(socket).length < 40, 'the replay waits for the reader');
    for (let id = 41; id <= 200; id += 1) {
      await store.append('#r', message('#r', id, 2_000));
      conn.deliver('#r', id, toWire(message('#r', id, 2_000)));
    }
    socket.autoRead = true;
    for (let i = 0; i < 100 && !idsOf(socket).includes(200); i += 1) {
      socket.read();
      await turns(5);
    }
    const ids = idsOf(socket);
    assert.equal(ids.at(-1), 200, 'caught up');
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
      'in order',
    );
    assert.equal(new Set(ids).size, ids.length, 'each once');
    const gaps = framesOf(socket).filter((f) => f.code === 'history_gap');
    assert.ok(ids.length < 200, 'messages were trimmed meanwhile');
    assert.ok(gaps.length >= 1, 'and the client was told');
  });

  it('refuses a history request past the ones already waiting', async () => {
    const store = await filled('#r', 10);
    const budget = new ByteBudget(1024 * 1024);
    const { conn, socket } = connection(budget);
    const pump = new ReadPump(conn, {
      store,
      budget,
      maxMessageBytes: MESSAGE_BYTES,
      onReadError: () => assert.fail('no read fails'),
    });
    for (let i = 0; i < 20; i += 1)
      pump.history({ conversation: '#r', name: '#r', before: undefined, limit: 5, ref: `h${i}` });
    socket.autoRead = true;
    await turns(200);
    const frames = framesOf(socket);
    const answered = frames.filter((f) => f.type === 'history').map((f) => f.ref);
    const refused = frames.filter((f) => f.code === 'rate_limited').map((f) => f.ref);
    assert.equal(answered.length + refused.length, 20, 'each answered or refused');
    assert.ok(refused.length >= 3, `${refused.length} refused`);
    assert.ok(answered.length >= 16, `${answered.length} answered`);
  });
});

describe('Connection.stalledFor', () => {
  it('counts only time in which nothing sent to the reader went out', () => {
    const budget = new ByteBudget(1024);
    const { conn, socket } = connection(budget);
    assert.equal(conn.stalledFor(0), 0, 'nothing queued');
    conn.send(toWire({ type: 'pong', ref: 'x'.repeat(40_000) }));
    conn.flush();
    assert.equal(conn.stalledFor(1_000), 0, 'first look: the clock starts');
    assert.equal(conn.stalledFor(5_000), 4_000, 'nothing went out since');
    socket.read(100);
    assert.equal(conn.stalledFor(6_000), 0, 'a slow read is progress');
    assert.equal(conn.stalledFor(9_000), 3_000);
    socket.read();
    assert.equal(conn.stalledFor(10_000), 0, 'all read');
    assert.equal(conn.stalledFor(70_000), 0, 'an idle reader with nothing waiting is not stalled');
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe('ReadPump after a welcome', () => {
  it('sends unread first, then the backlog, then catches up what came live meanwhile, once each', async () => {
    const store = await filled('#r', 5);
    await store.append('#q', message('#q', 1));
    const budget = new ByteBudget(1024 * 1024);
    const { conn, socket } = connection(budget);
    socket.autoRead = true;
    const pump = new ReadPump(conn, {
      store,
      budget,
      maxMessageBytes: MESSAGE_BYTES,
      onReadError: () => assert.fail('no read fails'),
    });
    pump.unread({
      user: 'bob',
      targets: [
        { name: '#q', conversation: '#q', lastId: 1, read: 1 },
        { name: '#r', conversation: '#r', lastId: 5, read: 3 },
      ],
      backlog: 3,
      backlogRooms: ['#r'],
      resumed: [],
    });
    // Live while the counts are read: held, then sent after the backlog, once.
    for (const [room, id] of [
      ['#r', 6],
      ['#q', 2],
    ] as const) {
      await store.append(room, message(room, id));
      conn.deliver(room, id, toWire(message(room, id)));
    }
    for (let i = 0; i < 50 && idsOf(socket).length < 5; i += 1) await turns(5);
    const frames = framesOf(socket).map((f) =>
      f.type === 'history'
        ? `history ${f.room} ${(f.messages as StoredMessage[]).map((m) => m.id).join(',')} ${f.ref}`
        : f.type === 'msg'
          ? `msg ${f.room} ${f.id}`
          : String(f.type),
    );
    assert.deepEqual(frames, ['unread', 'history #r 4,5,6 backlog', 'msg #q 2']);
    const [unread] = framesOf(socket);
    assert.deepEqual(
      ((unread?.conversations ?? []) as Array<{ room: string; unread: number }>).map((c) => [
        c.room,
        c.unread,
      ]),
      [
        ['#q', 0],
        ['#r', 2],
      ],
    );
    assert.equal(budget.inUse, 0, 'every byte given back');
  });
});
