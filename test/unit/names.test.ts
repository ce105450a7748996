import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateHostName, validateUserName } from '../../src/net/pki/names.ts';

describe('validateUserName', () => {
  const good = ['a', 'alice', 'bob_smith', 'x-1', '0', 'a'.repeat(32)];
  const bad = [
    '',
    'Alice',
    'a'.repeat(33),
    'bob.smith',
    '../x',
    'a b',
    'al/ice',
    'é',
    'root\n',
    '__proto__ ',
  ];
  for (const name of good)
    it(`accepts ${JSON.stringify(name)}`, () => assert.equal(validateUserName(name), name));
  for (const name of bad) {
    it(`refuses ${JSON.stringify(name)}`, () =>
      assert.throws(() => validateUserName(name), { code: 'INVALID_NAME' }));
  }
});

describe('validateHostName', () => {
  const cases: Array<[string, string]> = [
    ['localhost', 'localhost'],
    ['Chat.Example.COM', 'chat.example.com'],
    ['a-b.example', 'a-b.example'],
    ['x1', 'x1'],
  ];
  for (const [input, output] of cases)
    it(`accepts ${input}`, () => assert.equal(validateHostName(input), output));
  const bad = [
    '',
    '*.example.com',
    '-a.example',
    'a-.example',
    'a..b',
    'a_b.example',
    `${'a'.repeat(64)}.example`,
    'a b',
  ];
  for (const host of bad) {
    it(`refuses ${JSON.stringify(host)}`, () =>
      assert.throws(() => validateHostName(host), { code: 'INVALID_HOST' }));
  }
});
