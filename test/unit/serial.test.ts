import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { derSerialHex, normalizeSerial } from '../../src/pki/keys.ts';

describe('normalizeSerial', () => {
  const cases: Array<[string, string]> = [
    ['00FF01', 'ff01'],
    ['0', '0'],
    ['000', '0'],
    ['7F', '7f'],
  ];
  for (const [input, output] of cases)
    it(`${input} -> ${output}`, () => assert.equal(normalizeSerial(input), output));
});

describe('derSerialHex', () => {
  const cases: Array<[string, string]> = [
    ['ff0011223344556677', '00ff0011223344556677'],
    ['00FF00', '00ff00'],
    ['80', '0080'],
    ['7f', '7f'],
    ['abc', '0abc'],
    ['1', '01'],
    ['0', '00'],
    ['123456', '123456'],
  ];
  for (const [input, output] of cases)
    it(`${input} -> ${output}`, () => assert.equal(derSerialHex(input), output));
});
