/**
 * The input line's editing state and what its keys do to it, as pure
 * functions (state in, state out). Which key is which command is written in
 * `keymap.ts`; typing is what no command claims. Pure: no terminal, no I/O.
 */
import { type CompletionCandidates, type CompletionState, complete } from './completion.ts';
import {
  emptyHistory,
  historyDown,
  historyUp,
  type InputHistory,
  pushHistory,
} from './input-history.ts';
import { commandFor, type InputKey, keyName } from './key-bindings.ts';
import { INPUT_KEYMAP, type InputCommand } from './keymap.ts';
import {
  charLeft,
  charRight,
  clampCursor,
  deleteBackward,
  deleteForward,
  deleteWordBefore,
  insertNewline,
  insertText,
  killToEnd,
  killToStart,
  type LineState,
  moveToEnd,
  moveToStart,
  wordLeft,
  wordRight,
} from './line-edit.ts';

/** One of the user's messages being edited in the input line: where, which, and its text then. */
export type EditTarget = {
  /** `#room` or `@peer`. */
  readonly conversation: string;
  readonly id: number;
  /** The text put into the draft; Enter with it unchanged sends nothing. */
  readonly original: string;
};

/**
 * The draft (`value`, with `cursor` in UTF-16 code units), the history of
 * submitted lines, the Tab completion in progress, if any, and the message
 * being edited, if any (Enter then edits it rather than sending).
 */
export type InputState = {
  readonly value: string;
  readonly cursor: number;
  readonly history: InputHistory;
  readonly completion: CompletionState | undefined;
  readonly editing?: EditTarget;
};

/** The draft becomes `target`'s text, to edit (Up on an empty draft, or `/edit`). */
export function startEditing(state: InputState, target: EditTarget): InputState {
  return {
    value: target.original,
    cursor: target.original.length,
    history: { ...state.history, index: undefined, draft: '' },
    completion: undefined,
    editing: target,
  };
}

/** Stops editing (Esc): the draft is emptied. Unchanged when not editing. */
export function cancelEditing(state: InputState): InputState {
  if (state.editing === undefined) return state;
  const { editing: _, ...rest } = state;
  return { ...rest, value: '', cursor: 0, completion: undefined };
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
 * The draft replaced (by the app, or by typing or a paste inserting at the
 * cursor): the new draft, cleaned (see {@link cleanDraft}).
 */
export function editInput(state: InputState, value: string, cursor: number): InputState {
  const line = cleanDraft({ value, cursor });
  if (line.value === state.value && line.cursor === state.cursor) return state;
  return { ...state, value: line.value, cursor: line.cursor, completion: undefined };
}

/**
 * Enter: the line to send and the state after it: recorded in history (see
 * `pushHistory`) and the draft cleared. `line` is undefined for a blank
 * draft, which is left as it is. While editing, `edit` names the message
 * the line is the new text of (not recorded in history); an unchanged
 * text ends the edit with no line to send.
 */
export function submitInput(state: InputState): {
  state: InputState;
  line: string | undefined;
  edit?: EditTarget;
} {
  if (state.value.trim() === '') return { state, line: undefined };
  const edit = state.editing;
  if (edit !== undefined) {
    const done = cancelEditing(state);
    return state.value === edit.original
      ? { state: done, line: undefined }
      : { state: done, line: state.value, edit };
  }
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

function walkHistory(state: InputState, up: boolean, lastOwn?: LastOwn): InputState {
  // Up on an empty draft edits the user's last message here, as in Slack;
  // Up again on it untouched goes on to the input history.
  if (state.editing !== undefined) {
    if (state.value !== state.editing.original) return state;
    const idle = cancelEditing(state);
    return up ? walkHistory(idle, true) : idle;
  }
  if (up && state.value === '' && state.history.index === undefined) {
    const target = lastOwn?.();
    if (target !== undefined) return startEditing(state, target);
  }
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

/** The user's last message in the current conversation, to edit; undefined: none. */
export type LastOwn = () => EditTarget | undefined;

const LINE_EDITS: Partial<Record<InputCommand, (line: LineState) => LineState>> = {
  newline: insertNewline,
  lineStart: moveToStart,
  lineEnd: moveToEnd,
  wordLeft,
  wordRight,
  deleteWordBefore,
  killToStart,
  killToEnd,
  charLeft,
  charRight,
  deleteBackward,
  deleteForward,
};

/**
 * Runs one command of the input line on the draft (see `INPUT_KEYMAP`);
 * Up on an empty draft edits the message `lastOwn` gives, if any.
 * `submit` is not a change of state (the caller sends, see
 * {@link submitInput}): it gives `undefined`, as does `deleteForward` on an
 * empty draft, left to the app.
 */
function runInputCommand(
  state: InputState,
  command: InputCommand,
  candidates: CompletionCandidates,
  lastOwn: LastOwn | undefined,
): InputState | undefined {
  switch (command) {
    case 'submit':
      return undefined;
    case 'historyUp':
    case 'historyDown':
      return walkHistory(state, command === 'historyUp', lastOwn);
    case 'complete': {
      const at = { line: state.value, cursor: state.cursor };
      const result = complete(at, candidates, state.completion);
      return { ...state, value: result.line, cursor: result.cursor, completion: result.state };
    }
    case 'deleteForward':
      if (state.value === '') return undefined;
      break;
  }
  const edit = LINE_EDITS[command];
  return edit === undefined ? undefined : withLine(state, edit(state));
}

/**
 * Typing: a key with text and neither Ctrl, Alt nor a name (Enter, Tab, the
 * arrows...) inserts its text at the cursor, cleaned (see
 * {@link cleanDraft}): a read with line breaks inside is a paste from a
 * terminal without bracketed paste, kept whole. Other keys give `undefined`.
 */
function typeInput(state: InputState, input: string, key: InputKey): InputState | undefined {
  if (input === '' || key.ctrl || key.meta || keyName(key) !== undefined) return undefined;
  const line = insertText(state, input);
  return editInput(state, line.value, line.cursor);
}

/**
 * Applies one key press to the draft: the command `INPUT_KEYMAP` binds it
 * to (see {@link runInputCommand}), or typing (see {@link typeInput}).
 * Returns the new state (the same object when the key changes nothing), or
 * `undefined` when the key is not the input line's (Esc, PageUp, Ctrl+N...)
 * or is Enter, which the caller handles with {@link submitInput}.
 */
export function applyInputKey(
  state: InputState,
  input: string,
  key: InputKey,
  candidates: CompletionCandidates,
  lastOwn?: LastOwn,
): InputState | undefined {
  const command = commandFor(INPUT_KEYMAP, input, key);
  if (command !== undefined) return runInputCommand(state, command, candidates, lastOwn);
  return typeInput(state, input, key);
}
