import assert from 'node:assert/strict';
import { copyFile, cp } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { conversationOf } from '../../src/server/conversations.ts';
import { DiskHistory } from '../../src/server/history/disk-history.ts';
import { historyDir } from '../../src/server/history/history-for-server.ts';
import { FIXTURE_MESSAGES } from '../fixtures/make-data-before-i16.ts';
import { makeTeam, rawConnection, startServer } from '../helpers/chat-server.ts';
import { tempDir } from '../helpers/pki.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/data-before-i16', import.meta.url));

describe('a data directory written before issue 16', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir();
    // A copy: opening takes the lock and may repair, and the fixture stays as it was made.
    await cp(FIXTURE, dir.path, { recursive: true });
  });
  after(() => dir.cleanup());

  it('opens with today’s code and reads every message', async () => {
    const { store } = await DiskHistory.open({
      dir: historyDir(join(dir.path, 'data')),
      key: { kind: 'key-file', path: join(dir.path, 'certs', 'history.key') },
      limits: { cache: 1_000, keepDays: 0, keepMessages: 0 },
    });
    try {
      for (const conversation of ['#general', '#dev', 'dm:alice:bob']) {
        const page = await store.before(conversation, undefined, 100);
        const wanted = FIXTURE_MESSAGES.filter((m) => conversationOf(m) === conversation);
        assert.deepEqual(page.messages, wanted, conversation);
      }
      assert.deepEqual(
        await store.lastIds(),
        new Map([
          ['#general', 3],
          ['#dev', 1],
          ['dm:alice:bob', 1],
        ]),
      );
      // No state.bin then: nothing kept yet, no topics, no read positions.
      assert.deepEqual(await store.readState(), { topics: [], users: [] });
    } finally {
      await store.close();
    }
  });

  it('serves it: bob, never seen by this state, gets everything kept as unread', async () => {
    const team = await makeTeam(['alice', 'bob']);
    // The fixture's key in the team's certs folder, where the server looks for it.
    await copyFile(join(dir.path, 'certs', 'history.key'), team.ctx.layout.historyKey);
    const { store } = await DiskHistory.open({
      dir: historyDir(join(dir.path, 'data')),
      key: { kind: 'key-file', path: team.ctx.layout.historyKey },
      limits: { cache: 1_000, keepDays: 0, keepMessages: 0 },
    });
    const started = await startServer(team, {}, store);
    const bob = await rawConnection(started, await team.credentials('bob'));
    try {
      bob.socket.write(
        `${JSON.stringify({ type: 'hello', v: 1, client: 'test/1', backlog: 10 })}\n`,
      );
      const welcome = await bob.nextFrame();
      assert.ok(welcome.type === 'welcome');
      assert.deepEqual(
        welcome.rooms.map((r) => [r.room, r.topic, r.lastId]),
        [['#general', '', 3]],
      );
      const unread = await bob.nextFrame();
      assert.ok(unread.type === 'unread');
      assert.equal(unread.since, undefined);
      assert.deepEqual(
        unread.conversations.map((c) => [c.room, c.read, c.unread, c.mentions]),
        [
          // bob's own "hi alice" is not unread.
          ['#general', 0, 2, 0],
          ['@alice', 0, 1, 1],
        ],
      );
      const pages = [await bob.nextFrame(), await bob.nextFrame()];
      assert.deepEqual(
        pages.map((f) => (f.type === 'history' ? [f.room, f.messages.length] : f.type)),
        [
          ['#general', 3],
          ['@alice', 1],
        ],
      );
    } finally {
      bob.socket.destroy();
      await bob.closed;
      await started.server.close();
      await team.dir.cleanup();
    }
  });
});
