import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { safetyNumber } from '../../src/net/e2ee/safety-number.ts';

const spki = (base64: string) => Buffer.from(base64, 'base64');
// The public halves of the test keys in docs/PROTOCOL.md's DM envelope vector.
const ALICE = spki(
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEFJPFQxS+SdKJEL3axsQB/6nCHNsMZaXzew0RS/kUadT6dxvbCDMG8JUOjHu/sAyGx5a205qj7NhGEMk5DBzwSQ==',
);
const BOB = spki(
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2lCYBJxUU4kAATm5FBRHE7zKGboEinYazZE7d3Wka4LrQ5PgsMZvCyWuyV1xDSmvHLnqo/e7jDUHRd6gOQw9sQ==',
);
const fresh = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
    type: 'spki',
    format: 'der',
  });

describe('safety numbers', () => {
  const alice = { name: 'alice', publicKeys: [ALICE] };
  const bob = { name: 'bob', publicKeys: [BOB] };

  it('is 60 digits in 12 groups of 5, the same whoever computes it', () => {
    const number = safetyNumber(alice, bob);
    assert.match(number, /^\d{5}( \d{5}){11}$/);
    assert.equal(safetyNumber(bob, alice), number);
  });

  it('stays what it is across versions of chat: both sides must agree', () => {
    // Computed once with these keys; a change here breaks every verification people made.
    assert.equal(
      safetyNumber(alice, bob),
      '67391 85412 66413 32416 24109 69406 17637 09780 58995 10768 10805 74375',
    );
  });

  it('changes when either side has another key, or one more device', () => {
    const number = safetyNumber(alice, bob);
    assert.notEqual(safetyNumber(alice, { name: 'bob', publicKeys: [fresh()] }), number);
    assert.notEqual(safetyNumber({ name: 'alice', publicKeys: [fresh()] }, bob), number);
    assert.notEqual(safetyNumber(alice, { name: 'bob', publicKeys: [BOB, fresh()] }), number);
  });

  it('does not depend on the order of a person’s devices, and does on their name', () => {
    const laptop = fresh();
    assert.equal(
      safetyNumber(alice, { name: 'bob', publicKeys: [BOB, laptop] }),
      safetyNumber(alice, { name: 'bob', publicKeys: [laptop, BOB] }),
    );
    assert.notEqual(
      safetyNumber(alice, { name: 'bobby', publicKeys: [BOB] }),
      safetyNumber(alice, bob),
    );
  });
});
