import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientCore, type ClientEffect, type SearchRequest } from '../../src/net/client-core.ts';
import type { ServerFrameOf } from '../../src/net/protocol/frames.ts';

const WELCOME: ServerFrameOf<'welcome'> = {
  type: 'welcome',
  v: 1,
  user: 'alice',
  server: 'chat/test',
  motd: '',
  epoch: 'e1',
  rooms: [{ room: '#general', topic: '', members: ['alice'], lastId: 0 }],
  users: [],
  limits: { maxFrameBytes: 4096, maxTextChars: 20, ratePerSecond: 5, rateBurst: 4, maxHistory: 50 },
};

function connected(): ClientCore {
  const core = new ClientCore({ clientName: 'test/1', rooms: [], maxQueuedCommands: 2 });
  core.receive(WELCOME, 1000);
  return core;
}

function search(ref: string, extra: Partial<SearchRequest> = {}): SearchRequest {
  return { type: 'search', text: 'deploy friday', ref, ...extra };
}

function rejection(effects: readonly ClientEffect[]): [string, string, string | undefined] {
  assert.equal(effects.length, 1);
  const [effect] = effects;
  assert.ok(effect?.kind === 'reject');
  return [effect.ref, effect.error.code, effect.error.hint];
}

describe('ClientCore: search waiters', () => {
  it('writes the search, and pairs the answer with it by ref; an answer unasked for is dropped', () => {
    const core = connected();
    assert.deepEqual(core.search(search('s1', { room: '@bob', limit: 5 })), [
      { kind: 'write', frame: search('s1', { room: '@bob', limit: 5 }) },
    ]);
    const answer: ServerFrameOf<'search'> = { type: 'search', ref: 's1', messages: [], more: true };
    assert.deepEqual(core.receive(answer, 2000), [{ kind: 'found', ref: 's1', frame: answer }]);
    assert.deepEqual(core.receive(answer, 3000), [], 'once only');
  });

  it('rejects at once when not connected', () => {
    const core = new ClientCore({ clientName: 'test/1', rooms: [], maxQueuedCommands: 2 });
    assert.deepEqual(rejection(core.search(search('s1'))), ['s1', 'CONNECT_FAILED', undefined]);
  });

  it('rejects at once what the server could never take', () => {
    const core = connected();
    for (const bad of [
      search('s1', { text: 'x'.repeat(201) }),
      search('s2', { text: 'two\nlines' }),
      search('s3', { room: 'general' }),
      search('s4', { limit: 101 }),
      search('s5', { limit: 0 }),
      search('s6', { text: '' }),
    ]) {
      const [ref, code] = rejection(core.search(bad));
      assert.equal(ref, bad.ref);
      assert.equal(code, 'INVALID_MESSAGE');
    }
  });

  it('rejects the search an error names, with the code as the hint', () => {
    const core = connected();
    core.search(search('s1', { room: '#secret' }));
    core.search(search('s2'));
    const notMember = core.receive(
      { type: 'error', code: 'not_member', message: 'you are not in #secret', ref: 's1' },
      2000,
    );
    assert.deepEqual(rejection(notMember), ['s1', 'SERVER_ERROR', 'not_member']);
    const failed = core.receive(
      { type: 'error', code: 'store_failed', message: 'could not read', ref: 's2' },
      3000,
    );
    assert.deepEqual(rejection(failed), ['s2', 'SERVER_ERROR', 'store_failed']);
  });

  it('rejects the searches still waiting when the connection drops', () => {
    const core = connected();
    core.search(search('s1'));
    core.search(search('s2'));
    assert.deepEqual(
      core.disconnected().map((e) => (e.kind === 'reject' ? [e.ref, e.error.code] : e.kind)),
      [
        ['s1', 'CONNECT_FAILED'],
        ['s2', 'CONNECT_FAILED'],
      ],
    );
    assert.deepEqual(core.disconnected(), []);
  });
});
