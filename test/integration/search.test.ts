import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { ChatClient } from '../../src/net/chat-client.ts';
import type { StoredMessage } from '../../src/net/protocol/frames.ts';
import { historyForServer } from '../../src/server/history/history-for-server.ts';
import { DEFAULT_SERVER_CONFIG } from '../../src/server/server-config.ts';
import { client, makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';

/**
 * Search over real TLS against a server whose history is on disk: what
 * alice finds after a restart, and what she must never find (the leak
 * test): carol's room #secret and bob's DMs with carol hold the same word.
 */
describe('search: a restart later, only the user’s own conversations', () => {
  let team: Team;
  let started: Started | undefined;
  let data: string;
  const open: ChatClient[] = [];

  async function serve(): Promise<Started> {
    const overrides = {
      store: 'disk' as const,
      dataDir: data,
      ratePerSecond: 1_000,
      rateBurst: 1_000,
    };
    const config = { ...DEFAULT_SERVER_CONFIG, certsDir: team.certsDir, ...overrides };
    const { store } = await historyForServer(config, pino({ level: 'silent' }));
    return startServer(team, overrides, store);
  }

  async function connected(s: Started, user: string, rooms: string[]): Promise<ChatClient> {
    const c = await client(team, s, user, { rooms });
    open.push(c);
    await c.connect();
    return c;
  }

  async function closeAll(): Promise<void> {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await started?.server.close();
    started = undefined;
  }

  const texts = (messages: StoredMessage[]) => messages.map((m) => m.text);

  before(async () => {
    team = await makeTeam(['alice', 'bob', 'carol']);
    data = join(team.dir.path, 'data');
    started = await serve();
    const alice = await connected(started, 'alice', ['#general']);
    const bob = await connected(started, 'bob', ['#general']);
    const carol = await connected(started, 'carol', ['#secret']);
    await alice.send('#general', 'the Banana bread is in the kitchen');
    await bob.send('#general', 'release train leaves at noon');
    await carol.send('#secret', 'banana zebra: the secret plan');
    await alice.dm('bob', 'psst, banana smoothie later?');
    await bob.dm('carol', 'banana quokka between us');
    await carol.dm('bob', 'quokka indeed');
    await alice.send('#general', 'banana split for dessert 🍌');
    await closeAll();
    started = await serve();
  });
  after(async () => {
    await closeAll();
    await team.dir.cleanup();
  });

  it('finds words from before the restart in a room and in a DM, newest first', async () => {
    assert.ok(started);
    const alice = await connected(started, 'alice', ['#general']);
    const found = await alice.search('BANANA');
    assert.deepEqual(texts(found.messages), [
      'banana split for dessert 🍌',
      'psst, banana smoothie later?',
      'the Banana bread is in the kitchen',
    ]);
    assert.equal(found.more, false);
    const times = found.messages.map((m) => m.ts);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest first',
    );
    const dm = await alice.search('smoothie banana', { room: '@bob' });
    assert.deepEqual(texts(dm.messages), ['psst, banana smoothie later?']);
    const room = await alice.search('banana', { room: '#general', limit: 1 });
    assert.deepEqual(texts(room.messages), ['banana split for dessert 🍌']);
    assert.equal(room.more, true, 'the limit left one out');
  });

  it("never finds another's conversation: not a room she is not in, not bob and carol's DMs", async () => {
    assert.ok(started);
    const alice = await connected(started, 'alice', ['#general']);
    assert.deepEqual((await alice.search('zebra')).messages, []);
    assert.deepEqual((await alice.search('quokka')).messages, []);
    await assert.rejects(alice.search('zebra', { room: '#secret' }), {
      code: 'SERVER_ERROR',
      hint: 'not_member',
    });
    // @carol is alice's own DMs with carol: there are none.
    assert.deepEqual(await alice.search('quokka', { room: '@carol' }), {
      messages: [],
      more: false,
    });
    // bob, who is in both DMs, finds both of his.
    const bob = await connected(started, 'bob', ['#general']);
    assert.deepEqual(texts((await bob.search('quokka')).messages), [
      'quokka indeed',
      'banana quokka between us',
    ]);
    assert.deepEqual((await bob.search('zebra')).messages, [], 'not #secret either');
  });
});
