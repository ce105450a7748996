import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keySpec } from '../../src/commands/certs.ts';

describe('keySpec (--key-type, --key-size)', () => {
  it('defaults to nothing, so an existing CA decides', () =>
    assert.equal(keySpec(undefined, undefined), undefined));
  it('takes ec', () => assert.deepEqual(keySpec('ec', undefined), { type: 'ec' }));
  it('takes rsa at 2048 by default', () =>
    assert.deepEqual(keySpec('rsa', undefined), { type: 'rsa', size: 2048 }));
  for (const size of [2048, 3072, 4096] as const) {
    it(`takes rsa ${size}`, () => assert.deepEqual(keySpec('rsa', size), { type: 'rsa', size }));
  }
  it('refuses odd RSA sizes', () => assert.throws(() => keySpec('rsa', 1024), { code: 'USAGE' }));
  it('refuses a size without rsa', () => {
    assert.throws(() => keySpec('ec', 2048), { code: 'USAGE' });
    assert.throws(() => keySpec(undefined, 2048), { code: 'USAGE' });
  });
});
