// Readline-style edits, each a pure function from one LineState to the next.
// Words are runs of non-whitespace, as for readline's Ctrl+W. "Line" in
// killToStart/killToEnd/moveToStart/moveToEnd means the logical line the
// cursor is on (between newlines); in a one-line input that is the whole value.

/**
 * The input being edited: `value` may hold newlines (Alt+Enter, pastes);
 * `cursor` counts UTF-16 code units from the start, 0..value.length, and is
 * never left between the two halves of a surrogate pair.
 */
export type LineState = { value: string; cursor: number };

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const SPACE = /\s/;

function isSpace(value: string, at: number): boolean {
  return SPACE.test(value.charAt(at));
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * The state with its cursor made valid: an integer within 0..value.length,
 * moved back to the start of a surrogate pair it would split.
 */
export function clampCursor(state: LineState): LineState {
  const { value } = state;
  let cursor = Math.max(0, Math.min(value.length, Math.trunc(state.cursor) || 0));
  if (
    cursor > 0 &&
    isHighSurrogate(value.charCodeAt(cursor - 1)) &&
    isLowSurrogate(value.charCodeAt(cursor))
  ) {
    cursor -= 1;
  }
  return cursor === state.cursor ? state : { value, cursor };
}

function startOfLine(value: string, cursor: number): number {
  return cursor === 0 ? 0 : value.lastIndexOf('\n', cursor - 1) + 1;
}

function endOfLine(value: string, cursor: number): number {
  const newline = value.indexOf('\n', cursor);
  return newline === -1 ? value.length : newline;
}

function wordStartBefore(value: string, cursor: number): number {
  let at = cursor;
  while (at > 0 && isSpace(value, at - 1)) at -= 1;
  while (at > 0 && !isSpace(value, at - 1)) at -= 1;
  return at;
}

function wordEndAfter(value: string, cursor: number): number {
  let at = cursor;
  while (at < value.length && isSpace(value, at)) at += 1;
  while (at < value.length && !isSpace(value, at)) at += 1;
  return at;
}

/** The start of the grapheme (user-perceived character) before the cursor. */
function previousGrapheme(value: string, cursor: number): number {
  if (cursor === 0) return 0;
  return segmenter.segment(value).containing(cursor - 1)?.index ?? cursor - 1;
}

/** The end of the grapheme (user-perceived character) after the cursor. */
function nextGrapheme(value: string, cursor: number): number {
  if (cursor >= value.length) return value.length;
  const segment = segmenter.segment(value).containing(cursor);
  return segment === undefined ? cursor + 1 : segment.index + segment.segment.length;
}

function remove(value: string, from: number, to: number, cursor: number): LineState {
  return { value: value.slice(0, from) + value.slice(to), cursor };
}

/** Typing or pasting: inserts `text` at the cursor and moves the cursor after it. */
export function insertText(state: LineState, text: string): LineState {
  const { value, cursor } = clampCursor(state);
  return {
    value: value.slice(0, cursor) + text + value.slice(cursor),
    cursor: cursor + text.length,
  };
}

/** Alt+Enter: inserts a newline at the cursor (the message stays unsent). */
export function insertNewline(state: LineState): LineState {
  return insertText(state, '\n');
}

/** Backspace: deletes the whole grapheme before the cursor (an emoji, a letter with its accents). */
export function deleteBackward(state: LineState): LineState {
  const { value, cursor } = clampCursor(state);
  const from = previousGrapheme(value, cursor);
  return remove(value, from, cursor, from);
}

/** Delete (Ctrl+D on a non-empty line): deletes the whole grapheme after the cursor. */
export function deleteForward(state: LineState): LineState {
  const { value, cursor } = clampCursor(state);
  return remove(value, cursor, nextGrapheme(value, cursor), cursor);
}

/** Left arrow: moves back one grapheme. */
export function charLeft(state: LineState): LineState {
  const { value, cursor } = clampCursor(state);
  return { value, cursor: previousGrapheme(value, cursor) };
}

/** Right arrow: moves forward one grapheme. */
export function charRight(state: LineState): LineState {
  const { value, cursor } = clampCursor(state);
  return { value, cursor: nextGrapheme(value, cursor) };
}

/** Ctrl+W: deletes back over whitespace, then over the word before it. */
export function deleteWordBefore(state: LineState): LineState {
  const { value, cursor } = clampCursor(state);
  const from = wordStartBefore(value, cursor);
  return remove(value, from, cursor, from);
}

/**
 * Ctrl+U: deletes from the start of the cursor's line to the cursor. At the
 * start of a line it deletes the newline before it, so repeated presses clear
 * a multi-line input.
 */
export function killToStart(state: LineState): LineState {
  const { value, cursor } = clampCursor(state);
  const from = startOfLine(value, cursor);
  if (from === cursor && cursor > 0) return remove(value, cursor - 1, cursor, cursor - 1);
  return remove(value, from, cursor, from);
}

/**
 * Ctrl+K: deletes from the cursor to the end of its line. At the end of a
 * line it deletes the newline after it (as Emacs does), joining the lines.
 */
export function killToEnd(state: LineState): LineState {
  const { value, cursor } = clampCursor(state);
  const to = endOfLine(value, cursor);
  if (to === cursor && cursor < value.length) return remove(value, cursor, cursor + 1, cursor);
  return remove(value, cursor, to, cursor);
}

/** Ctrl+A: to the start of the cursor's line; pressed there, to the start of the input. */
export function moveToStart(state: LineState): LineState {
  const { value, cursor } = clampCursor(state);
  const start = startOfLine(value, cursor);
  return { value, cursor: start === cursor ? 0 : start };
}

/** Ctrl+E: to the end of the cursor's line; pressed there, to the end of the input. */
export function moveToEnd(state: LineState): LineState {
  const { value, cursor } = clampCursor(state);
  const end = endOfLine(value, cursor);
  return { value, cursor: end === cursor ? value.length : end };
}

/** Ctrl+Left: back over whitespace, then to the start of the word before it. */
export function wordLeft(state: LineState): LineState {
  const { value, cursor } = clampCursor(state);
  return { value, cursor: wordStartBefore(value, cursor) };
}

/** Ctrl+Right: forward over whitespace, then to the end of the word after it. */
export function wordRight(state: LineState): LineState {
  const { value, cursor } = clampCursor(state);
  return { value, cursor: wordEndAfter(value, cursor) };
}
