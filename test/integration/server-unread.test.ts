import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ClientFrame, ServerFrame, ServerFrameOf } from '../../src/net/protocol/frames.ts';
import { DiskHistory } from '../../src/server/history/disk-history.ts';
import { historyDir } from '../../src/server/history/history-for-server.ts';
import {
  makeTeam,
  rawConnection,
  type Started,
  startServer,
  type Team,
} from '../helpers/chat-server.ts';

type Raw = Awaited<ReturnType<typeof rawConnection>>;

/**
 * Issue 16 over real TLS, across a restart on the same data directory: bob
 * is away while alice mentions him in a room and sends him two direct
 * messages; after the restart his hello with a backlog gets `unread`, then
 * the backlog pages; his second device hears his read position move; the
 * topic set while he was away survived.
 */
describe('unread, backlog, read positions and offline DMs across a restart', () => {
  let team: Team;
  const raws: Raw[] = [];
  let started: Started | undefined;

  before(async () => {
    team = await makeTeam(['alice', 'bob', 'carol']);
  });
  after(async () => {
    for (const raw of raws) raw.socket.destroy();
    await Promise.all(raws.map((raw) => raw.closed));
    await started?.server.close();
    await team.dir.cleanup();
  });

  const openStore = async () =>
    (
      await DiskHistory.open({
        dir: historyDir(join(team.dir.path, 'data')),
        key: { kind: 'key-file', path: team.ctx.layout.historyKey },
        limits: { cache: 1_000, keepDays: 0, keepMessages: 0 },
      })
    ).store;

  const connect = async (user: string, hello: Partial<ClientFrame & { type: 'hello' }> = {}) => {
    if (!started) throw new Error('no server');
    const raw = await rawConnection(started, await team.credentials(user));
    raws.push(raw);
    write(raw, { type: 'hello', v: 1, client: 'test/1', ...hello });
    const welcome = await raw.nextFrame();
    assert.equal(welcome.type, 'welcome', JSON.stringify(welcome));
    return { raw, welcome: welcome as ServerFrameOf<'welcome'> };
  };

  const leave = async (raw: Raw) => {
    raw.socket.end();
    await raw.closed;
  };

  it('tells bob what he missed, then sends the backlog; his devices share his read position', async () => {
    started = await startServer(team, {}, await openStore());
    const { raw: alice } = await connect('alice');
    const { raw: bob } = await connect('bob');
    await leave(bob);
    await waitFor(
      alice,
      (f) => f.type === 'presence' && f.user === 'bob' && f.status === 'offline',
    );
    const texts = ['bob, are you there?', 'lunch?', 'ping @bob', 'Bob: the build is red'];
    for (const [n, text] of texts.entries()) {
      write(alice, { type: 'send', room: '#general', text, ref: `r${n}` });
      await waitFor(alice, (f) => f.type === 'ack' && f.ref === `r${n}`);
    }
    const acks: number[] = [];
    for (const n of [1, 2]) {
      write(alice, { type: 'dm', to: 'bob', text: `secret ${n}`, ref: `d${n}` });
      // Kept although bob is offline: echoed to alice, and acked.
      const echo = await waitFor(alice, (f) => f.type === 'dm' && f.text === `secret ${n}`);
      assert.equal(echo.type === 'dm' && echo.to, 'bob');
      const ack = await waitFor(alice, (f) => f.type === 'ack' && f.ref === `d${n}`);
      if (ack.type === 'ack') acks.push(ack.id);
      // alice's own read position follows what she sends, after the ack.
      const read = await waitFor(alice, (f) => f.type === 'read' && f.room === '@bob');
      assert.deepEqual(read, { type: 'read', room: '@bob', id: n });
    }
    assert.deepEqual(acks, [1, 2]);
    write(alice, { type: 'dm', to: 'nobody', text: 'hello?', ref: 'x1' });
    const refused = await waitFor(alice, (f) => f.type === 'error' && f.ref === 'x1');
    assert.equal(refused.type === 'error' && refused.code, 'unknown_user');
    write(alice, { type: 'topic', room: '#general', text: 'Release on Friday' });
    await waitFor(alice, (f) => f.type === 'topic');
    await leave(alice);

    // The restart, on the same data directory.
    await started.server.close();
    started = await startServer(team, {}, await openStore());

    const { raw: phone, welcome } = await connect('bob', { backlog: 50 });
    // Remembered: bob is back in #general without naming it, topic and all.
    assert.deepEqual(
      welcome.rooms.map((r) => [r.room, r.topic, r.lastId]),
      [['#general', 'Release on Friday', 4]],
    );
    const unread = await phone.nextFrame();
    assert.equal(unread.type, 'unread', JSON.stringify(unread));
    if (unread.type !== 'unread') return;
    assert.ok(unread.since !== undefined && unread.since > 0, 'since: when bob left');
    const [room, direct, ...rest] = unread.conversations;
    assert.deepEqual(rest, []);
    assert.deepEqual(room && { ...room, lines: room.lines.map((l) => l.text) }, {
      room: '#general',
      lastId: 4,
      read: 0,
      unread: 4,
      mentions: 3,
      lines: ['bob, are you there?', 'ping @bob', 'Bob: the build is red'],
      topic: { text: 'Release on Friday', by: 'alice', ts: room?.topic?.ts ?? 0 },
    });
    assert.ok((room?.topic?.ts ?? 0) > unread.since);
    assert.deepEqual(direct && { ...direct, lines: direct.lines.map((l) => l.text) }, {
      room: '@alice',
      lastId: 2,
      read: 0,
      unread: 2,
      mentions: 2,
      lines: ['secret 1', 'secret 2'],
    });
    // Then the backlog: the room, then the direct conversation with unread.
    const roomPage = await phone.nextFrame();
    const dmPage = await phone.nextFrame();
    assert.deepEqual(
      [roomPage, dmPage].map((f) =>
        f.type === 'history' ? [f.room, f.ref, f.more, f.messages.map((m) => m.id)] : f.type,
      ),
      [
        ['#general', 'backlog', false, [1, 2, 3, 4]],
        ['@alice', 'backlog', false, [1, 2]],
      ],
    );

    // A second device: no `since` (the first is still open), and it hears the read move.
    const { raw: laptop } = await connect('bob');
    const second = await laptop.nextFrame();
    assert.equal(second.type === 'unread' && second.since, undefined);
    write(phone, { type: 'read', room: '#general', id: 4 });
    for (const device of [phone, laptop]) {
      const moved = await waitFor(device, (f) => f.type === 'read');
      assert.deepEqual(moved, { type: 'read', room: '#general', id: 4 });
    }
    // Past the newest id it is taken as the newest, and both devices hear it.
    write(laptop, { type: 'read', room: '@alice', id: 99 });
    assert.deepEqual(await waitFor(phone, (f) => f.type === 'read'), {
      type: 'read',
      room: '@alice',
      id: 2,
    });
    write(laptop, { type: 'read', room: '#ops', id: 1 });
    const notMember = await waitFor(laptop, (f) => f.type === 'error');
    assert.deepEqual(notMember.type === 'error' && [notMember.code, notMember.ref], [
      'not_member',
      undefined,
    ]);
  });
});

function write(raw: Raw, frame: ClientFrame): void {
  raw.socket.write(`${JSON.stringify(frame)}\n`);
}

/** The next frame `raw` receives that passes `match` (frames before it are dropped). */
async function waitFor(raw: Raw, match: (frame: ServerFrame) => boolean): Promise<ServerFrame> {
  for (;;) {
    const frame = await raw.nextFrame();
    if (match(frame)) return frame;
  }
}
