import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatError } from '../../src/errors.ts';
import { ClientCore, type ClientEffect } from '../../src/net/client-core.ts';
import type { SendFrame } from '../../src/net/outbox.ts';
import type { ServerFrame, ServerFrameOf } from '../../src/net/protocol/frames.ts';

// Paced at 4 frames a second (80 % of 5) in bursts of 2: a token every 250 ms.
const LIMITS = {
  maxFrameBytes: 4096,
  maxTextChars: 20,
  ratePerSecond: 5,
  rateBurst: 4,
  maxHistory: 50,
};

const GONE = new ChatError('CONNECT_FAILED', 'the server is gone');

function welcome(
  rooms: Record<string, number>,
  extra: Partial<ServerFrameOf<'welcome'>> = {},
): ServerFrameOf<'welcome'> {
  return {
    type: 'welcome',
    v: 1,
    user: 'alice',
    server: 'chat/test',
    motd: '',
    epoch: 'e1',
    rooms: Object.entries(rooms).map(([room, lastId]) => ({
      room,
      topic: '',
      members: ['alice'],
      lastId,
    })),
    users: [{ user: 'alice', status: 'online' }],
    limits: LIMITS,
    ...extra,
  };
}

function msg(room: string, id: number): ServerFrameOf<'msg'> {
  return { type: 'msg', id, ts: id, room, from: 'bob', text: `m${id}` };
}

function send(ref: string, text = 'hi'): Extract<SendFrame, { type: 'send' }> {
  return { type: 'send', room: '#general', text, ref };
}

/** A core and a clock that moves a second before every call, so the pacer never runs dry unless a test says so. */
class Harness {
  readonly core: ClientCore;
  now = 0;

  constructor(rooms: string[] = ['#general'], maxQueuedCommands = 3) {
    this.core = new ClientCore({ clientName: 'test/1', rooms, maxQueuedCommands });
  }

  receive(frame: ServerFrame, stepMs = 1000): ClientEffect[] {
    this.now += stepMs;
    return this.core.receive(frame, this.now);
  }

  /** A welcome followed by the pump its effects ask for. */
  welcome(frame: ServerFrameOf<'welcome'>): ClientEffect[] {
    const effects = this.receive(frame);
    return effects.flatMap((e) => (e.kind === 'pump' ? this.core.pump(this.now) : [e]));
  }

  send(frame: SendFrame, stepMs = 1000): ClientEffect[] {
    this.now += stepMs;
    return this.core.send(frame, this.now);
  }
}

/** The frames written, in order. */
function writes(effects: readonly ClientEffect[]): unknown[] {
  return effects.flatMap((e) => (e.kind === 'write' ? [e.frame] : []));
}

/** Only the effects of these kinds. */
function only(effects: readonly ClientEffect[], ...kinds: ClientEffect['kind'][]): ClientEffect[] {
  return effects.filter((e) => kinds.includes(e.kind));
}

