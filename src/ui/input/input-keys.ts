/**
 * The input box's editing state and the keys bound to it, as pure functions
 * (state in, state out). The patched ink-text-input handles typing, pastes,
 * Left/Right, Backspace and Enter; everything here is what it leaves to us:
 * readline chords, word moves, history, Tab and Alt+Enter. Pure: no terminal,
 * no I/O; the key shape matches the fields of ink's `Key` that are read.
 */
import { type CompletionCandidates, type CompletionState, complete } from './completion.ts';
import {
  emptyHistory,
  historyDown,
  historyUp,
  type InputHistory,
  pushHistory,
} from './input-history.ts';
import {
  charLeft,
  charRight,
  clampCursor,
  deleteForward,
  deleteWordBefore,
  insertNewline,
  killToEnd,
  killToStart,
  type LineState,
  moveToEnd,
  moveToStart,
  wordLeft,
  wordRight,
} from './line-edit.ts';

/**
 * The draft (`value`, with `cursor` in UTF-16 code units), the history of
 * submitted lines and the Tab completion in progress, if any.
 */
export type InputState = {
  readonly value: string;
  readonly cursor: number;
  readonly history: InputHistory;
  readonly completion: CompletionState | undefined;
};

/** The fields of ink's `Key` read here (ink's `Key` satisfies it). */
export type InputKey = {
  readonly upArrow: boolean;
  readonly downArrow: boolean;
  readonly leftArrow: boolean;
  readonly rightArrow: boolean;
  readonly return: boolean;
  readonly escape: boolean;
  readonly ctrl: boolean;
  readonly meta: boolean;
  readonly shift: boolean;
  readonly tab: boolean;
  readonly backspace: boolean;
  readonly delete: boolean;
  /**
   * The Delete key (ESC [3~). Ink names it and Backspace (DEL) both
   * `delete`; the caller tells them apart by the raw sequence (see
   * {@link isForwardDelete}).
   */
  readonly forwardDelete?: boolean;
};

/** Whether a raw input event is the Delete key, which deletes after the cursor. */
export function isForwardDelete(raw: string): boolean {
  return raw === '\u001b[3~';
}

/** An empty draft with an empty history of at most `maxHistory` lines. */
export function initialInputState(maxHistory = 500): InputState {
  return { value: '', cursor: 0, history: emptyHistory(maxHistory), completion: undefined };
}

/**
 * A draft made safe to keep and draw on one line: CRLF and CR (what
 * terminals send for line breaks in a paste) become `\n`, a tab becomes a
 * space, and other C0 and C1 controls and DEL are dropped, so nothing typed
 * or pasted can reach the terminal as a control. The cursor keeps its place.
 */
export function cleanDraft(state: LineState): LineState {
  const clean = (text: string): string => {
    let out = '';
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code >= 0x20 && code < 0x7f) out += text[index];
      else if (code === 0x0a) out += '\n';
      else if (code === 0x0d) {
        out += '\n';
        if (text.charCodeAt(index + 1) === 0x0a) index++;
      } else if (code === 0x09) out += ' ';
      else if (code > 0x9f) out += text[index];
    }
    return out;
  };
  const value = clean(state.value);
  if (value === state.value) return clampCursor(state);
  // The cursor stays after the same text: its offset is the cleaned length of what preceded it.
  return clampCursor({ value, cursor: clean(state.value.slice(0, state.cursor)).length });
}

/**
 * The text input changed the draft (typing, a paste, Backspace, Left/Right)
 * or the app set it: the new draft, cleaned (see {@link cleanDraft}).
 */
export function editInput(state: InputState, value: string, cursor: number): InputState {
  const line = cleanDraft({ value, cursor });
  if (line.value === state.value && line.cursor === state.cursor) return state;
  return { ...state, value: line.value, cursor: line.cursor, completion: undefined };
}

/**
 * Enter: the line to send and the state after it: recorded in history (see
 * `pushHistory`) and the draft cleared. `line` is undefined for a blank
 * draft, which is left as it is.
 */
