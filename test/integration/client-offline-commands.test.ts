import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatClient } from '../../src/net/chat-client.ts';
import { MAX_QUEUED_COMMANDS } from '../../src/net/client-types.ts';
import type { ServerFrameOf } from '../../src/net/protocol/frames.ts';
import { client, collect, makeTeam, nextEvent, startServer } from '../helpers/chat-server.ts';

type Presence = ServerFrameOf<'presence'>;

/**
 * What `observer` knows of the others, from its welcomes and the events
 * after them: a user seen through a reconnect may be in either.
 */
function watch(observer: ChatClient) {
  const status = new Map<string, { status: string; text?: string }>();
  const members = new Map<string, Set<string>>();
  observer.on('welcome', (w) => {
    status.clear();
    members.clear();
    for (const u of w.users)
      status.set(u.user, { status: u.status, ...(u.text ? { text: u.text } : {}) });
    for (const r of w.rooms) members.set(r.room, new Set(r.members));
  });
  observer.on('presence', (p) =>
    status.set(p.user, { status: p.status, ...(p.text ? { text: p.text } : {}) }),
  );
  observer.on('joined', (f) => {
    const room = members.get(f.room) ?? new Set<string>();
    room.add(f.user);
    members.set(f.room, room);
  });
  observer.on('left', (f) => members.get(f.room)?.delete(f.user));
  return { status, members };
}

// Resolves once `c` is connected again after the restart.
function connectedAgain(c: ChatClient): Promise<unknown> {
  return nextEvent(c, 'state', (s: string) => s === 'connected');
}

describe('commands given while disconnected', () => {
  it('joins and goes away once reconnected, and others see it', async () => {
    const team = await makeTeam(['alice', 'bob']);
    let started = await startServer(team, { ratePerSecond: 1_000, rateBurst: 1_000 });
    const port = started.port;
    const alice = await client(team, started, 'alice', { rooms: ['#late'] });
    const bob = await client(team, started, 'bob', { rooms: ['#general'] });
    try {
      await Promise.all([alice.connect(), bob.connect()]);
      assert.equal(bob.away('brb'), 'sent');
      const seen = watch(alice);
      const dropped = nextEvent(bob, 'state', (s: string) => s === 'reconnecting');
      await started.server.close();
      await dropped;

      assert.equal(bob.join('#late'), 'queued');
      assert.equal(bob.away('lunch'), 'queued');

      const order: string[] = [];
      bob.on('welcome', (w) => order.push(`welcome ${w.rooms.map((r) => r.room).join()}`));
      bob.on('joined', (f) => {
        if (f.user === 'bob') order.push(`joined ${f.room}`);
      });
      const ownPresence = collect<Presence>(bob, 'presence');
      const bobJoined = nextEvent(
        bob,
        'joined',
        (f: ServerFrameOf<'joined'>) => f.room === '#late' && f.state !== undefined,
      );
      const back = Promise.all([connectedAgain(alice), connectedAgain(bob)]);
      started = await startServer(team, { port, ratePerSecond: 1_000, rateBurst: 1_000 });
      await back;
      await bobJoined;
      // Round trips: the server has taken bob's away, and alice has everything it sent her.
      await bob.history('#late', { limit: 1 });
      await alice.history('#late', { limit: 1 });

      assert.deepEqual(order, ['welcome #general', 'joined #late'], 'after the resumed rooms');
      assert.ok(seen.members.get('#late')?.has('bob'), 'alice sees bob in #late');
      assert.deepEqual(seen.status.get('bob'), { status: 'away', text: 'lunch' });
      assert.deepEqual(
        ownPresence.filter((p) => p.user === 'bob').map((p) => `${p.status} ${p.text}`),
        ['away lunch'],
        'the queued away went out once, not again as the remembered one',
      );
    } finally {
      await Promise.all([alice.close(), bob.close()]);
      await started.server.close();
      await team.dir.cleanup();
    }
  });

  it('stays away across a reconnect, though the server forgets it', async () => {
    const team = await makeTeam(['alice', 'bob']);
    let started = await startServer(team, { ratePerSecond: 1_000, rateBurst: 1_000 });
    const port = started.port;
    const alice = await client(team, started, 'alice');
    const bob = await client(team, started, 'bob');
    try {
      await Promise.all([alice.connect(), bob.connect()]);
      bob.away('lunch');
      await bob.history('#general', { limit: 1 });
      const seen = watch(alice);
      const ownPresence = collect<Presence>(bob, 'presence');
      const back = Promise.all([connectedAgain(alice), connectedAgain(bob)]);
      await started.server.close();
      started = await startServer(team, { port, ratePerSecond: 1_000, rateBurst: 1_000 });
      await back;
      await bob.history('#general', { limit: 1 });
      await alice.history('#general', { limit: 1 });

      assert.deepEqual(seen.status.get('bob'), { status: 'away', text: 'lunch' });
      assert.deepEqual(
        ownPresence.filter((p) => p.user === 'bob').map((p) => `${p.status} ${p.text}`),
        ['away lunch'],
      );
    } finally {
      await Promise.all([alice.close(), bob.close()]);
      await started.server.close();
      await team.dir.cleanup();
    }
  });

  it('writes a full queue at the rate the server allows, without rate_limited or flood', async () => {
    const team = await makeTeam(['alice']);
    // Written at once, 32 frames would empty this bucket and then the flood allowance.
    // Each join makes a room: the hourly cap on rooms a user creates must let all 32 in.
    const started = await startServer(team, {
      ratePerSecond: 200,
      rateBurst: 10,
      maxRoomsCreatedPerHour: MAX_QUEUED_COMMANDS,
    });
    const alice = await client(team, started, 'alice');
    try {
      const rooms = Array.from({ length: MAX_QUEUED_COMMANDS }, (_, i) => `#q${i}`);
      for (const room of rooms) assert.equal(alice.join(room), 'queued');
      const errors = collect<ServerFrameOf<'error'>>(alice, 'serverError');
      const last = nextEvent(
        alice,
        'joined',
        (f: ServerFrameOf<'joined'>) => f.room === rooms.at(-1) && f.state !== undefined,
      );
      await alice.connect();
      // A flood closes the connection for good: fail then rather than wait for the last join.
      const ended = nextEvent(alice, 'state', (s: string) => s !== 'connected');
      const outcome = await Promise.race([last.then(() => 'all joined'), ended.then(([s]) => s)]);
      assert.equal(outcome, 'all joined');
      assert.ok(rooms.every((room) => alice.rooms.has(room)));
      assert.deepEqual(errors, []);
      assert.equal(alice.state, 'connected');
    } finally {
      await alice.close();
      await started.server.close();
      await team.dir.cleanup();
    }
  });

  it('refuses a command beyond the bound, and every command once closed', async () => {
    // Never connected: nothing here touches the network.
    const offline = new ChatClient({
      host: 'localhost',
      port: 1,
      credentials: { ca: '', cert: '', key: '' },
      clientName: 'test/1',
    });
    for (let i = 0; i < MAX_QUEUED_COMMANDS - 1; i++) {
      assert.equal(offline.join(`#r${i}`), 'queued');
    }
    assert.equal(offline.away('lunch'), 'queued');
    assert.throws(() => offline.join('#one-too-many'), { code: 'CONNECT_FAILED' });
    assert.throws(() => offline.back(), { code: 'CONNECT_FAILED' });
    await offline.close();
    assert.throws(() => offline.part('#r0'), { code: 'CONNECT_FAILED' });
  });
});
