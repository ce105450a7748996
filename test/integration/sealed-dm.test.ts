import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ChatError } from '../../src/errors.ts';
import type { ChatClient } from '../../src/net/chat-client.ts';
import { keyringFor } from '../../src/net/e2ee/client-keyring.ts';
import { type DmKeyring, type KeyNews, memoryPins } from '../../src/net/e2ee/dm-keyring.ts';
import { sendSealed } from '../../src/net/e2ee/sealed-send.ts';
import type { DirectMessage } from '../../src/net/protocol/frames.ts';
import { issueClient, revokeClient } from '../../src/pki/client-certs.ts';
import { dmKey } from '../../src/server/conversations.ts';
import { MemoryHistory } from '../../src/server/history/memory-history.ts';
import { loadServerTls } from '../../src/server/tls-options.ts';
import {
  client,
  makeTeam,
  nextEvent,
  type Started,
  startServer,
  type Team,
} from '../helpers/chat-server.ts';

const SECRET = 'the vault code is 4-8-15-16';

/**
 * Direct messages sealed end to end, through a real server over TLS: the
 * server relays and keeps the envelope only; each of bob's two devices
 * opens it; what a server could do to an envelope is caught; a revoked
 * device is not sealed for; a certificate the CA issues for bob after
 * alice verified him holds her DMs back.
 */
