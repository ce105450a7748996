import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ChatClient } from '../../src/net/chat-client.ts';
import type { Ack } from '../../src/net/client-types.ts';
import type { ServerFrameOf, StoredMessage } from '../../src/net/protocol/frames.ts';
import { conversationOf, dmKey } from '../../src/server/conversations.ts';
import { historyKeySource } from '../../src/server/history/history-key-source.ts';
import { RedisHistory } from '../../src/server/history/redis-history.ts';
import { NODE_TTL_MS } from '../../src/server/node-feed.ts';
import { makeTeam, type Team } from '../helpers/chat-server.ts';
import { type Serving, startServe } from '../helpers/cli.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';

/** How long no message may come while one acked is still missing, in ms, before the test fails. */
const QUIET_MS = 20_000;
/** How long presence may take to settle across nodes (they announce each second), in ms, before the test fails. */
const SETTLE_MS = 10_000;

/**
 * Issue 18's must-show: one Redis, three `chat serve --redis` nodes on three
 * ports, six users spread over them chatting in two rooms and by DM; then a
 * node killed with SIGKILL mid-burst, then Redis killed and restarted on its
 * AOF. What is checked is what the users were told: every acked message
 * reaches every member of its conversation exactly once, in id order, and
 * Redis holds none of the words, room names or user names.
 */
// Names long enough that none turns up by chance in kilobytes of ciphertext.
const USERS = ['adaline', 'bobbie', 'cyrilla', 'deirdre', 'everett', 'fayette'] as const;
type User = (typeof USERS)[number];
const LONER = 'gwendolyn';
const ROOMS: Record<string, readonly User[]> = {
  '#northroom': ['adaline', 'bobbie', 'cyrilla', 'deirdre'],
  '#southroom': ['cyrilla', 'deirdre', 'everett', 'fayette'],
};
const DMS: Array<[User, User]> = [
  ['adaline', 'fayette'],
  ['everett', 'bobbie'],
];

/** The first room `user` is in. */
const roomOf = (user: User) =>
  Object.keys(ROOMS).find((room) => ROOMS[room]?.includes(user)) ?? '#northroom';

interface Sent {
  conversation: string;
  text: string;
  ack: Ack;
}

