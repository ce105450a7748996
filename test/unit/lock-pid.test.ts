import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLockPid } from '../../src/net/pki/lock.ts';

describe('parseLockPid', () => {
  const cases: Array<[string, number | undefined]> = [
    ['1234\n', 1234],
    ['1234', 1234],
    ['', undefined], // created, pid not written yet
    ['0\n', undefined],
    ['-5\n', undefined],
    ['12 34\n', undefined],
    ['abc', undefined],
    ['99999999999\n', undefined],
  ];
  for (const [text, pid] of cases)
    it(`${JSON.stringify(text)} -> ${pid}`, () => assert.equal(parseLockPid(text), pid));
});
