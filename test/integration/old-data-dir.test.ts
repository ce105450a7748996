import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { conversationOf } from '../../src/server/conversations.ts';
import { DiskHistory } from '../../src/server/history/disk-history.ts';
import { historyDir } from '../../src/server/history/history-for-server.ts';
import { FIXTURE_MESSAGES } from '../fixtures/make-data-before-i16.ts';
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
    } finally {
      await store.close();
    }
  });
});
