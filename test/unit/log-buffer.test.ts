import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { LogBuffer, type LogRecord } from '../../src/server/log-buffer.ts';
import { createLogger } from '../../src/server/logger.ts';
import { tempDir } from '../helpers/pki.ts';

const T0 = Date.parse('2026-01-02T03:04:05.678Z');
const summary = (records: readonly LogRecord[]) =>
  records.map((r) => `${r.seq} ${r.level} ${r.msg} ${JSON.stringify(r.fields)}`);

describe('LogBuffer', () => {
  it('takes records from a real pino logger through multistream, beside a file', async () => {
    const dir = await tempDir();
    try {
      const path = join(dir.path, 'server.log');
      const file = pino.destination({ dest: path, sync: true });
      const buffer = new LogBuffer();
      const seen: LogRecord[] = [];
      buffer.on('record', (record) => seen.push(record));
      const logger = createLogger(
        'debug',
        pino.multistream([
          { stream: file, level: 'info' },
          { stream: buffer, level: 'debug' },
        ]),
      );
      const before = Date.now();
      logger.debug({ conn: 3 }, 'frame dropped');
      logger.info({ conn: 1, user: 'alice', address: '127.0.0.1' }, 'connection open');
      logger.warn('no crl.pem');
      logger.error({ err: new Error('disk full') }, 'could not store a message');
      logger.fatal('gone');
      const after = Date.now();

      const records = buffer.records();
      assert.deepEqual(records, seen);
      assert.deepEqual(
        records.map((r) => [r.seq, r.level, r.msg]),
        [
          [1, 'debug', 'frame dropped'],
          [2, 'info', 'connection open'],
          [3, 'warn', 'no crl.pem'],
          [4, 'error', 'could not store a message'],
          [5, 'fatal', 'gone'],
        ],
      );
      assert.deepEqual(records[0]?.fields, { conn: 3 });
      assert.deepEqual(records[1]?.fields, { conn: 1, user: 'alice', address: '127.0.0.1' });
      assert.deepEqual(records[2]?.fields, {});
      const err = records[3]?.fields.err as { type: string; message: string; stack: string };
      assert.equal(err.type, 'Error');
      assert.equal(err.message, 'disk full');
      for (const record of records) {
        assert.ok(record.time >= before && record.time <= after, `time ${record.time}`);
      }
      // The file got its own levels: info and up.
      const lines = (await readFile(path, 'utf8')).trim().split('\n');
      assert.deepEqual(
        lines.map((l) => (JSON.parse(l) as { msg: string }).msg),
        ['connection open', 'no crl.pem', 'could not store a message', 'gone'],
      );
    } finally {
      await dir.cleanup();
    }
  });

  it('keeps only the last `capacity` records, oldest first', () => {
    const buffer = new LogBuffer(3);
    const logger = createLogger('info', buffer);
    for (let i = 1; i <= 7; i++) logger.info({ i }, `m${i}`);
    assert.deepEqual(
      buffer.records().map((r) => [r.seq, r.msg, r.fields.i]),
      [
        [5, 'm5', 5],
        [6, 'm6', 6],
        [7, 'm7', 7],
      ],
    );
    // The snapshot is stable until the next record.
    assert.equal(buffer.records(), buffer.records());
    const held = buffer.records();
    logger.info('m8');
    assert.deepEqual(
      buffer.records().map((r) => r.msg),
      ['m6', 'm7', 'm8'],
    );
    assert.deepEqual(
      held.map((r) => r.msg),
      ['m5', 'm6', 'm7'],
    );
  });

  it('maps numeric levels and ISO times, and drops the base fields', () => {
    const buffer = new LogBuffer(10, () => T0);
    const line = (o: object) => `${JSON.stringify(o)}\n`;
    const base = { pid: 1, hostname: 'h', service: 'chat' };
    buffer.write(line({ level: 10, time: '2026-01-02T03:04:05.678Z', msg: 'a', ...base }));
    buffer.write(line({ level: 20, time: T0 + 1, msg: 'b', x: null }));
    buffer.write(line({ level: 35, msg: 'c' }) + line({ level: 60, msg: 'd' }));
    buffer.write(line({ level: 'warn', msg: 'e' }) + line({ level: 5, msg: 'f' }));
    buffer.write(line({ msg: 42, level: 'nonsense', time: 'not a time' }));
    assert.deepEqual(summary(buffer.records()), [
      '1 trace a {}',
      '2 debug b {"x":null}',
      '3 info c {}',
      '4 fatal d {}',
      '5 warn e {}',
      '6 trace f {}',
      '7 info 42 {}',
    ]);
    assert.deepEqual(
      buffer.records().map((r) => r.time),
      [T0, T0 + 1, T0, T0, T0, T0, T0],
    );
  });

  it('joins lines split across writes, at every offset', () => {
    const text =
      `${JSON.stringify({ level: 30, msg: 'café ☕', user: 'zoë' })}\n` +
      'plain text, not JSON\r\n' +
      '\n' +
      `${JSON.stringify({ level: 50, msg: '😀' })}\n`;
    const whole = new LogBuffer(10, () => T0);
    whole.write(text);
    const expected = [
      '1 info café ☕ {"user":"zoë"}',
      '2 info plain text, not JSON {}',
      '3 error 😀 {}',
    ];
    assert.deepEqual(summary(whole.records()), expected);
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= text.length; cut++) {
      const buffer = new LogBuffer(10, () => T0);
      buffer.write(text.slice(0, cut));
      buffer.write(text.slice(cut));
      assert.deepEqual(summary(buffer.records()), expected, `string split at ${cut}`);
    }
    for (let cut = 0; cut <= bytes.length; cut++) {
      const buffer = new LogBuffer(10, () => T0);
      buffer.write(bytes.subarray(0, cut));
      buffer.write(bytes.subarray(cut));
      assert.deepEqual(summary(buffer.records()), expected, `bytes split at ${cut}`);
    }
  });

  it('turns JSON that is not an object into raw text, and takes a last unterminated line on end()', () => {
    const buffer = new LogBuffer(10, () => T0);
    buffer.write('42\nnull\n[1]\n"s"\n{"level":40,"msg":"half');
    assert.deepEqual(
      buffer.records().map((r) => `${r.level} ${r.msg}`),
      ['info 42', 'info null', 'info [1]', 'info "s"'],
    );
    buffer.end();
    assert.deepEqual(buffer.records().at(-1)?.msg, '{"level":40,"msg":"half');
  });

  it('cuts an over-long line at 64 Ki characters and skips the rest of it', () => {
    const buffer = new LogBuffer(10, () => T0);
    const long = 'x'.repeat(50_000);
    buffer.write(long);
    buffer.write(long);
    buffer.write(`${long}\n{"level":30,"msg":"next"}\n`);
    const records = buffer.records();
    assert.deepEqual(
      records.map((r) => r.msg.length),
      [64 * 1024, 4],
    );
    assert.equal(records[1]?.msg, 'next');
  });

  it('adopts records parsed by another buffer: kept, numbered on, announced, bounded', () => {
    const source = new LogBuffer(10, () => T0);
    source.write('{"level":30,"msg":"one"}\n{"level":50,"msg":"two","user":"bob"}\n');
    const copy = new LogBuffer(2, () => T0);
    copy.write('{"level":30,"msg":"local"}\n');
    const announced: string[] = [];
    copy.on('record', (record: LogRecord) => announced.push(record.msg));
    copy.adopt(source.records());
    assert.deepEqual(announced, ['one', 'two']);
    assert.deepEqual(
      copy.records().map((r) => [r.seq, r.level, r.msg, r.fields]),
      [
        [2, 'info', 'one', {}],
        [3, 'error', 'two', { user: 'bob' }],
      ],
    );
  });

  it('refuses a capacity below 1', () => {
    assert.throws(() => new LogBuffer(0), RangeError);
    assert.throws(() => new LogBuffer(1.5), RangeError);
  });
});
