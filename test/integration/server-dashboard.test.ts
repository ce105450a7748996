import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ChatError } from '../../src/errors.ts';
import type { ChatClient } from '../../src/net/chat-client.ts';
import type { ClientState } from '../../src/net/client-types.ts';
import type { ConnectionInfo } from '../../src/server/connection.ts';
import {
  client,
  makeTeam,
  nextEvent,
  rawConnection,
  type Started,
  startServer,
  type Team,
} from '../helpers/chat-server.ts';
import { until } from '../helpers/ink.ts';

type Raw = Awaited<ReturnType<typeof rawConnection>>;
type Disconnect = ConnectionInfo & { reason: string };

const FINGERPRINT = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

describe('what the dashboard reads: connections, presence, kick', () => {
  let team: Team;
  let started: Started;
  let alice: ChatClient;
  // Bob speaks the protocol by hand, so the test sees the exact frames a kick sends.
  let bob: Raw;

  const connectionOf = (user: string) =>
    started.server.stats().connections.find((c) => c.user === user);

  before(async () => {
    team = await makeTeam(['alice', 'bob', 'carol']);
    started = await startServer(team);
    alice = await client(team, started, 'alice');
    await alice.connect();
    bob = await rawConnection(started, await team.credentials('bob'));
    bob.closed.catch(() => {}); // a reset after the fatal frame is allowed
    bob.socket.write(`${JSON.stringify({ type: 'hello', v: 1, client: 'raw/1' })}\n`);
    await bob.nextFrame('welcome');
  });
  after(async () => {
    bob.socket.destroy();
    await Promise.all([alice.close(), bob.closed]);
    await started.server.close();
    await team.dir.cleanup();
  });

  it('lists both users with their address, TLS facts and certificate', () => {
    const stats = started.server.stats();
    assert.deepEqual(stats.connections.map((c) => [c.user, c.state]).sort(), [
      ['alice', 'active'],
      ['bob', 'active'],
    ]);
    for (const user of ['alice', 'bob']) {
      const info = connectionOf(user) as ConnectionInfo;
      assert.ok(info.id > 0);
      assert.equal(info.address, '127.0.0.1');
      assert.equal(info.tlsVersion, 'TLSv1.3');
      assert.ok(info.cipher.length > 0);
      assert.match(info.fingerprint, FINGERPRINT);
      const cert = info.certificate;
      assert.ok(cert, `${user} has certificate facts`);
      assert.match(cert.subject, new RegExp(`(^|, )CN=${user}(,|$)`));
      assert.match(cert.serial, /^[0-9A-F]+$/);
      assert.equal(cert.fingerprint, info.fingerprint);
      assert.match(cert.validTo, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(Date.parse(cert.validTo) > Date.now(), `valid until ${cert.validTo}`);
      assert.ok(info.msgsIn >= 1 && info.msgsOut >= 1 && info.bytesIn > 0 && info.bytesOut > 0);
    }
    assert.notEqual(connectionOf('alice')?.id, connectionOf('bob')?.id);
  });

  it("shows an active connection as 'away' while its user is away", async () => {
    const away = nextEvent(
      alice,
      'presence',
      (p: { user: string; status: string }) => p.user === 'alice' && p.status === 'away',
    );
    alice.away('lunch');
    await away;
    assert.equal(connectionOf('alice')?.state, 'away');
    assert.equal(connectionOf('bob')?.state, 'active');
    const back = nextEvent(
      alice,
      'presence',
      (p: { user: string; status: string }) => p.user === 'alice' && p.status === 'online',
    );
    alice.back();
    await back;
    assert.equal(connectionOf('alice')?.state, 'active');
  });

  it('kicks one connection with a fatal kicked error, and keeps serving the others', async () => {
    const { id } = connectionOf('bob') as ConnectionInfo;
    const mark = started.logs.length;
    const gone = nextEvent<[Disconnect]>(started.server, 'disconnect', (info) => info.id === id);
    assert.equal(started.server.kick(id, 'testing'), true);
    assert.equal(started.server.kick(id, 'again'), false, 'already closing');
    const frame = await bob.nextFrame('error');
    assert.deepEqual(frame, {
      type: 'error',
      code: 'kicked',
      message: 'kicked by the server operator: testing',
      fatal: true,
    });
    await bob.closed;
    const [info] = await gone;
    assert.equal(info.reason, 'kicked');
    assert.equal(info.user, 'bob');
    assert.equal(
      started.server.stats().connections.some((c) => c.id === id),
      false,
    );
    const kicked = started.logs.slice(mark).find((r) => r.msg === 'connection kicked');
    assert.deepEqual(
      kicked && [kicked.level, kicked.conn, kicked.user, kicked.address, kicked.reason],
      [30, id, 'bob', '127.0.0.1', 'testing'],
    );
    const ack = await alice.send('#general', 'still here');
    assert.ok(ack.id > 0);
    assert.equal(started.server.kick(id, 'gone already'), false);
    assert.equal(started.server.kick(987_654, 'no such connection'), false);
  });

  it('keeps a kick reason to one line of at most 200 characters', async () => {
    const carol = await client(team, started, 'carol', { reconnect: false });
    try {
      await carol.connect();
      const { id } = connectionOf('carol') as ConnectionInfo;
      const offline = nextEvent<[ClientState, { error?: ChatError }]>(
        carol,
        'state',
        (state) => state === 'offline',
      );
      assert.equal(started.server.kick(id, `spam\n\x1b[31m\u202e${'x'.repeat(500)}`), true);
      const [, detail] = await offline;
      const message = detail.error?.message ?? '';
      const reason = message.replace(/^server: kicked by the server operator: /, '');
      assert.notEqual(reason, message, message);
      assert.match(reason, /^spam \[31m x+…$/u);
      assert.equal(Array.from(reason).length, 200);
    } finally {
      await carol.close();
    }
  });

  it("lists a socket still in its TLS handshake as 'handshaking' until it closes", async () => {
    const socket = net.connect(started.port, '127.0.0.1');
    socket.on('error', () => {});
    const closed = once(socket, 'close');
    await once(socket, 'connect');
    const pending = () => started.server.stats().connections.find((c) => c.state === 'handshaking');
    await until(() => pending() !== undefined, 'the handshaking socket in stats');
    const info = pending() as ConnectionInfo;
    assert.ok(info.id < 0, `id ${info.id}`);
    assert.deepEqual(
      { ...info, id: 0, connectedAt: 0 },
      {
        id: 0,
        user: undefined,
        address: '127.0.0.1',
        tlsVersion: '',
        cipher: '',
        fingerprint: '',
        connectedAt: 0,
        state: 'handshaking',
        msgsIn: 0,
        msgsOut: 0,
        bytesIn: 0,
        bytesOut: 0,
        queuedBytes: 0,
      },
    );
    assert.ok(Math.abs(info.connectedAt - Date.now()) < 2_000);
    assert.equal(started.server.kick(info.id, 'not yet'), false);
    socket.destroy();
    await closed;
    await until(() => pending() === undefined, 'the handshaking socket to leave stats');
  });
});
