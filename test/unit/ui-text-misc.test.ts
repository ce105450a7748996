import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mentions } from '../../src/ui/text/mentions.ts';
import { clockTime, dayKey, dayLabel } from '../../src/ui/text/time.ts';
import { USER_COLORS, userColor } from '../../src/ui/text/user-color.ts';

describe('userColor', () => {
  // Published FNV-1a 32-bit test vectors pin the hash, so colours never change between versions.
  const vectors: Array<[string, number]> = [
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ];
  for (const [name, hash] of vectors) {
    it(`${JSON.stringify(name)} is FNV-1a ${hash.toString(16)} mod 12`, () =>
      assert.equal(userColor(name), USER_COLORS[hash % 12]));
  }
  it('the palette has 12 distinct colours', () => {
    assert.equal(USER_COLORS.length, 12);
    assert.equal(new Set(USER_COLORS).size, 12);
  });
  it('every name gets a palette colour', () => {
    for (const name of ['alice', 'bob', 'carol', 'x-1', 'a'.repeat(32), '漢字', '\uD800']) {
      assert.ok(USER_COLORS.includes(userColor(name)), name);
    }
  });
  it('200 names use every colour', () => {
    const used = new Set(Array.from({ length: 200 }, (_, index) => userColor(`user${index}`)));
    assert.equal(used.size, 12);
  });
  it('similar names usually differ', () => {
    const names = ['alice', 'alicf', 'bob', 'bob2', 'carol', 'dave'];
    assert.ok(new Set(names.map(userColor)).size >= 4);
  });
});

describe('mentions', () => {
  const cases: Array<[string, string, boolean]> = [
    ['alice', 'alice', true],
    ['hi alice', 'alice', true],
    ['@alice look', 'alice', true],
    ['alice: ping', 'alice', true],
    ['thanks alice, bye', 'alice', true],
    ['ask Alice.', 'alice', true],
    ['ALICE!', 'alice', true],
    ['(alice)', 'alice', true],
    ['line one\nalice', 'alice', true],
    ['alice漢字', 'alice', true],
    ['hi alice', 'Alice', true],
    ['malice', 'alice', false],
    ['alice_b', 'alice', false],
    ['alice-b', 'alice', false],
    ['bob_alice', 'alice', false],
    ['alice2', 'alice', false],
    ['al ice', 'alice', false],
    ['', 'alice', false],
    ['x-1 said', 'x-1', true],
    ['ax-1', 'x-1', false],
    ['x-12', 'x-1', false],
    ['user_b: hi', 'user_b', true],
    ['userxb: hi', 'user_b', false],
    ['anything', '', false],
    ['a.b', 'a.b', false],
    ['aaa', 'a+', false],
    ['\u212Aate', 'kate', false],
  ];
  for (const [text, user, expected] of cases) {
    it(`${JSON.stringify(text)} ${expected ? 'names' : 'does not name'} ${JSON.stringify(user)}`, () =>
      assert.equal(mentions(text, user), expected));
  }
  it('asking about another user uses that user', () => {
    assert.equal(mentions('hi bob', 'alice'), false);
    assert.equal(mentions('hi bob', 'bob'), true);
    assert.equal(mentions('hi bob', 'alice'), false);
  });
});

describe('clockTime', () => {
  const at = Date.UTC(2026, 10, 25, 8, 5, 59, 999);
  const cases: Array<[number, string, string]> = [
    [at, 'UTC', '08:05'],
    [at, 'Asia/Tokyo', '17:05'],
    [at, 'America/New_York', '03:05'],
    [at, 'Asia/Kolkata', '13:35'],
    [Date.UTC(2026, 10, 25, 0, 0), 'UTC', '00:00'],
    [Date.UTC(2026, 10, 25, 23, 59), 'UTC', '23:59'],
    [Date.UTC(2026, 10, 25, 12, 0), 'UTC', '12:00'],
    [0, 'UTC', '00:00'],
  ];
  for (const [ts, zone, expected] of cases) {
    it(`${new Date(ts).toISOString()} in ${zone} is ${expected}`, () =>
      assert.equal(clockTime(ts, zone), expected));
  }
  it("no zone means the machine's", () => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    assert.equal(clockTime(at), clockTime(at, zone));
  });
  it('an unknown zone is a RangeError', () =>
    assert.throws(() => clockTime(at, 'Mars/Olympus'), RangeError));
  it('an invalid time is a RangeError', () =>
    assert.throws(() => clockTime(Number.NaN), RangeError));
});

describe('dayKey', () => {
  const cases: Array<[number, string, string]> = [
    [Date.UTC(2026, 10, 25, 8, 5), 'UTC', '2026-11-25'],
    [Date.UTC(2026, 10, 25, 3, 0), 'America/Los_Angeles', '2026-11-24'],
    [Date.UTC(2026, 10, 25, 20, 0), 'Asia/Tokyo', '2026-11-26'],
    [Date.UTC(2027, 0, 1, 0, 0), 'UTC', '2027-01-01'],
    [Date.UTC(2026, 11, 31, 23, 59), 'UTC', '2026-12-31'],
    [0, 'UTC', '1970-01-01'],
  ];
  for (const [ts, zone, expected] of cases) {
    it(`${new Date(ts).toISOString()} in ${zone} is ${expected}`, () =>
      assert.equal(dayKey(ts, zone), expected));
  }
  it('keys sort in time order', () => {
    const keys = [0, 1, 40, 400, 4000].map((days) => dayKey(days * 86_400_000, 'UTC'));
    assert.deepEqual([...keys].sort(), keys);
  });
  it("no zone means the machine's", () => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    assert.equal(dayKey(Date.UTC(2026, 10, 25, 12)), dayKey(Date.UTC(2026, 10, 25, 12), zone));
  });
});

describe('dayLabel', () => {
  const cases: Array<[number, string, string]> = [
    [Date.UTC(2026, 10, 25, 8, 5), 'UTC', 'Wednesday 25 November 2026'],
    [Date.UTC(2026, 10, 25, 3, 0), 'America/Los_Angeles', 'Tuesday 24 November 2026'],
    [Date.UTC(2027, 0, 1, 0, 0), 'UTC', 'Friday 1 January 2027'],
    [0, 'UTC', 'Thursday 1 January 1970'],
  ];
  for (const [ts, zone, expected] of cases) {
    it(`${new Date(ts).toISOString()} in ${zone} is ${expected}`, () =>
      assert.equal(dayLabel(ts, zone), expected));
  }
});
