import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatClient } from '../../src/net/chat-client.ts';
import type { ServerFrameOf } from '../../src/net/protocol/frames.ts';
import { client, collect, makeTeam, nextEvent, startServer } from '../helpers/chat-server.ts';

type History = ServerFrameOf<'history'>;
type Unread = ServerFrameOf<'unread'>;
type Read = ServerFrameOf<'read'>;

/**
 * The client side of issue 16 against a real server on loopback: the
 * backlog asked for by the first hello only, the unread frame, and read
 * positions shared by every device of a user.
 */
describe('ChatClient: backlog, unread and read positions', () => {
  it('the first connection gets the backlog and unread; a reconnect resumes instead', async () => {
    const team = await makeTeam(['alice', 'bob']);
    const started = await startServer(team, { ratePerSecond: 1_000, rateBurst: 1_000 });
    const clients: ChatClient[] = [];
    try {
      const alice = await client(team, started, 'alice', { rooms: ['#general'] });
      clients.push(alice);
      await alice.connect();
      const ids: number[] = [];
      for (const text of ['one', 'two', 'bob: three'])
        ids.push((await alice.send('#general', text)).id);

      const bob = await client(team, started, 'bob', { rooms: ['#general'], backlog: 2 });
      clients.push(bob);
      const unread = nextEvent<[Unread]>(bob, 'unread');
      const backlog = nextEvent<[History]>(bob, 'history', (h: History) => h.ref === 'backlog');
      await bob.connect();
      const [frame] = await unread;
      const general = frame.conversations.find((entry) => entry.room === '#general');
      assert.ok(general, 'unread lists the room');
      assert.equal(general.lastId, ids[2]);
      const [history] = await backlog;
      assert.equal(history.room, '#general');
      assert.deepEqual(
        history.messages.map((m) => m.text),
        ['two', 'bob: three'],
      );
      assert.equal(history.more, true);

      // A reconnect resumes: no backlog again.
      const histories = collect<History>(bob, 'history');
      const back = nextEvent<[Unread]>(bob, 'unread');
      bob.reconnectNow();
      await back;
      await alice.send('#general', 'after');
      await nextEvent(bob, 'message', (m: { text: string }) => m.text === 'after');
      assert.deepEqual(histories, []);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await started.server.close();
    }
  });

  it('markRead moves the position on every device of the user, once', async () => {
    const team = await makeTeam(['alice', 'bob']);
    const started = await startServer(team, { ratePerSecond: 1_000, rateBurst: 1_000 });
    const clients: ChatClient[] = [];
    try {
      const alice = await client(team, started, 'alice', { rooms: ['#general'] });
      const phone = await client(team, started, 'bob', { rooms: ['#general'] });
      const laptop = await client(team, started, 'bob', { rooms: ['#general'] });
      clients.push(alice, phone, laptop);
      await Promise.all([alice.connect(), phone.connect(), laptop.connect()]);
      // Listening before the send: the laptop may have the message before alice has her ack.
      const delivered = nextEvent<[{ id: number; text: string }]>(
        laptop,
        'message',
        (m: { text: string }) => m.text === 'bob: look',
      );
      const { id } = await alice.send('#general', 'bob: look');
      const [message] = await delivered;
      assert.equal(message.id, id);

      const onPhone = collect<Read>(phone, 'read');
      const seen = nextEvent<[Read]>(phone, 'read');
      laptop.markRead('#general', id);
      laptop.markRead('#general', id); // not sent again
      const [read] = await seen;
      assert.deepEqual(read, { type: 'read', room: '#general', id });

      // Another connection of bob's now starts from there.
      const tablet = await client(team, started, 'bob', { rooms: ['#general'] });
      clients.push(tablet);
      const unread = nextEvent<[Unread]>(tablet, 'unread');
      await tablet.connect();
      const [frame] = await unread;
      const general = frame.conversations.find((entry) => entry.room === '#general');
      assert.equal(general?.read, id);
      assert.equal(general?.unread, 0);
      assert.equal(onPhone.length, 1, 'the second markRead of the same id wrote nothing');
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await started.server.close();
    }
  });
});
