import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientFrame, ServerFrame } from '../../src/net/protocol/frames.ts';
import { ChatCore } from '../../src/server/chat-core.ts';
import type { ConnId, Effect } from '../../src/server/core-effects.ts';
import type { CoreOptions } from '../../src/server/core-state.ts';
import { testCoreOptions } from '../helpers/core-options.ts';

const OPTIONS: CoreOptions = testCoreOptions(
  { maxDevicesPerUser: 3, refMemory: 3, epoch: 'e', hasCertificate: (user) => user === 'carol' },
  { rateBurst: 3 },
);

const PRINT_A = Array.from({ length: 32 }, () => 'AA').join(':');
const PRINT_B = Array.from({ length: 32 }, () => 'B1').join(':');

/** The one frame the core sends back to `conn`. */
function answerTo(conn: ConnId, effects: Effect[]): ServerFrame {
  const mine = effects.filter((e) => e.kind === 'frames' && e.to.includes(conn));
  assert.equal(mine.length, 1, JSON.stringify(effects));
  const [only] = mine;
  assert.ok(only?.kind === 'frames');
  return only.frame;
}

function core(): ChatCore {
  return new ChatCore(OPTIONS);
}

const hello = { type: 'hello', v: 1, client: 't' } as const;
const ask = (c: ChatCore, conn: ConnId, frame: ClientFrame, now: number) =>
  answerTo(conn, c.receive(conn, frame, now));

describe('ChatCore list', () => {
  it('names every room with members or a topic, sorted, with counts and topics', () => {
    const c = core();
    c.hello(1, 'alice', { ...hello, join: ['#zed', '#ops'] }, 0, PRINT_A);
    c.hello(2, 'bob', { ...hello, join: ['#ops'] }, 0, PRINT_B);
    c.receive(2, { type: 'topic', room: '#ops', text: 'pager rota' }, 1000);
    c.receive(1, { type: 'join', room: '#gone' }, 2000);
    c.receive(1, { type: 'part', room: '#gone' }, 3000);
    c.receive(1, { type: 'part', room: '#ops' }, 4000);
    c.receive(2, { type: 'part', room: '#ops' }, 4000);
    assert.deepEqual(ask(c, 1, { type: 'list', ref: 'r1' }, 5000), {
      type: 'list',
      ref: 'r1',
      // #gone has neither members nor a topic now; #ops has a topic and no one.
      rooms: [
        { room: '#ops', members: 0, topic: 'pager rota' },
        { room: '#zed', members: 1, topic: '' },
      ],
      more: false,
    });
  });

  it('costs a token like any frame: over the rate it is dropped with its ref', () => {
    const c = core();
    c.hello(1, 'alice', hello, 0);
    for (let i = 0; i < 3; i++) c.receive(1, { type: 'list', ref: `r${i}` }, 0);
    const over = ask(c, 1, { type: 'list', ref: 'r9' }, 0);
    assert.equal(over.type, 'error');
    assert.equal(over.type === 'error' && over.code, 'rate_limited');
    assert.equal(over.type === 'error' && over.ref, 'r9');
  });
});

describe('ChatCore whois', () => {
  it('tells devices, away text, idle time from any device and distinct sorted fingerprints', () => {
    const c = core();
    c.hello(1, 'alice', hello, 0, PRINT_A);
    c.hello(2, 'bob', hello, 0, PRINT_B);
    c.hello(3, 'bob', hello, 1000, PRINT_A);
    c.hello(4, 'bob', hello, 1500, PRINT_B);
    c.receive(3, { type: 'away', text: 'lunch' }, 2000);
    // A ping is a client's timer, not the user: it leaves the idle time alone.
    c.receive(2, { type: 'ping', ref: 'p' }, 9000);
    assert.deepEqual(ask(c, 1, { type: 'whois', user: 'bob', ref: 'w' }, 12_000), {
      type: 'whois',
      ref: 'w',
      user: 'bob',
      online: true,
      devices: 3,
      status: 'away',
      text: 'lunch',
      idleMs: 10_000,
      fingerprints: [PRINT_A, PRINT_B],
    });
  });

  it('answers for a known user who is offline: no devices, no fingerprints, idle since their last frame', () => {
    const c = core();
    c.hello(1, 'alice', hello, 0, PRINT_A);
    c.hello(2, 'bob', hello, 0, PRINT_B);
    c.receive(2, { type: 'away', text: 'gone' }, 1000);
    c.disconnect(2, 5000);
    assert.deepEqual(ask(c, 1, { type: 'whois', user: 'bob', ref: 'w' }, 61_000), {
      type: 'whois',
      ref: 'w',
      user: 'bob',
      online: false,
      devices: 0,
      status: 'offline',
      idleMs: 60_000,
      fingerprints: [],
    });
  });

  it('answers for a user with a certificate on file never seen: no idle time', () => {
    const c = core();
    c.hello(1, 'alice', hello, 0, PRINT_A);
    const answer = ask(c, 1, { type: 'whois', user: 'carol', ref: 'w' }, 1000);
    assert.equal(answer.type === 'whois' && answer.online, false);
    assert.equal(answer.type === 'whois' && 'idleMs' in answer, false);
  });

  it('answers oneself', () => {
    const c = core();
    c.hello(1, 'alice', hello, 0, PRINT_A);
    const answer = ask(c, 1, { type: 'whois', user: 'alice', ref: 'w' }, 3000);
    assert.equal(answer.type === 'whois' && answer.idleMs, 0);
    assert.deepEqual(answer.type === 'whois' && answer.fingerprints, [PRINT_A]);
  });

  it('refuses a name neither known nor online with unknown_user and the ref', () => {
    const c = core();
    c.hello(1, 'alice', hello, 0, PRINT_A);
    assert.deepEqual(ask(c, 1, { type: 'whois', user: 'dave', ref: 'w7' }, 1000), {
      type: 'error',
      code: 'unknown_user',
      message: 'dave is not a user of this server (no certificate, never connected)',
      ref: 'w7',
    });
  });
});