describe('ClientCore: hello and resume positions', () => {
  it('joins the rooms asked for at first, then resumes from the last ids seen', () => {
    const h = new Harness(['#a', '#b']);
    assert.deepEqual(h.core.hello(), { type: 'hello', v: 1, client: 'test/1', join: ['#a', '#b'] });
    h.welcome(welcome({ '#a': 5, '#b': 0 }));
    h.receive(msg('#a', 6));
    h.receive({ type: 'dm', id: 3, ts: 3, from: 'bob', to: 'alice', text: 'x' });
    h.receive({ type: 'dm', id: 9, ts: 9, from: 'alice', to: 'carol', text: 'y' });
    h.core.disconnected();
    assert.deepEqual(h.core.hello(), {
      type: 'hello',
      v: 1,
      client: 'test/1',
      resume: { '#a': 6, '#b': 0, '@carol': 9, '@bob': 3 },
      epoch: 'e1',
    });
  });

  it('sends an empty resume for a user who left every room', () => {
    const h = new Harness([]);
    assert.deepEqual(h.core.hello(), { type: 'hello', v: 1, client: 'test/1' });
    h.welcome(welcome({ '#general': 2 }));
    h.receive({ type: 'left', room: '#general', user: 'alice', ts: 1, reason: 'part' });
    assert.deepEqual(h.core.hello(), {
      type: 'hello',
      v: 1,
      client: 'test/1',
      resume: {},
      epoch: 'e1',
    });
  });

  // [case, first welcome, messages seen, second welcome, expected lastSeen after it]
  const cases: [
    string,
    ServerFrameOf<'welcome'>,
    number,
    ServerFrameOf<'welcome'>,
    Record<string, number>,
  ][] = [
    [
      'a resumed room keeps its last id, so the replay is not dropped',
      welcome({ '#general': 2 }),
      4,
      welcome({ '#general': 9 }),
      { '#general': 4 },
    ],
    [
      'a room met for the first time starts at its newest id',
      welcome({ '#general': 2 }),
      2,
      welcome({ '#general': 9, '#new': 7 }),
      { '#general': 2, '#new': 7 },
    ],
    [
      'another epoch: the server lost its history, every position starts over',
      welcome({ '#general': 2 }),
      4,
      welcome({ '#general': 1 }, { epoch: 'e2' }),
      { '#general': 0 },
    ],
    [
      'the same epoch with ids behind keeps the position (messages still being stored)',
      welcome({ '#general': 2 }),
      4,
      welcome({ '#general': 1 }),
      { '#general': 4 },
    ],
    [
      'no epoch and ids that went back: start at the newest id',
      welcome({ '#general': 2 }, { epoch: undefined }),
      4,
      welcome({ '#general': 1 }, { epoch: undefined }),
      { '#general': 1 },
    ],
  ];
  for (const [name, first, seenUpTo, second, expected] of cases) {
    it(name, () => {
      const h = new Harness();
      h.welcome(first);
      for (let id = 3; id <= seenUpTo; id++) h.receive(msg('#general', id));
      h.core.disconnected();
      h.welcome(second);
      assert.deepEqual(Object.fromEntries(h.core.lastSeen), expected);
    });
  }

  it('replays the whole room after an epoch change, deduplicating within it', () => {
    const h = new Harness();
    h.welcome(welcome({ '#general': 3 }));
    h.core.disconnected();
    h.welcome(welcome({ '#general': 2 }, { epoch: 'e2' }));
    const delivered = [1, 2, 2, 1, 3].map(
      (id) => only(h.receive(msg('#general', id)), 'deliver').length,
    );
    assert.deepEqual(delivered, [1, 1, 0, 0, 1]);
  });
});

