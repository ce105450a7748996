import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, looksLikeDuration, parseDuration } from '../../src/ui/text/duration.ts';

describe('parseDuration', () => {
  const good: Array<[string, number]> = [
    ['30s', 30],
    ['10m', 600],
    ['2h', 7200],
    ['1d', 86_400],
    ['1w', 604_800],
    ['10', 600],
    ['2H', 7200],
    ['52w', 31_449_600],
    ['365d', 31_536_000],
  ];
  for (const [word, seconds] of good) {
    it(`${word} → ${seconds} s`, () => assert.deepEqual(parseDuration(word), { seconds }));
  }
  const bad: Array<[string, RegExp]> = [
    ['0s', /at least 1s/],
    ['366d', /a year/],
    ['10x', /not a duration: 10x/],
    ['ten', /not a duration/],
    ['1.5h', /not a duration/],
    ['-5m', /not a duration/],
    ['', /not a duration/],
  ];
  for (const [word, error] of bad) {
    it(`refuses ${JSON.stringify(word)} with one line`, () => {
      const result = parseDuration(word);
      assert.ok('error' in result);
      assert.match(result.error, error);
      assert.equal(result.error.includes('\n'), false);
    });
  }
});

describe('formatDuration', () => {
  const cases: Array<[number, string]> = [
    [30, '30s'],
    [90, '90s'],
    [600, '10m'],
    [7200, '2h'],
    [86_400, '1d'],
    [604_800, '1w'],
    [1_209_600, '2w'],
    [599.6, '10m'],
  ];
  for (const [seconds, text] of cases) {
    it(`${seconds} s → ${text}`, () => assert.equal(formatDuration(seconds), text));
  }
});

describe('looksLikeDuration', () => {
  it('takes a number with at most one letter, not a word', () => {
    assert.deepEqual(['10m', '30', '1x', 'flooding', 'm10', '10mm'].map(looksLikeDuration), [
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