describe('sealed direct messages over TLS', () => {
  let team: Team;
  let started: Started;
  const store = new MemoryHistory(1_000);
  const open: ChatClient[] = [];
  const logLines: string[] = [];

  async function device(name: string): Promise<{ client: ChatClient; keyring: DmKeyring }> {
    const c = await client(team, started, name);
    open.push(c);
    await c.connect();
    const user = name.split('@')[0] ?? name;
    return { client: c, keyring: keyringFor(c, await team.credentials(name), user, memoryPins()) };
  }

  async function sealAndSend(
    from: { client: ChatClient; keyring: DmKeyring },
    to: string,
    text: string,
  ) {
    const ref = from.client.newRef();
    const outcome = await from.keyring.seal(to, { text }, ref, Date.now());
    assert.ok(outcome.ok, JSON.stringify(outcome));
    return { ack: await from.client.sealedDm(to, outcome.sealed), sealed: outcome.sealed };
  }

  const print = async (who: string) =>
    new X509Certificate((await team.credentials(who)).cert).fingerprint256;

  before(async () => {
    team = await makeTeam(['alice', 'bob', 'carol']);
    await issueClient(team.ctx, { name: 'bob', device: 'phone' });
    started = await startServer(team, { ratePerSecond: 1_000, rateBurst: 1_000 }, store, {
      write: (chunk) => logLines.push(chunk),
    });
  });
  after(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await started.server.close();
    await team.dir.cleanup();
  });

  it("seals for both of bob's devices and alice's own: each opens it, the server keeps no text", async () => {
    const alice = await device('alice');
    const laptop = await device('bob');
    const phone = await device('bob@phone');
    const arrivals = [laptop, phone, alice].map(({ client: c }) =>
      nextEvent<[DirectMessage]>(c, 'dm', (m) => m.sealed !== undefined),
    );
    const { ack, sealed } = await sealAndSend(alice, 'bob', SECRET);
    assert.deepEqual(
      sealed.keys.map((k) => k.fp).sort(),
      [await print('alice'), await print('bob'), await print('bob@phone')].sort(),
    );
    const [toLaptop, toPhone, echo] = await Promise.all(arrivals);
    for (const [frame, reader] of [
      [toLaptop, laptop],
      [toPhone, phone],
      [echo, alice],
    ] as const) {
      assert.ok(frame);
      assert.equal(frame[0].text, '');
      const opened = await reader.keyring.open(frame[0]);
      assert.ok(opened.ok, JSON.stringify(opened));
      assert.equal(opened.content.text, SECRET);
    }
    const kept = await store.before(dmKey('alice', 'bob'), undefined, 10);
    assert.equal(kept.messages.at(-1)?.id, ack.id);
    assert.doesNotMatch(JSON.stringify(kept.messages), /vault/);
    assert.doesNotMatch(logLines.join(''), /vault/);
    // carol is not a reader: the envelope holds no key for her.
    const carol = await device('carol');
    const outsider = await carol.keyring.open({ ...(toLaptop?.[0] as DirectMessage) });
    assert.deepEqual(outsider, { ok: false, reason: 'not_for_me' });
  });

  it('catches an envelope a server altered: ciphertext, wrapped key, sender, signer, replay', async () => {
    const [alice, laptop] = open;
    assert.ok(alice && laptop);
    const aliceRing = keyringFor(alice, await team.credentials('alice'), 'alice', memoryPins());
    const bobRing = keyringFor(laptop, await team.credentials('bob'), 'bob', memoryPins());
    const arrival = nextEvent<[DirectMessage]>(laptop, 'dm', (m) => m.sealed !== undefined);
    const { sealed, ack } = await sealAndSend({ client: alice, keyring: aliceRing }, 'bob', SECRET);
    const [frame] = await arrival;
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString('base64');
    };
    const altered: Array<[string, DirectMessage]> = [
      ['ciphertext', { ...frame, sealed: { ...sealed, ct: flip(sealed.ct) } }],
      [
        'wrapped key',
        {
          ...frame,
          sealed: { ...sealed, keys: sealed.keys.map((k) => ({ ...k, wk: flip(k.wk) })) },
        },
      ],
      ['sender', { ...frame, from: 'carol' }],
      ['recipient', { ...frame, to: 'carol' }],
      ['signer', { ...frame, sealed: { ...sealed, sfp: await print('bob@phone') } }],
    ];
    for (const [what, forged] of altered) {
      const opened = await bobRing.open(forged);
      assert.equal(opened.ok, false, `${what}: must not open`);
    }
    const first = await bobRing.open(frame);
    assert.ok(first.ok);
    const replay = await bobRing.open({ ...frame, id: ack.id + 7 });
    assert.ok(replay.ok);
    assert.equal(replay.copyOf, ack.id, 'a copy relayed again is shown as the first');
  });

  it('refuses an envelope from someone else, and an edit of a sealed message; a deletion drops it', async () => {
    const [alice, laptop] = open;
    assert.ok(alice && laptop);
    const bobRing = keyringFor(laptop, await team.credentials('bob'), 'bob', memoryPins());
    const ref = laptop.newRef();
    const outcome = await bobRing.seal('alice', { text: 'not from alice' }, ref, Date.now());
    assert.ok(outcome.ok);
    // alice relays bob's envelope as her own: the server knows who she is.
    await assert.rejects(
      alice.sealedDm('alice', { ...outcome.sealed, to: 'alice' }),
      (e: unknown) => {
        assert.ok(e instanceof ChatError);
        assert.match(e.message, /envelope/);
        return true;
      },
    );
    const aliceRing = keyringFor(alice, await team.credentials('alice'), 'alice', memoryPins());
    const { ack } = await sealAndSend(
      { client: alice, keyring: aliceRing },
      'bob',
      'to be deleted',
    );
    await assert.rejects(alice.edit('@bob', ack.id, 'in clear now'), (e: unknown) => {
      assert.ok(e instanceof ChatError);
      assert.match(e.message, /sealed end to end/);
      return true;
    });
    await alice.delete('@bob', ack.id);
    const kept = await store.before(dmKey('alice', 'bob'), undefined, 50);
    const gone = kept.messages.find((m) => m.id === ack.id);
    assert.ok(gone?.deleted);
    assert.equal(gone.type === 'dm' ? gone.sealed : 'not a dm', undefined);
  });

  it('does not seal for a revoked device once the server has the new CRL', async () => {
    const [alice] = open;
    assert.ok(alice);
    await revokeClient(team.ctx, { name: 'bob', device: 'phone' });
    started.server.reloadTls(await loadServerTls(team.certsDir, started.config.tlsMin));
    const ring = keyringFor(alice, await team.credentials('alice'), 'alice', memoryPins());
    const outcome = await ring.seal('bob', { text: 'hi' }, alice.newRef(), Date.now());
    assert.ok(outcome.ok);
    const readers = outcome.sealed.keys.map((k) => k.fp);
    assert.ok(readers.includes(await print('bob')));
    assert.ok(!readers.includes(await print('bob@phone')));
  });

  it('holds DMs to bob once alice verified him and the CA issues another certificate for him', async () => {
    const [alice] = open;
    assert.ok(alice);
    const pins = memoryPins();
    const ring = keyringFor(alice, await team.credentials('alice'), 'alice', pins);
    const { theirs: fingerprints } = await ring.safetyNumberWith('bob');
    await ring.confirm('bob');
    assert.equal(await ring.trustOf('bob'), 'verified');
    // A compromised CA (or admin) slips in a certificate for bob.
    await issueClient(team.ctx, { name: 'bob', device: 'rogue' });
    const fresh = keyringFor(alice, await team.credentials('alice'), 'alice', pins);
    const outcome = await fresh.seal('bob', { text: 'for bob only' }, alice.newRef(), Date.now());
    assert.deepEqual(outcome, { ok: false, reason: 'changed', added: [await print('bob@rogue')] });
    assert.equal(await fresh.trustOf('bob'), 'changed');
    // Accepting it without comparing: sealed again, bob now unverified.
    await fresh.accept('bob');
    assert.equal(await fresh.trustOf('bob'), 'unverified');
    const sent = await fresh.seal('bob', { text: 'ok then' }, alice.newRef(), Date.now());
    assert.ok(sent.ok);
    assert.ok(sent.sealed.keys.some((k) => k.fp === (fingerprints[0] ?? '')));
  });
});

