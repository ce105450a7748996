import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientCore, type ClientEffect } from '../../src/net/client-core.ts';
import type { ServerFrameOf } from '../../src/net/protocol/frames.ts';

const WELCOME: ServerFrameOf<'welcome'> = {
  type: 'welcome',
  v: 1,
  user: 'alice',
  server: 'chat/test',
  motd: '',
  epoch: 'e1',
  rooms: [],
  users: [],
  limits: { maxFrameBytes: 4096, maxTextChars: 20, ratePerSecond: 5, rateBurst: 4, maxHistory: 50 },
};

const LIST: ServerFrameOf<'list'> = {
  type: 'list',
  ref: 'q1',
  rooms: [{ room: '#general', members: 2, topic: '' }],
  more: false,
};
const WHOIS: ServerFrameOf<'whois'> = {
  type: 'whois',
  ref: 'q2',
  user: 'bob',
  online: false,
  devices: 0,
  status: 'offline',
  fingerprints: [],
};

function offline(): ClientCore {
  return new ClientCore({ clientName: 'test/1', rooms: [], maxQueuedCommands: 2 });
}

function connected(): ClientCore {
  const core = offline();
  core.receive(WELCOME, 1000);
  return core;
}

function rejections(effects: readonly ClientEffect[]): Array<[string, string, string | undefined]> {
  return effects.flatMap((e) => (e.kind === 'reject' ? [[e.ref, e.error.code, e.error.hint]] : []));
}

describe('ClientCore: list and whois paired by ref', () => {
  it('writes each question and pairs its answer by ref and type; once only', () => {
    const core = connected();
    assert.deepEqual(core.query({ type: 'list', ref: 'q1' }), [
      { kind: 'write', frame: { type: 'list', ref: 'q1' } },
    ]);
    assert.deepEqual(core.query({ type: 'whois', user: 'bob', ref: 'q2' }), [
      { kind: 'write', frame: { type: 'whois', user: 'bob', ref: 'q2' } },
    ]);
    assert.deepEqual(
      core.receive({ ...WHOIS, ref: 'q1' }, 2000),
      [],
      'a whois does not answer a list',
    );
    assert.deepEqual(core.receive(WHOIS, 2000), [{ kind: 'replied', ref: 'q2', frame: WHOIS }]);
    assert.deepEqual(core.receive(LIST, 2000), [{ kind: 'replied', ref: 'q1', frame: LIST }]);
    assert.deepEqual(core.receive(LIST, 3000), [], 'once only');
  });

  it('rejects at once when not connected', () => {
    assert.deepEqual(rejections(offline().query({ type: 'list', ref: 'q1' })), [
      ['q1', 'CONNECT_FAILED', undefined],
    ]);
  });

  it('rejects with the server error carrying the ref, its code as the hint', () => {
    const core = connected();
    core.query({ type: 'whois', user: 'dave', ref: 'q2' });
    const effects = core.receive(
      { type: 'error', code: 'unknown_user', message: 'dave is not a user', ref: 'q2' },
      2000,
    );
    assert.deepEqual(rejections(effects), [['q2', 'SERVER_ERROR', 'unknown_user']]);
  });

  it('rejects what waits when the connection drops; a late answer is dropped', () => {
    const core = connected();
    core.query({ type: 'list', ref: 'q1' });
    core.query({ type: 'whois', user: 'bob', ref: 'q2' });
    const lost = core.disconnected().filter((e) => e.kind === 'reject');
    assert.deepEqual(
      lost.map((e) => e.kind === 'reject' && [e.ref, e.error.message]),
      [
        ['q1', 'the connection dropped before the list answer arrived'],
        ['q2', 'the connection dropped before the whois answer arrived'],
      ],
    );
    core.receive(WELCOME, 3000);
    assert.deepEqual(core.receive(LIST, 4000), []);
  });
});
