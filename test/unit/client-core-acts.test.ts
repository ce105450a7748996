import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatError } from '../../src/errors.ts';
import { ClientCore, type ClientEffect } from '../../src/net/client-core.ts';
import type { ServerFrameOf } from '../../src/net/protocol/frames.ts';

const WELCOME: ServerFrameOf<'welcome'> = {
  type: 'welcome',
  v: 1,
  user: 'alice',
  server: 'chat/test',
  motd: '',
  epoch: 'e1',
  rooms: [{ room: '#ops', topic: '', members: ['alice', 'bob'], lastId: 3 }],
  users: [],
  limits: { maxFrameBytes: 4096, maxTextChars: 20, ratePerSecond: 5, rateBurst: 4, maxHistory: 50 },
};

function offline(): ClientCore {
  return new ClientCore({ clientName: 'test/1', rooms: ['#ops'], maxQueuedCommands: 2 });
}

function connected(): ClientCore {
  const core = offline();
  core.receive(WELCOME, 1000);
  return core;
}

function rejections(effects: readonly ClientEffect[]): Array<[string, string, string | undefined]> {
  return effects.flatMap((e) => (e.kind === 'reject' ? [[e.ref, e.error.code, e.error.hint]] : []));
}

function moderated(fields: Partial<ServerFrameOf<'moderated'>> = {}): ServerFrameOf<'moderated'> {
  return {
    type: 'moderated',
    action: 'kick',
    room: '#ops',
    user: 'bob',
    by: 'alice',
    ts: 2000,
    ...fields,
  };
}

describe('ClientCore: edit and delete settled by ack or error', () => {
  it('writes an edit and a delete and pairs each ack by ref', () => {
    const core = connected();
    const edit = { type: 'edit', room: '#ops', id: 3, text: 'fixed', ref: 'e1' } as const;
    assert.deepEqual(core.amend(edit), [{ kind: 'write', frame: edit }]);
    const del = { type: 'delete', room: '@bob', id: 2, ref: 'd1' } as const;
    assert.deepEqual(core.amend(del), [{ kind: 'write', frame: del }]);
    assert.deepEqual(core.receive({ type: 'ack', ref: 'd1', id: 2, ts: 5 }, 2000), [
      { kind: 'acked', ref: 'd1', id: 2, ts: 5 },
    ]);
    assert.deepEqual(core.receive({ type: 'ack', ref: 'e1', id: 3, ts: 6 }, 2000), [
      { kind: 'acked', ref: 'e1', id: 3, ts: 6 },
    ]);
    assert.deepEqual(core.receive({ type: 'ack', ref: 'e1', id: 3, ts: 6 }, 2000), [], 'once');
  });

  it('rejects with the server error carrying the ref, its code as the hint', () => {
    const core = connected();
    core.amend({ type: 'edit', room: '#ops', id: 1, text: 'x', ref: 'e1' });
    const effects = core.receive(
      { type: 'error', code: 'not_author', message: 'not yours', ref: 'e1' },
      2000,
    );
    assert.deepEqual(rejections(effects), [['e1', 'SERVER_ERROR', 'not_author']]);
  });

  it('rejects at once offline, or a text longer than the server takes', () => {
    assert.deepEqual(
      rejections(offline().amend({ type: 'delete', room: '#ops', id: 1, ref: 'd1' })),
      [['d1', 'CONNECT_FAILED', undefined]],
    );
    const long = { type: 'edit', room: '#ops', id: 1, text: 'x'.repeat(21), ref: 'e2' } as const;
    assert.deepEqual(rejections(connected().amend(long)), [
      ['e2', 'INVALID_MESSAGE', 'shorten or fix the text'],
    ]);
  });

  it('rejects what waits when the connection drops', () => {
    const core = connected();
    core.amend({ type: 'delete', room: '#ops', id: 1, ref: 'd1' });
    assert.deepEqual(rejections(core.disconnected()), [['d1', 'CONNECT_FAILED', undefined]]);
  });
});

describe('ClientCore: an operator act settled by its moderated frame', () => {
  it('settles the act whose action, room and user the frame shows, and delivers the frame', () => {
    const core = connected();
    const kick = {
      type: 'moderate',
      action: 'kick',
      room: '#ops',
      user: 'bob',
      reason: 'off topic',
      ref: 'm1',
    } as const;
    assert.deepEqual(core.moderate(kick), [{ kind: 'write', frame: kick }]);
    core.moderate({ type: 'moderate', action: 'mute', room: '#ops', user: 'bob', ref: 'm2' });
    const other = moderated({ user: 'carol' });
    assert.deepEqual(core.receive(other, 2000), [{ kind: 'deliver', frame: other }]);
    const frame = moderated({ reason: 'off topic' });
    assert.deepEqual(core.receive(frame, 2000), [
      { kind: 'done', ref: 'm1', frame },
      { kind: 'deliver', frame },
    ]);
    const server = moderated({ action: 'ban', room: undefined });
    assert.deepEqual(core.receive(server, 2000), [{ kind: 'deliver', frame: server }]);
  });

  it('rejects on an error with its ref, and on forget (a timeout) only while it waits', () => {
    const core = connected();
    core.moderate({ type: 'moderate', action: 'op', room: '#ops', user: 'bob', ref: 'm1' });
    const refused = core.receive(
      { type: 'error', code: 'not_operator', message: 'no', ref: 'm1' },
      2000,
    );
    assert.deepEqual(rejections(refused), [['m1', 'SERVER_ERROR', 'not_operator']]);
    core.moderate({ type: 'moderate', action: 'topic-lock', room: '#ops', ref: 'm2' });
    const late = new ChatError('SERVER_ERROR', 'late');
    assert.deepEqual(rejections(core.forget('m2', late)), [['m2', 'SERVER_ERROR', undefined]]);
    assert.deepEqual(core.forget('m2', late), []);
  });

  it('rejects a malformed act at once', () => {
    const effects = connected().moderate({
      type: 'moderate',
      action: 'ban',
      room: '#ops',
      user: 'bob',
      duration: 0,
      ref: 'm1',
    });
    assert.deepEqual(
      rejections(effects).map(([ref, code]) => [ref, code]),
      [['m1', 'INVALID_MESSAGE']],
    );
  });

  it('forgets a room the user is kicked or banned from, so the next hello does not join it', () => {
    const core = connected();
    assert.equal(core.rooms.has('#ops'), true);
    core.receive(moderated({ user: 'alice', by: 'bob' }), 2000);
    assert.equal(core.rooms.has('#ops'), false);
    assert.equal(core.hello().resume?.['#ops'], undefined);
  });
});