/**
 * What a hostile review found a server or a compromised CA could do to
 * pins and safety numbers, each now caught.
 */
describe('pins and safety numbers against a certificate slipped in', () => {
  let team: Team;
  let started: Started;
  const open: ChatClient[] = [];
  const print = async (who: string) =>
    new X509Certificate((await team.credentials(who)).cert).fingerprint256;
  async function ring(name: string) {
    const c = await client(team, started, name);
    open.push(c);
    await c.connect();
    const user = name.split('@')[0] ?? name;
    const pins = memoryPins();
    return { client: c, pins, keyring: keyringFor(c, await team.credentials(name), user, pins) };
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

  it('keeps every pin when two sightings race', async () => {
    const alice = await ring('alice');
    await Promise.all([alice.keyring.trustOf('bob'), alice.keyring.trustOf('carol')]);
    assert.deepEqual(Object.keys(alice.pins.book).sort(), ['bob', 'carol']);
  });

  it('gives different numbers on the two screens when a certificate is slipped in for bob', async () => {
    const alice = await ring('alice');
    const bob = await ring('bob');
    // bob's device pins his own certificates before the rogue exists.
    await bob.keyring.trustOf('bob');
    const before = await alice.keyring.safetyNumberWith('bob');
    assert.equal(before.number, (await bob.keyring.safetyNumberWith('alice')).number);
    await issueClient(team.ctx, { name: 'bob', device: 'rogue' });
    const aliceSees = await alice.keyring.safetyNumberWith('bob');
    const bobSees = await bob.keyring.safetyNumberWith('alice');
    assert.notEqual(aliceSees.number, bobSees.number);
    assert.deepEqual([aliceSees.theirs.length, bobSees.mine.length], [2, 1]);
  });

  it('confirms exactly the number shown, and refuses once the directory changed since', async () => {
    const alice = await ring('alice');
    await assert.rejects(
      alice.keyring.confirm('carol'),
      /no safety number with carol was shown yet/,
    );
    await alice.keyring.safetyNumberWith('carol');
    await issueClient(team.ctx, { name: 'carol', device: 'slipped' });
    await assert.rejects(
      alice.keyring.confirm('carol'),
      /the certificates changed since the number was shown/,
    );
    assert.equal(await alice.keyring.trustOf('carol'), 'unverified');
  });

  it("does not seal for a device of alice's own that appeared after her first, and says so", async () => {
    const alice = await ring('alice');
    const news: KeyNews[] = [];
    alice.keyring.onNews((item) => news.push(item));
    const first = await alice.keyring.seal('bob', { text: 'hi' }, 'c-1', Date.now());
    assert.ok(first.ok);
    await issueClient(team.ctx, { name: 'alice', device: 'rogue' });
    const fresh = keyringFor(alice.client, await team.credentials('alice'), 'alice', alice.pins);
    fresh.onNews((item) => news.push(item));
    const later = await fresh.seal('bob', { text: 'still only mine' }, 'c-2', Date.now());
    assert.ok(later.ok);
    const rogue = await print('alice@rogue');
    assert.ok(!later.sealed.keys.some((k) => k.fp === rogue), 'not sealed for the rogue device');
    assert.deepEqual(news, [{ user: 'alice', kind: 'held', added: [rogue] }]);
  });

  it('holds a DM to a verified peer showing a new certificate until the user accepts it, then sends it', async () => {
    const alice = await ring('alice');
    await alice.keyring.safetyNumberWith('carol');
    await alice.keyring.confirm('carol');
    await issueClient(team.ctx, { name: 'carol', device: 'tablet' });
    const fresh = keyringFor(alice.client, await team.credentials('alice'), 'alice', alice.pins);
    let held = 0;
    let settled = false;
    const sending = sendSealed(alice.client, fresh, 'carol', { text: 'waits for you' }, () => {
      held += 1;
    }).finally(() => {
      settled = true;
    });
    await nextTurnUntil(() => held === 1);
    assert.equal(settled, false, 'nothing is sent while the user has not decided');
    await fresh.accept('carol');
    const ack = await sending;
    assert.ok(ack.id > 0);
  });

  it('accepts only the certificates that were announced, and never compares you with yourself', async () => {
    const alice = await ring('alice');
    await alice.keyring.safetyNumberWith('bob');
    await alice.keyring.confirm('bob');
    const news: KeyNews[] = [];
    await issueClient(team.ctx, { name: 'bob', device: 'second' });
    const fresh = keyringFor(alice.client, await team.credentials('alice'), 'alice', alice.pins);
    fresh.onNews((item) => news.push(item));
    assert.equal(await fresh.trustOf('bob'), 'changed');
    assert.equal(await fresh.trustOf('bob'), 'changed');
    const second = await print('bob@second');
    assert.deepEqual(news, [{ user: 'bob', kind: 'held', added: [second] }], 'said once');
    // Another one appears after the notice and before the user's /accept.
    await issueClient(team.ctx, { name: 'bob', device: 'third' });
    const trusted = await fresh.accept('bob');
    assert.ok(trusted.includes(second));
    assert.ok(!trusted.includes(await print('bob@third')), 'not announced: not accepted');
    await fresh.trustOf('bob');
    assert.deepEqual(news.at(-1), {
      user: 'bob',
      kind: 'repinned',
      added: [await print('bob@third')],
    });
    await assert.rejects(fresh.safetyNumberWith('alice'), /your own devices are not compared/);
  });
});

/** Lets pending work run until `done` holds (bounded: 200 turns of the event loop). */
async function nextTurnUntil(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 200 && !done(); turn++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), 'the condition never held');
}

describe('a sealed DM typed while the server is away', () => {
  it('waits for the reconnect, then is sealed and sent, as a plain one waits in the outbox', async () => {
    const team = await makeTeam(['alice', 'bob']);
    const store = new MemoryHistory(100);
    let started = await startServer(team, {}, store);
    const port = started.port;
    const alice = await client(team, started, 'alice');
    try {
      await alice.connect();
      const ring = keyringFor(alice, await team.credentials('alice'), 'alice', memoryPins());
      const down = nextEvent<[string]>(alice, 'state', (state) => state === 'reconnecting');
      await started.server.close();
      await down;
      const sending = sendSealed(alice, ring, 'bob', { text: 'while you were away' });
      started = await startServer(team, { port }, store);
      const ack = await sending;
      const kept = await store.before(dmKey('alice', 'bob'), undefined, 10);
      assert.deepEqual(
        kept.messages.map((m) => [m.id, m.type === 'dm' && m.sealed !== undefined]),
        [[ack.id, true]],
      );
    } finally {
      await alice.close();
      await started.server.close();
      await team.dir.cleanup();
    }
  });
});
