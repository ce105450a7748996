import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateDays, validateServerNames } from '../../src/pki/validate.ts';

describe('validateDays', () => {
  for (const days of [1, 825, 36_500])
    it(`accepts ${days}`, () => assert.equal(validateDays(days), days));
  const bad: Array<[number, RegExp]> = [
    [Number.NaN, /^invalid --days: not a whole number of days$/],
    [1.5, /^invalid --days: not a whole number of days$/],
    [Number.POSITIVE_INFINITY, /^invalid --days: not a whole number of days$/],
    [0, /^invalid --days: 0 days is out of range$/],
    [36_501, /^invalid --days: 36501 days is out of range$/],
  ];
  for (const [days, message] of bad) {
    it(`refuses ${days} with a message that says why`, () =>
      assert.throws(
        () => validateDays(days),
        (error: Error & { code?: string; hint?: string }) => {
          assert.equal(error.code, 'INVALID_DAYS');
          assert.match(error.message, message);
          assert.match(error.hint ?? '', /whole number of days from 1 to 36500/);
          return true;
        },
      ));
  }
  it('names the flag it checks', () =>
    assert.throws(() => validateDays(Number.NaN, '--ca-days'), /invalid --ca-days:/));
});

describe('validateServerNames', () => {
  it('accepts and normalises names and addresses', () =>
    assert.deepEqual(validateServerNames(['Chat.Example.com'], ['192.0.2.1', '2001:db8::1']), {
      hosts: ['chat.example.com'],
      ips: ['192.0.2.1', '2001:db8::1'],
    }));
  it('puts an address given as a host name among the addresses', () =>
    assert.deepEqual(validateServerNames(['192.0.2.2', 'chat.example.com', '::1'], ['192.0.2.2']), {
      hosts: ['chat.example.com'],
      ips: ['192.0.2.2', '::1'],
    }));
  it('refuses an address with a zone, saying how to write it', () =>
    assert.throws(
      () => validateServerNames([], ['fe80::1%eth0']),
      (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, 'INVALID_HOST');
        assert.match(error.message, /"fe80::1%eth0": it has a zone/);
        assert.match(error.hint ?? '', /--ip fe80::1$/);
        return true;
      },
    ));
  for (const ip of ['300.1.1.1', 'fe80::1%', 'localhost', '']) {
    it(`refuses ${JSON.stringify(ip)}`, () =>
      assert.throws(() => validateServerNames([], [ip]), { code: 'INVALID_HOST' }));
  }
});
