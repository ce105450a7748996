import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientCore, type ClientEffect } from '../../src/net/client-core.ts';
import type { ServerFrameOf, UnreadEntry } from '../../src/net/protocol/frames.ts';

const LIMITS = {
  maxFrameBytes: 4096,
  maxTextChars: 100,
  ratePerSecond: 5,
  rateBurst: 4,
  maxHistory: 50,
};

function welcome(rooms: Record<string, number>, epoch = 'e1'): ServerFrameOf<'welcome'> {
  return {
    type: 'welcome',
    v: 1,
    user: 'alice',
    server: 'chat/test',
    motd: '',
    epoch,
    rooms: Object.entries(rooms).map(([room, lastId]) => ({
      room,
      topic: '',
      members: ['alice'],
      lastId,
    })),
    users: [{ user: 'alice', status: 'online' }],
    limits: LIMITS,
  };
}

function entry(room: string, lastId: number, read: number, unread = lastId - read): UnreadEntry {
  return { room, lastId, read, unread, mentions: 0, lines: [] };
}

function unread(...conversations: UnreadEntry[]): ServerFrameOf<'unread'> {
  return { type: 'unread', conversations };
}

function writes(effects: readonly ClientEffect[]): unknown[] {
  return effects.flatMap((e) => (e.kind === 'write' ? [e.frame] : []));
}

function delivered(effects: readonly ClientEffect[]): unknown[] {
  return effects.flatMap((e) => (e.kind === 'deliver' ? [e.frame] : []));
}

/** A core welcomed into #general (newest id 10). */
function connected(backlog?: number): ClientCore {
  const core = new ClientCore({
    clientName: 'test/1',
    rooms: ['#general'],
    maxQueuedCommands: 3,
    ...(backlog === undefined ? {} : { backlog }),
  });
  core.receive(welcome({ '#general': 10 }), 1000);
  return core;
}

describe('ClientCore: backlog in hello', () => {
  it('asks for the backlog on the first connection only', () => {
    const core = new ClientCore({
      clientName: 'test/1',
      rooms: ['#general'],
      maxQueuedCommands: 3,
      backlog: 50,
    });
    assert.deepEqual(core.hello(), {
      type: 'hello',
      v: 1,
      client: 'test/1',
      backlog: 50,
      join: ['#general'],
    });
    // A failed attempt before any welcome is still the first connection.
    assert.equal(core.hello().backlog, 50);
    core.receive(welcome({ '#general': 10 }), 1000);
    core.disconnected();
    const again = core.hello();
    assert.equal(again.backlog, undefined);
    assert.deepEqual(again.resume, { '#general': 10 });
  });

  it('leaves it out when 0 or not asked for', () => {
    for (const backlog of [0, undefined]) {
      const core = new ClientCore({
        clientName: 'test/1',
        rooms: [],
        maxQueuedCommands: 3,
        ...(backlog === undefined ? {} : { backlog }),
      });
      assert.deepEqual(core.hello(), { type: 'hello', v: 1, client: 'test/1' });
    }
  });
});

describe('ClientCore: unread and read frames', () => {
  it('delivers unread and read frames', () => {
    const core = connected();
    const frame = unread(entry('#general', 10, 4));
    assert.deepEqual(delivered(core.receive(frame, 2000)), [frame]);
    const read: ServerFrameOf<'read'> = { type: 'read', room: '#general', id: 7 };
    assert.deepEqual(delivered(core.receive(read, 2000)), [read]);
  });

  it('a direct conversation met in unread is resumed from its newest id after a drop', () => {
    const core = connected();
    core.receive(unread(entry('#general', 10, 10), entry('@bob', 7, 3), entry('@carol', 2, 2)), 0);
    core.disconnected();
    assert.deepEqual(core.hello().resume, { '#general': 10, '@carol': 2, '@bob': 7 });
  });

  it('a direct conversation already seen keeps its position, so the replay is not dropped', () => {
    const core = connected();
    core.receive({ type: 'dm', id: 3, ts: 3, from: 'bob', to: 'alice', text: 'x' }, 0);
    core.disconnected();
    core.receive(welcome({ '#general': 10 }), 0);
    core.receive(unread(entry('@bob', 9, 3)), 0);
    const replay = core.receive(
      { type: 'dm', id: 4, ts: 4, from: 'bob', to: 'alice', text: 'y' },
      0,
    );
    assert.equal(delivered(replay).length, 1);
  });

  it('ignores search answers (the search helper handles them)', () => {
    const core = connected();
    assert.deepEqual(core.receive({ type: 'search', ref: 'r1', messages: [], more: false }, 0), []);
  });
});

