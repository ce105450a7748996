import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  emptyHistory,
  historyDown,
  historyUp,
  type InputHistory,
  pushHistory,
} from '../../src/ui/input/input-history.ts';

function withLines(lines: string[], max = 500): InputHistory {
  return lines.reduce(pushHistory, emptyHistory(max));
}

type Key = 'up' | 'down' | { type: string } | { send: string };

/**
 * Replays keys against an input box that starts with `typed`; returns the
 * line shown after each key. `{ type }` replaces the input (an edit),
 * `{ send }` submits the input and clears it.
 */
function replay(history: InputHistory, typed: string, keys: Key[]): string[] {
  let h = history;
  let line = typed;
  const shown: string[] = [];
  for (const key of keys) {
    if (key === 'up') ({ history: h, line } = historyUp(h, line));
    else if (key === 'down') ({ history: h, line } = historyDown(h, line));
    else if ('type' in key) line = key.type;
    else {
      h = pushHistory(h, key.send);
      line = '';
    }
    shown.push(line);
  }
  return shown;
}

describe('pushHistory', () => {
  const cases: Array<[pushed: string[], entries: string[]]> = [
    [[], []],
    [['a'], ['a']],
    [
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ],
    [['', '  ', '\n', '\t'], []],
    [
      ['a', '', 'b'],
      ['a', 'b'],
    ],
    [['a', 'a'], ['a']],
    [
      ['a', 'b', 'a'],
      ['a', 'b', 'a'],
    ],
    [
      ['a', 'a ', 'a'],
      ['a', 'a ', 'a'],
    ],
    [['multi\nline', 'multi\nline'], ['multi\nline']],
    [[' padded '], [' padded ']],
  ];
  for (const [pushed, entries] of cases) {
    it(`${JSON.stringify(pushed)} -> ${JSON.stringify(entries)}`, () =>
      assert.deepEqual(withLines(pushed).entries, entries));
  }
  it('keeps only the newest max lines', () => {
    assert.deepEqual(withLines(['1', '2', '3', '4', '5'], 3).entries, ['3', '4', '5']);
    assert.equal(withLines(Array.from({ length: 600 }, (_, i) => `l${i}`)).entries.length, 500);
    assert.equal(withLines(Array.from({ length: 600 }, (_, i) => `l${i}`)).entries[0], 'l100');
  });
  it('does not change the history it was given', () => {
    const before = withLines(['a']);
    const frozen = structuredClone(before);
    pushHistory(before, 'b');
    assert.deepEqual(before, frozen);
  });
  it('ends a walk', () => {
    const walking = historyUp(withLines(['a', 'b']), 'draft').history;
    const after = pushHistory(walking, 'c');
    assert.equal(after.index, undefined);
    assert.equal(after.draft, '');
  });
  it('refuses a max that is not a positive integer', () => {
    for (const max of [0, -1, 1.5, Number.NaN]) assert.throws(() => emptyHistory(max), RangeError);
  });
  it('defaults to 500 lines', () => assert.equal(emptyHistory().max, 500));
});

describe('historyUp and historyDown', () => {
  const abc = withLines(['a', 'b', 'c']);
  const cases: Array<
    [name: string, history: InputHistory, typed: string, keys: Key[], shown: string[]]
  > = [
    ['Up walks to the oldest and stays', abc, '', ['up', 'up', 'up', 'up'], ['c', 'b', 'a', 'a']],
    [
      'Down walks back and restores an empty draft',
      abc,
      '',
      ['up', 'up', 'down', 'down'],
      ['c', 'b', 'c', ''],
    ],
    [
      'the draft survives a walk',
      abc,
      'half typed',
      ['up', 'up', 'down', 'down'],
      ['c', 'b', 'c', 'half typed'],
    ],
    ['Down when not walking keeps the line', abc, 'typing', ['down', 'down'], ['typing', 'typing']],
    ['Down past the draft stays on it', abc, 'x', ['up', 'down', 'down'], ['c', 'x', 'x']],
    [
      'Up on an empty history keeps the line',
      emptyHistory(),
      'typing',
      ['up', 'down'],
      ['typing', 'typing'],
    ],
    [
      'an edit to a recalled line is dropped on the next step',
      abc,
      'draft',
      ['up', { type: 'c edited' }, 'up', 'down', 'down'],
      ['c', 'c edited', 'b', 'c', 'draft'],
    ],
    [
      'a sent line is the newest and a new walk starts from it',
      abc,
      '',
      ['up', 'up', { send: 'b' }, 'up', 'up', 'up'],
      ['c', 'b', '', 'b', 'c', 'b'],
    ],
    [
      'a new walk takes a new draft',
      abc,
      'one',
      ['up', 'down', { type: 'two' }, 'up', 'down'],
      ['c', 'one', 'two', 'c', 'two'],
    ],
    [
      'one entry',
      withLines(['only']),
      'd',
      ['up', 'up', 'down', 'down'],
      ['only', 'only', 'd', 'd'],
    ],
    ['multi-line entries come back whole', withLines(['x\ny']), '', ['up', 'down'], ['x\ny', '']],
  ];
  for (const [name, history, typed, keys, shown] of cases) {
    it(name, () => assert.deepEqual(replay(history, typed, keys), shown));
  }
  it('reports the walk in index and draft', () => {
    const up = historyUp(abc, 'draft').history;
    assert.equal(up.index, 2);
    assert.equal(up.draft, 'draft');
    const upAgain = historyUp(up, 'c').history;
    assert.equal(upAgain.index, 1);
    assert.equal(upAgain.draft, 'draft');
    const down = historyDown(historyDown(upAgain, 'b').history, 'c').history;
    assert.equal(down.index, undefined);
    assert.equal(down.draft, '');
  });
  it('leaves the given history unchanged', () => {
    const frozen = structuredClone(abc);
    historyUp(abc, 'x');
    historyDown(historyUp(abc, 'x').history, 'c');
    assert.deepEqual(abc, frozen);
  });
});
