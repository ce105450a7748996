import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChatClient } from '../../src/net/chat-client.ts';
import type { DirectMessage, RoomMessage } from '../../src/net/protocol/frames.ts';
import {
  client,
  collect,
  makeTeam,
  nextEvent,
  type Started,
  startServer,
  type Team,
} from '../helpers/chat-server.ts';

describe('chat over real TLS: rooms, order, presence, DMs, resume', () => {
  let team: Team;
  let started: Started;
  const open: ChatClient[] = [];

  async function connected(
    user: string,
    options: Parameters<typeof client>[3] = {},
  ): Promise<ChatClient> {
    const c = await client(team, started, user, options);
    open.push(c);
    await c.connect();
    return c;
  }

  // A round trip through the server: everything queued to `c` before it has arrived after it.
  async function sync(c: ChatClient, room = '#general'): Promise<void> {
    await c.history(room, { limit: 1 });
  }

  before(async () => {
    team = await makeTeam(['alice', 'bob', 'carol']);
    // Many tests share these users, and so their rate buckets: the rate limit has tests of its own.
    started = await startServer(team, { ratePerSecond: 1_000, rateBurst: 1_000 });
  });
  after(async () => {
    await Promise.all(open.map((c) => c.close()));
    await started.server.close();
    await team.dir.cleanup();
  });

  it('welcomes each user by the name in their certificate, in #general', async () => {
    const alice = await connected('alice');
    assert.equal(alice.facts.user, 'alice');
    assert.deepEqual([...alice.rooms], ['#general']);
    assert.equal(alice.facts.tlsVersion, 'TLSv1.3');
    assert.match(alice.facts.serverFingerprint ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('gives three clients the same messages in the same id order, with echo and ack', async () => {
    const [alice, bob, carol] = await Promise.all(
      ['alice', 'bob', 'carol'].map((u) => connected(u, { rooms: ['#order'] })),
    );
    const clients = [alice, bob, carol] as ChatClient[];
    const seen = clients.map((c) => collect<RoomMessage>(c, 'message'));
    const acks = await Promise.all(
      clients.flatMap((c, i) =>
        [1, 2, 3].map((n) => c.send('#order', `${['a', 'b', 'c'][i]}${n}`)),
      ),
    );
    await Promise.all(clients.map((c) => sync(c, '#order')));
    const orders = seen.map((list) =>
      list.filter((m) => m.room === '#order').map((m) => `${m.id}:${m.from}:${m.text}`),
    );
    assert.equal(orders[0]?.length, 9);
    assert.deepEqual(orders[1], orders[0]);
    assert.deepEqual(orders[2], orders[0]);
    const ids = seen[0]?.filter((m) => m.room === '#order').map((m) => m.id);
    assert.deepEqual(ids, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(
      acks.map((a) => a.id).sort((x, y) => x - y),
      ids,
    );
    // Each sender saw its own messages echoed with the id its ack carried.
    const aliceOwn = seen[0]?.filter((m) => m.from === 'alice').map((m) => m.id);
    assert.deepEqual(
      aliceOwn,
      acks.slice(0, 3).map((a) => a.id),
    );
  });

  it('tells room members about joins, parts, topics and presence', async () => {
    const alice = await connected('alice', { rooms: ['#ops'] });
    const bob = await connected('bob', { rooms: ['#general'] });
    const joined = nextEvent(
      alice,
      'joined',
      (f: { room: string; user: string }) => f.room === '#ops' && f.user === 'bob',
    );
    const ownState = nextEvent(
      bob,
      'joined',
      (f: { room: string; state?: unknown }) => f.room === '#ops' && f.state !== undefined,
    );
    bob.join('#ops');
    await joined;
    const [state] = (await ownState) as [{ state: { members: string[] } }];
    assert.deepEqual(state.state.members, ['alice', 'bob']);

    const topic = nextEvent(alice, 'topic', (f: { room: string }) => f.room === '#ops');
    bob.setTopic('#ops', 'deploys at 5');
    assert.deepEqual(((await topic)[0] as unknown as { by: string }).by, 'bob');

    const away = nextEvent(
      alice,
      'presence',
      (p: { user: string; status: string }) => p.user === 'bob' && p.status === 'away',
    );
    bob.away('lunch');
    assert.equal(((await away)[0] as { text?: string }).text, 'lunch');
    const back = nextEvent(
      alice,
      'presence',
      (p: { user: string; status: string }) => p.user === 'bob' && p.status === 'online',
    );
    bob.back();
    await back;

    const left = nextEvent(
      alice,
      'left',
      (f: { room: string; user: string }) => f.room === '#ops' && f.user === 'bob',
    );
    const ownLeft = nextEvent(
      bob,
      'left',
      (f: { room: string; user: string }) => f.room === '#ops' && f.user === 'bob',
    );
    bob.part('#ops');
    assert.equal(((await left)[0] as unknown as { reason: string }).reason, 'part');
    await ownLeft;
    assert.ok(!bob.rooms.has('#ops'));
  });

  it('delivers a direct message to the recipient and the sender only', async () => {
    const alice = await connected('alice', { rooms: ['#dm-test'] });
    const bob = await connected('bob', { rooms: ['#dm-test'] });
    const carol = await connected('carol', { rooms: ['#dm-test'] });
    const carolDms = collect<DirectMessage>(carol, 'dm');
    const bobGets = nextEvent(bob, 'dm', (m: DirectMessage) => m.text === 'psst');
    const ack = await alice.dm('bob', 'psst');
    const [dm] = (await bobGets) as [DirectMessage];
    assert.deepEqual([dm.from, dm.to, dm.id], ['alice', 'bob', ack.id]);
    await sync(carol, '#dm-test');
    assert.deepEqual(
      carolDms.filter((m) => m.text === 'psst'),
      [],
    );
    await assert.rejects(alice.dm('nobody', 'hello?'), {
      code: 'SERVER_ERROR',
      hint: 'unknown_user',
    });
  });

  it('refuses to send to a room you are not in, without relaying it', async () => {
    const carol = await connected('carol', { rooms: ['#general'] });
    await assert.rejects(carol.send('#secret', 'hi'), { hint: 'not_member' });
  });

  it('resumes a dropped client with no gap and no duplicate, sending its queued message once', async () => {
    const alice = await connected('alice', { rooms: ['#resume'] });
    const bob = await connected('bob', {
      rooms: ['#resume'],
      backoff: { baseMs: 300, maxMs: 300 },
    });
    const bobSeen = collect<RoomMessage>(bob, 'message');
    const aliceSeen = collect<RoomMessage>(alice, 'message');
    await alice.send('#resume', 'before 1');
    await alice.send('#resume', 'before 2');
    await sync(bob, '#resume');

    const dropped = nextEvent(bob, 'state', (s: string) => s === 'reconnecting');
    bob.reconnectNow();
    await dropped;
    const whileAway = [1, 2, 3, 4, 5].map((n) => alice.send('#resume', `missed ${n}`));
    const queued = bob.send('#resume', 'sent while offline');
    await Promise.all(whileAway);
    const back = nextEvent(bob, 'state', (s: string) => s === 'connected');
    await back;
    const queuedAck = await queued;
    await alice.send('#resume', 'after');
    await sync(bob, '#resume');
    await sync(alice, '#resume');

    const bobIds = bobSeen.filter((m) => m.room === '#resume').map((m) => m.id);
    assert.deepEqual(bobIds, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(new Set(bobSeen.map((m) => m.text)).size, bobSeen.length, 'no duplicates');
    const fromBob = aliceSeen.filter((m) => m.text === 'sent while offline');
    assert.equal(fromBob.length, 1, 'the queued message was stored once');
    assert.equal(fromBob[0]?.id, queuedAck.id);
  });

  it('pages back through history', async () => {
    const alice = await connected('alice', { rooms: ['#pages'] });
    for (let i = 1; i <= 7; i++) await alice.send('#pages', `m${i}`);
    const newest = await alice.history('#pages', { limit: 3 });
    assert.deepEqual(
      newest.messages.map((m) => m.text),
      ['m5', 'm6', 'm7'],
    );
    assert.equal(newest.more, true);
    const older = await alice.history('#pages', { limit: 10, before: newest.messages[0]?.id ?? 0 });
    assert.deepEqual(
      older.messages.map((m) => m.text),
      ['m1', 'm2', 'm3', 'm4'],
    );
    assert.equal(older.more, false);
  });

  it('says goodbye when the last connection of a user closes', async () => {
    const alice = await connected('alice', { rooms: ['#bye'] });
    const carol = await connected('carol', { rooms: ['#bye'] });
    const left = nextEvent(
      alice,
      'left',
      (f: { room: string; user: string }) => f.room === '#bye' && f.user === 'carol',
    );
    const offline = nextEvent(
      alice,
      'presence',
      (p: { user: string; status: string }) => p.user === 'carol' && p.status === 'offline',
    );
    // Carol has other connections open from earlier tests: close them all.
    await Promise.all(open.filter((c) => c.facts.user === 'carol').map((c) => c.close()));
    assert.equal(((await left)[0] as unknown as { reason: string }).reason, 'quit');
    await offline;
    assert.ok(carol.state === 'closed');
  });
});

describe('slow readers and shutdown', () => {
  it('drops a client that does not read while the others lose nothing', async () => {
    const team = await makeTeam(['alice', 'bob', 'slow']);
    const started = await startServer(team, {
      ratePerSecond: 100_000,
      rateBurst: 100_000,
      maxQueueBytes: 1024 * 1024,
    });
    const alice = await client(team, started, 'alice');
    const bob = await client(team, started, 'bob');
    const slow = await client(team, started, 'slow');
    try {
      await Promise.all([alice.connect(), bob.connect(), slow.connect()]);
      const bobSeen = collect<RoomMessage>(bob, 'message');
      const dropped = nextEvent(
        started.server,
        'disconnect',
        (info: { user?: string }) => info.user === 'slow',
      );
      // Stop reading: the slow client's socket buffers fill, then the server's queue.
      (slow as unknown as { socket: { pause(): void } }).socket.pause();
      const text = 'x'.repeat(2000);
      const count = 3000;
      const acks = await Promise.all(
        Array.from({ length: count }, (_, i) => alice.send('#general', `${i} ${text}`)),
      );
      const [info] = (await dropped) as [{ reason: string }];
      assert.equal(info.reason, 'slow_consumer');
      await bob.history('#general', { limit: 1 });
      assert.equal(bobSeen.length, count);
      assert.deepEqual(
        bobSeen.map((m) => m.id),
        acks.map((a) => a.id),
      );
    } finally {
      await Promise.all([alice.close(), bob.close(), slow.close()]);
      await started.server.close();
      await team.dir.cleanup();
    }
  });

  it('tells clients it is going away and closes within 2 s', async () => {
    const team = await makeTeam(['alice']);
    const started = await startServer(team);
    const alice = await client(team, started, 'alice', {
      backoff: { baseMs: 5_000, maxMs: 5_000 },
    });
    try {
      await alice.connect();
      const told = nextEvent(alice, 'state', (s: string) => s === 'reconnecting');
      const t0 = performance.now();
      await started.server.close();
      const elapsed = performance.now() - t0;
      const [, detail] = (await told) as unknown as [string, { error?: { message: string } }];
      assert.match(detail.error?.message ?? '', /shutting down/);
      assert.ok(elapsed < 2_000, `closed in ${elapsed} ms`);
    } finally {
      await alice.close();
      await team.dir.cleanup();
    }
  });
});
