import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPkiEntry, type PkiDirKind } from '../../src/pki/layout.ts';
import { validateHostName, validateUserName } from '../../src/pki/names.ts';

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

describe('isPkiEntry', () => {
  const cases: Array<[string, PkiDirKind, boolean]> = [
    ['README.md', 'certs', true],
    ['ca.key', 'certs', true],
    ['crl.pem', 'certs', true],
    ['clients', 'certs', true],
    ['bundles', 'certs', true],
    ['.lock', 'certs', true],
    ['.ca.key.0123456789ab.tmp', 'certs', true],
    ['README.txt', 'certs', false],
    ['package.json', 'certs', false],
    ['src', 'certs', false],
    ['.git', 'certs', false],
    ['alice.crt', 'clients', true],
    ['alice.key', 'clients', true],
    ['.alice.key.0123456789ab.tmp', 'clients', true],
    ['Alice.crt', 'clients', false],
    ['alice.pem', 'clients', false],
  ];
  for (const [name, kind, expected] of cases) {
    it(`${expected ? 'accepts' : 'refuses'} ${name} in a ${kind} directory`, () =>
      assert.equal(isPkiEntry(name, kind), expected));
  }
});
