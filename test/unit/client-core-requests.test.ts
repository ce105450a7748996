import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatError } from '../../src/errors.ts';
import { ClientCore, type ClientEffect, type HistoryRequest } from '../../src/net/client-core.ts';
import type { ServerFrameOf } from '../../src/net/protocol/frames.ts';

const LIMITS = {
  maxFrameBytes: 4096,
  maxTextChars: 20,
  ratePerSecond: 5,
  rateBurst: 4,
  maxHistory: 50,
};

function welcome(users: ServerFrameOf<'welcome'>['users'] = []): ServerFrameOf<'welcome'> {
  return {
    type: 'welcome',
    v: 1,
    user: 'alice',
    server: 'chat/test',
    motd: '',
    epoch: 'e1',
    rooms: [{ room: '#general', topic: '', members: ['alice'], lastId: 0 }],
    users,
    limits: LIMITS,
  };
}

/** A core and its clock, a second on between calls, so the pacer never runs dry. */
function harness(maxQueuedCommands = 2) {
  const core = new ClientCore({ clientName: 'test/1', rooms: [], maxQueuedCommands });
  let now = 0;
  const tick = () => {
    now += 1000;
    return now;
  };
  return {
    core,
    /** A welcome, with the pump it asks for; the frames written. */
    welcome(frame = welcome()): unknown[] {
      return writes(
        core.receive(frame, tick()).flatMap((e) => (e.kind === 'pump' ? core.pump(now) : [e])),
      );
    },
    join: (room: string) => core.command({ type: 'join', room }, tick()),
    away: (text: string) => core.away(text, tick()),
    back: () => core.back(tick()),
    send: (ref: string) => core.send({ type: 'send', room: '#general', text: 'hi', ref }, tick()),
    receive: (frame: Parameters<ClientCore['receive']>[0]) => core.receive(frame, tick()),
  };
}

function writes(effects: readonly ClientEffect[]): unknown[] {
  return effects.flatMap((e) => (e.kind === 'write' ? [e.frame] : []));
}

function history(ref: string): HistoryRequest {
  return { type: 'history', room: '#general', limit: 10, ref };
}

describe('ClientCore: commands', () => {
  it('writes a command at once when connected with nothing waiting', () => {
    const h = harness();
    h.welcome();
    const { queued, effects } = h.join('#a');
    assert.equal(queued, false);
    assert.deepEqual(writes(effects), [{ type: 'join', room: '#a' }]);
  });

  it('queues a command offline and writes it after the welcome', () => {
    const h = harness();
    const { queued, effects } = h.join('#a');
    assert.equal(queued, true);
    assert.deepEqual(effects, []);
    assert.deepEqual(h.welcome(), [{ type: 'join', room: '#a' }]);
  });

  it('keeps a command behind a send made before it, across a reconnect', () => {
    const h = harness();
    h.send('r1');
    h.join('#a');
    assert.deepEqual(h.welcome(), [
      { type: 'send', room: '#general', text: 'hi', ref: 'r1' },
      { type: 'join', room: '#a' },
    ]);
  });

  it('refuses a command over the limit of those waiting, and any once closed', () => {
    const h = harness(2);
    h.join('#a');
    h.join('#b');
    assert.throws(
      () => h.join('#c'),
      (e: unknown) =>
        e instanceof ChatError && e.code === 'CONNECT_FAILED' && /2 commands/.test(e.message),
    );
    h.core.close();
    assert.throws(
      () => h.join('#d'),
      (e: unknown) => e instanceof ChatError && e.code === 'CONNECT_FAILED',
    );
  });

  // [case, welcome's users, what waits, expected writes after the reconnect]
  const awayCases: [
    string,
    ServerFrameOf<'welcome'>['users'],
    (h: ReturnType<typeof harness>) => void,
    unknown[],
  ][] = [
    ['says away again after a reconnect', [], () => {}, [{ type: 'away', text: 'lunch' }]],
    [
      'not when another device kept the user away',
      [{ user: 'alice', status: 'away', text: 'lunch' }],
      () => {},
      [],
    ],
    ['not after back()', [], (h) => h.back(), [{ type: 'back' }]],
    ['not twice when a new away waits', [], (h) => h.away('tea'), [{ type: 'away', text: 'tea' }]],
  ];
  for (const [name, users, offline, expected] of awayCases) {
    it(`away: ${name}`, () => {
      const h = harness();
      h.welcome();
      h.away('lunch');
      h.core.disconnected();
      offline(h);
      assert.deepEqual(h.welcome(welcome(users)), expected);
    });
  }
});

describe('ClientCore: history waiters', () => {
  it('rejects at once when not connected', () => {
    const h = harness();
    const [effect] = h.core.history(history('h1'));
    assert.equal(effect?.kind === 'reject' && effect.error.code, 'CONNECT_FAILED');
  });

  it('resolves the request its answer names, and hands the answer on too', () => {
    const h = harness();
    h.welcome();
    assert.deepEqual(writes(h.core.history(history('h1'))), [history('h1')]);
    h.core.history(history('h2'));
    const answer: ServerFrameOf<'history'> = {
      type: 'history',
      room: '#general',
      messages: [],
      more: false,
      ref: 'h2',
    };
    assert.deepEqual(h.receive(answer), [
      { kind: 'answered', ref: 'h2', frame: answer },
      { kind: 'deliver', frame: answer },
    ]);
    assert.deepEqual(h.receive(answer), [{ kind: 'deliver', frame: answer }]);
  });

  it('rejects the request an error names', () => {
    const h = harness();
    h.welcome();
    h.core.history(history('h1'));
    const [effect, ...rest] = h.receive({
      type: 'error',
      code: 'not_member',
      message: 'no',
      ref: 'h1',
    });
    assert.equal(rest.length, 0);
    assert.equal(effect?.kind === 'reject' && effect.ref, 'h1');
    assert.equal(effect?.kind === 'reject' && effect.error.code, 'SERVER_ERROR');
    assert.equal(effect?.kind === 'reject' && effect.error.hint, 'not_member');
  });

  it('rejects every request still waiting when the connection drops', () => {
    const h = harness();
    h.welcome();
    h.core.history(history('h1'));
    h.core.history(history('h2'));
    const effects = h.core.disconnected();
    assert.deepEqual(
      effects.map((e) => (e.kind === 'reject' ? [e.ref, e.error.code] : e.kind)),
      [
        ['h1', 'CONNECT_FAILED'],
        ['h2', 'CONNECT_FAILED'],
      ],
    );
    assert.deepEqual(h.core.disconnected(), []);
  });

  it('stops pacing when the connection drops', () => {
    const h = harness();
    h.welcome();
    for (const ref of ['r1', 'r2', 'r3'])
      h.core.send({ type: 'send', room: '#general', text: 'x', ref }, 1000);
    assert.deepEqual(h.core.disconnected(), [{ kind: 'pace', inMs: undefined }]);
  });
});