describe('three chat serve nodes on one Redis', () => {
  let team: Team;
  let redis: TestRedis;
  const nodes: Serving[] = [];
  const clients = new Map<User, ChatClient>();
  /** What each user was handed, per conversation, in the order it came. */
  const seen = new Map<User, Map<string, StoredMessage[]>>();
  /** The same, as ids: what is checked after every message. */
  const seenIds = new Map<User, Map<string, Set<number>>>();
  const acked: Sent[] = [];
  let loner: ChatClient | undefined;
  const listeners = new Set<() => void>();
  let burst = 0;

  const serve = (index: number) =>
    startServe(
      [
        ...['--redis', redis.url],
        ...['--certs', team.certsDir],
        ...['--data', join(team.dir.path, `node${index}`)],
        ...['--rate', '1000', '--burst', '1000'],
      ],
      team.dir.path,
    );

  /** Who each user's client was last told is online or away, by name (welcome, then presence). */
  const present = new Map<User, Map<string, string>>();
  const watchPresence = (user: User, client: ChatClient) => {
    const states = new Map<string, string>();
    present.set(user, states);
    client.on('welcome', (welcome: ServerFrameOf<'welcome'>) => {
      states.clear();
      for (const state of welcome.users) states.set(state.user, state.status);
      for (const listener of listeners) listener();
    });
    client.on('presence', (frame: ServerFrameOf<'presence'>) => {
      if (frame.status === 'offline') states.delete(frame.user);
      else states.set(frame.user, frame.status);
      for (const listener of listeners) listener();
    });
  };

  // Resolves once `done` holds (checked on every message and presence
  // change); fails after `ms` with what `why` says is still wrong.
  const until = (done: () => boolean, why: () => string, ms: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(why()));
      }, ms);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve();
      };
      listeners.add(check);
      check();
    });
  const everyoneSeesOnline = (users: readonly string[]) => () =>
    USERS.every((observer) => users.every((user) => present.get(observer)?.get(user) === 'online'));
  const whoSees = () =>
    USERS.map((o) => `${o} sees ${[...(present.get(o)?.keys() ?? [])].sort().join(',')}`).join(
      '; ',
    );

  // Everyone's messages, live or replayed after a failover, as the user's client emitted them.
  const watch = (user: User, client: ChatClient) => {
    const byConversation = new Map<string, StoredMessage[]>();
    seen.set(user, byConversation);
    const keep = (message: StoredMessage) => {
      const conversation = conversationOf(message);
      const list = byConversation.get(conversation) ?? [];
      list.push(message);
      byConversation.set(conversation, list);
      const ids = seenIds.get(user) ?? new Map<string, Set<number>>();
      seenIds.set(user, ids);
      ids.set(conversation, (ids.get(conversation) ?? new Set<number>()).add(message.id));
      for (const listener of listeners) listener();
    };
    client.on('message', keep);
    client.on('dm', keep);
    client.on('state', () => {
      for (const listener of listeners) listener();
    });
  };

  // Resolves once every acked message reached every member, checked after
  // every message any user is handed; fails with the first one missing when
  // nothing more came for a long while (a lost message, not a slow one).
  const everyAckedArrives = () =>
    new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        clearTimeout(timer);
        const missing = firstMissing();
        if (missing === undefined) {
          listeners.delete(check);
          resolve();
          return;
        }
        timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`never arrived: ${missing}`));
        }, QUIET_MS);
      };
      listeners.add(check);
      check();
    });

  const send = async (from: User, to: string, text: string) => {
    const client = clients.get(from) as ChatClient;
    const ack = to.startsWith('#') ? await client.send(to, text) : await client.dm(to, text);
    const conversation = to.startsWith('#') ? to : dmKey(from, to);
    acked.push({ conversation, text, ack });
  };

  // Each user says `count` things in each of its rooms and DMs, all at once.
  const everyoneSays = (count: number) => {
    burst += 1;
    const sends: Array<Promise<void>> = [];
    for (const user of USERS) {
      const targets = [
        ...Object.entries(ROOMS)
          .filter(([, members]) => members.includes(user))
          .map(([room]) => room),
        ...DMS.filter(([a]) => a === user).map(([, b]) => `@${b}`),
      ];
      for (let i = 0; i < count; i++)
        for (const target of targets)
          sends.push(send(user, target.replace(/^@/, ''), `burst${burst} ${user} ${i} ${target}`));
    }
    return sends;
  };

  const membersOf = (conversation: string): User[] =>
    conversation.startsWith('#')
      ? [...(ROOMS[conversation] ?? [])]
      : (conversation.split(':').slice(1) as User[]);

  const firstMissing = (): string | undefined => {
    for (const { conversation, ack, text } of acked)
      for (const user of membersOf(conversation))
        if (!seenIds.get(user)?.get(conversation)?.has(ack.id))
          return `${user} lacks ${conversation} ${ack.id} "${text}"`;
    return undefined;
  };

  // Once, in id order, with the text that was acked, for every member.
  const assertExactlyOnceInOrder = () => {
    for (const user of USERS) {
      for (const [conversation, messages] of seen.get(user) ?? []) {
        const ids = messages.map((m) => m.id);
        assert.deepEqual(
          ids,
          [...ids].sort((a, b) => a - b),
          `${user} got ${conversation} out of order`,
        );
        assert.equal(
          new Set(ids).size,
          ids.length,
          `${user} got a message of ${conversation} twice`,
        );
      }
    }
    for (const { conversation, text, ack } of acked)
      for (const user of membersOf(conversation)) {
        const got = seen
          .get(user)
          ?.get(conversation)
          ?.find((m) => m.id === ack.id);
        assert.equal(got?.text, text, `${user} did not get "${text}" as ${conversation} ${ack.id}`);
      }
  };

  before(async () => {
    [team, redis] = await Promise.all([makeTeam([...USERS, LONER]), startRedis()]);
    // The first node makes the store's header; the others find it.
    nodes.push(await serve(0));
    nodes.push(...(await Promise.all([serve(1), serve(2)])));
    for (const [index, user] of USERS.entries()) {
      // Node index % 3 first: two users per node; a failed node's users go to the next.
      const order = [0, 1, 2].map((k) => nodes[(index + k) % 3] as Serving);
      const client = new ChatClient({
        host: 'localhost',
        port: order[0]?.port ?? 0,
        servers: order.map((node) => ({ host: 'localhost', port: node.port })),
        random: () => 0.999_999,
        credentials: await team.credentials(user),
        clientName: 'test/1',
        pingIntervalMs: 0,
        backoff: { baseMs: 20, maxMs: 200 },
        stepMs: 10,
        rooms: Object.entries(ROOMS)
          .filter(([, members]) => members.includes(user))
          .map(([room]) => room),
      });
      watch(user, client);
      watchPresence(user, client);
      clients.set(user, client);
    }
    // One more user, on the first node only: when it dies, she cannot fail over.
    loner = new ChatClient({
      host: 'localhost',
      port: (nodes[0] as Serving).port,
      credentials: await team.credentials(LONER),
      clientName: 'test/1',
      pingIntervalMs: 0,
      backoff: { baseMs: 20, maxMs: 200 },
      rooms: ['#lobbyroom'],
    });
    await Promise.all([...clients.values(), loner].map((client) => client.connect()));
  });

  after(async () => {
    for (const client of [...clients.values(), loner]) await client?.close();
    for (const node of nodes) if (node.child.exitCode === null) node.child.kill('SIGKILL');
    await redis.cleanup();
    await team.dir.cleanup();
  });

  it('delivers every message of two rooms and two DMs to every member once, in id order, across nodes', async () => {
    const onNodes = new Set([...clients.values()].map((client) => client.facts.server));
    assert.equal(onNodes.size, 3, `users spread over ${[...onNodes].join(' ')}`);
    await Promise.all(everyoneSays(10));
    await everyAckedArrives();
    assertExactlyOnceInOrder();
  });

  it('shows every user online to everyone, whichever node each is on', async () => {
    await until(everyoneSeesOnline([...USERS, LONER]), whoSees, SETTLE_MS);
  });

  it('after kill -9 of a node mid-burst, its users fail over and every acked message arrives once', async () => {
    const victim = nodes[0] as Serving;
    const before = acked.length;
    const sends = everyoneSays(15);
    // Mid-burst: some of this burst is acked, much is still on its way.
    await new Promise<void>((resolve) => {
      const check = () => {
        if (acked.length < before + 20) return;
        listeners.delete(check);
        resolve();
      };
      listeners.add(check);
    });
    victim.child.kill('SIGKILL');
    const outcomes = await Promise.allSettled(sends);
    assert.deepEqual(
      outcomes.filter((o) => o.status === 'rejected'),
      [],
      'a client resends what was not acked; nothing is refused',
    );
    await everyAckedArrives();
    assertExactlyOnceInOrder();
    // A user whose sends were all acked before the kill may learn of it last.
    const onVictim = () =>
      USERS.filter((user) => clients.get(user)?.facts.server === `localhost:${victim.port}`);
    await until(
      () => onVictim().length === 0,
      () => `still on the dead node: ${onVictim().join(' ')}`,
      SETTLE_MS,
    );
    // The dead node said nothing: its heartbeat's TTL takes its last user
    // offline everywhere; those who failed over stay online.
    await until(
      () => USERS.every((observer) => !present.get(observer)?.has(LONER)),
      () => `${LONER} still shown: ${whoSees()}`,
      NODE_TTL_MS + SETTLE_MS,
    );
    await until(everyoneSeesOnline(USERS), whoSees, SETTLE_MS);
  });

  it('after kill -9 of Redis: sends in the outage fail, nodes reconnect, retries land, nothing acked is lost', async () => {
    await redis.kill9();
    const refused = await Promise.allSettled(
      USERS.map((user) => send(user, roomOf(user), `outage ${user}`)),
    );
    for (const outcome of refused) {
      assert.equal(outcome.status, 'rejected', 'never acked while Redis is down');
      assert.match(String((outcome as PromiseRejectedResult).reason), /store/);
    }
    const alive = nodes.filter(
      (node) => node.child.exitCode === null && node.child.signalCode === null,
    );
    const back = alive.map((node) => node.waitFor('stderr', /Redis is back/));
    await redis.restart();
    // Each node reconnects by itself; then the clients send again what failed.
    await Promise.all(back);
    await Promise.all(USERS.map((user) => send(user, roomOf(user), `retried ${user}`)));
    await everyAckedArrives();
    assertExactlyOnceInOrder();
    // What Redis kept after its own kill: every acked message, under its id.
    const store = await RedisHistory.open({
      url: redis.url,
      key: historyKeySource(join(team.certsDir, 'history.key'), undefined),
      durability: 'always',
      limits: { keepDays: 0, keepMessages: 0 },
      warn: () => {},
    });
    try {
      for (const { conversation, text, ack } of acked) {
        const [kept] = (await store.since(conversation, ack.id - 1, 1)).messages;
        assert.equal(kept?.text, text, `${conversation} ${ack.id} kept`);
      }
    } finally {
      await store.close();
    }
  });

  it('leaves no text, room name or user name in Redis', async () => {
    const plain = [
      ...USERS,
      ...Object.keys(ROOMS).map((room) => room.slice(1)),
      'burst',
      'outage',
      'retried',
      LONER,
      'lobbyroom',
    ];
    const client = new Redis(redis.url);
    try {
      const everything: Buffer[] = [];
      for await (const keys of client.scanBufferStream({ count: 200 })) {
        for (const key of keys as Buffer[]) {
          everything.push(key, (await client.dumpBuffer(key)) ?? Buffer.alloc(0));
        }
      }
      assert.ok(everything.length > 10, 'Redis holds the history');
      const all = Buffer.concat(everything);
      for (const word of plain)
        assert.equal(all.indexOf(word), -1, `"${word}" is in Redis in the clear`);
    } finally {
      await client.quit();
    }
  });
});
