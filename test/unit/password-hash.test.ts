import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { passwordProblem } from '../../src/net/password-rules.ts';
import {
  checkPasswordHash,
  hashPassword,
  verifyNobody,
  verifyPassword,
} from '../../src/server/password-hash.ts';
import { formatUsers, parseUsers } from '../../src/server/users-table.ts';

// Cheap parameters: these tests are about the format and the comparison, not the cost.
const FAST = { N: 1024, r: 8, p: 1 };

describe('password hashes', () => {
  it('stores the scrypt parameters, a salt and the hash, never the password', async () => {
    const encoded = await hashPassword('hunter22', FAST);
    assert.match(encoded, /^scrypt\$1024\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    assert.ok(!encoded.includes('hunter22'));
    assert.equal(checkPasswordHash(encoded), undefined);
  });

  it('verifies the right password and no other', async () => {
    const encoded = await hashPassword('correct horse', FAST);
    assert.equal(await verifyPassword('correct horse', encoded), true);
    assert.equal(await verifyPassword('correct hors', encoded), false);
    assert.equal(await verifyPassword('Correct horse', encoded), false);
    assert.equal(await verifyPassword('', encoded), false);
  });

  it('salts each hash: the same password hashes differently', async () => {
    assert.notEqual(await hashPassword('same', FAST), await hashPassword('same', FAST));
  });

  it('uses the default parameters of the module, N = 2^14', async () => {
    assert.match(await hashPassword('x'), /^scrypt\$16384\$8\$1\$/);
  });

  it('takes the password in NFC: é typed precomposed or decomposed matches', async () => {
    const encoded = await hashPassword('caf\u00e9', FAST);
    assert.equal(await verifyPassword('cafe\u0301', encoded), true);
  });

  it('takes as long for a user without a password, and says no', async () => {
    assert.equal(await verifyNobody('anything'), false);
  });

  const malformed: Array<[string, RegExp]> = [
    ['', /form/],
    ['bcrypt$1024$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', /form/],
    ['scrypt$1000$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', /power of 2/],
    ['scrypt$4194304$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', /power of 2/],
    ['scrypt$1024$0$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', /^r /],
    ['scrypt$1024$8$99$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', /^p /],
    ['scrypt$1024$8$1$not base64!$aGFzaGhhc2hoYXNoaGFzaA==', /salt/],
    ['scrypt$1024$8$1$c2FsdHNhbHQ=$c2hvcnQ=', /hash/],
    ['scrypt$1024$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==$x', /form/],
  ];
  for (const [encoded, why] of malformed) {
    it(`refuses the hash ${JSON.stringify(encoded)}`, async () => {
      assert.match(checkPasswordHash(encoded) ?? '', why);
      await assert.rejects(verifyPassword('x', encoded));
    });
  }
});

describe('passwordProblem', () => {
  it('refuses an empty password and one over 1024 bytes of UTF-8', () => {
    assert.equal(passwordProblem('a'), undefined);
    assert.equal(passwordProblem('a'.repeat(1024)), undefined);
    assert.equal(passwordProblem('é'.repeat(512)), undefined);
    assert.match(passwordProblem('') ?? '', /empty/);
    assert.match(passwordProblem('a'.repeat(1025)) ?? '', /longer than 1024 bytes/);
    assert.match(passwordProblem('é'.repeat(513)) ?? '', /longer than 1024 bytes/);
  });
});

describe('the users file', () => {
  it('round-trips a table, names sorted', async () => {
    const hash = await hashPassword('pw', FAST);
    const table = new Map([
      ['bob', { hash, created: '2026-01-02T00:00:00.000Z', changed: '2026-01-03T00:00:00.000Z' }],
      ['alice', { hash, created: '2026-01-01T00:00:00.000Z', changed: '2026-01-01T00:00:00.000Z' }],
    ]);
    const text = formatUsers(table);
    assert.ok(text.indexOf('"alice"') < text.indexOf('"bob"'));
    assert.deepEqual(parseUsers(text), table);
  });

  const garbled: Array<[string, string, RegExp]> = [
    ['not JSON', '{"version":1,', /not JSON/],
    ['another version', '{"version":2,"users":{}}', /version 1/],
    ['an array of users', '{"version":1,"users":[]}', /"users"/],
    ['a bad name', '{"version":1,"users":{"Al ice":{}}}', /not a user name/],
    ['an entry without dates', '{"version":1,"users":{"al":{"hash":"x"}}}', /hash, created/],
    [
      'a malformed hash',
      '{"version":1,"users":{"al":{"hash":"x","created":"","changed":""}}}',
      /hash of al is malformed/,
    ],
  ];
  for (const [what, text, why] of garbled) {
    it(`refuses ${what}`, () => {
      assert.throws(() => parseUsers(text), why);
    });
  }
});
