import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ChatError } from '../../src/errors.ts';
import type { ChatClient } from '../../src/net/chat-client.ts';
import { client, makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';

/**
 * /list and /whois against a real server over TLS: the fingerprint the
 * server reports is the SHA-256 of the certificate bob's client presented.
 */
describe('list and whois over TLS', () => {
  let team: Team;
  let started: Started;
  const open: ChatClient[] = [];

  async function connected(user: string, rooms: string[]): Promise<ChatClient> {
    const c = await client(team, started, user, { rooms });
    open.push(c);
    await c.connect();
    return c;
  }

  before(async () => {
    team = await makeTeam(['alice', 'bob', 'carol']);
    started = await startServer(team, { ratePerSecond: 1_000, rateBurst: 1_000 });
  });
  after(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await started.server.close();
    await team.dir.cleanup();
  });

  it('lists the rooms with members or a topic, with counts and topics, sorted', async () => {
    const alice = await connected('alice', ['#general', '#ops']);
    const bob = await connected('bob', ['#general']);
    alice.setTopic('#ops', 'pager rota');
    alice.join('#zed');
    alice.part('#zed');
    // alice's list follows her commands on her connection: once it is answered, they are in effect.
    await alice.list();
    const answer = await bob.list();
    assert.deepEqual(answer.rooms, [
      { room: '#general', members: 2, topic: '' },
      { room: '#ops', members: 1, topic: 'pager rota' },
    ]);
    assert.equal(answer.more, false);
  });

  it("tells bob's devices, away text and the fingerprint of the certificate he connected with", async () => {
    const bob = open[1];
    assert.ok(bob);
    const alice = open[0];
    assert.ok(alice);
    bob.away('lunch');
    const second = await connected('bob', ['#general']);
    // A round trip on bob's first connection: its away has been handled.
    await bob.list();
    const expected = new X509Certificate((await team.credentials('bob')).cert).fingerprint256;
    const answer = await alice.whois('bob');
    assert.equal(answer.user, 'bob');
    assert.equal(answer.online, true);
    assert.equal(answer.devices, 2);
    assert.equal(answer.status, 'away');
    assert.equal(answer.text, 'lunch');
    assert.deepEqual(answer.fingerprints, [expected]);
    assert.ok(answer.idleMs !== undefined && answer.idleMs >= 0 && answer.idleMs < 10_000);
    await second.close();
  });

  it('answers for a user with a certificate who never connected, and refuses a stranger', async () => {
    const alice = open[0];
    assert.ok(alice);
    const carol = await alice.whois('carol');
    assert.deepEqual(
      { online: carol.online, devices: carol.devices, fingerprints: carol.fingerprints },
      { online: false, devices: 0, fingerprints: [] },
    );
    await assert.rejects(alice.whois('dave'), (error: unknown) => {
      assert.ok(error instanceof ChatError);
      assert.equal(error.hint, 'unknown_user');
      return true;
    });
  });
});