describe('ClientCore: frames', () => {
  // [case, frame, delivered?]: after a welcome at #general 5.
  const dedup: [string, ServerFrame, boolean][] = [
    ['a new message', msg('#general', 6), true],
    ['a replayed message', msg('#general', 5), false],
    ['an older message', msg('#general', 1), false],
    ['a message of a room never seen', msg('#other', 1), true],
    ['a dm from a peer', { type: 'dm', id: 1, ts: 1, from: 'bob', to: 'alice', text: 'x' }, true],
  ];
  for (const [name, frame, delivered] of dedup) {
    it(`${delivered ? 'delivers' : 'drops'} ${name}`, () => {
      const h = new Harness();
      h.welcome(welcome({ '#general': 5 }));
      assert.deepEqual(h.receive(frame), delivered ? [{ kind: 'deliver', frame }] : []);
    });
  }

  it('keys a dm by the peer, for the echo of its own as for one received', () => {
    const h = new Harness();
    h.welcome(welcome({ '#general': 0 }));
    const out = { type: 'dm', id: 4, ts: 4, from: 'alice', to: 'bob', text: 'x' } as const;
    const back = { type: 'dm', id: 4, ts: 4, from: 'bob', to: 'alice', text: 'y' } as const;
    assert.equal(h.receive(out).length, 1);
    assert.deepEqual(h.receive(back), []);
    assert.equal(h.core.lastSeen.get('@bob'), 4);
  });

  it('moves the position of a room joined to its newest id, but not on a repeated join', () => {
    const h = new Harness();
    h.welcome(welcome({ '#general': 0 }));
    const state = (lastId: number) => ({ room: '#dev', topic: '', members: ['alice'], lastId });
    h.receive({ type: 'joined', room: '#dev', user: 'alice', ts: 1, state: state(7) });
    h.receive({ type: 'joined', room: '#dev', user: 'alice', ts: 2, state: state(9) });
    h.receive({ type: 'joined', room: '#ops', user: 'bob', ts: 3 });
    assert.deepEqual([...h.core.rooms], ['#general', '#dev']);
    assert.equal(h.core.lastSeen.get('#dev'), 7);
    h.receive({ type: 'left', room: '#dev', user: 'bob', ts: 4, reason: 'quit' });
    assert.deepEqual([...h.core.rooms], ['#general', '#dev']);
    h.receive({ type: 'left', room: '#dev', user: 'alice', ts: 5, reason: 'part' });
    assert.deepEqual([...h.core.rooms], ['#general']);
  });

  it('answers a server ping only while connected', () => {
    const h = new Harness();
    assert.deepEqual(h.receive({ type: 'ping', ref: 'x' }), []);
    h.welcome(welcome({}));
    assert.deepEqual(writes(h.receive({ type: 'ping', ref: 'x' })), [{ type: 'pong', ref: 'x' }]);
  });

  it('measures the round trip of its own ping only', () => {
    const h = new Harness();
    h.welcome(welcome({}));
    assert.deepEqual(writes(h.core.ping('p1', h.now)), [{ type: 'ping', ref: 'p1' }]);
    assert.deepEqual(h.receive({ type: 'pong', ref: 'other' }, 10), []);
    assert.deepEqual(h.receive({ type: 'pong', ref: 'p1' }, 30), [{ kind: 'rtt', ms: 40 }]);
    assert.deepEqual(h.receive({ type: 'pong', ref: 'p1' }), []);
  });

  it('passes a fatal error on as the failure, forgetting the password only when it was wrong', () => {
    const h = new Harness();
    const [wrong] = h.receive({ type: 'error', code: 'auth_failed', message: 'no', fatal: true });
    assert.equal(wrong?.kind === 'fatal' && wrong.forgetPassword, true);
    const [other] = h.receive({
      type: 'error',
      code: 'shutting_down',
      message: 'bye',
      fatal: true,
    });
    assert.equal(other?.kind === 'fatal' && other.forgetPassword, false);
  });

  it('delivers an error that no pending call claims', () => {
    const h = new Harness();
    const error = { type: 'error', code: 'no_such_room', message: 'no', ref: 'unknown' } as const;
    assert.deepEqual(h.receive(error), [{ kind: 'deliver', frame: error }]);
  });

  it('welcomes with connected, the welcome, then a pump, in that order', () => {
    const h = new Harness();
    const frame = welcome({});
    assert.deepEqual(h.receive(frame), [
      { kind: 'connected' },
      { kind: 'deliver', frame },
      { kind: 'pump' },
    ]);
  });
});

