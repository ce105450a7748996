import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DiskHistory } from '../../src/server/history/disk-history.ts';
import type { HistoryKeySource } from '../../src/server/history/history-key-source.ts';
import { openHistory } from '../../src/server/history/open-history.ts';
import { STATE_FILE } from '../../src/server/history/state-file.ts';
import type { KeptState } from '../../src/server/kept-state.ts';
import { tempDir } from '../helpers/pki.ts';

const LIMITS = { cache: 4, keepDays: 0, keepMessages: 0 };

const STATE: KeptState = {
  topics: [['#general', { text: 'Release on Friday', by: 'alice', ts: 1_700_000_000_000 }]],
  users: [
    [
      'alice',
      {
        rooms: ['#general', '#ops'],
        reads: [
          ['#general', 12],
          ['dm:alice:bob', 3],
        ],
        goneAt: 1_700_000_100_000,
      },
    ],
    ['bob', { rooms: [], reads: [] }],
  ],
};

describe('state.bin, the kept state beside the history', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let key: HistoryKeySource;
  let n = 0;
  const fresh = () => join(tmp.path, `store-${++n}`);

  before(async () => {
    tmp = await tempDir();
    const path = join(tmp.path, 'history.key');
    await writeFile(path, randomBytes(32), { mode: 0o600 });
    key = { kind: 'key-file', path };
  });
  after(() => tmp.cleanup());

  it('is empty for a store that never wrote one', async () => {
    const { store } = await DiskHistory.open({ dir: fresh(), key, limits: LIMITS });
    assert.deepEqual(await store.readState(), { topics: [], users: [] });
    await store.close();
  });

  it('comes back whole after a reopen, sealed (no plaintext), 0600, no .tmp left', async () => {
    const dir = fresh();
    const { store } = await DiskHistory.open({ dir, key, limits: LIMITS });
    await store.writeState({ topics: [], users: [] });
    await store.writeState(STATE);
    await store.close();
    const bytes = await readFile(join(dir, STATE_FILE));
    assert.equal(bytes.subarray(0, 8).toString('latin1'), 'CHATSTA1');
    assert.ok(!bytes.includes('Release'), 'no plaintext');
    assert.equal((await stat(join(dir, STATE_FILE))).mode & 0o777, 0o600);
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.endsWith('.tmp')),
      [],
    );
    const { store: again } = await DiskHistory.open({ dir, key, limits: LIMITS });
    assert.deepEqual(await again.readState(), STATE);
    await again.close();
  });

  it('is moved aside when it does not open, and the store starts with none', async () => {
    const dir = fresh();
    const { store } = await DiskHistory.open({ dir, key, limits: LIMITS });
    await store.writeState(STATE);
    await store.close();
    const path = join(dir, STATE_FILE);
    const bytes = await readFile(path);
    bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 1;
    await writeFile(path, bytes);
    // Read-only (`chat history verify`) reports it and changes nothing.
    const looked = await openHistory({ dir, key, limits: LIMITS, readOnly: true });
    for (const segment of looked.segments.values()) segment.retire();
    assert.deepEqual(
      looked.report.problems.map((p) => p.file),
      [STATE_FILE],
    );
    const { store: again, report } = await DiskHistory.open({ dir, key, limits: LIMITS });
    assert.deepEqual(await again.readState(), { topics: [], users: [] });
    assert.equal(report.stateSetAside?.file, path);
    assert.deepEqual(await readFile(report.stateSetAside?.savedAs ?? ''), bytes);
    await again.writeState(STATE);
    await again.close();
  });
});