export function submitInput(state: InputState): { state: InputState; line: string | undefined } {
  if (state.value.trim() === '') return { state, line: undefined };
  return {
    state: {
      value: '',
      cursor: 0,
      history: pushHistory(state.history, state.value),
      completion: undefined,
    },
    line: state.value,
  };
}

function withLine(state: InputState, line: LineState): InputState {
  if (line.value === state.value && line.cursor === state.cursor) return state;
  return { ...state, value: line.value, cursor: line.cursor, completion: undefined };
}

function ctrlChord(state: InputState, input: string, key: InputKey): LineState | undefined {
  if (key.leftArrow) return wordLeft(state);
  if (key.rightArrow) return wordRight(state);
  switch (input) {
    case 'a':
      return moveToStart(state);
    case 'e':
      return moveToEnd(state);
    case 'b':
      return charLeft(state);
    case 'f':
      return charRight(state);
    case 'w':
      return deleteWordBefore(state);
    case 'u':
      return killToStart(state);
    case 'k':
      return killToEnd(state);
    // On an empty draft Ctrl+D is left to the app (readline's end of input).
    case 'd':
      return state.value === '' ? undefined : deleteForward(state);
    default:
      return undefined;
  }
}

function metaChord(state: InputState, input: string, key: InputKey): LineState | undefined {
  if (key.return) return insertNewline(state);
  if (key.leftArrow || input === 'b') return wordLeft(state);
  if (key.rightArrow || input === 'f') return wordRight(state);
  // Alt+Backspace: terminals send ESC DEL, which ink reports as meta + delete.
  if (key.backspace || key.delete) return deleteWordBefore(state);
  return undefined;
}

function walkHistory(state: InputState, up: boolean): InputState {
  // In a multi-line draft Up/Down are not history keys, except while walking
  // (a recalled entry may itself span lines).
  if (state.value.includes('\n') && state.history.index === undefined) return state;
  const step = up ? historyUp(state.history, state.value) : historyDown(state.history, state.value);
  return {
    value: step.line,
    cursor: step.line.length,
    history: step.history,
    completion: undefined,
  };
}

/**
 * Applies one key press the text input leaves alone. Returns the new state
 * (the same object when the key is bound but changes nothing), or
 * `undefined` when the key is not bound here, so the app may use it.
 *
 * Bound: Up/Down (history; in a multi-line draft only while walking), Tab
 * (completion from `candidates`, cycling on repeated presses), Alt+Enter
 * (newline), Ctrl+A/E (line start/end), Ctrl+B/F (character), Ctrl+W and
 * Alt+Backspace (delete word), Ctrl+U/K (kill to line start/end), Ctrl+D
 * (delete forward, on a non-empty draft), Delete (forward), Ctrl+Left/Right and Alt+Left/Right,
 * Alt+B/F (word moves). Never bound: Esc (it never clears the draft), Enter
 * (the text input submits), PageUp/PageDown, Home/End, Shift+Tab, Ctrl+C,
 * Ctrl+L, Ctrl+N/P, Alt+1..9, Alt+A and every other chord.
 */
export function applyInputKey(
  state: InputState,
  input: string,
  key: InputKey,
  candidates: CompletionCandidates,
): InputState | undefined {
  if (key.escape) return undefined;
  if (key.forwardDelete) return withLine(state, deleteForward(state));
  if (key.ctrl) {
    const line = ctrlChord(state, input, key);
    return line === undefined ? undefined : withLine(state, line);
  }
  if (key.meta) {
    const line = metaChord(state, input, key);
    return line === undefined ? undefined : withLine(state, line);
  }
  if (key.upArrow || key.downArrow) return walkHistory(state, key.upArrow);
  if (key.tab && !key.shift) {
    const result = complete(
      { line: state.value, cursor: state.cursor },
      candidates,
      state.completion,
    );
    return { ...state, value: result.line, cursor: result.cursor, completion: result.state };
  }
  return undefined;
}
