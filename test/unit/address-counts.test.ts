import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressCounts } from '../../src/server/address-counts.ts';

describe('AddressCounts', () => {
  it('counts connections in all and per address, and forgets an address at zero', () => {
    const counts = new AddressCounts();
    counts.add('10.0.0.1');
    counts.add('10.0.0.1');
    counts.add('10.0.0.2');
    assert.equal(counts.total, 3);
    assert.equal(counts.of('10.0.0.1'), 2);
    counts.remove('10.0.0.1');
    counts.remove('10.0.0.2');
    assert.equal(counts.total, 1);
    assert.equal(counts.of('10.0.0.1'), 1);
    assert.equal(counts.of('10.0.0.2'), 0);
    counts.remove('10.0.0.2'); // one too many: changes nothing
    assert.equal(counts.total, 1);
    assert.equal(counts.of('10.0.0.2'), 0);
  });
});
