import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOG_FILE_MODE, logFileModeFix } from '../../src/server/log-file.ts';

describe('logFileModeFix', () => {
  const cases: Array<[string, { mode: number; isFile: boolean }, 'keep' | 'tighten']> = [
    ['0600 file', { mode: 0o100600, isFile: true }, 'keep'],
    ['0400 file (tighter already)', { mode: 0o100400, isFile: true }, 'keep'],
    ['0200 file', { mode: 0o100200, isFile: true }, 'keep'],
    ['0644 file', { mode: 0o100644, isFile: true }, 'tighten'],
    ['0640 file', { mode: 0o100640, isFile: true }, 'tighten'],
    ['0666 file', { mode: 0o100666, isFile: true }, 'tighten'],
    ['0602 file (others may write)', { mode: 0o100602, isFile: true }, 'tighten'],
    ['0700 file (owner execute)', { mode: 0o100700, isFile: true }, 'tighten'],
    ['setuid 4600 file (bits above 0777 are not ours)', { mode: 0o104600, isFile: true }, 'keep'],
    // /dev/null, /dev/stdout, a FIFO: never chmod, even as root.
    ['0666 character device', { mode: 0o020666, isFile: false }, 'keep'],
    ['0644 FIFO', { mode: 0o010644, isFile: false }, 'keep'],
  ];
  for (const [name, stat, expected] of cases) {
    it(`${name} -> ${expected}`, () => assert.equal(logFileModeFix(stat), expected));
  }
  it('makes the file owner-only', () => assert.equal(LOG_FILE_MODE, 0o600));
});
