import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UserState } from '../../src/net/protocol/frames.ts';
import { PROTOCOL_VERSION } from '../../src/net/protocol/frames.ts';
import { ChatCore } from '../../src/server/chat-core.ts';
import type { ClusterEvent } from '../../src/server/cluster-events.ts';
import type { Effect } from '../../src/server/core-effects.ts';
import { testCoreOptions } from '../helpers/core-options.ts';
import { nodeFeedOver, quietCore, quietSharedStore } from '../helpers/node-feed-harness.ts';

const hello = { type: 'hello', v: PROTOCOL_VERSION, client: 'test/1' } as const;

/** What `effects` hand the other nodes. */
function replicated(effects: Effect[]): ClusterEvent[] {
  return effects.flatMap((effect) => (effect.kind === 'replicate' ? [effect.event] : []));
}

/** How the welcome of a new connection `conn` of `user` lists `who`. */
function listed(core: ChatCore, conn: number, user: string, who: string, now: number) {
  const welcome = core
    .hello(conn, user, hello, now)
    .find((e) => e.kind === 'frames' && e.frame.type === 'welcome');
  assert.ok(welcome?.kind === 'frames' && welcome.frame.type === 'welcome');
  return welcome.frame.users.find((state) => state.user === who)?.status;
}

describe('two nodes agree', () => {
  it('on a topic two operators set at nearly the same time on two nodes', () => {
    const a = new ChatCore(testCoreOptions());
    const b = new ChatCore(testCoreOptions());
    a.hello(1, 'ann', { ...hello, join: ['#r'] }, 0);
    b.hello(1, 'ben', { ...hello, join: ['#r'] }, 0);
    // Each sets a topic before hearing the other's: the later one (ben's) should win on both.
    const fromA = replicated(
      a.receive(1, { type: 'topic', room: '#r', text: 'ann was here' }, 1_000),
    );
    const fromB = replicated(
      b.receive(1, { type: 'topic', room: '#r', text: 'ben was here' }, 1_001),
    );
    for (const event of fromB) a.remoteEvent(event, 1_002);
    for (const event of fromA) b.remoteEvent(event, 1_002);
    const topicOf = (core: ChatCore) => new Map(core.keptState().topics).get('#r')?.text;
    assert.equal(topicOf(a), 'ben was here');
    assert.equal(topicOf(b), 'ben was here', 'B took the older topic of A over its own newer one');
  });

  it('on whether a user with a device on each node is away', () => {
    const a = new ChatCore(testCoreOptions());
    const b = new ChatCore(testCoreOptions());
    a.hello(1, 'ann', hello, 0);
    b.hello(1, 'ann', hello, 0);
    // Her phone, on B, says she is away; her laptop, on A, said nothing.
    const said = b.receive(1, { type: 'away', text: 'lunch' }, 1);
    // A hears it from the feed, as every node does, and her laptop there follows.
    for (const effect of said) if (effect.kind === 'replicate') a.remoteEvent(effect.event, 1);
    // Each node hears the other's announcement.
    a.setRemoteUsers(b.localUsers(), new Map(b.localHeld()), 1);
    b.setRemoteUsers(a.localUsers(), new Map(a.localHeld()), 1);
    assert.equal(
      listed(a, 2, 'cat', 'ann', 2),
      listed(b, 2, 'cat', 'ann', 2),
      'cat on A and cat on B are told different things about ann',
    );
  });
});

describe('a node whose announcement failed', () => {
  it('says what it holds again at the next check once Redis answers, not up to 5 s later', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    let now = 0;
    let redisUp = false;
    const announced: number[] = [];
    const { store } = quietSharedStore({
      announce: async () => {
        if (!redisUp) throw new Error('Redis is down');
        announced.push(now);
      },
    });
    const node = nodeFeedOver(store, {
      core: quietCore({ localUsers: () => [{ user: 'ann', status: 'online' }] }),
      load: () => ({ connections: 1, messagesPerSecond: 0 }),
      now: () => now,
    });
    await node.start();
    node.seed(new Map(), undefined);
    // ann came while Redis was down: the announcement fails.
    now = 1_000;
    t.mock.timers.tick(1_000);
    await new Promise((resolve) => setImmediate(resolve));
    // Redis is back a second later.
    redisUp = true;
    now = 2_000;
    t.mock.timers.tick(1_000);
    await new Promise((resolve) => setImmediate(resolve));
    await node.stop();
    assert.deepEqual(announced, [2_000], 'the other nodes did not hear of ann');
  });
});

describe('a node that leaves while the roster is read', () => {
  it('is not brought back by the roster read that began before it left', async () => {
    let finishRoster: (nodes: Map<string, unknown>) => void = () => {};
    let users: UserState[] = [];
    const { store, feed } = quietSharedStore({
      roster: () =>
        new Promise<Map<string, unknown>>((resolve) => {
          finishRoster = resolve;
        }),
    });
    const node = nodeFeedOver(store, {
      core: quietCore({
        setRemoteUsers: (seen: readonly UserState[]) => {
          users = [...seen];
          return [];
        },
      }),
    });
    await node.start();
    const snapshot = {
      users: [{ user: 'bo', status: 'online' }],
      connections: 1,
      messagesPerSecond: 0,
    };
    // The roster read (at start) found node b's key; before it is done, b says it stopped.
    feed().announced('b', undefined);
    finishRoster(new Map([['b', snapshot]]));
    await new Promise((resolve) => setImmediate(resolve));
    await node.stop();
    assert.deepEqual(users, [], 'bo, whose node stopped, is online for 15 s more');
  });
});
