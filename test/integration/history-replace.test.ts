import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StoredMessage } from '../../src/net/protocol/frames.ts';
import { DiskHistory } from '../../src/server/history/disk-history.ts';
import type { HistoryKeySource } from '../../src/server/history/history-key-source.ts';
import { openHistory } from '../../src/server/history/open-history.ts';
import { scanSegment } from '../../src/server/history/segment-scan.ts';
import { tempDir } from '../helpers/pki.ts';

const LIMITS = { cache: 4, keepDays: 0, keepMessages: 0 };
const T0 = Date.UTC(2026, 10, 1);
const SECRET = 'the launch code is 0000';

function roomMessage(
  id: number,
  text = `the quick brown fox ${id}`,
  room = '#general',
): StoredMessage {
  return { type: 'msg', id, ts: T0 + id * 1000, room, from: 'alice', text };
}

const editOf = (m: StoredMessage, text: string): StoredMessage => ({ ...m, text, edited: T0 + 1 });
const deletionOf = (m: StoredMessage): StoredMessage => ({
  ...m,
  text: '',
  deleted: { ts: T0 + 2 },
});

describe('replacing kept messages on disk (edits and deletions)', () => {
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

  // Every record of every segment file, opened with the store's key.
  async function everyRecord(dir: string): Promise<StoredMessage[]> {
    const looked = await openHistory({ dir, key, limits: LIMITS, readOnly: true });
    for (const s of looked.segments.values()) s.retire();
    const all: StoredMessage[] = [];
    for (const name of (await readdir(dir)).filter((f) => f.endsWith('.seg')).sort()) {
      const scan = scanSegment(looked.keys, await readFile(join(dir, name)), true);
      assert.equal(scan.problem, undefined, `${name} opens whole`);
      all.push(...scan.records.map((r) => r.message));
    }
    return all;
  }

  async function texts(store: DiskHistory): Promise<string[]> {
    return (await store.before('#general', undefined, 100)).messages.map((m) => m.text);
  }

  it('serves the replacement from memory and from the files, and across a reopen', async () => {
    const dir = fresh();
    const { store } = await DiskHistory.open({ dir, key, limits: LIMITS });
    for (let id = 1; id <= 10; id += 1) await store.append('#general', roomMessage(id));
    // 2 is read from the file (cache 4), 9 from memory.
    await store.replace('#general', editOf(roomMessage(2), 'edited two'));
    await store.replace('#general', deletionOf(roomMessage(9)));
    const want = Array.from({ length: 10 }, (_, i) => `the quick brown fox ${i + 1}`);
    want[1] = 'edited two';
    want[8] = '';
    assert.deepEqual(await texts(store), want);
    assert.deepEqual((await store.since('#general', 1, 1)).messages, [
      editOf(roomMessage(2), 'edited two'),
    ]);
    await store.close();
    for (const cache of [0, 100]) {
      const { store: again } = await DiskHistory.open({ dir, key, limits: { ...LIMITS, cache } });
      assert.deepEqual(await texts(again), want);
      assert.deepEqual([...(await again.lastIds())], [['#general', 10]]);
      await again.close();
    }
    // The replacement's segment is compacted at each open: the ids still go on.
    const { store: last } = await DiskHistory.open({ dir, key, limits: LIMITS });
    await last.append('#general', roomMessage(11));
    assert.deepEqual([...(await last.lastIds())], [['#general', 11]]);
    assert.deepEqual(await texts(last), [...want, 'the quick brown fox 11']);
    await last.close();
  });

  it('rejects a replacement of a message it does not keep', async () => {
    const dir = fresh();
    const { store } = await DiskHistory.open({ dir, key, limits: LIMITS });
    await store.append('#general', roomMessage(1));
    await assert.rejects(store.replace('#general', editOf(roomMessage(2), 'x')));
    await assert.rejects(store.replace('#ops', editOf(roomMessage(1, 'x', '#ops'), 'x')));
    await store.close();
  });

  it('a deletion takes the old text out of every file at the next compaction; ids stay', async () => {
    const dir = fresh();
    const { store } = await DiskHistory.open({ dir, key, limits: LIMITS, segmentBytes: 1024 });
    for (let id = 1; id <= 30; id += 1)
      await store.append('#general', roomMessage(id, id === 3 || id === 29 ? SECRET : undefined));
    // 3 sits in a sealed, mostly live segment; 29 in the one being appended to.
    await store.replace('#general', editOf(roomMessage(3), `${SECRET}, edited`));
    await store.replace('#general', deletionOf(roomMessage(3)));
    await store.replace('#general', deletionOf(roomMessage(29)));
    const before = await everyRecord(dir);
    assert.ok(
      before.some((m) => m.text.includes(SECRET)),
      'the old text is still on disk',
    );
    const segments = async () => (await readdir(dir)).filter((f) => f.endsWith('.seg')).length;
    const filesBefore = await segments();
    await store.compact();
    assert.equal(await segments(), filesBefore, 'rewritten in place, the newest one too');
    const records = await everyRecord(dir);
    assert.deepEqual(
      records.filter((m) => m.text.includes(SECRET)),
      [],
      'no record opens to the old text',
    );
    assert.deepEqual(
      records.map((m) => m.id).sort((a, b) => a - b),
      Array.from({ length: 30 }, (_, i) => i + 1),
      'one record per message is left',
    );
    await store.append('#general', roomMessage(31));
    assert.deepEqual([...(await store.lastIds())], [['#general', 31]]);
    await store.close();
    const { store: again } = await DiskHistory.open({ dir, key, limits: LIMITS });
    const messages = (await again.before('#general', undefined, 100)).messages;
    assert.deepEqual(
      messages.map((m) => m.id),
      Array.from({ length: 31 }, (_, i) => i + 1),
    );
    assert.deepEqual(messages[2], deletionOf(roomMessage(3)));
    assert.deepEqual(messages[28], deletionOf(roomMessage(29)));
    await again.close();
  });

  it('retention still drops replaced messages, and a replacement of a dropped one is ignored at start', async () => {
    const dir = fresh();
    const limits = { ...LIMITS, keepMessages: 5 };
    const { store } = await DiskHistory.open({ dir, key, limits });
    for (let id = 1; id <= 5; id += 1) await store.append('#general', roomMessage(id));
    await store.replace('#general', editOf(roomMessage(1), 'edited one'));
    await store.replace('#general', deletionOf(roomMessage(2)));
    for (let id = 6; id <= 8; id += 1) await store.append('#general', roomMessage(id));
    assert.deepEqual(
      (await store.before('#general', undefined, 100)).messages.map((m) => m.id),
      [4, 5, 6, 7, 8],
    );
    await store.close();
    const { store: again } = await DiskHistory.open({ dir, key, limits });
    assert.deepEqual(
      (await again.before('#general', undefined, 100)).messages.map((m) => m.id),
      [4, 5, 6, 7, 8],
    );
    assert.deepEqual([...(await again.lastIds())], [['#general', 8]]);
    await again.close();
  });

  it('a repeated id that is no replacement is still damage', async () => {
    const dir = fresh();
    const { store } = await DiskHistory.open({ dir, key, limits: LIMITS });
    await store.append('#general', roomMessage(1));
    await store.close();
    // Two records of id 1, the second a new message: only a bad writer makes that.
    const { store: twice } = await DiskHistory.open({ dir, key, limits: LIMITS });
    await (twice as unknown as { enqueue: (...a: unknown[]) => Promise<void> }).enqueue(
      '#general',
      roomMessage(1, 'again'),
      'ref',
      true,
    );
    await twice.close();
    await assert.rejects(DiskHistory.open({ dir, key, limits: LIMITS }), /repeats an id/);
  });
});
