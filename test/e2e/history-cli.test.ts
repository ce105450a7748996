import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DiskHistory } from '../../src/server/history/disk-history.ts';
import { runChat } from '../helpers/cli.ts';
import { tempDir } from '../helpers/pki.ts';

describe('chat history verify and export', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  const history = () => join(dir.path, 'data', 'history');

  before(async () => {
    dir = await tempDir();
    const made = await runChat(['certs', '--user', 'ada'], { cwd: dir.path });
    assert.equal(made.code, 0, made.stderr);
    const { store } = await DiskHistory.open({
      dir: history(),
      key: { kind: 'key-file', path: join(dir.path, 'certs', 'history.key') },
      limits: { cache: 10, keepDays: 0, keepMessages: 0 },
    });
    const ts = Date.UTC(2026, 10, 20, 9, 30);
    await store.append('#general', {
      type: 'msg',
      id: 1,
      ts,
      room: '#general',
      from: 'ada',
      text: 'first',
    });
    await store.append('#general', {
      type: 'msg',
      id: 2,
      ts,
      room: '#general',
      from: 'bea',
      text: 'second',
    });
    await store.append('dm:ada:bea', {
      type: 'dm',
      id: 1,
      ts,
      from: 'ada',
      to: 'bea',
      text: 'psst',
    });
    await store.close();
  });
  after(() => dir.cleanup());

  it('verify prints what is kept and exits 0', async () => {
    const result = await runChat(['history', 'verify'], { cwd: dir.path });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^data\/history: 1 segment, \d+ B, key id [0-9a-f]{16}$/m);
    assert.match(
      result.stdout,
      /^3 messages in 1 room and 1 direct conversation, 2026-11-20 09:30 to 2026-11-20 09:30$/m,
    );
    assert.match(result.stdout, /every record opens with this key/);
  });

  it('export prints a room as JSON lines, oldest first', async () => {
    const result = await runChat(['history', 'export', '--room', 'general'], { cwd: dir.path });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { text: string });
    assert.deepEqual(
      lines.map((m) => m.text),
      ['first', 'second'],
    );
  });

  it('says in one line where there is no history, and which key is wrong', async () => {
    const none = await runChat(['history', 'verify', '--data', 'nowhere'], { cwd: dir.path });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^chat: there is no history in nowhere\/history — point --data at/);
    const wrong = await runChat(['history', 'verify', '--history-passphrase-env', 'PW'], {
      cwd: dir.path,
      env: { PW: 'not it' },
    });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /is sealed with a key file, not a passphrase; nothing was changed/);
    assert.equal(wrong.stderr.trim().split('\n').length, 1);
  });

  it('verify names the file and byte of damage and exits 1', async () => {
    const segment = join(history(), '00000001.seg');
    const bytes = await readFile(segment);
    bytes.writeUInt8(bytes.readUInt8(100) ^ 0x04, 100);
    await writeFile(segment, bytes);
    const result = await runChat(['history', 'verify'], { cwd: dir.path });
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /^00000001\.seg: a record fails its seal .* at byte 64 \(\d+ bytes from there on\)$/m,
    );
    assert.match(result.stderr, /^chat: 1 damaged place in data\/history — restore/);
  });
});
