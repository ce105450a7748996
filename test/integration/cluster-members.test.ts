import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerFrameOf } from '../../src/net/protocol/frames.ts';
import { clusterOnRedis, next, type Raw, say } from '../helpers/cluster-nodes.ts';

/**
 * Issue 18, who is in which room across nodes: two ChatServers on one
 * Redis. A room's members, its join and part lines, /list and /whois are
 * the cluster's, not one node's; a user's devices on two nodes join and
 * part together, as on one server.
 */
describe('room membership across two nodes on one Redis', () => {
  let cluster: Awaited<ReturnType<typeof clusterOnRedis>>;
  let bob: Raw;
  let alice: Raw;

  before(async () => {
    cluster = await clusterOnRedis(['alice', 'bob', 'carol'], []);
  });
  after(() => cluster.stop());

  /** The next `joined` or `left` of `user` in `room` on `raw`, others skipped. */
  async function lineOf<T extends 'joined' | 'left'>(
    raw: Raw,
    type: T,
    user: string,
    room: string,
  ) {
    for (;;) {
      const frame = await next(raw, type);
      if (frame.user === user && frame.room === room) return frame as ServerFrameOf<T>;
    }
  }

  it('a join on one node is a joined line on the other, and the room lists both', async () => {
    const [a, b] = cluster.nodes;
    assert.ok(a && b);
    bob = await cluster.connect(b, 'bob', ['#dev']);
    alice = await cluster.connect(a, 'alice', ['#dev']);
    await lineOf(bob, 'joined', 'alice', '#dev');
    // Joining again repeats the room's state: its members are the cluster's.
    say(bob, { type: 'join', room: '#dev' });
    const state = (await lineOf(bob, 'joined', 'bob', '#dev')).state;
    assert.deepEqual(state?.members, ['alice', 'bob']);
    say(bob, { type: 'list', ref: 'l1' });
    const list = await next(bob, 'list');
    assert.equal(list.rooms.find((r) => r.room === '#dev')?.members, 2);
  });

  it('whois on one node shows a user connected to the other', async () => {
    say(bob, { type: 'whois', user: 'alice', ref: 'w1' });
    const whois = await next(bob, 'whois');
    assert.equal(whois.online, true);
    assert.equal(whois.status, 'online');
    assert.equal(whois.devices, 1);
    assert.equal(whois.fingerprints.length, 1);
  });

  it("a user's device on the other node follows her join and her part", async () => {
    const b = cluster.nodes[1];
    assert.ok(b);
    // Her rooms are the cluster's: a hello naming none joins #dev on b too.
    const alice2 = await cluster.connect(b, 'alice', 'remembered');
    assert.deepEqual(
      alice2.welcome.rooms.map((r) => r.room),
      ['#dev'],
    );
    say(alice, { type: 'join', room: '#ops' });
    const joined = await lineOf(alice2, 'joined', 'alice', '#ops');
    assert.equal(joined.state?.room, '#ops');
    say(alice, { type: 'part', room: '#dev' });
    assert.equal((await lineOf(alice2, 'left', 'alice', '#dev')).reason, 'part');
    // bob is told once, when alice is in #dev on no node.
    assert.equal((await lineOf(bob, 'left', 'alice', '#dev')).reason, 'part');
    say(bob, { type: 'join', room: '#dev' });
    for (;;) {
      const frame = await bob.nextFrame();
      assert.ok(!(frame.type === 'left' && frame.user === 'alice'), 'alice left #dev twice');
      if (frame.type !== 'joined' || frame.user !== 'bob') continue;
      assert.deepEqual(frame.state?.members, ['bob']);
      break;
    }
    alice2.socket.destroy();
  });

  it('a user who quits on one node is a quit line on the other', async () => {
    const a = cluster.nodes[0];
    assert.ok(a);
    const carol = await cluster.connect(a, 'carol', ['#dev']);
    await lineOf(bob, 'joined', 'carol', '#dev');
    carol.socket.destroy();
    assert.equal((await lineOf(bob, 'left', 'carol', '#dev')).reason, 'quit');
  });
});
