import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServerFrame, ServerFrameOf } from '../../src/net/protocol/frames.ts';
import { DiskHistory } from '../../src/server/history/disk-history.ts';
import {
  makeTeam,
  rawConnection,
  type Started,
  startServer,
  type Team,
} from '../helpers/chat-server.ts';

type Raw = Awaited<ReturnType<typeof rawConnection>>;

const LIMITS = { cache: 100, keepDays: 0, keepMessages: 0 };

/**
 * Operators over real TLS (docs/PROTOCOL.md, section 7, Operators): alice
 * is a server operator (`--operator alice`); bob is kicked, banned from a
 * room for a while, then from the server; what operators set outlives a
 * restart on the same data directory.
 */
describe('moderation over TLS', () => {
  let team: Team;
  let started: Started;
  let historyDir: string;
  const open: Raw[] = [];

  const start = async () => {
    const { store } = await DiskHistory.open({
      dir: historyDir,
      key: { kind: 'key-file', path: team.ctx.layout.historyKey },
      limits: LIMITS,
    });
    return startServer(team, { operators: ['alice'] }, store);
  };

  /** A raw connection of `user` that said hello: its welcome, or the error that refused it. */
  async function connect(user: string, join: string[] = []) {
    const raw = await rawConnection(started, await team.credentials(user));
    open.push(raw);
    say(raw, { type: 'hello', v: 1, client: 'test/1', join });
    // The first frame a hello gets: its welcome, or the error that refuses it.
    const answer = await raw.nextFrame();
    return { raw, answer };
  }

  function say(raw: Raw, frame: Record<string, unknown>): void {
    raw.socket.write(`${JSON.stringify(frame)}\n`);
  }

  async function next<T extends ServerFrame['type']>(raw: Raw, type: T): Promise<ServerFrameOf<T>> {
    return (await raw.nextFrame(type)) as ServerFrameOf<T>;
  }

  before(async () => {
    team = await makeTeam(['alice', 'bob', 'carol']);
    historyDir = join(team.dir.path, 'data', 'history');
    started = await start();
  });
  after(async () => {
    for (const raw of open) raw.socket.destroy();
    await Promise.all(open.map((raw) => raw.closed));
    await started.server.close();
    await team.dir.cleanup();
  });

  let alice: Raw;
  let bob: Raw;
  let carol: Raw;

  it('a kick with a reason reaches bob and carol as moderated, takes bob out, and is logged', async () => {
    const welcomed = await connect('alice', ['#ops']);
    alice = welcomed.raw;
    assert.equal(welcomed.answer.type, 'welcome');
    assert.deepEqual((welcomed.answer as ServerFrameOf<'welcome'>).operators, ['alice']);
    assert.deepEqual((welcomed.answer as ServerFrameOf<'welcome'>).rooms[0]?.ops, ['alice']);
    bob = (await connect('bob', ['#ops'])).raw;
    carol = (await connect('carol', ['#ops'])).raw;
    say(alice, { type: 'moderate', action: 'topic-lock', room: '#ops', ref: 'lock' });
    assert.equal((await next(carol, 'moderated')).action, 'topic-lock');
    assert.equal((await next(bob, 'moderated')).action, 'topic-lock');
    say(alice, {
      type: 'moderate',
      action: 'kick',
      room: '#ops',
      user: 'bob',
      reason: 'take it to #general',
      ref: 'k1',
    });
    const toBob = await next(bob, 'moderated');
    const toCarol = await next(carol, 'moderated');
    assert.deepEqual(toBob, toCarol);
    assert.deepEqual(
      { ...toBob, ts: 0 },
      {
        type: 'moderated',
        action: 'kick',
        room: '#ops',
        user: 'bob',
        by: 'alice',
        reason: 'take it to #general',
        ts: 0,
      },
    );
    // bob is out: a send there is refused.
    say(bob, { type: 'send', room: '#ops', text: 'still here?', ref: 's1' });
    assert.equal((await next(bob, 'error')).code, 'not_member');
    const logged = started.logs.find((r) => r.msg === 'moderation' && r.action === 'kick');
    assert.ok(logged, 'the kick is in the log');
    assert.equal(logged.user, 'bob');
    assert.equal(logged.by, 'alice');
    assert.equal(logged.room, '#ops');
    assert.equal(logged.reason, 'take it to #general');
    // Noted by carol's client as bob gone, not a left frame.
    assert.equal(
      carol.frames.some((f) => f.type === 'left'),
      false,
    );
  });

  it('a ban with a duration refuses bob’s join with banned, saying by whom and until when', async () => {
    say(alice, {
      type: 'moderate',
      action: 'ban',
      room: '#ops',
      user: 'bob',
      duration: 600,
      reason: 'flooding',
      ref: 'b1',
    });
    const shown = await next(carol, 'moderated');
    assert.equal(shown.action, 'ban');
    assert.equal(shown.until, shown.ts + 600_000);
    say(bob, { type: 'join', room: '#ops' });
    const refused = await next(bob, 'error');
    assert.equal(refused.code, 'banned');
    assert.match(refused.message, /^you are banned from #ops by alice until .* UTC \(flooding\)/);
    assert.equal(refused.fatal, undefined, 'bob stays connected');
  });

  it('a server-wide ban closes bob with server_banned and refuses his reconnect', async () => {
    say(alice, {
      type: 'moderate',
      action: 'ban',
      user: 'bob',
      reason: 'spam',
      ref: 'b2',
    });
    const closedWith = await next(bob, 'error');
    assert.equal(closedWith.code, 'server_banned');
    assert.equal(closedWith.fatal, true);
    await bob.closed;
    const again = await connect('bob');
    assert.equal(again.answer.type, 'error');
    assert.equal((again.answer as ServerFrameOf<'error'>).code, 'server_banned');
    await again.raw.closed;
  });

  it('ops, the topic lock and the bans outlive a restart on the same data directory', async () => {
    for (const raw of open) raw.socket.destroy();
    await Promise.all(open.splice(0).map((raw) => raw.closed));
    await started.server.close();
    started = await start();

    const bobAgain = await connect('bob');
    assert.equal((bobAgain.answer as ServerFrameOf<'error'>).code, 'server_banned');
    await bobAgain.raw.closed;

    const carolAgain = await connect('carol', ['#ops']);
    const welcome = carolAgain.answer as ServerFrameOf<'welcome'>;
    assert.equal(welcome.type, 'welcome');
    const ops = welcome.rooms.find((r) => r.room === '#ops');
    assert.deepEqual(ops?.ops, ['alice']);
    assert.equal(ops?.topicLock, true);
    say(carolAgain.raw, { type: 'topic', room: '#ops', text: 'mine now' });
    assert.equal((await next(carolAgain.raw, 'error')).code, 'not_operator');

    // The server ban lifted, the room ban is still in force.
    const aliceAgain = (await connect('alice')).raw;
    say(aliceAgain, { type: 'moderate', action: 'unban', user: 'bob', ref: 'u1' });
    await next(aliceAgain, 'moderated');
    const bobBack = await connect('bob');
    assert.equal(bobBack.answer.type, 'welcome');
    say(bobBack.raw, { type: 'join', room: '#ops' });
    assert.equal((await next(bobBack.raw, 'error')).code, 'banned');
  });

  it("the dashboard's kick is shown as moderated (no room, no operator) in the user's rooms, then kicked", async () => {
    const watcher = (await connect('alice', ['#ops'])).raw;
    const target = (await connect('carol', ['#ops'])).raw;
    const ids = started.server
      .stats()
      .connections.filter((c) => c.user === 'carol')
      .map((c) => c.id);
    const id = Math.max(...ids);
    assert.equal(started.server.kick(id, 'spam'), true);
    const seen = await next(watcher, 'moderated');
    assert.deepEqual(
      { ...seen, ts: 0 },
      { type: 'moderated', action: 'kick', user: 'carol', reason: 'spam', ts: 0 },
    );
    assert.equal((await next(target, 'moderated')).action, 'kick');
    const closedWith = await next(target, 'error');
    assert.equal(closedWith.code, 'kicked');
    assert.equal(closedWith.message, 'kicked by the server operator: spam');
    await target.closed;
    const logged = started.logs.find((r) => r.msg === 'moderation' && r.user === 'carol');
    assert.equal(logged?.by, 'server');
  });
});
