import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  acceptChange,
  markVerified,
  type PinBook,
  sealableFor,
  sight,
} from '../../src/net/e2ee/peer-pins.ts';

const PHONE = 'AA:01';
const LAPTOP = 'AA:02';
const ROGUE = 'EE:66';

describe('pinned certificates of peers', () => {
  it('pins what it sees first, unverified, and then calls the same set the same', () => {
    const first = sight({}, 'bob', [PHONE]);
    assert.equal(first.kind, 'first');
    assert.deepEqual(first.book, { bob: { fingerprints: [PHONE], verified: false } });
    const again = sight(first.book, 'bob', [PHONE]);
    assert.equal(again.kind, 'same');
    assert.equal(again.book, first.book);
  });

  it('re-pins a new certificate of a peer never verified, and says which', () => {
    const book: PinBook = { bob: { fingerprints: [PHONE], verified: false } };
    const seen = sight(book, 'bob', [PHONE, LAPTOP]);
    assert.deepEqual(seen, {
      kind: 'repinned',
      added: [LAPTOP],
      book: { bob: { fingerprints: [PHONE, LAPTOP], verified: false } },
    });
  });

  it('holds a verified peer’s new certificate back: the book stays, only the pinned ones are sealed for', () => {
    const book = markVerified({}, 'bob', [PHONE]);
    const seen = sight(book, 'bob', [PHONE, ROGUE]);
    assert.deepEqual(seen, { kind: 'changed', added: [ROGUE], book });
    assert.deepEqual(sealableFor(seen.book, 'bob', [PHONE, ROGUE]), [PHONE]);
    // Until the user accepts it (unverified from then on) or verifies the new set.
    const accepted = acceptChange(book, 'bob', [PHONE, ROGUE]);
    assert.deepEqual(accepted.bob, { fingerprints: [PHONE, ROGUE].sort(), verified: false });
    assert.equal(sight(accepted, 'bob', [ROGUE, PHONE]).kind, 'same');
    const verified = markVerified(book, 'bob', [ROGUE, PHONE]);
    assert.deepEqual(verified.bob, { fingerprints: [PHONE, ROGUE].sort(), verified: true });
  });

  it('keeps a verified peer verified when a device is gone (revoked), pinning the rest', () => {
    const book = markVerified({}, 'bob', [PHONE, LAPTOP]);
    const seen = sight(book, 'bob', [LAPTOP]);
    assert.equal(seen.kind, 'same');
    assert.deepEqual(seen.book.bob, { fingerprints: [LAPTOP], verified: true });
  });

  it('seals for nobody it has not pinned, and reads no inherited names', () => {
    assert.deepEqual(sealableFor({}, 'bob', [PHONE]), []);
    assert.deepEqual(sealableFor({}, 'constructor', [PHONE]), []);
    assert.equal(sight({}, 'toString', [PHONE]).kind, 'first');
    // A legal user name: pinned as a name of its own, not as the book's prototype.
    const odd = sight({}, '__proto__', [PHONE]).book;
    assert.deepEqual(Object.getOwnPropertyDescriptor(odd, '__proto__')?.value, {
      fingerprints: [PHONE],
      verified: false,
    });
    assert.equal(sight(odd, '__proto__', [PHONE]).kind, 'same');
  });
});
