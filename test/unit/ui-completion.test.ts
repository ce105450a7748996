import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CompletionCandidates,
  type CompletionState,
  complete,
} from '../../src/ui/input/completion.ts';

const candidates: CompletionCandidates = {
  users: ['bob', 'alice', 'bobby', 'Al_ex', 'carol'],
  rooms: ['#general', '#dev', '#design', 'ops'],
  commands: ['join', 'j', 'part', 'msg', 'me', 'who', 'quit', 'query'],
};

/** `|` in the string marks the cursor. */
function at(marked: string): { line: string; cursor: number } {
  const cursor = marked.indexOf('|');
  assert.ok(cursor >= 0, `no cursor in ${marked}`);
  return { line: marked.slice(0, cursor) + marked.slice(cursor + 1), cursor };
}

function show(result: { line: string; cursor: number }): string {
  return `${result.line.slice(0, result.cursor)}|${result.line.slice(result.cursor)}`;
}

/** Presses Tab `presses` times from `marked`, returning each result with the cursor marked. */
function tabs(marked: string, presses: number, given = candidates): string[] {
  let input = at(marked);
  let state: CompletionState | undefined;
  const seen: string[] = [];
  for (let i = 0; i < presses; i++) {
    const result = complete(input, given, state);
    seen.push(show(result));
    input = { line: result.line, cursor: result.cursor };
    state = result.state;
  }
  return seen;
}

describe('complete: one Tab', () => {
  const cases: Array<[before: string, after: string]> = [
    // Users: most recent speaker first, ': ' at the start of the line.
    ['b|', 'bob: |'],
    ['B|', 'bob: |'],
    ['al|', 'alice: |'],
    ['car|', 'carol: |'],
    ['hi b|', 'hi bob |'],
    ['hi ca|', 'hi carol |'],
    ['@b|', '@bob: |'],
    ['hi @ca|', 'hi @carol |'],
    ['hi\nca|', 'hi\ncarol |'],
    ['hi\tca|', 'hi\tcarol |'],
    ['  ca|', '  carol |'],
    // Only the word before the cursor is replaced; the rest of the line stays, and a
    // space already after the cursor is reused (the cursor steps over it).
    ['ca| said hi', 'carol: |said hi'],
    ['hi ca| there', 'hi carol |there'],
    ['hi ca|rol', 'hi carol |rol'],
    ['hi ca|\nnext', 'hi carol |\nnext'],
    // Commands only at the start of the line.
    ['/jo|', '/join |'],
    ['/JO|', '/join |'],
    ['/p|', '/part |'],
    ['/w| x', '/who |x'],
    ['x /jo|', 'x /jo|'],
    ['/msg b|', '/msg bob |'],
    ['/msg @al|', '/msg @alice |'],
    // The operators' commands take a user first.
    ['/kick b|', '/kick bob |'],
    ['/ban -server ca|', '/ban -server carol |'],
    ['/op @al|', '/op @alice |'],
    ['/mute car| 10m', '/mute carol |10m'],
    // Rooms anywhere, with or without '#' in the candidates.
    ['#ge|', '#general |'],
    ['/join #d|', '/join #dev |'],
    ['/join #O|', '/join #ops |'],
    ['see #GEN|', 'see #general |'],
    // Nothing to complete: unchanged.
    ['|', '|'],
    ['hi |', 'hi |'],
    ['zz|', 'zz|'],
    ['hi z|', 'hi z|'],
    ['#zz|', '#zz|'],
    ['/zz|', '/zz|'],
    ['//jo|', '//jo|'],
    ['@zz|', '@zz|'],
  ];
  for (const [before, after] of cases) {
    it(`${JSON.stringify(before)} -> ${JSON.stringify(after)}`, () =>
      assert.deepEqual(tabs(before, 1), [after]));
  }
});

