import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLockPid } from '../../src/fs/pid-lock.ts';
import { parseStatState } from '../../src/fs/process-alive.ts';

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

describe('parseStatState', () => {
  const tail = '1 1 1 0 -1 4194560 110 0 0 0 0 0 0 0 20 0 1 0 1234 8392704 0';
  const cases: Array<[name: string, text: string, state: string | undefined]> = [
    ['a sleeping process', `1234 (node) S ${tail}\n`, 'S'],
    ['a zombie', `1234 (chat) Z ${tail}\n`, 'Z'],
    ['a dead one', `1234 (chat) X ${tail}`, 'X'],
    ['a name with spaces', `1234 (my server) R ${tail}`, 'R'],
    ['a name with a parenthesis', `1234 (a) b) Z ${tail}`, 'Z'],
    ['a name that looks like a state', `1234 (x) R (y) Z ${tail}`, 'Z'],
    ['a name that is only ")"', `1234 ()) S ${tail}`, 'S'],
    ['nothing after the name', '1234 (chat)', undefined],
    ['no parenthesis', `1234 chat Z ${tail}`, undefined],
    ['two letters where the state goes', `1234 (chat) ZZ ${tail}`, undefined],
    ['empty', '', undefined],
  ];
  for (const [name, text, state] of cases) {
    it(`${name} -> ${state}`, () => assert.equal(parseStatState(text), state));
  }
});