describe('ClientCore: sends and the outbox', () => {
  it('settles acks by ref, in whatever order they come, and ignores unknown ones', () => {
    const h = new Harness();
    h.welcome(welcome({}));
    for (const ref of ['r1', 'r2', 'r3']) h.send(send(ref));
    const acks = ['r2', 'r9', 'r1', 'r3', 'r1'].map((ref) =>
      h.receive({ type: 'ack', ref, id: 1, ts: 2 }),
    );
    assert.deepEqual(acks, [
      [{ kind: 'acked', ref: 'r2', id: 1, ts: 2 }],
      [],
      [{ kind: 'acked', ref: 'r1', id: 1, ts: 2 }],
      [{ kind: 'acked', ref: 'r3', id: 1, ts: 2 }],
      [],
    ]);
  });

  it('keeps sends made offline and writes them in order once welcomed', () => {
    const h = new Harness();
    assert.deepEqual(h.send(send('r1')), []);
    assert.deepEqual(h.send(send('r2')), []);
    assert.deepEqual(writes(h.welcome(welcome({}))), [send('r1'), send('r2')]);
  });

  it('writes again after a reconnect only what was not acknowledged', () => {
    const h = new Harness();
    h.welcome(welcome({}));
    for (const ref of ['r1', 'r2', 'r3']) h.send(send(ref));
    h.receive({ type: 'ack', ref: 'r2', id: 1, ts: 1 });
    h.core.disconnected();
    assert.deepEqual(writes(h.welcome(welcome({}))), [send('r1'), send('r3')]);
  });

  it('paces a burst at the server rate: a token every 250 ms after a burst of 2', () => {
    const h = new Harness();
    h.welcome(welcome({}));
    const burst = ['r1', 'r2', 'r3', 'r4'].map((ref) => h.send(send(ref), 0));
    assert.deepEqual(burst.map(writes), [[send('r1')], [send('r2')], [], []]);
    assert.deepEqual(burst[2], [{ kind: 'pace', inMs: 250 }]);
    h.now += 250;
    const tick = h.core.tick(h.now);
    assert.deepEqual(tick, [
      { kind: 'write', frame: send('r3') },
      { kind: 'pace', inMs: 250 },
    ]);
    h.now += 250;
    assert.deepEqual(h.core.tick(h.now), [{ kind: 'write', frame: send('r4') }]);
  });

  it('writes a send the server dropped as rate_limited again, asking for one tick', () => {
    const h = new Harness();
    h.welcome(welcome({}));
    h.send(send('r1'));
    const limited = {
      type: 'error',
      code: 'rate_limited',
      message: 'slow down',
      ref: 'r1',
    } as const;
    assert.deepEqual(h.receive(limited), [{ kind: 'pace', inMs: 250 }]);
    assert.deepEqual(h.receive(limited), []);
    assert.deepEqual(h.core.tick(h.now), [{ kind: 'write', frame: send('r1') }]);
    assert.deepEqual(h.receive({ type: 'ack', ref: 'r1', id: 1, ts: 1 }), [
      { kind: 'acked', ref: 'r1', id: 1, ts: 1 },
    ]);
  });

  // [case, set-up, the send, error code]
  const refused: [string, (h: Harness) => ClientEffect[], string][] = [
    [
      'the server refuses it',
      (h) => {
        h.send(send('r1'));
        return h.receive({ type: 'error', code: 'not_member', message: 'join first', ref: 'r1' });
      },
      'SERVER_ERROR',
    ],
    [
      'its text is longer than the server takes',
      (h) => h.send(send('r1', 'x'.repeat(21))),
      'INVALID_MESSAGE',
    ],
    [
      'its room is no room name',
      (h) => h.send({ ...send('r1'), room: 'general' }),
      'INVALID_MESSAGE',
    ],
    [
      'the client is closed',
      (h) => {
        h.core.close();
        return h.send(send('r1'));
      },
      'CONNECT_FAILED',
    ],
  ];
  for (const [name, act, code] of refused) {
    it(`rejects a send when ${name}`, () => {
      const h = new Harness();
      h.welcome(welcome({}));
      const effects = act(h);
      assert.equal(effects.length, 1);
      const [effect] = effects;
      assert.equal(effect?.kind, 'reject');
      assert.equal(effect?.kind === 'reject' && effect.ref, 'r1');
      assert.equal(effect?.kind === 'reject' && effect.error.code, code);
    });
  }

  it('rejects every waiting send on close and on a final failure, and drops commands', () => {
    for (const end of ['close', 'fail'] as const) {
      const h = new Harness();
      h.send(send('r1'));
      h.core.command({ type: 'join', room: '#a' }, h.now);
      h.send(send('r2'));
      const effects = end === 'close' ? h.core.close() : h.core.fail(GONE);
      assert.deepEqual(
        effects.map((e) => (e.kind === 'reject' ? e.ref : e.kind)),
        ['r1', 'r2'],
      );
      assert.deepEqual(h.core.fail(GONE), []);
    }
  });
});