describe('ClientCore: markRead', () => {
  // [case, unread frame's read for #general, frames heard before, calls, expected writes]
  const cases: [string, number, ServerFrameOf<'read' | 'msg'>[], [string, number][], unknown[]][] =
    [
      [
        'sends a position above the known one',
        4,
        [],
        [['#general', 8]],
        [{ type: 'read', room: '#general', id: 8 }],
      ],
      [
        'never one at or below the server position',
        8,
        [],
        [
          ['#general', 8],
          ['#general', 5],
        ],
        [],
      ],
      [
        'only when it moves past what was sent',
        0,
        [],
        [
          ['#general', 5],
          ['#general', 5],
          ['#general', 3],
          ['#general', 6],
        ],
        [
          { type: 'read', room: '#general', id: 5 },
          { type: 'read', room: '#general', id: 6 },
        ],
      ],
      [
        'not below what another device said',
        0,
        [{ type: 'read', room: '#general', id: 9 }],
        [['#general', 9]],
        [],
      ],
      [
        'not below the user own message (sending moved the position)',
        0,
        [{ type: 'msg', id: 11, ts: 1, room: '#general', from: 'alice', text: 'mine' }],
        [['#general', 11]],
        [],
      ],
      [
        'after a message from someone else, yes',
        0,
        [{ type: 'msg', id: 11, ts: 1, room: '#general', from: 'bob', text: 'theirs' }],
        [['#general', 11]],
        [{ type: 'read', room: '#general', id: 11 }],
      ],
      ['DMs by @peer', 0, [], [['@bob', 3]], [{ type: 'read', room: '@bob', id: 3 }]],
      [
        'not a name or id the server would refuse',
        0,
        [],
        [
          ['general', 3],
          ['#general', -1],
          ['#general', 1.5],
        ],
        [],
      ],
    ];
  for (const [name, read, heard, calls, expected] of cases) {
    it(name, () => {
      const core = connected();
      core.receive(unread(entry('#general', 10, read)), 0);
      for (const frame of heard) core.receive(frame, 0);
      const written = calls.flatMap(([conversation, id]) =>
        writes(core.markRead(conversation, id)),
      );
      assert.deepEqual(written, expected);
    });
  }

  it('is dropped while disconnected; the next call after the reconnect carries it', () => {
    const core = connected();
    core.disconnected();
    assert.deepEqual(core.markRead('#general', 8), []);
    core.receive(welcome({ '#general': 10 }), 0);
    core.receive(unread(entry('#general', 10, 2)), 0);
    assert.deepEqual(writes(core.markRead('#general', 9)), [
      { type: 'read', room: '#general', id: 9 },
    ]);
  });

  it('a new connection learns the positions again from its unread frame', () => {
    const core = connected();
    core.receive(unread(entry('#general', 10, 9)), 0);
    core.disconnected();
    // The server lost its state (another epoch): positions start over.
    core.receive(welcome({ '#general': 3 }, 'e2'), 0);
    core.receive(unread(entry('#general', 3, 0)), 0);
    assert.deepEqual(writes(core.markRead('#general', 3)), [
      { type: 'read', room: '#general', id: 3 },
    ]);
  });
});
