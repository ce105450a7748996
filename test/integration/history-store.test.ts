import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StoredMessage } from '../../src/net/protocol/frames.ts';
import { type AppendIo, DiskHistory } from '../../src/server/history/disk-history.ts';
import type { HistoryKeySource } from '../../src/server/history/history-key-source.ts';
import { openHistory } from '../../src/server/history/open-history.ts';
import { rejectsWith } from '../helpers/errors.ts';
import { tempDir } from '../helpers/pki.ts';

const LIMITS = { cache: 4, keepDays: 0, keepMessages: 0 };
const T0 = Date.UTC(2026, 10, 1);

function roomMessage(
  id: number,
  room = '#general',
  text = `the quick brown fox ${id}`,
): StoredMessage {
  return { type: 'msg', id, ts: T0 + id * 1000, room, from: 'alice', text };
}

function directMessage(id: number): StoredMessage {
  return { type: 'dm', id, ts: T0 + id * 1000, from: 'bob', to: 'carol', text: `psst ${id}` };
}

/** sha256 of every file in `dir`, by name. */
async function checksums(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    out[name] = createHash('sha256')
      .update(await readFile(join(dir, name)))
      .digest('hex');
  }
  return out;
}

describe('the encrypted history store', () => {
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

  async function filled(
    dir: string,
    count: number,
    options: Partial<Parameters<typeof DiskHistory.open>[0]> = {},
  ) {
    const { store } = await DiskHistory.open({ dir, key, limits: LIMITS, ...options });
    await Promise.all(
      Array.from({ length: count }, (_, i) => store.append('#general', roomMessage(i + 1))),
    );
    await store.close();
  }

  it('keeps messages across a reopen, pages back through them, and holds no plaintext', async () => {
    const dir = fresh();
    const { store } = await DiskHistory.open({ dir, key, limits: LIMITS });
    const appends: Promise<void>[] = [];
    for (let id = 1; id <= 30; id += 1) {
      appends.push(store.append('#general', roomMessage(id)));
      appends.push(store.append('#ops', roomMessage(id, '#ops', `deploy number ${id}`)));
    }
    appends.push(store.append('dm:bob:carol', directMessage(1)));
    await Promise.all(appends);
    await store.close();

    const files = (await readdir(dir)).filter((f) => f.endsWith('.seg'));
    const bytes = Buffer.concat(await Promise.all(files.map((f) => readFile(join(dir, f)))));
    for (const secret of [
      'quick brown fox',
      'deploy number',
      'psst',
      'alice',
      'carol',
      '#general',
      '#ops',
    ]) {
      assert.equal(bytes.includes(secret), false, `"${secret}" is readable in the files`);
    }
    for (const f of files) assert.equal((await stat(join(dir, f))).mode & 0o777, 0o600);

    const { store: again, report } = await DiskHistory.open({ dir, key, limits: LIMITS });
    try {
      assert.equal(report.records, 61);
      assert.deepEqual([...(await again.lastIds())].sort(), [
        ['#general', 30],
        ['#ops', 30],
        ['dm:bob:carol', 1],
      ]);
      // Older than the 4 held in memory: read from the file.
      const page = await again.before('#ops', 11, 5);
      assert.deepEqual(
        page.messages.map((m) => m.id),
        [6, 7, 8, 9, 10],
      );
      assert.equal(page.more, true);
      assert.deepEqual(page.messages[0], roomMessage(6, '#ops', 'deploy number 6'));
      const since = await again.since('#general', 25, 100);
      assert.deepEqual(
        since.messages.map((m) => m.id),
        [26, 27, 28, 29, 30],
      );
      assert.equal(since.gap, false);
      assert.deepEqual((await again.before('dm:bob:carol', undefined, 10)).messages, [
        directMessage(1),
      ]);
    } finally {
      await again.close();
    }
  });

  it('groups appends made together into one sync', async () => {
    let syncs = 0;
    const io: AppendIo = {
      write: async (handle, bytes, position) =>
        (await handle.write(bytes, 0, bytes.length, position)).bytesWritten,
      datasync: async (handle) => {
        syncs += 1;
        await handle.datasync();
      },
    };
    const { store } = await DiskHistory.open({ dir: fresh(), key, limits: LIMITS, io });
    await Promise.all(
      Array.from({ length: 500 }, (_, i) => store.append('#general', roomMessage(i + 1))),
    );
    await store.close();
    assert.ok(syncs >= 1 && syncs <= 3, `500 appends made at once took ${syncs} syncs`);
  });

  it('detects one flipped byte on start, refuses, and changes nothing', async () => {
    const dir = fresh();
    await filled(dir, 20);
    const segment = join(dir, '00000001.seg');
    const bytes = await readFile(segment);
    const middle = Math.floor(bytes.length / 2); // inside a record with more after it
    bytes.writeUInt8(bytes.readUInt8(middle) ^ 0x01, middle);
    await writeFile(segment, bytes);
    const before = await checksums(dir);
    const error = await rejectsWith(
      DiskHistory.open({ dir, key, limits: LIMITS }),
      'HISTORY_DAMAGED',
    );
    assert.match(error.message, /00000001\.seg: .* at byte \d+/);
    assert.deepEqual(await checksums(dir), before);
    // verify (read-only) reports the place too.
    const looked = await openHistory({ dir, key, limits: LIMITS, readOnly: true });
    for (const s of looked.segments.values()) s.retire();
    assert.equal(looked.report.problems[0]?.problem.kind, 'damaged');
  });

  it('refuses a wrong key or passphrase without touching a file', async () => {
    const dir = fresh();
    await filled(dir, 5);
    const before = await checksums(dir);
    const other = join(tmp.path, 'other.key');
    await writeFile(other, randomBytes(32));
    const error = await rejectsWith(
      DiskHistory.open({ dir, key: { kind: 'key-file', path: other }, limits: LIMITS }),
      'HISTORY_KEY_WRONG',
    );
    assert.match(error.message, /another key .*nothing was changed/);
    await rejectsWith(
      DiskHistory.open({
        dir,
        key: { kind: 'passphrase', passphrase: 'x', variable: 'P' },
        limits: LIMITS,
      }),
      'HISTORY_KEY_WRONG',
    );
    await rejectsWith(
      DiskHistory.open({
        dir,
        key: { kind: 'key-file', path: join(tmp.path, 'missing.key') },
        limits: LIMITS,
      }),
      'HISTORY_KEY_MISSING',
    );
    assert.deepEqual(await checksums(dir), before);
  });

  it('seals with a passphrase: the right one opens, a wrong one is refused', async () => {
    const dir = fresh();
    const right: HistoryKeySource = {
      kind: 'passphrase',
      passphrase: 'correct horse',
      variable: 'P',
    };
    await filled(dir, 3, { key: right });
    await rejectsWith(
      DiskHistory.open({ dir, key: { ...right, passphrase: 'wrong horse' }, limits: LIMITS }),
      'HISTORY_KEY_WRONG',
    );
    const { store } = await DiskHistory.open({ dir, key: right, limits: LIMITS });
    assert.deepEqual([...(await store.lastIds())], [['#general', 3]]);
    await store.close();
  });

  it('cuts a torn tail back to the last whole record, saving the bytes aside', async () => {
    const dir = fresh();
    await filled(dir, 10);
    const segment = join(dir, '00000001.seg');
    const size = (await stat(segment)).size;
    await truncate(segment, size - 7); // the last record loses its end, as a write cut short
    const { store, report } = await DiskHistory.open({ dir, key, limits: LIMITS });
    try {
      assert.ok(report.cut, 'the tail was cut');
      const recordBytes = size - 7 - (await stat(segment)).size;
      assert.equal(report.cut.bytes, recordBytes);
      assert.equal((await readFile(report.cut.savedAs)).length, recordBytes);
      const { messages } = await store.before('#general', undefined, 100);
      assert.deepEqual(
        messages.map((m) => m.id),
        [1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
      await store.append('#general', roomMessage(10));
    } finally {
      await store.close();
    }
    const { store: again, report: second } = await DiskHistory.open({ dir, key, limits: LIMITS });
    assert.equal(second.cut, undefined);
    assert.equal(second.records, 10);
    await again.close();
  });

  it('a failed write (a full disk) rejects the append and leaves no trace', async () => {
    const dir = fresh();
    let fail = false;
    const io: AppendIo = {
      write: async (handle, bytes, position) => {
        if (!fail) return (await handle.write(bytes, 0, bytes.length, position)).bytesWritten;
        // Half lands on disk, as when the disk fills mid-write.
        return (await handle.write(bytes, 0, bytes.length >> 1, position)).bytesWritten;
      },
      datasync: (handle) => handle.datasync(),
    };
    const { store } = await DiskHistory.open({ dir, key, limits: LIMITS, io });
    await store.append('#general', roomMessage(1));
    fail = true;
    await assert.rejects(store.append('#general', roomMessage(2)), /disk is full/);
    fail = false;
    await store.append('#general', roomMessage(3));
    await store.close();
    const { store: again, report } = await DiskHistory.open({ dir, key, limits: LIMITS });
    assert.equal(report.cut, undefined);
    assert.deepEqual(
      (await again.before('#general', undefined, 10)).messages.map((m) => m.id),
      [1, 3],
    );
    await again.close();
  });

  it('keeps --keep-messages per room, removes segments nothing points to, and ids go on', async () => {
    const dir = fresh();
    const limits = { ...LIMITS, keepMessages: 10 };
    const { store } = await DiskHistory.open({ dir, key, limits, segmentBytes: 2048 });
    for (let id = 1; id <= 200; id += 1) await store.append('#general', roomMessage(id));
    await store.compact();
    const kept = await store.before('#general', undefined, 100);
    assert.deepEqual(
      kept.messages.map((m) => m.id),
      Array.from({ length: 10 }, (_, i) => 191 + i),
    );
    assert.equal(kept.more, false);
    assert.equal((await store.since('#general', 5, 100)).gap, true);
    await store.close();
    const segments = (await readdir(dir)).filter((f) => f.endsWith('.seg'));
    assert.ok(segments.length <= 3, `old segments removed (left: ${segments.join(' ')})`);
    assert.ok(!segments.includes('00000001.seg'));
    const { store: again } = await DiskHistory.open({ dir, key, limits });
    assert.deepEqual([...(await again.lastIds())], [['#general', 200]]);
    await again.close();
  });

  it('rewrites a segment that is mostly dropped, and what it kept still reads', async () => {
    const dir = fresh();
    const limits = { ...LIMITS, keepMessages: 5 };
    const { store } = await DiskHistory.open({ dir, key, limits, segmentBytes: 4096 });
    // #ops keeps its 5 in the first segment; #general's flood drops nearly all else there.
    for (let id = 1; id <= 5; id += 1) await store.append('#ops', roomMessage(id, '#ops'));
    for (let id = 1; id <= 100; id += 1) await store.append('#general', roomMessage(id));
    const first = join(dir, '00000001.seg');
    const sizeBefore = (await stat(first)).size;
    await store.compact();
    assert.ok((await stat(first)).size < sizeBefore / 2, 'the first segment was rewritten smaller');
    const ops = async (s: DiskHistory) =>
      (await s.before('#ops', undefined, 10)).messages.map((m) => m.text);
    const expected = Array.from({ length: 5 }, (_, i) => `the quick brown fox ${i + 1}`);
    assert.deepEqual(await ops(store), expected);
    await store.close();
    const { store: again } = await DiskHistory.open({ dir, key, limits: { ...limits, cache: 0 } });
    assert.deepEqual(await ops(again), expected);
    await again.close();
  });

  it('--keep-days removes a quiet room entirely and still remembers where its ids stopped', async () => {
    const dir = fresh();
    let now = T0 + 1_000_000;
    const limits = { ...LIMITS, keepDays: 1 };
    const { store } = await DiskHistory.open({
      dir,
      key,
      limits,
      segmentBytes: 512,
      now: () => now,
    });
    for (let id = 1; id <= 20; id += 1) await store.append('#quiet', roomMessage(id, '#quiet'));
    now += 3 * 24 * 3600 * 1000;
    await store.append('#busy', { ...roomMessage(1, '#busy'), ts: now });
    await store.compact();
    assert.deepEqual((await store.before('#quiet', undefined, 100)).messages, []);
    await store.close();
    const { store: again } = await DiskHistory.open({ dir, key, limits, now: () => now });
    const ids = await again.lastIds();
    assert.equal(ids.get('#quiet'), 20);
    assert.equal((await again.since('#quiet', 3, 10)).gap, true);
    await again.close();
  });

  it('a newest segment begun but empty (a crash while rolling) holds nothing and goes', async () => {
    const dir = fresh();
    await filled(dir, 5);
    await writeFile(join(dir, '00000002.seg'), Buffer.alloc(0));
    const looked = await openHistory({ dir, key, limits: LIMITS, readOnly: true });
    for (const s of looked.segments.values()) s.retire();
    assert.equal(looked.report.problems[0]?.problem.kind, 'torn');
    const { store } = await DiskHistory.open({ dir, key, limits: LIMITS });
    await store.append('#general', roomMessage(6));
    assert.equal((await store.before('#general', undefined, 10)).messages.length, 6);
    await store.close();
  });

  it('a segment that cannot be begun (a full disk) fails those appends, and the next try starts over', async () => {
    const dir = fresh();
    const { store } = await DiskHistory.open({ dir, key, limits: LIMITS, segmentBytes: 1 });
    await store.append('#general', roomMessage(1));
    // The next append rolls to segment 2; a directory where its staging file goes makes that fail.
    const blocker = join(dir, '00000002.seg.tmp');
    await mkdir(blocker);
    await assert.rejects(store.append('#general', roomMessage(2)));
    await rm(blocker, { recursive: true });
    await store.append('#general', roomMessage(3));
    await store.close();
    const { store: again } = await DiskHistory.open({ dir, key, limits: LIMITS });
    assert.deepEqual(
      (await again.before('#general', undefined, 10)).messages.map((m) => m.id),
      [1, 3],
    );
    await again.close();
  });

  it('a whole last record that does not open is damage, not a torn tail', async () => {
    const dir = fresh();
    await filled(dir, 5);
    const segment = join(dir, '00000001.seg');
    const bytes = await readFile(segment);
    const last = bytes.length - 20; // inside the last record's ciphertext
    bytes.writeUInt8(bytes.readUInt8(last) ^ 0x80, last);
    await writeFile(segment, bytes);
    const before = await checksums(dir);
    await rejectsWith(DiskHistory.open({ dir, key, limits: LIMITS }), 'HISTORY_DAMAGED');
    assert.deepEqual(await checksums(dir), before);
  });

  it('a damaged sequence file refuses the start: ids must never go back', async () => {
    const dir = fresh();
    const limits = { ...LIMITS, keepMessages: 2 };
    const { store } = await DiskHistory.open({ dir, key, limits, segmentBytes: 256 });
    for (let id = 1; id <= 10; id += 1) await store.append('#general', roomMessage(id));
    await store.compact();
    await store.close();
    const path = join(dir, 'sequences.bin');
    const bytes = await readFile(path);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0x01, bytes.length - 1);
    await writeFile(path, bytes);
    const before = await checksums(dir);
    const error = await rejectsWith(DiskHistory.open({ dir, key, limits }), 'HISTORY_DAMAGED');
    assert.match(error.message, /sequences\.bin/);
    assert.deepEqual(await checksums(dir), before);
  });

  it('a lock left by a crash is taken over, even one with our own pid or no pid', async () => {
    for (const text of [`${process.pid}\n`, '']) {
      const dir = fresh();
      await filled(dir, 1);
      const lock = join(dir, '.lock');
      await writeFile(lock, text);
      const old = new Date(Date.now() - 60_000);
      await utimes(lock, old, old);
      const { store } = await DiskHistory.open({ dir, key, limits: LIMITS });
      await store.close();
    }
  });

  it('one server at a time: a second open of the same directory is refused', async () => {
    const dir = fresh();
    const { store } = await DiskHistory.open({ dir, key, limits: LIMITS });
    try {
      await rejectsWith(DiskHistory.open({ dir, key, limits: LIMITS }), 'BUSY');
    } finally {
      await store.close();
    }
  });
});