describe('complete: Tab again cycles', () => {
  const cases: Array<[start: string, presses: string[]]> = [
    ['b|', ['bob: |', 'bobby: |', 'bob: |']],
    ['hi b|', ['hi bob |', 'hi bobby |', 'hi bob |']],
    ['a|', ['alice: |', 'Al_ex: |', 'alice: |']],
    ['hi @a| there', ['hi @alice |there', 'hi @Al_ex |there', 'hi @alice |there']],
    ['/j|', ['/join |', '/j |', '/join |']],
    ['/m|', ['/msg |', '/me |', '/msg |']],
    ['#de|', ['#dev |', '#design |', '#dev |']],
    ['ca|', ['carol: |', 'carol: |']],
    ['/q|', ['/quit |', '/query |', '/quit |']],
  ];
  for (const [start, presses] of cases) {
    it(`${JSON.stringify(start)} -> ${presses.join(' -> ')}`, () =>
      assert.deepEqual(tabs(start, presses.length), presses));
  }
  it('/ and # alone list every command and room', () => {
    assert.deepEqual(tabs('/|', 3), ['/join |', '/j |', '/part |']);
    assert.deepEqual(tabs('#|', 5), ['#general |', '#dev |', '#design |', '#ops |', '#general |']);
  });
  it('@ alone lists every user, last speaker first', () =>
    assert.deepEqual(tabs('@|', 6), [
      '@bob: |',
      '@alice: |',
      '@bobby: |',
      '@Al_ex: |',
      '@carol: |',
      '@bob: |',
    ]));
});

describe('complete: state reuse', () => {
  it('starts over when the line was edited after a completion', () => {
    const first = complete(at('hi b|'), candidates);
    assert.equal(show(first), 'hi bob |');
    // The user typed "and b" after the completion: a new word, a new completion.
    const edited = { line: 'hi bob and b', cursor: 12 };
    const second = complete(edited, candidates, first.state);
    assert.equal(show(second), 'hi bob and bob |');
  });
  it('starts over when only the cursor moved', () => {
    const first = complete(at('b|'), candidates);
    const moved = { line: first.line, cursor: 1 };
    const second = complete(moved, candidates, first.state);
    assert.equal(show(second), 'bob: |ob: ');
  });
  it('a state from a failed completion does not block the next one', () => {
    const none = complete(at('zz|'), candidates);
    assert.deepEqual(none.state.choices, []);
    const next = complete(at('hi b|'), candidates, none.state);
    assert.equal(show(next), 'hi bob |');
  });
  it('cycles over the candidates of the first Tab, even if the lists change', () => {
    const first = complete(at('b|'), candidates);
    const fewer = { ...candidates, users: ['bob'] };
    assert.equal(show(complete(first, fewer, first.state)), 'bobby: |');
  });
  it('returns a state matching the returned line and cursor', () => {
    const result = complete(at('hi a| x'), candidates);
    assert.equal(result.state.line, result.line);
    assert.equal(result.state.cursor, result.cursor);
  });
});

describe('complete: edge cases', () => {
  it('does not double a space that already follows the cursor', () => {
    assert.deepEqual(tabs('hi b| there', 2), ['hi bob |there', 'hi bobby |there']);
    assert.deepEqual(tabs('b| there', 1), ['bob: |there']);
  });
  it('deduplicates candidates, keeping the first position', () => {
    const dup = { users: ['bob', 'bob', 'bobby', 'bob'], rooms: [], commands: [] };
    assert.deepEqual(tabs('b|', 3, dup), ['bob: |', 'bobby: |', 'bob: |']);
  });
  it('empty candidate lists leave the line alone', () => {
    const empty = { users: [], rooms: [], commands: [] };
    for (const start of ['b|', '#g|', '/j|', 'hi @a|']) {
      assert.deepEqual(tabs(start, 2, empty), [start, start]);
    }
  });
  it('clamps a cursor outside the line', () => {
    assert.equal(show(complete({ line: 'hi b', cursor: 99 }, candidates)), 'hi bob |');
    assert.equal(show(complete({ line: 'b', cursor: -3 }, candidates)), '|b');
  });
  it('keeps wide characters before the word intact', () => {
    assert.equal(show(complete(at('👋 世界 b|'), candidates)), '👋 世界 bob |');
  });
  it('matches user names with non-ASCII case folding', () => {
    const names = { users: ['Émile'], rooms: [], commands: [] };
    assert.equal(show(complete(at('é|'), names)), 'Émile: |');
  });
});
