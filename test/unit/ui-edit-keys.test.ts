import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompletionCandidates } from '../../src/ui/input/completion.ts';
import {
  applyInputKey,
  cancelEditing,
  type EditTarget,
  type InputState,
  initialInputState,
  submitInput,
} from '../../src/ui/input/input-keys.ts';
import { NO_KEY } from '../helpers/keys.ts';

const candidates: CompletionCandidates = { users: [], rooms: [], commands: [] };
const LAST: EditTarget = { conversation: '#ops', id: 7, original: 'helo' };
const up = (state: InputState, last: { target: EditTarget | undefined } = { target: LAST }) =>
  applyInputKey(state, '', { ...NO_KEY, upArrow: true }, candidates, () => last.target) ?? state;
const type = (state: InputState, text: string) =>
  applyInputKey(state, text, NO_KEY, candidates) ?? state;

/** A state whose history holds `/join #ops`. */
function withHistory(): InputState {
  const typed = type(initialInputState(), '/join #ops');
  return submitInput(typed).state;
}

describe('the input line: Up on an empty draft edits the last message', () => {
  it('puts the message into the draft, marked as editing', () => {
    const state = up(withHistory());
    assert.equal(state.value, 'helo');
    assert.equal(state.cursor, 4);
    assert.deepEqual(state.editing, LAST);
  });

  it('Enter gives the new text and the message, not recorded in history', () => {
    const edited = type(up(withHistory()), 'o');
    const { state, line, edit } = submitInput(edited);
    assert.equal(line, 'heloo');
    assert.deepEqual(edit, LAST);
    assert.equal(state.editing, undefined);
    assert.equal(state.value, '');
    assert.deepEqual(state.history.entries, ['/join #ops']);
  });

  it('Enter with the text unchanged sends nothing and ends the edit', () => {
    const { state, line } = submitInput(up(withHistory()));
    assert.equal(line, undefined);
    assert.equal(state.editing, undefined);
    assert.equal(state.value, '');
  });

  it('Up again on the untouched text walks on to the input history', () => {
    const state = up(up(withHistory()));
    assert.equal(state.editing, undefined);
    assert.equal(state.value, '/join #ops');
  });

  it('Up on a changed text stays (the edit is not lost)', () => {
    const changed = type(up(withHistory()), '!');
    assert.equal(up(changed), changed);
  });

  it('Esc (cancelEditing) empties the draft and ends the edit', () => {
    const state = cancelEditing(type(up(withHistory()), '!'));
    assert.equal(state.value, '');
    assert.equal(state.editing, undefined);
  });

  it('without a message of the user here, Up walks the history as before', () => {
    const state = up(withHistory(), { target: undefined });
    assert.equal(state.value, '/join #ops');
    assert.equal(state.editing, undefined);
  });

  it('Up on a draft being typed is history, never an edit', () => {
    const state = up(type(withHistory(), 'hi'));
    assert.equal(state.editing, undefined);
    assert.equal(state.value, '/join #ops');
  });
});
