import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatError } from '../../src/errors.ts';
import type { ServerFrameOf } from '../../src/net/protocol/frames.ts';
import { client, collect, makeTeam, startServer } from '../helpers/chat-server.ts';

/**
 * ChatClient.edit, delete and moderate against a real server: each refusal
 * settles its own promise, by ref, and never reaches `serverError`. (Until
 * the server side of issue 17 is in, it refuses these frames; after, it
 * refuses an unknown message and a non-operator's act: either way a ref'd error.)
 */
describe('ChatClient: edit, delete and moderate settle by ref', () => {
  it('rejects each with the server error for its ref', async () => {
    const team = await makeTeam(['alice', 'bob']);
    const started = await startServer(team, { ratePerSecond: 1_000, rateBurst: 1_000 });
    const alice = await client(team, started, 'alice', { rooms: ['#general'] });
    try {
      await alice.connect();
      const stray = collect<ServerFrameOf<'error'>>(alice, 'serverError');
      const refused = (error: unknown) =>
        error instanceof ChatError && error.code === 'SERVER_ERROR' && error.hint !== undefined;
      await assert.rejects(alice.edit('#general', 999_999, 'new text'), refused);
      await assert.rejects(alice.delete('#general', 999_999), refused);
      await assert.rejects(
        alice.moderate({ action: 'kick', room: '#general', user: 'bob', reason: 'test' }),
        refused,
      );
      // The connection is fine after them: a send still goes through.
      const ack = await alice.send('#general', 'still here');
      assert.ok(ack.id > 0);
      assert.deepEqual(stray, []);
    } finally {
      await alice.close();
      await started.server.close();
      await team.dir.cleanup();
    }
  });

  it('rejects at once when closed, without waiting for the timeout', async () => {
    const team = await makeTeam(['alice']);
    const started = await startServer(team);
    const alice = await client(team, started, 'alice', { moderateTimeoutMs: 60_000 });
    try {
      await alice.connect();
      await alice.close();
      await assert.rejects(alice.moderate({ action: 'topic-lock', room: '#general' }), {
        code: 'CONNECT_FAILED',
      });
      await assert.rejects(alice.edit('#general', 1, 'x'), { code: 'CONNECT_FAILED' });
    } finally {
      await started.server.close();
      await team.dir.cleanup();
    }
  });
});
